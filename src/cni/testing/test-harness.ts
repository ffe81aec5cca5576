import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CniRuntime, type CniRuntimeOptions } from '../runtime/cni-runtime.js';
import type { NetworkConfigList } from '../types.js';
import { FakePluginDir, type FakeBehaviour } from './fake-plugin-dir.js';

export interface Harness {
  runtime: CniRuntime;
  plugins: FakePluginDir;
  root: string;
  confDir: string;
  cacheDir: string;
  net: NetworkConfigList;
  /** Rewrites the network's file on disk (to prove DEL replays the cache instead). */
  writeConf(conf: object, file?: string): Promise<void>;
  cleanup(): Promise<void>;
}

/** A conf dir with one network, fake plugins, and a runtime over private temp dirs. */
export async function createHarness(
  conf: object,
  behaviours: Record<string, FakeBehaviour>,
  options: Partial<CniRuntimeOptions> = {},
): Promise<Harness> {
  const plugins = await FakePluginDir.create();
  const root = await mkdtemp(join(tmpdir(), 'pct-cni-unit-'));
  for (const [name, behaviour] of Object.entries(behaviours)) await plugins.add(name, behaviour);
  const confDir = join(root, 'net.d');
  const cacheDir = join(root, 'cache');
  await mkdir(confDir);
  const writeConf = (c: object, file = '10-test.conflist') => writeFile(join(confDir, file), JSON.stringify(c, null, 2));
  await writeConf(conf);
  const runtime = new CniRuntime({ confDir, cniPath: plugins.dir, cacheDir, lockDir: join(root, 'locks'), timeoutMs: 10_000, ...options });
  return {
    runtime, plugins, root, confDir, cacheDir, writeConf,
    net: await runtime.getNetwork(),
    cleanup: async () => {
      await plugins[Symbol.asyncDispose]();
      await rm(root, { recursive: true, force: true });
    },
  };
}
