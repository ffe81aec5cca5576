import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { PassThrough, Writable } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { RunningExec, TerminalSize } from '../docker/containers.js';
import type { PodManager } from '../pod/manager.js';
import type { PodRef } from '../pod/naming.js';
import { messageOf, PodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { findResource } from './resources.js';
import { objectNotFound, statusOf } from './status.js';
import { CHANNEL, chooseProtocol, decodeMessage, encodeMessage, parseExecQuery, parseResize, statusMessage, type ChannelProtocol, type ExecOutcome, type ExecRequest } from './stream-channels.js';

/**
 * `pods/NAME/exec` over WebSocket (the channel protocols of stream-channels.ts): the command runs
 * in the pod's container through PodManager.exec, as `podctl exec` runs it; the WebSocket carries
 * its streams, TTY resizes and, last, its outcome on the status channel. Loaded on the first
 * exec (server.ts), so serve's start-up does not load `ws`.
 */
export interface ExecContext {
  pods: PodManager;
  logger: Logger;
}

// Frames up to 16 MiB, as kubectl may send; the channel protocol is not negotiated with a deflate extension.
const websockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handleProtocols: (offered) => chooseProtocol(offered)?.name ?? false });

/**
 * Checks the request and the pod (the errors a client gets as an HTTP Status, before any
 * upgrade), then upgrades and runs the command. Resolves when the WebSocket is handed over.
 */
export async function serveExec(ctx: ExecContext, req: IncomingMessage, socket: Duplex, head: Buffer, ref: PodRef, query: URLSearchParams): Promise<void> {
  const request = parseExecQuery(query);
  if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw new PodctlError('INVALID_ARGUMENT', `podctl serves exec over WebSocket (kubectl 1.30 or later, client libraries), not over ${req.headers.upgrade}: kubectl 1.27 to 1.29 speak only SPDY/3.1, which podctl does not serve yet`);
  }
  if ((await ctx.pods.members(ref)).length === 0) throw objectNotFound(findResource('', 'v1', 'pods')!, ref.name);
  websockets.handleUpgrade(req, socket, head, (ws) => {
    void runExec(ctx, ws, ref, request);
  });
}

async function runExec(ctx: ExecContext, ws: WebSocket, ref: PodRef, request: ExecRequest): Promise<void> {
  const protocol = chooseProtocol(ws.protocol ? [ws.protocol] : [])!;
  const send = (channel: number, data: Buffer) => {
    if (ws.readyState === ws.OPEN) ws.send(encodeMessage(protocol, channel, data));
  };
  const stdin = request.stdin ? new PassThrough() : undefined;
  const terminal = terminalResizer(ctx.logger);
  ws.on('message', (message: RawData) => {
    try {
      onClientMessage(protocol, toBuffer(message), ws, stdin, terminal.resize);
    } catch (err) {
      ctx.logger.debug(`api: exec in ${ref.namespace}/${ref.name}: ${messageOf(err)}`);
    }
  });
  // A client gone ends the command's stdin (Docker cannot kill one exec; without stdin most commands end).
  ws.on('close', () => stdin?.end());
  ws.on('error', (err) => ctx.logger.debug(`api: exec WebSocket: ${err.message}`));
  // The lowest stream the client reads gets an empty first message: the client knows the stream is up.
  send(request.stdout ? CHANNEL.stdout : request.stderr ? CHANNEL.stderr : CHANNEL.error, Buffer.alloc(0));
  const sink = { stdout: channelWriter(request.stdout ? (d) => send(CHANNEL.stdout, d) : undefined), stderr: channelWriter(request.stderr ? (d) => send(CHANNEL.stderr, d) : undefined) };
  let outcome: ExecOutcome;
  try {
    const exitCode = await ctx.pods.exec(ref, request.command, sink, {
      tty: request.tty,
      ...(request.container !== undefined ? { container: request.container } : {}),
      ...(stdin ? { stdin } : {}),
      onStart: terminal.started,
    });
    outcome = { exitCode, command: request.command };
  } catch (err) {
    outcome = { failure: statusOf(err) as unknown as Record<string, unknown> & { message: string } };
  }
  const status = statusMessage(protocol, outcome);
  if (status) send(CHANNEL.error, status);
  ws.close(1000);
}

function onClientMessage(protocol: ChannelProtocol, message: Buffer, ws: WebSocket, stdin: PassThrough | undefined, resize: (size: TerminalSize) => void): void {
  const decoded = decodeMessage(protocol, message);
  if (!decoded) return;
  if ('closed' in decoded) {
    if (decoded.closed === CHANNEL.stdin) stdin?.end();
    return;
  }
  if (decoded.channel === CHANNEL.resize) return resize(parseResize(decoded.data));
  if (decoded.channel !== CHANNEL.stdin || !stdin || stdin.writableEnded) return;
  // The command reads slower than the client sends: stop reading the socket until it catches up.
  if (!stdin.write(decoded.data)) {
    ws.pause();
    stdin.once('drain', () => ws.resume());
  }
}

/**
 * Resizes that may come before the command runs: the latest is applied when it starts. Docker
 * 20.10's exec takes no size when created, and a resize racing the process's start can fail
 * (the docker CLI retries its first for this): a size is retried a short while until it lands,
 * unless a newer one came meanwhile.
 */
function terminalResizer(logger: Logger): { resize: (size: TerminalSize) => void; started: (running: RunningExec) => void } {
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
  return {
    resize: (size) => {
      latest = size;
      if (running) void apply(running, size);
    },
    started: (r) => {
      running = r;
      if (latest) void apply(r, latest);
    },
  };
}

const RESIZE_ATTEMPTS = 20;
const RESIZE_RETRY_MS = 50;

/** A sink stream that hands each chunk to `deliver` at once (in order), or drops it when the client did not ask for that stream. */
function channelWriter(deliver: ((data: Buffer) => void) | undefined): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      deliver?.(chunk);
      callback();
    },
  });
}

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
