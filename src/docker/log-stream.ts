/**
 * Docker multiplexes a non-TTY container's stdout and stderr into one stream of frames:
 * an 8-byte header (stream type, three zero bytes, big-endian payload length) and the
 * payload. This parser takes chunks as they arrive and yields whole frames.
 */
export interface LogFrame {
  stream: 'stdout' | 'stderr';
  text: string;
}

export class FrameParser {
  private pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): LogFrame[] {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
    const frames: LogFrame[] = [];
    while (this.pending.length >= 8) {
      const size = this.pending.readUInt32BE(4);
      if (this.pending.length < 8 + size) break;
      const type = this.pending[0];
      frames.push({ stream: type === 2 ? 'stderr' : 'stdout', text: this.pending.subarray(8, 8 + size).toString('utf8') });
      this.pending = this.pending.subarray(8 + size);
    }
    return frames;
  }
}

export function decodeMultiplexed(buffer: Buffer): LogFrame[] {
  return new FrameParser().push(buffer);
}
