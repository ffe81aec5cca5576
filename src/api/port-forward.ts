import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough, type Duplex } from 'node:stream';
import { createWebSocketStream, WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { PodManager } from '../pod/manager.js';
import type { PodRef } from '../pod/naming.js';
import type { PodDialer } from '../pod/port-forward.js';
import { messageOf, PodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { chooseWebSocketTransport, forwardError, parsePort, parsePortsQuery, portPrefix, SPDY_PORT_FORWARD_PROTOCOL, StreamPairs, type PortForwardTransport } from './port-forward-protocol.js';
import { findResource } from './resources.js';
import { SpdySession, type SpdyStream } from './spdy/session.js';
import { endAll, STREAM_CREATION_TIMEOUT_MS, STREAM_TYPE } from './spdy/stream-set.js';
import { acceptSpdy, chooseStreamProtocol, isSpdyUpgrade, offeredStreamProtocols } from './spdy/upgrade.js';
import { objectNotFound } from './status.js';
import { decodeMessage, encodeMessage, type ChannelProtocol } from './stream-channels.js';

/**
 * `pods/NAME/portforward`: connections to `localhost:PORT` in the pod, as the kubelet makes
 * them, over SPDY/3.1 (kubectl up to 1.30, and later ones' fallback), SPDY tunnelled in
 * WebSocket (kubectl 1.31+), or WebSocket's channel protocols (client libraries). Each
 * connection is dialed in the pod's namespace by one relay per request (PodManager.podDialer),
 * which hands the connected socket to serve: the bytes go between the client's stream and the
 * pod with no process between. When the pod stops or goes away, every forward of the request
 * gets the error on its error stream and the connection closes.
 */
export interface PortForwardContext {
  pods: PodManager;
  logger: Logger;
}

const websockets = new WebSocketServer({
  noServer: true,
  perMessageDeflate: false,
  maxPayload: 16 * 1024 * 1024,
  handleProtocols: (offered) => {
    const transport = chooseWebSocketTransport([...offered]);
    return transport ? (transport.kind === 'tunnel' ? 'SPDY/3.1+portforward.k8s.io' : transport.protocol.name) : false;
  },
});

/** Checks the request and the pod (errors as an HTTP Status), starts the pod's dialer, upgrades. */
export async function servePortForward(ctx: PortForwardContext, req: IncomingMessage, socket: Duplex, head: Buffer, ref: PodRef, query: URLSearchParams): Promise<void> {
  const spdy = isSpdyUpgrade(req);
  const spdyProtocol = spdy ? chooseStreamProtocol(offeredStreamProtocols(req), [SPDY_PORT_FORWARD_PROTOCOL]) : undefined;
  const transport = spdy ? undefined : chooseWebSocketTransport(offeredProtocols(req));
  if (!spdy) {
    if ((req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new PodctlError('INVALID_ARGUMENT', `port-forward is served over WebSocket or SPDY/3.1, not over ${req.headers.upgrade}`);
    if (!transport) throw new PodctlError('INVALID_ARGUMENT', `unable to upgrade connection: none of the WebSocket subprotocols offered (${offeredProtocols(req).join(', ')}) is served`);
  }
  const ports = transport?.kind === 'channels' ? parsePortsQuery(query) : [];
  if ((await ctx.pods.members(ref)).length === 0) throw objectNotFound(findResource('', 'v1', 'pods')!, ref.name);
  const dialer = await ctx.pods.podDialer(ref);
  const forward = new Forwards(ctx, ref, dialer);
  if (spdyProtocol) return forward.overSpdy(acceptSpdy(socket, head, spdyProtocol));
  websockets.handleUpgrade(req, socket, head, (ws) => {
    if (transport!.kind === 'tunnel') {
      // kubectl 1.31+: the SPDY connection's bytes in binary messages, both ways.
      const tunnel = createWebSocketStream(ws, { allowHalfOpen: false });
      tunnel.on('error', () => undefined);
      forward.overSpdy(new SpdySession(tunnel));
    } else {
      forward.overChannels(ws, (transport as Extract<PortForwardTransport, { kind: 'channels' }>).protocol, ports);
    }
  });
}

function offeredProtocols(req: IncomingMessage): string[] {
  return (req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim()).filter(Boolean);
}

/** One request's forwards: each pod connection with the way to report its error. */
class Forwards {
  private readonly active = new Set<{ socket?: Socket; fail: (why: string) => void }>();
  private closed = false;

  constructor(
    private readonly ctx: PortForwardContext,
    private readonly ref: PodRef,
    private readonly dialer: PodDialer,
  ) {}

  private get podName(): string {
    return `${this.ref.namespace}/${this.ref.name}`;
  }

  /** Ends the request's forwards when the pod goes; `finish` closes the connection after. */
  private watchPod(finish: () => void, onClientGone: (cb: () => void) => void): void {
    this.dialer.ended.then(
      () => undefined,
      (err: unknown) => {
        if (this.closed) return;
        this.ctx.logger.debug(`api: port-forward to ${this.podName}: ${messageOf(err)}`);
        for (const forward of [...this.active]) forward.fail(messageOf(err));
        finish();
      },
    );
    onClientGone(() => {
      this.closed = true;
      for (const forward of this.active) forward.socket?.destroy();
      void this.dialer.close();
    });
  }

  overSpdy(session: SpdySession): void {
    const pairs = new StreamPairs<SpdyStream>();
    this.watchPod(
      () => void endAll(pairs.values()).then(() => session.end()),
      (cb) => session.once('close', cb),
    );
    session.on('stream', (stream) => {
      const type = stream.headers.streamtype;
      let port: number;
      try {
        port = parsePort(stream.headers.port);
      } catch {
        return stream.refuse();
      }
      if (type !== STREAM_TYPE.data && type !== STREAM_TYPE.error) return stream.refuse();
      const requestId = stream.headers.requestid ?? `port-${port}`;
      const pair = pairs.add(requestId, port, type, stream);
      if (pair === 'duplicate') return stream.refuse();
      stream.accept();
      if (pair) return void this.connectStreams(pair.port, pair.data, pair.error);
      // A half whose other half never comes is dropped, as the kubelet drops it.
      setTimeout(() => pairs.take(requestId)?.refuse(), STREAM_CREATION_TIMEOUT_MS).unref();
    });
  }

  private async connectStreams(port: number, data: SpdyStream, error: SpdyStream): Promise<void> {
    // The client writes nothing on the error stream: read its end so it can close.
    error.resume();
    const forward: { socket?: Socket; fail: (why: string) => void } = {
      fail: (why) => {
        forward.socket?.destroy();
        if (!error.writableEnded && !error.destroyed) error.end(forwardError(port, this.podName, why));
        if (!data.writableEnded && !data.destroyed) data.end();
      },
    };
    this.active.add(forward);
    data.once('close', () => {
      this.active.delete(forward);
      forward.socket?.destroy();
      if (!error.writableEnded && !error.destroyed) error.end();
    });
    try {
      forward.socket = await this.dialer.dial(port);
    } catch (err) {
      forward.fail(messageOf(err));
      return;
    }
    const socket = forward.socket;
    if (data.destroyed) return void socket.destroy();
    socket.on('error', (err) => forward.fail(messageOf(err)));
    data.on('error', () => socket.destroy());
    // Ends travel both ways (half-close): the client's FIN ends the socket's writing, the pod's ends the stream's.
    data.pipe(socket);
    socket.pipe(data);
    socket.once('close', () => {
      if (!data.writableEnded && !data.destroyed) data.end();
    });
  }

  overChannels(ws: WebSocket, protocol: ChannelProtocol, ports: number[]): void {
    const send = (channel: number, bytes: Buffer) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeMessage(protocol, channel, bytes));
    };
    this.watchPod(
      () => ws.close(1000),
      (cb) => ws.once('close', cb),
    );
    ws.on('error', (err) => this.ctx.logger.debug(`api: port-forward WebSocket: ${err.message}`));
    let open = ports.length;
    const portEnded = () => {
      if (--open === 0) ws.close(1000);
    };
    // What the client sends before its connection in the pod is made waits in a pipe of our own.
    const toPod = ports.map(() => new PassThrough());
    ports.forEach((port, i) => {
      send(2 * i, portPrefix(port));
      send(2 * i + 1, portPrefix(port));
      const forward: { socket?: Socket; fail: (why: string) => void } = {
        fail: (why) => {
          forward.socket?.destroy();
          send(2 * i + 1, Buffer.from(forwardError(port, this.podName, why)));
        },
      };
      this.active.add(forward);
      this.dialer.dial(port).then(
        (socket) => {
          forward.socket = socket;
          if (this.closed) return void socket.destroy();
          socket.on('data', (chunk: Buffer) => {
            send(2 * i, chunk);
            // The client reads slower than the pod sends: stop reading the pod until the WebSocket's buffer drains.
            if (ws.bufferedAmount > SEND_BUFFER_LIMIT) {
              socket.pause();
              ws.send(Buffer.alloc(0), () => socket.resume());
            }
          });
          socket.on('error', (err) => forward.fail(messageOf(err)));
          // No half-close in this protocol: the pod's end ends the port's connection, as the kubelet's does.
          socket.once('end', () => socket.end());
          socket.once('close', () => {
            this.active.delete(forward);
            portEnded();
          });
          toPod[i]!.pipe(socket);
        },
        (err: unknown) => {
          forward.fail(messageOf(err));
          this.active.delete(forward);
          portEnded();
        },
      );
    });
    ws.on('message', (message: RawData) => {
      try {
        const decoded = decodeMessage(protocol, toBuffer(message));
        if (!decoded || 'closed' in decoded || decoded.channel % 2 !== 0) return;
        const pipe = toPod[decoded.channel / 2];
        // The pod reads slower than the client sends: stop reading the WebSocket until it catches up.
        if (pipe && !pipe.write(decoded.data)) {
          ws.pause();
          pipe.once('drain', () => ws.resume());
        }
      } catch (err) {
        this.ctx.logger.debug(`api: port-forward to ${this.podName}: ${messageOf(err)}`);
      }
    });
  }
}

const SEND_BUFFER_LIMIT = 1024 * 1024;

const toBuffer = (data: RawData): Buffer => (Buffer.isBuffer(data) ? data : Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data));
