import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { createServer, get } from 'node:http';
import { isPodctlError, PodctlError } from '../util/errors.js';
import { limitedWriter, logContainer, parseLogQuery, prepareLogs } from './logs.js';

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

describe('prepareLogs', () => {
  // A real HTTP exchange on loopback, with a pod layer that follows until it is told to stop.
  const logger = { debug() {}, info() {}, warn() {}, error() {} } as unknown as Parameters<typeof prepareLogs>[1];
  const spec = { containers: [{ name: 'web' }], initContainers: [] };

  it('a follow ends when the client goes: the read is aborted', async () => {
    let aborted!: () => void;
    const stopped = new Promise<void>((resolve) => (aborted = resolve));
    const pods = {
      getSpec: async () => spec,
      logs: async (_ref: unknown, sink: { stdout: NodeJS.WritableStream }, options: { signal: AbortSignal; follow: boolean }) => {
        assert.equal(options.follow, true);
        sink.stdout.write('first\n');
        await new Promise<void>((resolve) => options.signal.addEventListener('abort', () => resolve()));
        aborted();
      },
    } as unknown as Parameters<typeof prepareLogs>[0];
    const server = createServer((req, res) => void prepareLogs(pods, logger, { namespace: 'default', name: 'web' }, new URL(req.url!, 'http://x').searchParams).then((write) => write(res)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      await new Promise<void>((resolve, reject) => {
        const req = get({ host: '127.0.0.1', port, path: '/?follow=true' }, (res) => {
          assert.equal(res.statusCode, 200);
          assert.equal(res.headers['content-type'], 'text/plain');
          res.once('data', (d: Buffer) => {
            assert.equal(String(d), 'first\n');
            req.destroy();
            resolve();
          });
        });
        req.on('error', reject);
      });
      await stopped;
    } finally {
      server.close();
    }
  });

  it('a refusal of the pod layer before any output is still thrown (the server answers a Status)', async () => {
    const pods = {
      getSpec: async () => spec,
      logs: async () => {
        throw new PodctlError('INVALID_ARGUMENT', 'previous terminated container "web" in pod "web" not found');
      },
    } as unknown as Parameters<typeof prepareLogs>[0];
    const write = await prepareLogs(pods, logger, { namespace: 'default', name: 'web' }, q('previous=true'));
    const res = { headersSent: false, on() {}, writeHead() { throw new Error('no answer may start'); } } as unknown as Parameters<typeof write>[0];
    await assert.rejects(write(res), badRequest(/previous terminated container/));
  });

  it('a pod that is not there: NotFound before anything', async () => {
    const pods = { getSpec: async () => undefined } as unknown as Parameters<typeof prepareLogs>[0];
    await assert.rejects(prepareLogs(pods, logger, { namespace: 'default', name: 'gone' }, q('')), (e) => isPodctlError(e, 'NOT_FOUND') && e.message === 'pods "gone" not found');
  });
});
