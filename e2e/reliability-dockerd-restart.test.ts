import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { REPO_ROOT, fetchText, inspectPod, podctlOk, uniqueName } from './harness/run.js';

// dockerd restarted under a running pod: every container stops, the pinned namespace keeps
// the pod's CNI wiring. `ps` must say degraded, `podctl start` must rewire the pod so it
// answers again, and `rm -f` must leave nothing. The engine is stopped and started the way
// `make setup` starts it (scripts/setup.sh). Skipped when podctl does not own the engine
// (DOCKER_HOST set, or no local dockerd process): then restarting it is not this test's call.

async function dockerdPid(): Promise<number | undefined> {
  const r = await execa('pgrep', ['-x', 'dockerd'], { reject: false });
  const pids = String(r.stdout).split('\n').filter(Boolean).map(Number);
  return pids.length === 1 ? pids[0] : undefined;
}

async function waitGone(pid: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const alive = await readFile(`/proc/${pid}/stat`, 'utf8').then(
      (s) => !/\) Z /.test(s),
      () => false,
    );
    if (!alive) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`dockerd (pid ${pid}) did not exit within ${timeoutMs} ms`);
}

const pid = await dockerdPid();
const skip = process.env.DOCKER_HOST ? 'DOCKER_HOST names an engine podctl does not own' : pid === undefined ? 'no single local dockerd process' : false;

test('a pod survives a dockerd restart: degraded, then rewired by start, then removed without leaks', { skip, timeout: 180_000 }, async () => {
  const leaks = await LeakChecker.start();
  const name = uniqueName('pct-rel-dockerd');
  try {
    await podctlOk(['run', '--image', 'nginx', '--name', name, '--wait-http', ':80/']);
    process.kill(pid!, 'SIGTERM');
    await waitGone(pid!, 60_000);
    // Brings the engine back exactly as `make setup` does, and waits until it answers.
    await execa('bash', [`${REPO_ROOT}/scripts/setup.sh`], { env: { CI: 'true' }, stdin: 'ignore' });

    const down = await inspectPod(name);
    assert.equal(down.state, 'degraded', 'every container stopped with the engine');
    await podctlOk(['start', name, '--wait-http', ':80/']);
    const up = await inspectPod(name);
    assert.equal(up.state, 'running');
    assert.match((await fetchText(`http://${up.ips[0]}/`)).body, /Welcome to nginx!/);
  } finally {
    await podctlOk(['rm', '-f', name]);
  }
  await leaks.assertClean();
});
