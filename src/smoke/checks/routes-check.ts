import type { Route } from '../../cni/index.js';
import { sameNetwork, toCidr } from '../../util/cidr.js';
import { ipFamily } from '../../util/ip.js';
import type { KernelRoute } from '../host/net-probe.js';

/** `default` → `0.0.0.0/0` or `::/0` (by the table it came from); anything else as it is. */
export function kernelDst(route: KernelRoute): string {
  if (route.dst !== 'default') return route.dst;
  const family = route.family ?? (ipFamily(route.gateway) === 6 ? 6 : 4);
  return family === 4 ? '0.0.0.0/0' : '::/0';
}

export function describeRoute(route: KernelRoute): string {
  return `${route.dst}${route.gateway ? ` via ${route.gateway}` : ''}${route.dev ? ` dev ${route.dev}` : ''}`;
}

/**
 * Every route of the result must be in the namespace's table: same destination network and,
 * when the result names one, the same gateway (a result route without `gw` uses the
 * interface's gateway or is on-link, which the kernel may show either way).
 */
export function missingRoutes(expected: Route[], found: KernelRoute[], netns: string): string[] {
  const problems: string[] = [];
  for (const route of expected) {
    const want = toCidr(route.dst);
    if (!want) {
      problems.push(`the result has a route with an invalid dst ${JSON.stringify(route.dst)}`);
      continue;
    }
    const match = found.some((k) => {
      if (!sameNetwork(kernelDst(k), want)) return false;
      return route.gw === undefined || route.gw === k.gateway;
    });
    if (!match) {
      const via = route.gw ? ` via ${route.gw}` : '';
      problems.push(`route ${route.dst}${via} missing in netns ${netns}; found: ${found.map(describeRoute).join(', ') || 'no routes'}`);
    }
  }
  return problems;
}
