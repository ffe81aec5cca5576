/**
 * The CLI boundary: every failure becomes one line on stderr (what failed and why, then what
 * to do) and a non-zero exit status. Only here are errors logged; lower layers throw.
 */

import { PodctlError, messageOf } from '../util/errors.js';

/** Keeps a reported value from breaking the one-line rule (a name with a newline in it). */
export const oneLine = (text: string): string => text.replace(/\r?\n/g, '\\n');

export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof PodctlError) {
    const hint = err.hint ? `; ${err.hint}` : '';
    process.stderr.write(`podctl: ${oneLine(err.message)}${oneLine(hint)}\n`);
    if (debug) {
      if (err.details) process.stderr.write(`  details: ${JSON.stringify(err.details)}\n`);
      if (err.cause) process.stderr.write(`  cause: ${err.cause instanceof Error ? err.cause.stack : String(err.cause)}\n`);
    }
    return err.exitCode;
  }
  const commanderCode = (err as { code?: string } | null)?.code;
  if (typeof commanderCode === 'string' && commanderCode.startsWith('commander.')) {
    // commander has already printed its message (unknown option, missing argument, ...).
    return commanderCode === 'commander.helpDisplayed' || commanderCode === 'commander.version' || commanderCode === 'commander.help' ? 0 : 2;
  }
  process.stderr.write(`podctl: unexpected error: ${oneLine(messageOf(err))}; run again with --log-level debug and report it\n`);
  if (debug && err instanceof Error) process.stderr.write(`${err.stack}\n`);
  return 1;
}
