import { stringify } from 'yaml';

export interface DeploymentOptions {
  replicas?: number;
  image?: string;
  container?: string;
  command?: string[];
  env?: Record<string, string>;
  readinessProbe?: Record<string, unknown>;
  /** terminationGracePeriodSeconds: short, so that tests do not wait on stops. */
  graceSeconds?: number;
  strategy?: Record<string, unknown>;
}

/**
 * The Deployment the e2e tests run: `name`, labelled and selecting `app: name`, one container
 * (nginx by default), with the parts each test varies.
 */
export function deploymentYaml(name: string, o: DeploymentOptions = {}): string {
  const container = {
    name: o.container ?? 'web',
    image: o.image ?? 'nginx',
    ...(o.command ? { command: o.command } : {}),
    ...(o.env ? { env: Object.entries(o.env).map(([key, value]) => ({ name: key, value })) } : {}),
    ...(o.readinessProbe ? { readinessProbe: o.readinessProbe } : {}),
  };
  return stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      ...(o.strategy ? { strategy: o.strategy } : {}),
      template: {
        metadata: { labels: { app: name } },
        spec: { terminationGracePeriodSeconds: o.graceSeconds ?? 1, containers: [container] },
      },
    },
  });
}
