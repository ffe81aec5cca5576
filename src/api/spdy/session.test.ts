import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, connect, type Socket } from 'node:net';
import { dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, FrameReader, pingFrame, rstStreamFrame, synStreamFrame, type Frame } from './frames.js';
import { HeaderZlib } from './header-zlib.js';
import { SpdySession, type SpdyStream } from './session.js';

/** A session on one end of a loopback TCP connection, and the other end played by the test as kubectl. */
async function pair(): Promise<{ session: SpdySession; client: Socket; frames: () => Promise<Frame>; zlib: HeaderZlib; close: () => void }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection');
  const client = connect((server.address() as { port: number }).port, '127.0.0.1');
  const [socket] = (await accepted) as [Socket];
  const session = new SpdySession(socket);
  const reader = new FrameReader();
  const queue: Frame[] = [];
  let wake: (() => void) | undefined;
  client.on('data', (d: Buffer) => {
    queue.push(...reader.push(d));
    wake?.();
  });
  const frames = async (): Promise<Frame> => {
    while (queue.length === 0) await new Promise<void>((r) => (wake = r));
    return queue.shift()!;
  };
  const zlib = new HeaderZlib();
  return { session, client, frames, zlib, close: () => (client.destroy(), server.close(), zlib.close()) };
}

describe('SpdySession', () => {
  it('accepts a client stream, carries data both ways with half-closes, answers pings', async () => {
    const { session, client, frames, zlib, close } = await pair();
    const opened = once(session, 'stream') as Promise<[SpdyStream]>;
    // The SYN_STREAM and the stream's first data in one write: the data waits for the header block.
    client.write(Buffer.concat([synStreamFrame(1, await zlib.deflate(encodeHeaderBlock({ streamtype: 'stdin' }))), dataFrameHeader(1, 5, true), Buffer.from('hello')]));
    const [stream] = await opened;
    assert.equal(stream.id, 1);
    assert.deepEqual(stream.headers, { streamtype: 'stdin' });
    stream.accept();
    const reply = await frames();
    assert.equal(reply.type, 'synReply');
    const inflater = new HeaderZlib();
    assert.deepEqual(decodeHeaderBlock(await inflater.inflate((reply as { headerBlock: Buffer }).headerBlock)), {});
    let got = '';
    stream.on('data', (chunk: Buffer) => (got += String(chunk)));
    await once(stream, 'end');
    assert.equal(got, 'hello');
    stream.end('world');
    assert.deepEqual(await frames(), { type: 'data', streamId: 1, fin: false, data: Buffer.from('world') });
    assert.deepEqual(await frames(), { type: 'data', streamId: 1, fin: true, data: Buffer.alloc(0) });
    client.write(pingFrame(9));
    assert.deepEqual(await frames(), { type: 'ping', id: 9 });
    inflater.close();
    close();
    await once(session, 'close');
  });

  it('a client reset ends the stream with an error and sends no reset back; a refused stream gets REFUSED_STREAM', async () => {
    const { session, client, frames, zlib, close } = await pair();
    const streams: SpdyStream[] = [];
    session.on('stream', (s: SpdyStream) => streams.push(s));
    client.write(synStreamFrame(1, await zlib.deflate(encodeHeaderBlock({ streamtype: 'data' }))));
    client.write(synStreamFrame(3, await zlib.deflate(encodeHeaderBlock({ streamtype: 'bogus' }))));
    while (streams.length < 2) await new Promise((r) => setTimeout(r, 5));
    streams[1]!.refuse();
    assert.deepEqual(await frames(), { type: 'rstStream', streamId: 3, status: 3 });
    const failed = once(streams[0]!, 'error');
    client.write(rstStreamFrame(1, 5));
    const [err] = (await failed) as [Error];
    assert.match(err.message, /reset the stream/);
    client.write(pingFrame(11));
    assert.deepEqual(await frames(), { type: 'ping', id: 11 }, 'no RST_STREAM for stream 1 before the ping');
    close();
  });

  it('closes when the client sends frames it cannot parse', async () => {
    const { session, client, close } = await pair();
    const bad = Buffer.alloc(8);
    bad.writeUInt16BE(0x8002, 0);
    client.write(bad);
    await once(session, 'close');
    assert.equal(session.isClosed, true);
    close();
  });
});
