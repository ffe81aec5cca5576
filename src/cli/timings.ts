import type { StepTiming } from '../pod/steps.js';

/**
 * `podctl --timings`: where one command's time went, printed to stderr when the process
 * exits. Times are milliseconds since the process started (performance.timeOrigin): Node's
 * own start, podctl's load up to the command, each pod step (steps that overlap ran at
 * once), and the exit. Nothing is recorded without the flag.
 */
export function startTimings(out: NodeJS.WritableStream = process.stderr): (timing: StepTiming) => void {
  const steps: StepTiming[] = [];
  const ready = performance.now();
  process.once('exit', () => out.write(renderTimings(steps, ready, performance.now(), performance.nodeTiming.bootstrapComplete)));
  return (timing) => steps.push(timing);
}

export function renderTimings(steps: StepTiming[], readyMs: number, exitMs: number, nodeReadyMs: number): string {
  const rows: Array<[number, string, number | undefined]> = [
    [0, 'node start-up', nodeReadyMs],
    [nodeReadyMs, 'podctl load, flags, command start', readyMs - nodeReadyMs],
    ...[...steps].sort((a, b) => a.startMs - b.startMs).map((s): [number, string, number] => [s.startMs, s.failed ? `${s.name} (failed)` : s.name, s.ms]),
  ];
  const lastStepEnd = Math.max(readyMs, ...steps.map((s) => s.startMs + s.ms));
  rows.push([lastStepEnd, 'output, locks released, exit', exitMs - lastStepEnd], [exitMs, 'total', undefined]);
  const width = Math.max(...rows.map(([, name]) => name.length));
  const lines = rows.map(([at, name, ms]) => `${at.toFixed(0).padStart(6)}  ${name.padEnd(width)}  ${ms === undefined ? '' : ms.toFixed(0).padStart(5)}`.trimEnd());
  return `podctl timings (ms since the process started: start, step, duration):\n${lines.join('\n')}\n`;
}
