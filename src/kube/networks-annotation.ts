import { childPath, type ManifestIssues } from './fields.js';

/** Multus' annotations: extra networks (net1, net2, ...) and the pod's primary network. */
export const NETWORKS_ANNOTATION = 'k8s.v1.cni.cncf.io/networks';
export const DEFAULT_NETWORK_ANNOTATION = 'v1.multus-cni.io/default-network';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/**
 * Reads the networks annotation in either of its forms: `a, ns/b` or a JSON list of
 * `{"name": ...}`. podctl networks are the CNI configs of its conf dir, so a namespace is
 * ignored and a custom interface name, IPs or MAC are unsupported (interfaces are net1, net2, ...).
 */
export function parseNetworksAnnotation(value: string, path: string, issues: ManifestIssues): string[] {
  const text = value.trim();
  if (text === '') return [];
  if (text.startsWith('[')) return parseJsonForm(text, path, issues);
  const names: string[] = [];
  for (const item of text.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [ref, ifname] = item.split('@');
    const name = ref!.includes('/') ? ref!.slice(ref!.indexOf('/') + 1) : ref!;
    if (ifname !== undefined) issues.unsupported.push(`${path} (interface name @${ifname})`);
    if (!NAME.test(name)) issues.error(path, `network "${item}" is not a network name`);
    else names.push(name);
  }
  return names;
}

function parseJsonForm(text: string, path: string, issues: ManifestIssues): string[] {
  let list: unknown;
  try {
    list = JSON.parse(text);
  } catch {
    issues.error(path, 'is neither a comma-separated list of names nor valid JSON');
    return [];
  }
  if (!Array.isArray(list)) {
    issues.error(path, 'must be a JSON list of {"name": ...} objects');
    return [];
  }
  const names: string[] = [];
  list.forEach((entry, i) => {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== 'string' || !NAME.test(name)) {
      issues.error(`${path}[${i}].name`, 'must be a network name');
      return;
    }
    for (const key of Object.keys(entry as object)) {
      if (key !== 'name' && key !== 'namespace') issues.unsupported.push(childPath(`${path}[${i}]`, key));
    }
    names.push(name);
  });
  return names;
}

export const formatNetworksAnnotation = (extra: string[]): string => extra.join(',');
