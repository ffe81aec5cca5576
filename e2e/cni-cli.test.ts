import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { podctl as runPodctl } from './harness/run.js';
import { createCniTestEnv, exists, iptablesRules, routesIn } from './cni-host.js';

/** The real CLI (bin/podctl, the build), with the test's environment. */
const podctl = (args: string[], env: Record<string, string> = {}) => runPodctl(args, { env });

test('every podctl cni / net command documents an example', async () => {
  for (const sub of [['cni'], ['cni', 'add'], ['cni', 'check'], ['cni', 'del'], ['cni', 'gc'], ['cni', 'status'], ['cni', 'version'], ['net'], ['net', 'ls'], ['net', 'inspect']]) {
    const r = await podctl([...sub, '--help']);
    assert.equal(r.exitCode, 0, r.stderr);
    assert.match(r.stdout, /Examples?:\n[\s\S]*  podctl /, sub.join(' '));
  }
});

test('podctl cni add / check / del / version / net ls on a real namespace', async () => {
  const env = await createCniTestEnv();
  const name = `pct-cni-cli-${env.id}`;
  const prefix = `10.234.${Number.parseInt(env.id.slice(0, 2), 16)}`;
  const confDir = join(env.root, 'net.d');
  const vars = { PODCTL_STATE_DIR: join(env.root, 'state'), PODCTL_RUN_DIR: join(env.root, 'run') };
  const cid = `pct-cni-${env.id}-cli`;
  const common = ['--cni-conf-dir', confDir, '--cni-path', '/usr/lib/cni'];
  try {
    await mkdir(confDir);
    await writeFile(join(confDir, '10-cli.conflist'), JSON.stringify({
      cniVersion: '1.0.0',
      name,
      plugins: [
        { type: 'bridge', bridge: env.bridge, isGateway: true, ipMasq: true, ipam: { type: 'host-local', subnet: `${prefix}.0/24`, dataDir: env.dataDir, routes: [{ dst: '0.0.0.0/0' }] } },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    }));

    const ls = await podctl([...common, 'net', 'ls', '-o', 'json'], vars);
    assert.equal(ls.exitCode, 0, ls.stderr);
    assert.deepEqual(JSON.parse(ls.stdout).map((n: { name: string; subnets: string[] }) => [n.name, n.subnets]), [[name, [`${prefix}.0/24`]]]);

    const cap = `portMappings=[{"hostPort":${31000 + Number.parseInt(env.id.slice(0, 2), 16)},"containerPort":80,"protocol":"tcp"}]`;
    const add = await podctl([...common, 'cni', 'add', name, env.netns, '--container-id', cid, '--args', 'K8S_POD_NAME=cli', '--cap', cap], vars);
    assert.equal(add.exitCode, 0, add.stderr);
    const result = JSON.parse(add.stdout);
    assert.equal(result.cniVersion, '1.0.0');
    assert.equal(result.ips[0].address, `${prefix}.2/24`);
    assert.ok((await routesIn(env.netns)).includes(`default via ${prefix}.1 dev eth0`));
    assert.ok((await iptablesRules()).some((l) => l.includes(cid) && l.includes('CNI-DN-')), 'the --cap portMappings reached portmap');

    const version = await podctl([...common, 'cni', 'version', 'bridge'], vars);
    assert.equal(JSON.parse(version.stdout).path, '/usr/lib/cni/bridge');

    const bad = await podctl([...common, 'cni', 'add', name, env.netns, '--container-id', cid, '--args', 'A=b;c'], vars);
    assert.equal(bad.exitCode, 2);
    assert.match(bad.stderr, /^podctl: invalid CNI_ARGS value "b;c" for A/);

    // DEL without --args/--cap: the cache replays them, so portmap removes its rules.
    const del = await podctl([...common, 'cni', 'del', name, env.netns, '--container-id', cid], vars);
    assert.equal(del.exitCode, 0, del.stderr);
    assert.equal(JSON.parse(del.stdout).deleted, true);
    assert.deepEqual((await iptablesRules()).filter((l) => l.includes(cid)), []);
    assert.equal(await exists(join(env.dataDir, name, `${prefix}.2`)), false);
  } finally {
    await podctl([...common, 'cni', 'del', name, '--container-id', cid], vars);
    await env.cleanup();
  }
  assert.deepEqual(await env.leftovers([cid]), []);
});
