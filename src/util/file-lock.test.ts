// The lock's guarantees, tested without timing: each test waits for events (a line from a child,
// its exit), never for a duration.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtemp, rm, writeFile, readFile, readlink, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { acquireFileLock, tryFileLock, withFileLock } from './file-lock.js';
import { isPodctlError } from './errors.js';

const lockModule = fileURLToPath(new URL('./file-lock.ts', import.meta.url));
const spawnModule = fileURLToPath(new URL('./spawn-capture.ts', import.meta.url));

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'pct-lock-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A node process running `body` with `lock` (the module) in scope; its stdout as lines. */
function child(body: string): { proc: ChildProcess; lines: AsyncIterator<string> } {
  const script = `import * as lock from ${JSON.stringify(lockModule)};\n${body}`;
  const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: proc.stdout! })[Symbol.asyncIterator]();
  return { proc, lines };
}

test('one holder at a time; the lock is free again once released', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'a.lock');
    const first = await acquireFileLock(path, { timeoutMs: 0 });
    assert.equal(await tryFileLock(path), undefined);
    await assert.rejects(acquireFileLock(path, { timeoutMs: 0, what: 'pod web' }), (err) =>
      isPodctlError(err, 'LOCKED') && err.message === `pod web is busy: podctl process ${process.pid} holds its lock`);
    await first.release();
    await first.release(); // twice is harmless
    assert.deepEqual(await readdir(dir), [], 'a released lock leaves no file');
    const order: string[] = [];
    await Promise.all([1, 2, 3].map((n) => withFileLock(path, async () => {
      order.push(`${n} in`);
      await new Promise((r) => setImmediate(r));
      order.push(`${n} out`);
    })));
    for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.split(' ')[0], order[i + 1]!.split(' ')[0], `interleaved: ${order.join(', ')}`);
  });
});

test('a file left by a killed podctl, empty or naming a dead process, is taken at once', async () => {
  await withDir(async (dir) => {
    for (const leftover of ['', '999999999\n', '999999999 123\n']) {
      const path = join(dir, 'left.lock');
      await writeFile(path, leftover);
      const lock = await tryFileLock(path);
      assert.ok(lock, `a leftover ${JSON.stringify(leftover)} must not block`);
      assert.equal(await readFile(path, 'utf8'), `${process.pid}\n`, 'the owner is recorded');
      await lock.release();
    }
  });
});

test('a lock held by a live process is not taken; its SIGKILL frees it at once', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'b.lock');
    const { proc, lines } = child(`await lock.acquireFileLock(${JSON.stringify(path)}); console.log('held'); setInterval(() => {}, 1000);`);
    try {
      assert.equal((await lines.next()).value, 'held');
      assert.equal(await tryFileLock(path), undefined);
      await assert.rejects(acquireFileLock(path, { timeoutMs: 0 }), (err) => isPodctlError(err, 'LOCKED') && err.message.includes(`podctl process ${proc.pid} holds`));
    } finally {
      proc.kill('SIGKILL');
      await once(proc, 'exit');
    }
    const lock = await tryFileLock(path);
    assert.ok(lock, 'the dead holder\'s lock is taken over without waiting');
    await lock.release();
  });
});

test('processes a lock spawns do not inherit it', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'c.lock');
    const lock = await acquireFileLock(path);
    const sleeper = spawn('sleep', ['60'], { stdio: 'ignore' });
    try {
      await once(sleeper, 'spawn');
      const fds = await readdir(`/proc/${sleeper.pid}/fd`);
      const targets = await Promise.all(fds.map((fd) => readlink(`/proc/${sleeper.pid}/fd/${fd}`).catch(() => '')));
      assert.ok(!targets.includes(path), 'a child holding the lock fd would keep the lock after podctl died');
    } finally {
      sleeper.kill('SIGKILL');
      await lock.release();
    }
  });
});

test('no two holders ever: processes racing over a stale lock and each other', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'race.lock');
    const marker = join(dir, 'inside');
    const counter = join(dir, 'counter');
    await writeFile(path, '999999999\n'); // left by a dead owner: every racer tries to take it over
    await writeFile(counter, '0');
    const rounds = 80;
    // Inside the lock: create a marker exclusively (a second holder would find it), bump the counter.
    const body = `
      import { open, readFile, writeFile, rm } from 'node:fs/promises';
      for (let i = 0; i < ${rounds}; i++) {
        await lock.withFileLock(${JSON.stringify(path)}, async () => {
          const h = await open(${JSON.stringify(marker)}, 'wx');
          await h.close();
          const n = Number(await readFile(${JSON.stringify(counter)}, 'utf8'));
          await writeFile(${JSON.stringify(counter)}, String(n + 1));
          await rm(${JSON.stringify(marker)});
        });
      }
      console.log('done');`;
    const racers = [1, 2, 3].map(() => child(body));
    const codes = await Promise.all(racers.map(async ({ proc }) => (await once(proc, 'exit'))[0]));
    assert.deepEqual(codes, [0, 0, 0], 'a racer found another holder inside (EEXIST on the marker)');
    assert.equal(await readFile(counter, 'utf8'), String(3 * rounds));
  });
});

test('a child handed the lock\'s fd keeps the lock after its holder is SIGKILLed, until it exits (a plugin a killed podctl left running)', async () => {
  await withDir(async (dir) => {
    const path = join(dir, 'd.lock');
    // The holder runs `sh`, which waits for a line on a fifo, with the lock's fd as its fd 3.
    const fifo = join(dir, 'go');
    await once(spawn('mkfifo', [fifo]), 'exit');
    const { proc, lines } = child(`
      const { spawnCapture } = await import(${JSON.stringify(spawnModule)});
      const held = await lock.acquireFileLock(${JSON.stringify(path)});
      void spawnCapture('sh', ['-c', 'read line < ${fifo}'], { timeoutMs: 600_000, inheritFds: [held.fd] });
      console.log('held');
      setInterval(() => {}, 1000);`);
    try {
      assert.equal((await lines.next()).value, 'held');
      proc.kill('SIGKILL');
      await once(proc, 'exit');
      assert.equal(await tryFileLock(path), undefined, 'the child still holds the lock of its dead parent');
    } finally {
      proc.kill('SIGKILL');
      await writeFile(fifo, 'go\n'); // the child ends
    }
    let lock;
    while (!(lock = await tryFileLock(path))) await new Promise((r) => setImmediate(r));
    assert.ok(lock, 'the lock is free once the child is gone');
    await lock.release();
  });
});
