import type { KubeObject } from '../objects/store.js';
import { PodctlError } from '../../util/errors.js';

/**
 * The selector `expose deployment|replicaset NAME` gives its Service, as kubectl does: the
 * workload's spec.selector.matchLabels. A Service selects by equality only, so a selector
 * with matchExpressions cannot be carried over and is refused.
 */
export function exposedSelector(workload: KubeObject): Record<string, string> {
  const selector = (workload.spec as { selector?: { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } } | undefined)?.selector;
  const ref = `${workload.kind.toLowerCase()} ${workload.metadata.name}`;
  if ((selector?.matchExpressions ?? []).length > 0) {
    throw new PodctlError('FAILED_PRECONDITION', `${ref} selects its pods with matchExpressions, which a Service selector cannot express`, {
      hint: 'write the Service manifest with a selector of labels and apply it',
    });
  }
  const labels = selector?.matchLabels ?? {};
  if (Object.keys(labels).length === 0) throw new PodctlError('FAILED_PRECONDITION', `${ref} has no spec.selector.matchLabels to select its pods by`, { hint: 'give it a selector and apply it again' });
  return { ...labels };
}
