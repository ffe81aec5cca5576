import { setTimeout as sleep } from 'node:timers/promises';
import { Writable } from 'node:stream';
import type { RunningExec, TerminalSize } from '../docker/containers.js';
import type { PodManager } from '../pod/manager.js';
import type { PodRef } from '../pod/naming.js';
import { messageOf } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { statusOf } from './status.js';
import type { ExecOutcome, ExecRequest } from './stream-channels.js';

/**
 * What exec does whatever carries it (WebSocket in exec.ts, SPDY in exec-spdy.ts): runs the
 * command in the pod's container through PodManager.exec, as `podctl exec` runs it, with the
 * transport's streams, and returns how it ended.
 */
export interface ExecContext {
  pods: PodManager;
  logger: Logger;
}

export interface ExecStreams {
  stdin?: NodeJS.ReadableStream;
  stdout: Writable;
  stderr: Writable;
  /** The client went away: an attach lets go of the container (an exec ends with its stdin). */
  gone: AbortSignal;
}

export async function runExecCommand(ctx: ExecContext, ref: PodRef, request: ExecRequest, streams: ExecStreams, onStart: (running: RunningExec) => void): Promise<ExecOutcome> {
  try {
    if (request.verb === 'attach') {
      await ctx.pods.attach(ref, { stdout: streams.stdout, stderr: streams.stderr }, {
        tty: request.tty,
        signal: streams.gone,
        ...(request.container !== undefined ? { container: request.container } : {}),
        ...(streams.stdin ? { stdin: streams.stdin } : {}),
        onStart,
      });
      return { exitCode: 0, command: [] };
    }
    const exitCode = await ctx.pods.exec(ref, request.command, { stdout: streams.stdout, stderr: streams.stderr }, {
      tty: request.tty,
      ...(request.container !== undefined ? { container: request.container } : {}),
      ...(streams.stdin ? { stdin: streams.stdin } : {}),
      onStart,
    });
    return { exitCode, command: request.command };
  } catch (err) {
    return { failure: statusOf(err) as unknown as Record<string, unknown> & { message: string } };
  }
}

/**
 * Resizes that may come before the command runs: the latest is applied when it starts. Docker
 * 20.10's exec takes no size when created, and a resize racing the process's start can fail
 * (the docker CLI retries its first for this): a size is retried a short while until it lands,
 * unless a newer one came meanwhile.
 */
export function terminalResizer(logger: Logger): { resize: (size: TerminalSize) => void; started: (running: RunningExec) => void } {
  let running: RunningExec | undefined;
  let latest: TerminalSize | undefined;
  const apply = async (r: RunningExec, size: TerminalSize) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await r.resize(size);
      } catch (err) {
        if (attempt >= RESIZE_ATTEMPTS || latest !== size) return logger.debug(`api: exec resize: ${messageOf(err)}`);
        await sleep(RESIZE_RETRY_MS);
      }
    }
  };
  // One resize at a time, the newest last: two in flight may land in either order (stty sets rows,
  // then cols: 40x111 landing after 40x100 left the terminal at the wrong size).
  let inFlight: Promise<void> = Promise.resolve();
  const enqueue = (r: RunningExec, size: TerminalSize) => {
    inFlight = inFlight.then(() => (latest === size ? apply(r, size) : undefined));
  };
  return {
    resize: (size) => {
      latest = size;
      if (running) enqueue(running, size);
    },
    started: (r) => {
      running = r;
      if (latest) enqueue(r, latest);
    },
  };
}

const RESIZE_ATTEMPTS = 20;
const RESIZE_RETRY_MS = 50;

/** A sink stream that hands each chunk to `deliver` at once (in order), or drops it when the client did not ask for that stream. */
export function channelWriter(deliver: ((data: Buffer) => void) | undefined): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      deliver?.(chunk);
      callback();
    },
  });
}
