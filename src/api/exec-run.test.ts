import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RunningExec, TerminalSize } from '../docker/containers.js';
import { terminalResizer } from './exec-run.js';

const quiet = { debug: () => undefined } as unknown as Parameters<typeof terminalResizer>[0];

test('resizes go one at a time and the newest lands last (the first one slower than the second)', async () => {
  const landed: TerminalSize[] = [];
  let inFlight = 0;
  let overlapped = false;
  const running = {
    resize: async (size: TerminalSize) => {
      inFlight++;
      if (inFlight > 1) overlapped = true;
      await new Promise((resolve) => setTimeout(resolve, size.width === 111 ? 30 : 1));
      landed.push(size);
      inFlight--;
    },
  } as unknown as RunningExec;
  const resizer = terminalResizer(quiet);
  resizer.started(running);
  resizer.resize({ height: 40, width: 111 });
  resizer.resize({ height: 40, width: 100 });
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(overlapped, false);
  assert.deepEqual(landed.at(-1), { height: 40, width: 100 });
});
