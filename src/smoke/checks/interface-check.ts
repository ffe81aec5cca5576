import { sameInterfaceAddress, toCidr } from '../../util/cidr.js';
import type { LinkAddresses } from '../host/net-probe.js';
import type { PodNetView } from './result-view.js';

/**
 * Compares the pod's interface as the kernel has it with what the result claims: the link
 * exists, carries every result address (same prefix) and, when reported, the same MAC.
 * Returns the problems, empty when they agree.
 */
export function interfaceProblems(view: PodNetView, link: LinkAddresses | undefined, netns: string): string[] {
  if (!link) return [`interface ${view.ifName} named in the result does not exist in netns ${netns}`];
  const problems: string[] = [];
  if (view.addresses.length === 0) problems.push(`the result gives ${view.ifName} no IP address`);
  for (const address of view.addresses) {
    const has = toCidr(address) !== undefined && link.addresses.some((a) => sameInterfaceAddress(a, address));
    if (!has) problems.push(`address ${address} missing on ${view.ifName} in netns ${netns}; found: ${link.addresses.join(', ') || 'none'}`);
  }
  if (view.mac && view.mac.toLowerCase() !== link.mac.toLowerCase()) {
    problems.push(`MAC of ${view.ifName} is ${link.mac}, the result says ${view.mac}`);
  }
  return problems;
}
