import { cidrFamily, networkOf, toCidr } from '../util/cidr.js';
import { invalidArgument } from '../util/errors.js';
import type { NodePortAddresses } from './types.js';

/**
 * `$PODCTL_NODEPORT_ADDRESSES` (kube-proxy's --nodeport-addresses): unset or empty for the
 * default, `all`, or a comma-separated list of IPv4 addresses and prefixes.
 */
export function parseNodePortAddresses(text: string | undefined): NodePortAddresses {
  const value = (text ?? '').trim();
  if (value === '' || value === 'default') return 'default';
  if (value === 'all') return 'all';
  return value.split(',').map((item) => {
    const cidr = toCidr(item.trim());
    if (!cidr || cidrFamily(cidr) !== 4) {
      throw invalidArgument(`PODCTL_NODEPORT_ADDRESSES: ${JSON.stringify(item.trim())} is not an IPv4 address or prefix`, 'set it to all, or to a comma-separated list such as 192.168.1.0/24,10.0.0.5');
    }
    return networkOf(cidr);
  });
}
