import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { LeakChecker } from './harness/leaks.js';
import { podctl } from './harness/run.js';

// `podctl cni add/check/del` honour the global --plugin-timeout; their own --timeout wins only
// when given. A fake plugin that never answers ADD shows which deadline applied (the error
// names it), long before the 60 s default.

const hangsOnAdd = `#!${process.execPath}
process.stdin.resume().on('end', () => {
  if (process.env.CNI_COMMAND === 'ADD') return setInterval(() => undefined, 1 << 30);
  if (process.env.CNI_COMMAND === 'VERSION') process.stdout.write(JSON.stringify({ cniVersion: '1.0.0', supportedVersions: ['1.0.0'] }));
});
`;

test('cni add: the global --plugin-timeout applies; cni add --timeout overrides it', { timeout: 60_000 }, async () => {
  const leaks = await LeakChecker.start();
  const root = await mkdtemp(join(tmpdir(), 'pct-cnito-'));
  const netns = `pct-cnito-${process.pid}`;
  try {
    await mkdir(join(root, 'net.d'));
    await mkdir(join(root, 'bin'));
    await writeFile(join(root, 'bin', 'pct-hang'), hangsOnAdd, { mode: 0o755 });
    await writeFile(join(root, 'net.d', '10-hang.conflist'), JSON.stringify({ cniVersion: '1.0.0', name: 'pct-cnito', plugins: [{ type: 'pct-hang' }] }));
    await execa('ip', ['netns', 'add', netns]);
    const env = { PODCTL_STATE_DIR: join(root, 'state'), PODCTL_RUN_DIR: join(root, 'run') };
    const global = ['--cni-conf-dir', join(root, 'net.d'), '--cni-path', join(root, 'bin')];
    const add = (flags: string[], own: string[] = []) => podctl([...global, ...flags, 'cni', 'add', 'pct-cnito', netns, '--container-id', 'pct-cnito-1', ...own], { env, timeoutMs: 30_000 });

    const byGlobal = await add(['--plugin-timeout', '1']);
    assert.notEqual(byGlobal.exitCode, 0);
    assert.match(byGlobal.stderr, /no answer within 1000 ms/, `the global --plugin-timeout applied: ${JSON.stringify(byGlobal)}`);

    const byOwn = await add(['--plugin-timeout', '20'], ['--timeout', '1.5']);
    assert.notEqual(byOwn.exitCode, 0);
    assert.match(byOwn.stderr, /no answer within 1500 ms/, 'cni add --timeout, when given, wins');
  } finally {
    await execa('ip', ['netns', 'delete', netns], { reject: false });
    await rm(root, { recursive: true, force: true });
  }
  await leaks.assertClean();
});
