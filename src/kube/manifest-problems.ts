import { PodctlError } from '../util/errors.js';

/**
 * Every problem found in the manifests as one error: the first in the message, the count and
 * the rest after it, all of them in `details.problems`, so one apply names everything to fix.
 */
export function manifestProblemsError(problems: readonly string[], strict = false): PodctlError {
  const more = problems.length > 1 ? ` (and ${problems.length - 1} more: ${problems.slice(1).join('; ')})` : '';
  return new PodctlError('INVALID_ARGUMENT', `${problems[0]}${more}`, {
    hint: strict ? 'fix the manifest, or apply without --strict to ignore unsupported fields' : 'fix the manifest and apply again',
    details: { problems: [...problems] },
  });
}
