import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { dataFrameHeader, decodeHeaderBlock, encodeHeaderBlock, FrameReader, pingFrame, rstStreamFrame, synReplyFrame, synStreamFrame, FLAG_FIN } from './frames.js';
import { SPDY3_DICTIONARY } from './dictionary.js';
import { HeaderZlib } from './header-zlib.js';

describe('SPDY/3.1 frames', () => {
  it('has the specification\'s 1423-byte dictionary', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex'), '51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });

  it('cuts frames out of chunks split anywhere', () => {
    const wire = Buffer.concat([synStreamFrame(1, Buffer.from('hdr'), FLAG_FIN), dataFrameHeader(1, 3, true), Buffer.from('abc'), pingFrame(7), rstStreamFrame(3, 5)]);
    for (const cut of [1, 5, 8, 13, 20, wire.length - 1]) {
      const reader = new FrameReader();
      const frames = [...reader.push(wire.subarray(0, cut)), ...reader.push(wire.subarray(cut))];
      assert.deepEqual(frames, [
        { type: 'synStream', streamId: 1, fin: true, unidirectional: false, headerBlock: Buffer.from('hdr') },
        { type: 'data', streamId: 1, fin: true, data: Buffer.from('abc') },
        { type: 'ping', id: 7 },
        { type: 'rstStream', streamId: 3, status: 5 },
      ], `cut at ${cut}`);
    }
  });

  it('writes a SYN_REPLY the reader reads back', () => {
    assert.deepEqual(new FrameReader().push(synReplyFrame(5, Buffer.from('x'))), [{ type: 'synReply', streamId: 5, fin: false, headerBlock: Buffer.from('x') }]);
  });

  it('refuses another SPDY version', () => {
    const v2 = synReplyFrame(1, Buffer.alloc(0));
    v2.writeUInt16BE(0x8002, 0);
    assert.throws(() => new FrameReader().push(v2), /SPDY version 2, not 3/);
  });

  it('round-trips header blocks through one zlib context per side, block after block', async () => {
    const sender = new HeaderZlib();
    const receiver = new HeaderZlib();
    for (const headers of [{ streamtype: 'error' }, { streamtype: 'stdout', port: '80' }, { streamtype: 'error' }, {}] as Record<string, string>[]) {
      const block = await sender.deflate(encodeHeaderBlock(headers));
      assert.deepEqual(decodeHeaderBlock(await receiver.inflate(block)), headers);
    }
    sender.close();
    receiver.close();
  });

  it('lower-cases header names and rejects a truncated block', () => {
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ StreamType: 'data' })), { streamtype: 'data' });
    assert.throws(() => decodeHeaderBlock(encodeHeaderBlock({ a: 'b' }).subarray(0, 9)), /ends early/);
  });
});
