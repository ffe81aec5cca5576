import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import { messageOf } from '../../util/errors.js';
import { dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, FrameReader, pingFrame, RST, rstStreamFrame, synReplyFrame, type Frame } from './frames.js';
import { HeaderZlib } from './header-zlib.js';

/**
 * The server side of a SPDY/3.1 connection as kubectl uses one: the client opens every stream
 * (SYN_STREAM with a `streamtype` header, and `port`/`requestid` for port-forward), the server
 * accepts it (SYN_REPLY) and both send data, each half-closing with FIN. Each stream is a Node
 * Duplex. Flow control is not enforced either way: kubectl's SPDY library (spdystream) neither
 * sends nor honours WINDOW_UPDATE; back-pressure comes from TCP instead: a stream whose reader
 * is behind pauses the connection's socket, and a write's callback waits for the socket to drain.
 */
export class SpdySession extends EventEmitter<{ stream: [SpdyStream]; close: [] }> {
  private readonly reader = new FrameReader();
  private readonly zlib = new HeaderZlib();
  private readonly streams = new Map<number, SpdyStream>();
  /** Frames waiting for the header block before them to be inflated (frames are handled in order). */
  private readonly incoming: Array<{ frame: Frame; headers?: Promise<Record<string, string>> }> = [];
  /** Frames to write, in order; an entry is undefined until its header block is deflated. */
  private readonly outgoing: Array<{ bytes?: Buffer[]; done?: (err?: Error) => void }> = [];
  private readonly behind = new Set<SpdyStream>();
  private lastStreamId = 0;
  /** A header block is being inflated: the frames after it wait. */
  private inflating = false;
  private closed = false;

