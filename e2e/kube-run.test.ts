import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, type ResultPromise } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podctl, podctlOk, uniqueName } from './harness/run.js';
import { stopServe, type Serve } from './harness/serve.js';
import { kubectlPath, runKubectl, serveWithApi } from './harness/kube-api.js';

// `kubectl run -it --rm` and `kubectl attach -it` through `podctl serve`'s API, with the oldest
// kubectl installed (1.27: attach over SPDY/3.1) and the newest (1.33: WebSocket v5). kubectl
// makes a pod whose container has an open stdin (stdinOnce) and a TTY, waits for it to run,
// attaches to the container's own stdin, and once the container ended reads its exit code from
// the pod's status and deletes the pod. Under a pseudo-terminal (script(1)) the terminal's size
// and a resize reach the container; with a pipe (-i) stdin's end closes the container's stdin.
const VERSIONS = ['1.27', '1.33'] as const;
/** Shell that waits until the terminal has a size: kubectl's first resize may land after the first line typed. */
const SIZED = 'until [ -n "$(stty size 2>/dev/null)" ]; do sleep 0.1; done';

let leaks: LeakChecker;
let work: string;

before(async () => {
  leaks = await LeakChecker.start();
  work = await mkdtemp(join(tmpdir(), 'pct-kube-run-'));
});

after(async () => {
  await rm(work, { recursive: true, force: true });
});

