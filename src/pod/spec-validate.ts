import { invalidArgument } from '../util/errors.js';
import { isIP } from '../util/ip.js';
import { validateDnsLabel, validateHostname } from '../util/validate.js';
import { assertDistinctHostPorts } from './ports.js';
import type { PodSpec } from './spec.js';

const DNS_DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9])?(\.[A-Za-z0-9_]([-A-Za-z0-9_]*[A-Za-z0-9])?)*\.?$/;
const RESOLV_OPTION = /^[A-Za-z0-9][A-Za-z0-9_.:-]*$/;

/** Checks a whole pod spec before anything is touched; throws one clear error for the first problem. */
export function validatePodSpec(spec: PodSpec): PodSpec {
  validateDnsLabel(spec.name, 'pod name');
  validateDnsLabel(spec.namespace, 'namespace');
  if (spec.hostname !== undefined) validateHostname(spec.hostname);
  if (spec.subdomain !== undefined) validateDnsLabel(spec.subdomain, 'subdomain');
  if (spec.containers.length === 0) throw invalidArgument('a pod needs at least one container', 'give it a container with an image');
  const names = new Set<string>();
  for (const c of [...spec.initContainers, ...spec.containers]) {
    validateDnsLabel(c.name, 'container name');
    if (names.has(c.name)) throw invalidArgument(`container name "${c.name}" is used twice in pod ${spec.name}`, 'give each container its own name');
    names.add(c.name);
    if (c.image.trim() === '' || /\s/.test(c.image)) throw invalidArgument(`image "${c.image}" of container ${c.name} is not an image reference`, 'e.g. nginx or registry.example/app:1.0');
  }
  if (spec.networks.length === 0) throw invalidArgument('a pod needs at least one network', 'name a network of the CNI conf dir');
  if (new Set(spec.networks).size !== spec.networks.length) throw invalidArgument('a network is listed twice', 'list each network once');
  for (const server of spec.dns?.servers ?? []) {
    if (!isIP(server)) throw invalidArgument(`DNS server "${server}" is not an IP address`, 'e.g. 10.99.0.10');
  }
  // Search domains, options and alias names become lines of the pod's resolv.conf and hosts:
  // a space or newline in one would write lines the user never asked for.
  for (const domain of spec.dns?.searches ?? []) {
    if (!DNS_DOMAIN.test(domain)) throw invalidArgument(`DNS search domain ${JSON.stringify(domain)} is not a domain name`, 'e.g. svc.cluster.local');
  }
  for (const option of spec.dns?.options ?? []) {
    if (!RESOLV_OPTION.test(option)) throw invalidArgument(`DNS option ${JSON.stringify(option)} is not a resolv.conf option`, 'e.g. ndots:2');
  }
  for (const alias of spec.hostAliases) {
    if (!isIP(alias.ip)) throw invalidArgument(`host alias address "${alias.ip}" is not an IP address`, 'e.g. 10.0.0.5');
    for (const host of alias.hostnames) {
      if (!DNS_DOMAIN.test(host)) throw invalidArgument(`host alias name ${JSON.stringify(host)} is not a host name`, 'e.g. db.local');
    }
  }
  assertDistinctHostPorts(spec.portMappings);
  if (spec.pauseImage.trim() === '') throw invalidArgument('the pause image is empty', 'leave it out to use podctl\'s own pause image');
  return spec;
}
