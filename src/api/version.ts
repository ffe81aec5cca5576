import { createRequire } from 'node:module';

/**
 * `/version`: the Kubernetes version whose API podctl serves, the one of the `kubernetes-types`
 * package its shapes come from (kubectl's wrapper picks its binary by the minor). Read from the
 * package itself, so an upgrade of the types moves it.
 */
export function kubernetesVersion(): Record<string, string> {
  const { version } = createRequire(import.meta.url)('kubernetes-types/package.json') as { version: string };
  const [major, minor] = version.split('.');
  return {
    major: major!,
    minor: minor!,
    gitVersion: `v${version}`,
    gitCommit: '',
    gitTreeState: '',
    buildDate: '',
    goVersion: `node${process.versions.node}`,
    compiler: 'podctl',
    platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
  };
}
