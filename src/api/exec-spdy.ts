import type { IncomingMessage } from 'node:http';
import { PassThrough, type Duplex } from 'node:stream';
import type { PodRef } from '../pod/naming.js';
import { messageOf } from '../util/errors.js';
import { channelWriter, runExecCommand, terminalResizer, type ExecContext } from './exec-run.js';
import type { SpdySession, SpdyStream } from './spdy/session.js';
import { acceptSpdy, chooseStreamProtocol, offeredStreamProtocols } from './spdy/upgrade.js';
import { awaitStreams, endAll, STREAM_TYPE } from './spdy/stream-set.js';
import { parseResize, statusMessage, type ChannelProtocol, type ExecRequest } from './stream-channels.js';

/**
 * `pods/NAME/exec` and `attach` over SPDY/3.1 (kubectl 1.27-1.29, and later ones when WebSocket fails): the
 * client opens one stream per channel, named by its `streamtype` header (error, stdin, stdout,
 * stderr, resize); once all the request needs are open the command runs, and its outcome goes on
 * the error stream (a JSON Status from v4 on, an error's text before), then every stream ends
 * and the connection closes.
 */
export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io', 'v3.channel.k8s.io', 'v2.channel.k8s.io', 'channel.k8s.io'] as const;

/** Resolves once the connection is upgraded; the command runs on. */
export function serveExecSpdy(ctx: ExecContext, req: IncomingMessage, socket: Duplex, head: Buffer, ref: PodRef, request: ExecRequest): void {
  const protocol = chooseStreamProtocol(offeredStreamProtocols(req), SPDY_EXEC_PROTOCOLS);
  const session = acceptSpdy(socket, head, protocol);
  void runOverSpdy(ctx, session, ref, request, protocol).catch((err: unknown) => {
    ctx.logger.debug(`api: exec in ${ref.namespace}/${ref.name} over SPDY: ${messageOf(err)}`);
    session.destroy();
  });
}

/** The streams a request needs: the error stream always, resize with a TTY from v3 on. */
export function execStreamTypes(request: ExecRequest, protocol: string): string[] {
  const types: string[] = [STREAM_TYPE.error];
  if (request.stdin) types.push(STREAM_TYPE.stdin);
  if (request.stdout) types.push(STREAM_TYPE.stdout);
  if (request.stderr) types.push(STREAM_TYPE.stderr);
  if (request.tty && protocol !== 'channel.k8s.io' && protocol !== 'v2.channel.k8s.io') types.push(STREAM_TYPE.resize);
  return types;
}

async function runOverSpdy(ctx: ExecContext, session: SpdySession, ref: PodRef, request: ExecRequest, protocol: string): Promise<void> {
  const streams = await awaitStreams(session, execStreamTypes(request, protocol));
  const terminal = terminalResizer(ctx.logger);
  const resizeStream = streams.get(STREAM_TYPE.resize);
  if (resizeStream) followResizes(resizeStream, (line) => terminal.resize(parseResize(Buffer.from(line))), (err) => ctx.logger.debug(`api: exec resize: ${messageOf(err)}`));
  // stdin through a pipe of our own, which ends when the client goes away (Docker cannot kill one exec; without stdin most commands end).
  const clientStdin = streams.get(STREAM_TYPE.stdin);
  const stdin = clientStdin ? new PassThrough() : undefined;
  if (clientStdin && stdin) {
    clientStdin.pipe(stdin);
    clientStdin.on('error', () => stdin.end());
    session.once('close', () => stdin.end());
  }
  const gone = new AbortController();
  session.once('close', () => gone.abort());
  // The client writes nothing on these: read their ends so they can close.
  for (const type of [STREAM_TYPE.error, STREAM_TYPE.stdout, STREAM_TYPE.stderr]) streams.get(type)?.resume();
  const outcome = await runExecCommand(
    ctx,
    ref,
    request,
    { stdout: streams.get(STREAM_TYPE.stdout) ?? channelWriter(undefined), stderr: streams.get(STREAM_TYPE.stderr) ?? channelWriter(undefined), gone: gone.signal, ...(stdin ? { stdin } : {}) },
    terminal.started,
  );
  const status = statusMessage(statusProtocol(protocol), outcome);
  const error = streams.get(STREAM_TYPE.error)!;
  if (status) error.write(status);
  await endAll([...streams.values()].filter((s) => s !== clientStdin));
  session.end();
}

/** How the error stream speaks: a JSON Status from v4 on, an error's text before (nothing on success). */
const statusProtocol = (name: string): ChannelProtocol => ({ name, base64: false, jsonStatus: name === 'v4.channel.k8s.io', closeStream: false });

/** The resize stream: JSON objects, one per line (Go's json.Encoder), possibly split across frames. */
export function followResizes(stream: SpdyStream | NodeJS.ReadableStream, onLine: (line: string) => void, onError: (err: unknown) => void): void {
  let buffered = '';
  stream.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    const lines = buffered.split('\n');
    buffered = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        onLine(line);
      } catch (err) {
        onError(err);
      }
    }
  });
}
