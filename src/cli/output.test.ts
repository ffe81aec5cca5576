import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { CLOSED_OUTPUT_EXIT, exitQuietlyWhenOutputCloses } from './output.js';

/** A stream whose every write fails with `code`, as a pipe whose reader has gone fails with EPIPE. */
const failing = (code: string) =>
  new Writable({ write: (_chunk, _enc, cb) => cb(Object.assign(new Error(`write ${code}`), { code, errno: -32, syscall: 'write' })) });

/** A stream that keeps what is written. */
function collecting(): Writable & { text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk: Buffer, _enc, cb) => (chunks.push(String(chunk)), cb()) });
  return Object.assign(stream, { text: () => chunks.join('') });
}

async function writeAndWatch(stdout: Writable, stderr: Writable & { text: () => string }, target: Writable): Promise<{ codes: number[]; stderr: string }> {
  const codes: number[] = [];
  exitQuietlyWhenOutputCloses({ stdout, stderr }, (code) => codes.push(code));
  const errored = once(target, 'error');
  target.write('NAME  STATUS\n');
  target.write('more\n');
  await errored;
  return { codes, stderr: stderr.text() };
}

describe('exitQuietlyWhenOutputCloses', () => {
  it('ends with 141 and writes nothing when stdout is closed (EPIPE)', async () => {
    const stdout = failing('EPIPE');
    const r = await writeAndWatch(stdout, collecting(), stdout);
    assert.deepEqual(r.codes, [CLOSED_OUTPUT_EXIT]);
    assert.equal(r.stderr, '');
  });

  it('ends with 141 when stderr is closed', async () => {
    const stderr = Object.assign(failing('EPIPE'), { text: () => '' });
    const r = await writeAndWatch(collecting(), stderr, stderr);
    assert.deepEqual(r.codes, [CLOSED_OUTPUT_EXIT]);
  });

  it('reports any other write failure on stdout in one line, status 1', async () => {
    const stdout = failing('EIO');
    const r = await writeAndWatch(stdout, collecting(), stdout);
    assert.deepEqual(r.codes, [1]);
    assert.equal(r.stderr, 'podctl: cannot write to stdout: EIO\n');
  });
});
