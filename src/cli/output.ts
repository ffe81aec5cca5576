import { invalidArgument } from '../util/errors.js';

export type OutputFormat = 'table' | 'wide' | 'json' | 'yaml' | 'name' | 'text' | 'dot' | 'svg';

export function parseOutputFormat(value: string | undefined, allowed: OutputFormat[]): OutputFormat {
  const format = (value ?? allowed[0]) as OutputFormat;
  if (!allowed.includes(format)) throw invalidArgument(`-o ${value} is not a known output format`, `use one of: ${allowed.join(', ')}`);
  return format;
}

/** Aligned columns, like docker ps: headers upper-case, two spaces between columns. */
export function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)].join('\n') + '\n';
}

/** JSON or YAML of a value; the yaml package loads only when asked for. */
export async function renderStructured(value: unknown, format: 'json' | 'yaml'): Promise<string> {
  if (format === 'json') return JSON.stringify(value, null, 2) + '\n';
  const { stringify } = await import('yaml');
  return stringify(value);
}

export function write(text: string): void {
  process.stdout.write(text);
}

/** The status a shell reports for a process SIGPIPE ended (128 + 13): docker's and kubectl's in `| head`. */
export const CLOSED_OUTPUT_EXIT = 141;

type ErrorEmitter = Pick<NodeJS.WritableStream, 'on'>;

/**
 * When the reader of podctl's output goes away (`podctl ps | head -0`, `podctl logs -f ... | head -1`),
 * the next write fails with EPIPE, which Node raises as an 'error' event on the stream: without a
 * listener, a stack trace. The CLI installs this once, before any command runs, so it covers every
 * writer (`write`, `forEachReported`, logs and exec output, commander's help): podctl ends at once
 * and quietly, as docker and kubectl (Go programs, ended by SIGPIPE) do, status 141. A pod operation
 * cut short this way is like a killed one: its checkpoint lets gc or the next command finish it.
 * Any other failure to write becomes one line and status 1 (none on stderr when stderr failed).
 */
export function exitQuietlyWhenOutputCloses(
  streams: { stdout: ErrorEmitter; stderr: ErrorEmitter & Pick<NodeJS.WritableStream, 'write'> } = { stdout: process.stdout, stderr: process.stderr },
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const onError = (which: 'stdout' | 'stderr') => (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') return exit(CLOSED_OUTPUT_EXIT);
    if (which === 'stdout') streams.stderr.write(`podctl: cannot write to stdout: ${err.code ?? err.message}\n`);
    exit(1);
  };
  streams.stdout.on('error', onError('stdout'));
  streams.stderr.on('error', onError('stderr'));
}

/** "3m", "2h", "5d": how long ago an ISO time was (in util/: the API's Tables print it too). */
export { age } from '../util/age.js';