  constructor(private readonly socket: Duplex) {
    super();
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('close', () => this.destroy());
    socket.on('error', () => undefined);
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Gives the bytes that came with the upgrade request (after its headers) to the reader. */
  start(head: Buffer): void {
    if (head.length > 0) this.onData(head);
  }

  /** Ends the connection once what was written has gone out (as the API server does: no GOAWAY, the connection closes). */
  end(): void {
    if (this.closed) return;
    this.outgoing.push({ done: () => this.socket.end() });
    this.pump();
  }

  destroy(err?: Error): void {
    if (this.closed) return;
    this.closed = true;
    for (const stream of this.streams.values()) stream.destroy(err);
    this.streams.clear();
    this.zlib.close();
    this.socket.destroy();
    this.emit('close');
  }

  /** Accepts a stream the client opened: its SYN_REPLY (no headers). */
  reply(stream: SpdyStream): void {
    const entry: { bytes?: Buffer[] } = {};
    this.outgoing.push(entry);
    this.zlib.deflate(encodeHeaderBlock({})).then(
      (block) => {
        entry.bytes = [synReplyFrame(stream.id, block)];
        this.pump();
      },
      (err: unknown) => this.destroy(new Error(`SPDY header compression: ${messageOf(err)}`)),
    );
  }

  /** @internal a stream's data (or its end: empty data with FIN). */
  sendData(id: number, data: Buffer, fin: boolean, done: (err?: Error) => void): void {
    this.queue(data.length > 0 ? [dataFrameHeader(id, data.length, fin), data] : [dataFrameHeader(id, 0, fin)], done);
  }

  /** @internal */
  sendReset(id: number, status: number): void {
    this.queue([rstStreamFrame(id, status)]);
  }

  /** @internal a stream's reader caught up: read the socket again once no stream is behind. */
  caughtUp(stream: SpdyStream): void {
    if (this.behind.delete(stream) && this.behind.size === 0) this.socket.resume();
  }

  /** @internal */
  forget(stream: SpdyStream): void {
    this.streams.delete(stream.id);
    this.caughtUp(stream);
  }

  private queue(bytes: Buffer[], done?: (err?: Error) => void): void {
    if (this.closed) return done?.(new Error('the SPDY connection is closed'));
    this.outgoing.push({ bytes, ...(done ? { done } : {}) });
    this.pump();
  }

  private pump(): void {
    while (this.outgoing.length > 0) {
      const head = this.outgoing[0]!;
      if (head.bytes === undefined && !head.done) return;
      this.outgoing.shift();
      if (head.bytes === undefined) {
        head.done?.();
        continue;
      }
      if (this.closed) {
        head.done?.(new Error('the SPDY connection is closed'));
        continue;
      }
      let drained = true;
      for (const bytes of head.bytes) drained = this.socket.write(bytes);
      // The writer goes on when the socket has room again: TCP's back-pressure, end to end.
      if (head.done) {
        const done = head.done;
        if (drained) done();
        else this.socket.once('drain', () => done());
      }
    }
  }

  private onData(chunk: Buffer): void {
    if (this.closed) return;
    let frames: Frame[];
    try {
      frames = this.reader.push(chunk);
    } catch (err) {
      this.destroy(err as Error);
      return;
    }
    for (const frame of frames) {
      const entry: (typeof this.incoming)[number] = { frame };
      if (frame.type === 'synStream' || frame.type === 'headers' || frame.type === 'synReply') {
        // Every block goes through the one inflate context, in order, even those this side ignores.
        entry.headers = this.zlib.inflate(frame.headerBlock).then(decodeHeaderBlock);
        entry.headers.catch(() => undefined);
      }
      this.incoming.push(entry);
    }
    this.drainIncoming();
  }

  private drainIncoming(): void {
    while (!this.inflating && this.incoming.length > 0 && !this.closed) {
      const { frame, headers } = this.incoming[0]!;
      if (headers) {
        this.inflating = true;
        headers.then(
          (h) => {
            this.inflating = false;
            this.incoming.shift();
            if (frame.type === 'synStream') this.onSynStream(frame, h);
            this.drainIncoming();
          },
          (err: unknown) => this.destroy(new Error(`SPDY header block: ${messageOf(err)}`)),
        );
        return;
      }
      this.incoming.shift();
      this.onFrame(frame);
    }
  }

  private onSynStream(frame: Extract<Frame, { type: 'synStream' }>, headers: Record<string, string>): void {
    if (frame.streamId <= this.lastStreamId || frame.streamId % 2 === 0) {
      this.sendReset(frame.streamId, RST.protocolError);
      return;
    }
    this.lastStreamId = frame.streamId;
    const stream = new SpdyStream(this, frame.streamId, headers);
    this.streams.set(stream.id, stream);
    if (frame.fin) stream.push(null);
    if (frame.unidirectional) stream.end();
    this.emit('stream', stream);
  }

  private onFrame(frame: Frame): void {
    switch (frame.type) {
      case 'data': {
        const stream = this.streams.get(frame.streamId);
        if (!stream) return;
        if (frame.data.length > 0 && !stream.push(frame.data)) {
          this.behind.add(stream);
          this.socket.pause();
        }
        if (frame.fin) stream.push(null);
        return;
      }
      case 'rstStream':
        this.streams.get(frame.streamId)?.resetByClient(frame.status);
        return;
      case 'ping':
        // The client's pings have odd ids; answered with the same frame.
        if (frame.id % 2 === 1) this.queue([pingFrame(frame.id)]);
        return;
      case 'goAway':
        this.destroy();
        return;
      default:
        // SYN_REPLY and HEADERS (the client accepts no stream of ours), WINDOW_UPDATE, SETTINGS.
        return;
    }
  }
}

/** One stream of the connection: read what the client sends, write what goes back. */
export class SpdyStream extends Duplex {
  constructor(
    private readonly session: SpdySession,
    readonly id: number,
    readonly headers: Record<string, string>,
  ) {
    super({ allowHalfOpen: true });
    this.once('close', () => session.forget(this));
    // A client's reset or a broken connection is no failure of serve: users that care listen for 'error' or 'close'.
    this.on('error', () => undefined);
  }

  /** Accepts the stream (SYN_REPLY). */
  accept(): this {
    this.session.reply(this);
    return this;
  }

  private reset = false;

  /** @internal the client sent RST_STREAM: no reset goes back. */
  resetByClient(status: number): void {
    this.reset = true;
    this.destroy(new Error(`the client reset the stream (status ${status})`));
  }

  /** Refuses a stream the request has no use for (RST_STREAM REFUSED_STREAM). */
  refuse(): void {
    this.reset = true;
    this.session.sendReset(this.id, RST.refusedStream);
    this.destroy();
  }

  override _read(): void {
    this.session.caughtUp(this);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (err?: Error | null) => void): void {
    this.session.sendData(this.id, chunk, false, callback);
  }

  override _final(callback: (err?: Error | null) => void): void {
    this.session.sendData(this.id, Buffer.alloc(0), true, callback);
  }

  override _destroy(err: Error | null, callback: (err?: Error | null) => void): void {
    // Torn down before both sides ended: tell the client (unless the connection is gone).
    if (!this.reset && !this.session.isClosed && !(this.writableFinished && this.readableEnded)) this.session.sendReset(this.id, RST.cancel);
    callback(err);
  }
}