/** A command run by script(1) under a pseudo-terminal, its terminal output followed, its input typed in. */
function underTerminal(command: string, env: Record<string, string>) {
  const child: ResultPromise = execa('script', ['-qec', command, '/dev/null'], { reject: false, env, extendEnv: false, timeout: 90_000, stdin: 'pipe' });
  let seen = '';
  const waiters: Array<{ text: RegExp; resolve: () => void }> = [];
  child.stdout!.on('data', (d: Buffer) => {
    seen += String(d);
    for (const w of waiters.filter((w) => w.text.test(seen))) {
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  const ended = child.then((r) => r);
  return {
    child,
    output: () => seen,
    type: (line: string) => child.stdin!.write(`${line}\n`),
    /** Resolves once the terminal has shown `text`; rejects when the command ends without it. */
    see: (text: RegExp) =>
      new Promise<void>((resolve, reject) => {
        if (text.test(seen)) return resolve();
        waiters.push({ text, resolve });
        void ended.then(() => reject(new Error(`the terminal never showed ${String(text)}; it showed:\n${seen}`)));
      }),
  };
}

describe('kubectl run -it --rm and kubectl attach -it through podctl serve', () => {
  const name = uniqueName('pct-kr');
  const attachable = (v: string) => `${name}-attach-${v.replace('.', '')}`;
  let serve: Serve | undefined;
  let manifest: string;
  let kubeconfig: string;
  let home: string;

  const env = () => ({ HOME: home, PATH: process.env.PATH ?? '' });
  const kubectl = (v: string, args: string[], input?: string) => runKubectl(kubectlPath(v), kubeconfig, args, { home, ...(input !== undefined ? { input } : {}), timeout: 90_000 });

  before(async () => {
    home = join(work, 'home');
    manifest = join(work, 'attach.yaml');
    // One pod per kubectl to attach to: a shell on the container's own stdin and TTY.
    const pod = (v: string) => `apiVersion: v1
kind: Pod
metadata: { name: ${attachable(v)} }
spec:
  restartPolicy: Never
  terminationGracePeriodSeconds: 1
  containers:
    - name: shell
      image: busybox
      command: [sh]
      stdin: true
      tty: true
`;
    await writeFile(manifest, VERSIONS.map(pod).join('---\n'));
    ({ serve, kubeconfig } = await serveWithApi(work, manifest));
  });

  after(async () => {
    if (serve) process.stderr.write(`# serve's log:\n${serve.stderr().replace(/^/gm, '#   ')}\n`);
    await stopServe(serve).catch(() => serve?.child.kill('SIGKILL'));
    await podctl(['delete', '-f', manifest, '--ignore-not-found']);
    for (const v of VERSIONS) for (const kind of ['it', 'i']) await podctl(['rm', '-f', `${name}-${kind}-${v.replace('.', '')}`]);
    await leaks.assertClean();
  });

  /** After `--rm`: the API and podctl know no such pod. */
  async function assertGone(v: string, pod: string): Promise<void> {
    const got = await kubectl(v, ['get', 'pod', pod]);
    assert.notEqual(got.exitCode, 0, `pod ${pod} is still served`);
    assert.match(String(got.stderr), /NotFound|not found/);
    assert.doesNotMatch((await podctlOk(['ps', '-a'])).stdout, new RegExp(`^${pod}\\s`, 'm'), `podctl ps -a still lists ${pod}`);
  }

  for (const v of VERSIONS) {
    it(`kubectl ${v} run -it --rm: types into the container's shell, its size and a resize reach it, its exit code comes back, no pod is left`, async () => {
      const pod = `${name}-it-${v.replace('.', '')}`;
      const go = join(work, `resize-${pod}`);
      // script gives kubectl a terminal of 33x111; a background job resizes it to 40x100 once the test says so.
      const inScript = `stty rows 33 cols 111; (while [ ! -e ${go} ]; do sleep 0.1; done; stty rows 40 cols 100 </dev/tty) & ${kubectlPath(v)} --kubeconfig ${kubeconfig} run ${pod} -it --rm --restart=Never --image=busybox -- sh; code=$?; wait; exit $code`;
      const term = underTerminal(inScript, env());
      await term.see(/If you don't see a command prompt/);
      // kubectl sends the terminal's size beside what is typed: the shell waits for it to land.
      term.type(`${SIZED}; echo "size $(stty size)"`);
      await term.see(/size 33 111/);
      const spec = await kubectl(v, ['get', 'pod', pod, '-o', 'jsonpath={.spec.containers[0].stdin} {.spec.containers[0].stdinOnce} {.spec.containers[0].tty}']);
      assert.equal(spec.stdout, 'true true true', String(spec.stderr));
      await writeFile(go, '');
      // stty sets rows, then cols: the shell waits for the final size.
      term.type('until [ "$(stty size)" = "40 100" ]; do sleep 0.1; done; echo "resized to $(stty size)"');
      await term.see(/resized to 40 100/);
      term.type('exit 5');
      const r = await term.child;
      term.child.stdin!.end();
      assert.equal(r.exitCode, 5, term.output());
      assert.match(term.output(), new RegExp(`pod "${pod}" deleted`));
      await assertGone(v, pod);
    });

    it(`kubectl ${v} run -i --rm with piped stdin: the container reads it to its end, its exit code comes back, no pod is left`, async () => {
      const pod = `${name}-i-${v.replace('.', '')}`;
      const r = await kubectl(v, ['run', pod, '-i', '--rm', '--restart=Never', '--image=busybox', '--', 'sh', '-c', 'wc -c; exit 4'], 'x'.repeat(100_000));
      assert.equal(r.exitCode, 4, String(r.stderr));
      assert.match(String(r.stdout), /^100000$/m);
      assert.match(`${String(r.stdout)}${String(r.stderr)}`, new RegExp(`pod "${pod}" deleted`));
      await assertGone(v, pod);
    });

    it(`kubectl ${v} attach -it: to a manifest's pod with stdin and tty, the shell answers what is typed`, async () => {
      const pod = attachable(v);
      const spec = await kubectl(v, ['get', 'pod', pod, '-o', 'jsonpath={.spec.containers[0].stdin} {.spec.containers[0].tty}']);
      assert.equal(spec.stdout, 'true true', String(spec.stderr));
      const term = underTerminal(`stty rows 30 cols 90; ${kubectlPath(v)} --kubeconfig ${kubeconfig} attach -it ${pod}`, env());
      await term.see(/If you don't see a command prompt/);
      term.type(`${SIZED}; echo "answer $((6 * 7)) at $(stty size)"`);
      await term.see(/answer 42 at 30 90/);
      term.type('exit');
      const r = await term.child;
      term.child.stdin!.end();
      assert.equal(r.exitCode, 0, term.output());
    });
  }
});
