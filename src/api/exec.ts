import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PassThrough } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { TerminalSize } from '../docker/containers.js';
import type { PodRef } from '../pod/naming.js';
import { messageOf, PodctlError } from '../util/errors.js';
import { channelWriter, runExecCommand, terminalResizer, type ExecContext } from './exec-run.js';
import { findResource } from './resources.js';
import { objectNotFound } from './status.js';
import { CHANNEL, chooseProtocol, decodeMessage, encodeMessage, parseExecQuery, parseResize, statusMessage, type ChannelProtocol, type ExecRequest } from './stream-channels.js';
import { isSpdyUpgrade } from './spdy/upgrade.js';

/**
 * `pods/NAME/exec` over WebSocket (the channel protocols of stream-channels.ts), or over SPDY/3.1
 * (exec-spdy.ts): the command runs in the pod's container (exec-run.ts); the WebSocket carries
 * its streams, TTY resizes and, last, its outcome on the status channel. Loaded on the first
 * exec (server.ts), so serve's start-up does not load `ws`.
 */
export type { ExecContext } from './exec-run.js';

// Frames up to 16 MiB, as kubectl may send; the channel protocol is not negotiated with a deflate extension.
const websockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 * 1024 * 1024, handleProtocols: (offered) => chooseProtocol(offered)?.name ?? false });

/**
 * Checks the request and the pod (the errors a client gets as an HTTP Status, before any
 * upgrade), then upgrades and runs the command. Resolves when the WebSocket is handed over.
 */
export async function serveExec(ctx: ExecContext, req: IncomingMessage, socket: Duplex, head: Buffer, ref: PodRef, query: URLSearchParams, verb: 'exec' | 'attach' = 'exec'): Promise<void> {
  const request = parseExecQuery(query, verb);
  const spdy = isSpdyUpgrade(req);
  if (!spdy && (req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
    throw new PodctlError('INVALID_ARGUMENT', `exec is served over WebSocket or SPDY/3.1, not over ${req.headers.upgrade}`);
  }
  if ((await ctx.pods.members(ref)).length === 0) throw objectNotFound(findResource('', 'v1', 'pods')!, ref.name);
  if (spdy) {
    const { serveExecSpdy } = await import('./exec-spdy.js');
    return serveExecSpdy(ctx, req, socket, head, ref, request);
  }
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
  const gone = new AbortController();
  ws.on('close', () => {
    stdin?.end();
    gone.abort();
  });
  ws.on('error', (err) => ctx.logger.debug(`api: exec WebSocket: ${err.message}`));
  // The lowest stream the client reads gets an empty first message: the client knows the stream is up.
  send(request.stdout ? CHANNEL.stdout : request.stderr ? CHANNEL.stderr : CHANNEL.error, Buffer.alloc(0));
  const sink = { stdout: channelWriter(request.stdout ? (d) => send(CHANNEL.stdout, d) : undefined), stderr: channelWriter(request.stderr ? (d) => send(CHANNEL.stderr, d) : undefined) };
  const outcome = await runExecCommand(ctx, ref, request, { ...sink, gone: gone.signal, ...(stdin ? { stdin } : {}) }, terminal.started);
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

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
