import { configError } from '../errors.js';

/**
 * JSON.parse with an error that names the file and the line/column of the problem.
 * V8 reports a character offset ("at position N") for most syntax errors; an early end
 * of input is reported at the end of the text.
 */
export function parseJsonText(text: string, file: string | undefined): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const offset = syntaxErrorOffset(message, text);
    const reason = message.replace(/\s*in JSON at position \d+.*$/, '').replace(/\s*at position \d+.*$/, '');
    const where = offset === undefined ? '' : ` at ${lineColumn(text, offset)}`;
    throw configError(file, undefined, `invalid JSON${where}: ${reason}`);
  }
}

function syntaxErrorOffset(message: string, text: string): number | undefined {
  const match = /at position (\d+)/.exec(message);
  if (match) return Number(match[1]);
  if (/end of JSON input/.test(message)) return text.length;
  return undefined;
}

/** "line L, column C" (both 1-based) of a character offset. */
export function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const column = offset - (before.lastIndexOf('\n') + 1) + 1;
  return `line ${line}, column ${column}`;
}
