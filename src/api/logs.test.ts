import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { isPodctlError } from '../util/errors.js';
import { limitedWriter, logContainer, parseLogQuery } from './logs.js';

const q = (text: string) => new URLSearchParams(text);
const badRequest = (message: RegExp) => (err: unknown) => isPodctlError(err, 'INVALID_ARGUMENT') && message.test(err.message);

describe('parseLogQuery', () => {
  it('reads the options kubectl sends', () => {
    assert.deepEqual(parseLogQuery(q('container=web&follow=true&tailLines=5&timestamps=true&limitBytes=100&previous=false')), { container: 'web', follow: true, previous: false, timestamps: true, tailLines: 5, limitBytes: 100 });
    assert.deepEqual(parseLogQuery(q('')), { follow: false, previous: false, timestamps: false });
  });

  it('turns sinceSeconds and sinceTime into a time', () => {
    assert.equal(parseLogQuery(q('sinceSeconds=60'), 100_000).since, 40);
    assert.equal(parseLogQuery(q('sinceTime=2026-01-01T00:00:00Z')).since, Date.parse('2026-01-01T00:00:00Z') / 1000);
  });

  it('refuses what the API server refuses', () => {
    assert.throws(() => parseLogQuery(q('sinceSeconds=5&sinceTime=2026-01-01T00:00:00Z')), badRequest(/at most one of `sinceTime` or `sinceSeconds`/));
    assert.throws(() => parseLogQuery(q('sinceSeconds=0')), badRequest(/sinceSeconds: Invalid value: 0: must be greater than 0/));
    assert.throws(() => parseLogQuery(q('tailLines=-1')), badRequest(/tailLines: Invalid value: -1: must be greater than or equal to 0/));
    assert.throws(() => parseLogQuery(q('limitBytes=x')), badRequest(/limitBytes: Invalid value: "x": must be an integer/));
    assert.throws(() => parseLogQuery(q('sinceTime=yesterday')), badRequest(/sinceTime/));
  });
});

describe('logContainer', () => {
  const spec = (apps: string[], inits: string[] = []) => ({ containers: apps.map((name) => ({ name })), initContainers: inits.map((name) => ({ name })) }) as unknown as Parameters<typeof logContainer>[1];

  it("a pod's only container needs no name", () => {
    assert.equal(logContainer('web', spec(['nginx']), undefined), 'nginx');
  });

  it('a pod of several: a name is required, and the message lists them', () => {
    assert.throws(() => logContainer('web', spec(['a', 'b']), undefined), badRequest(/^a container name must be specified for pod web, choose one of: \[a b\]$/));
    assert.throws(() => logContainer('web', spec(['a', 'b'], ['init']), undefined), badRequest(/choose one of: \[a b\] or one of the init containers: \[init\]$/));
    assert.equal(logContainer('web', spec(['a', 'b'], ['init']), 'init'), 'init');
  });

  it('an unknown container', () => {
    assert.throws(() => logContainer('web', spec(['a']), 'zz'), badRequest(/^container zz is not valid for pod web$/));
  });
});

describe('limitedWriter', () => {
  it('passes at most the limit and says once that it was reached', () => {
    const out = new PassThrough();
    let reached = 0;
    const w = limitedWriter(out, 5, () => reached++);
    w.write(Buffer.from('abc'));
    w.write(Buffer.from('defg'));
    w.write(Buffer.from('h'));
    assert.equal(String(out.read()), 'abcde');
    assert.equal(reached, 1);
  });
});
