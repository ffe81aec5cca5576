import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { REPO_ROOT, podctlOk } from './harness/run.js';
// In your own project: import { PodSession, runManifest } from 'podctl';
import { PodSession, runManifest } from '../src/index.js';

// podctl as a library, the way a test suite uses it. The first test is the README example
// (README.md quotes it between the EXAMPLE markers). Every test ends with the
// leak checker: `await using` must leave nothing behind, even when the block throws.
let leaks: LeakChecker;
beforeEach(async () => {
  leaks = await LeakChecker.start();
});
afterEach(async () => {
  await leaks.assertClean();
});

describe('podctl as a library', () => {
  it('runs the README example', async () => {
    // EXAMPLE START
    await using pods = await PodSession.open();

    // An nginx pod, returned once it answers HTTP on its pod IP.
    await using web = await pods.run({ name: 'pct-kube-lib-web', image: 'nginx:latest', wait: { http: { port: 80 } } });
    const page = await fetch(web.url(80));
    assert.equal(page.status, 200);

    // A client pod: exec returns the exit code and output.
    await using client = await pods.run({ image: 'busybox:latest', args: ['sleep', '3600'] });
    const got = await client.exec(['wget', '-qO-', web.url(80)]);
    assert.equal(got.exitCode, 0);
    assert.match(got.stdout, /Welcome to nginx!/);

    // A Pod manifest runs as it would with podctl apply; --wait honours its readiness probe.
    const manifest = `
      apiVersion: v1
      kind: Pod
      metadata: { name: pct-kube-lib-job }
      spec:
        initContainers:
          - { name: setup, image: busybox:latest, command: [sh, -c, "echo setting up"] }
        containers:
          - name: main
            image: busybox:latest
            command: [sh, -c, "echo started; exec httpd -f -p 8080 -h /tmp"]
            readinessProbe: { tcpSocket: { port: 8080 } }
    `;
    await using job = (await runManifest(pods, manifest, { wait: { timeoutMs: 30_000 } }))[0]!;
    assert.match(await job.logs({ container: 'setup' }), /setting up/);
    assert.match(await job.logs(), /started/);
    // Leaving the block removes the three pods and everything podctl set up for them.
    // EXAMPLE END
  });

  it('the README quotes the example as it is run here', async () => {
    const own = await readFile(fileURLToPath(import.meta.url), 'utf8');
    const region = /\n( *)\/\/ EXAMPLE START\n([\s\S]*?)\n *\/\/ EXAMPLE END/.exec(own)!;
    const indent = region[1]!.length;
    // In the docs the example sits in a test body: indented by two spaces instead.
    const quoted = region[2]!.split('\n').map((l) => (l.trim() ? '  ' + l.slice(indent) : '')).join('\n');
    const docs = [join(REPO_ROOT, 'README.md')];
    let checked = 0;
    for (const path of docs) {
      const text = await readFile(path, 'utf8').catch(() => '');
      if (!text.includes("import { PodSession, runManifest } from 'podctl';")) continue;
      assert.ok(text.includes(quoted), `${path} quotes an older version of the example in e2e/library-example.test.ts`);
      checked++;
    }
    assert.ok(checked > 0, 'README.md does not quote the library example');
  });

  it('`await using` removes the pod when the block throws', async () => {
    await using pods = await PodSession.open();
    let name = '';
    await assert.rejects(async () => {
      await using pod = await pods.run({ image: 'busybox:latest', args: ['sleep', '3600'] });
      name = pod.name;
      assert.deepEqual(pod.ips.length, 1);
      throw new Error('the test failed here');
    }, /the test failed here/);
    assert.deepEqual(await pods.manager.list({ name, all: true }), []);
    assert.deepEqual(await pods.list(), []);
  });

  it("the next run removes the pods of a run that crashed, and the package resolves as 'podctl'", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'pct-kube-lib-'));
    try {
      // A child process makes a pod and dies without cleaning up.
      const script = join(dir, 'crash.mts');
      await writeFile(script, [
        `import { PodSession } from ${JSON.stringify(join(REPO_ROOT, 'src/index.ts'))};`,
        `const pods = await PodSession.open();`,
        `const pod = await pods.run({ image: 'busybox:latest', args: ['sleep', '3600'] });`,
        `process.stdout.write(pods.id + ' ' + pod.name);`,
        `process.kill(process.pid, 'SIGKILL');`,
      ].join('\n'));
      const crash = async () => {
        const child = await execa('node', ['--import', 'tsx', script], { cwd: REPO_ROOT, reject: false });
        assert.equal(child.signal, 'SIGKILL', String(child.stderr));
        const [session, name] = String(child.stdout).split(' ');
        assert.match(session!, /^lib-\d+-[0-9a-f]+$/);
        return { session: session!, name: name! };
      };

      // From a shell: podctl gc --session ID finds what that run left (a dry run here, so that
      // the test touches nothing else on a machine where other podctl runs are at work).
      const first = await crash();
      const gc = JSON.parse((await podctlOk(['gc', '--session', first.session, '--dry-run', '-o', 'json'])).stdout) as { actions: Array<{ target: string; action: string }> };
      assert.deepEqual(gc.actions.find((a) => a.target === first.name)?.action, 'remove');

      // From code: the next PodSession.open removes the pods of runs whose process is gone.
      const { session, name } = await crash();

      const lib = (await import('podctl' as string)) as typeof import('../src/index.js');
      await using pods = await lib.PodSession.open();
      assert.deepEqual(await pods.manager.list({ session, all: true, namespace: undefined }), [], `pod ${name} of the crashed run is still there`);
      assert.deepEqual(await pods.manager.list({ session: first.session, all: true, namespace: undefined }), [], `pod ${first.name} of the first crashed run is still there`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
