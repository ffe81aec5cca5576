import { constants, createDeflate, createInflate, type Deflate, type Inflate } from 'node:zlib';
import { SPDY3_DICTIONARY } from './dictionary.js';

/**
 * The two zlib contexts of one SPDY/3 connection: every header block a side sends continues
 * one deflate stream (preset dictionary, sync-flushed at each block's end), and the receiver
 * inflates them with one context in the same order. Node's zlib streams are asynchronous, so
 * calls are queued: each block's output is exactly what its own flush produced.
 */
export class HeaderZlib {
  private readonly inflater: Inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
  private readonly deflater: Deflate = createDeflate({ dictionary: SPDY3_DICTIONARY });
  private inflating: Promise<unknown> = Promise.resolve();
  private deflating: Promise<unknown> = Promise.resolve();

  inflate(block: Buffer): Promise<Buffer> {
    const next = this.inflating.then(() => flushThrough(this.inflater, block));
    this.inflating = next.catch(() => undefined);
    return next;
  }

  deflate(block: Buffer): Promise<Buffer> {
    const next = this.deflating.then(() => flushThrough(this.deflater, block));
    this.deflating = next.catch(() => undefined);
    return next;
  }

  close(): void {
    this.inflater.close();
    this.deflater.close();
  }
}

function flushThrough(stream: Inflate | Deflate, input: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const output: Buffer[] = [];
    const onData = (chunk: Buffer) => output.push(chunk);
    const onError = (err: Error) => {
      stream.off('data', onData);
      reject(err);
    };
    stream.on('data', onData);
    stream.once('error', onError);
    stream.write(input);
    stream.flush(constants.Z_SYNC_FLUSH, () => {
      stream.off('data', onData);
      stream.off('error', onError);
      resolve(Buffer.concat(output));
    });
  });
}
