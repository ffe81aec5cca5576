import { PodctlError } from '../../util/errors.js';

/**
 * SPDY/3.1 frames, as the SPDY/3.1 draft lays them out (the framing kubectl's SPDY streams use):
 * a control frame is `1 | version(15) | type(16) | flags(8) | length(24)` then its body; a data
 * frame is `0 | stream id(31) | flags(8) | length(24)` then its bytes. Header blocks stay
 * compressed here (header-zlib.ts owns the connection's zlib contexts); `encodeHeaderBlock`
 * and `decodeHeaderBlock` are their uncompressed form.
 */
export const SPDY_VERSION = 3;
export const CONTROL = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;
export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes used here. */
export const RST = { protocolError: 1, refusedStream: 3, cancel: 5, internalError: 6 } as const;

const HEADER = 8;

export type Frame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'synStream'; streamId: number; fin: boolean; unidirectional: boolean; headerBlock: Buffer }
  | { type: 'synReply' | 'headers'; streamId: number; fin: boolean; headerBlock: Buffer }
  | { type: 'rstStream'; streamId: number; status: number }
  | { type: 'ping'; id: number }
  | { type: 'goAway'; lastStreamId: number; status: number }
  | { type: 'windowUpdate'; streamId: number; delta: number }
  | { type: 'ignored'; kind: number };

const protocolError = (what: string) => new PodctlError('INVALID_ARGUMENT', `SPDY protocol error: ${what}`);

/** Cuts a byte stream into frames; `push` returns the frames completed by each chunk. */
export class FrameReader {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let buffer = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: Frame[] = [];
    while (buffer.length >= HEADER) {
      const length = buffer.readUIntBE(5, 3);
      if (buffer.length < HEADER + length) break;
      frames.push(parseFrame(buffer.subarray(0, HEADER + length)));
      buffer = buffer.subarray(HEADER + length);
    }
    // Keep only the unfinished frame (a copy, so the chunk it came in can be freed).
    this.pending = buffer.length === 0 ? Buffer.alloc(0) : Buffer.from(buffer);
    return frames;
  }
}

function parseFrame(frame: Buffer): Frame {
  const flags = frame[4]!;
  const body = frame.subarray(HEADER);
  if ((frame[0]! & 0x80) === 0) return { type: 'data', streamId: frame.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: body };
  const version = frame.readUInt16BE(0) & 0x7fff;
  if (version !== SPDY_VERSION) throw protocolError(`SPDY version ${version}, not ${SPDY_VERSION}`);
  const kind = frame.readUInt16BE(2);
  const need = (n: number) => {
    if (body.length < n) throw protocolError(`control frame ${kind} has ${body.length} bytes, needs ${n}`);
  };
  const id = () => body.readUInt32BE(0) & 0x7fffffff;
  const fin = (flags & FLAG_FIN) !== 0;
  switch (kind) {
    case CONTROL.synStream:
      need(10);
      return { type: 'synStream', streamId: id(), fin, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0, headerBlock: body.subarray(10) };
    case CONTROL.synReply:
    case CONTROL.headers:
      need(4);
      return { type: kind === CONTROL.synReply ? 'synReply' : 'headers', streamId: id(), fin, headerBlock: body.subarray(4) };
    case CONTROL.rstStream:
      need(8);
      return { type: 'rstStream', streamId: id(), status: body.readUInt32BE(4) };
    case CONTROL.ping:
      need(4);
      return { type: 'ping', id: body.readUInt32BE(0) };
    case CONTROL.goAway:
      need(4);
      return { type: 'goAway', lastStreamId: id(), status: body.length >= 8 ? body.readUInt32BE(4) : 0 };
    case CONTROL.windowUpdate:
      need(8);
      return { type: 'windowUpdate', streamId: id(), delta: body.readUInt32BE(4) & 0x7fffffff };
    default:
      // SETTINGS and frame types this side has no use for: a receiver ignores what it does not know.
      return { type: 'ignored', kind };
  }
}

function controlFrame(kind: number, flags: number, body: Buffer): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(kind, 2);
  head[4] = flags;
  head.writeUIntBE(body.length, 5, 3);
  return Buffer.concat([head, body]);
}

/** A data frame's 8-byte header; the data follows it on the wire (written apart: no copy). */
export function dataFrameHeader(streamId: number, length: number, fin: boolean): Buffer {
  const head = Buffer.alloc(HEADER);
  head.writeUInt32BE(streamId & 0x7fffffff, 0);
  head[4] = fin ? FLAG_FIN : 0;
  head.writeUIntBE(length, 5, 3);
  return head;
}

export function synReplyFrame(streamId: number, compressedHeaders: Buffer, fin = false): Buffer {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(streamId & 0x7fffffff);
  return controlFrame(CONTROL.synReply, fin ? FLAG_FIN : 0, Buffer.concat([id, compressedHeaders]));
}

export function rstStreamFrame(streamId: number, status: number): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(CONTROL.rstStream, 0, body);
}

export function pingFrame(id: number): Buffer {
  const body = Buffer.alloc(4);
  body.writeUInt32BE(id >>> 0);
  return controlFrame(CONTROL.ping, 0, body);
}

export function goAwayFrame(lastStreamId: number, status = 0): Buffer {
  const body = Buffer.alloc(8);
  body.writeUInt32BE(lastStreamId & 0x7fffffff, 0);
  body.writeUInt32BE(status, 4);
  return controlFrame(CONTROL.goAway, 0, body);
}

/** A SYN_STREAM (for tests, which play the client): stream id, no associated stream, priority 0. */
export function synStreamFrame(streamId: number, compressedHeaders: Buffer, flags = 0): Buffer {
  const body = Buffer.alloc(10);
  body.writeUInt32BE(streamId & 0x7fffffff, 0);
  return controlFrame(CONTROL.synStream, flags, Buffer.concat([body, compressedHeaders]));
}

/** Headers in SPDY/3's uncompressed block: a count, then each name and value with 32-bit lengths (names lower-case). */
export function encodeHeaderBlock(headers: Record<string, string>): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** The uncompressed block's headers, names lower-cased; a repeated header's values (NUL-separated) stay as sent. */
export function decodeHeaderBlock(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let offset = 0;
  const read = (): Buffer => {
    if (offset + 4 > block.length) throw protocolError('a header block ends early');
    const length = block.readUInt32BE(offset);
    offset += 4;
    if (offset + length > block.length) throw protocolError('a header block ends early');
    const bytes = block.subarray(offset, offset + length);
    offset += length;
    return bytes;
  };
  if (block.length < 4) throw protocolError('a header block ends early');
  const count = block.readUInt32BE(0);
  offset = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toString('utf8').toLowerCase();
    headers[name] = read().toString('utf8');
  }
  return headers;
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
