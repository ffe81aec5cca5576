import { invalidArgument } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/validate.js';

/**
 * commander argParsers for podctl's options: bad values fail while the command line is parsed,
 * as one line that names the flag, before any action runs.
 */

/** A whole number within a range (`--tail 20`, `--timeout 30`). */
export const wholeNumber =
  (flag: string, range: { min?: number; max?: number } = {}) =>
  (value: string): number =>
    parsePositiveInt(value, flag, range);

/**
 * kubectl delete's --grace-period: seconds the pods' containers get to stop (0: at once);
 * -1, kubectl's default, means each pod's own terminationGracePeriodSeconds (undefined).
 */
export const gracePeriod = (value: string): number | undefined => (value.trim() === '-1' ? undefined : parsePositiveInt(value, '--grace-period', { min: 0, max: 3600 }));

/** kubectl delete's --cascade: background (the default), foreground, orphan; kubectl's deprecated true and false too. */
export function cascadePolicy(value: string): 'Background' | 'Foreground' | 'Orphan' {
  const policy = ({ background: 'Background', true: 'Background', foreground: 'Foreground', orphan: 'Orphan', false: 'Orphan' } as const)[value.trim().toLowerCase()];
  if (!policy) throw invalidArgument(`--cascade ${value}: must be background, foreground or orphan`, 'e.g. --cascade=orphan keeps the pods of what is deleted');
  return policy;
}

/** Seconds, fractions allowed, as milliseconds (`--timeout 0.5`). */
export const secondsAsMs =
  (flag: string) =>
  (value: string): number => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw invalidArgument(`${flag} ${value}: expected a number of seconds`, `e.g. ${flag} 30`);
    return Math.round(n * 1000);
  };

/** commander's accumulator for repeatable options (`--image a --image b`). */
export const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
