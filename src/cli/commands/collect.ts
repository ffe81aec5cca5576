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
