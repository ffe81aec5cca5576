import type { Command } from 'commander';
import type { PluginInventoryEntry } from '../../cni/index.js';
import type { EngineInfo } from '../../docker/engine.js';
import { messageOf } from '../../util/errors.js';
import { cniRuntimeFor } from './cni.js';
import { parseOutputFormat, renderStructured, renderTable, write } from '../output.js';

/** What `podctl info` reports; every part is asked at once and reports its own failure. */
export interface HostInfo {
  engine: { endpoint: string } & (EngineInfo | { error: string });
  cni: { confDir: string; networks: string[]; cniPath: string[]; plugins: PluginInventoryEntry[] };
  nft: { version: string } | { error: string };
}

export async function infoAction(cmd: Command, output: string | undefined): Promise<void> {
  const format = parseOutputFormat(output, ['table', 'json', 'yaml']);
  const info = await collectInfo(cmd);
  write(format === 'table' ? renderInfo(info) : await renderStructured(info, format as 'json' | 'yaml'));
  // Without an engine podctl can run no pod: say so in the exit status too.
  if ('error' in info.engine) process.exitCode = 1;
}

async function collectInfo(cmd: Command): Promise<HostInfo> {
  const runtime = cniRuntimeFor(cmd, 5000);
  const [engine, scan, plugins, nft] = await Promise.all([engineInfo(), runtime.scanNetworks(), runtime.listPlugins(), nftInfo()]);
  return {
    engine,
    cni: { confDir: runtime.confDir, networks: scan.networks.map((n) => n.name), cniPath: [...runtime.cniPath], plugins },
    nft,
  };
}

async function engineInfo(): Promise<HostInfo['engine']> {
  const [{ openDocker }, { endpointOf, identifyEngine }] = await Promise.all([import('../../docker/client.js'), import('../../docker/engine.js')]);
  const docker = await openDocker();
  const endpoint = await endpointOf(docker);
  try {
    return { endpoint, ...(await identifyEngine(docker)) };
  } catch (err) {
    return { endpoint, error: messageOf(err) };
  }
}

async function nftInfo(): Promise<HostInfo['nft']> {
  const { runCommand, isMissingProgram } = await import('../../util/run-command.js');
  try {
    return { version: (await runCommand('nft', ['--version'], { timeoutMs: 5000 })).stdout.trim() };
  } catch (err) {
    return { error: isMissingProgram(err) ? 'nft not found (apt-get install nftables)' : messageOf(err) };
  }
}

/** The human form: one line per subject, then the plugins as a table. */
export function renderInfo(info: HostInfo): string {
  const indent = (text: string) => text.replace(/^(?=.)/gm, '  ');
  const e = info.engine;
  const engine = 'error' in e ? `none answers at ${e.endpoint}: ${e.error}` : `${e.name} ${e.version} (API ${e.apiVersion}) at ${e.endpoint}`;
  const networks = info.cni.networks.length > 0 ? info.cni.networks.join(', ') : 'none';
  const nft = 'error' in info.nft ? `not available: ${info.nft.error}` : info.nft.version;
  const rows = info.cni.plugins.map((p) => [p.name, p.release ?? '-', p.supportedVersions?.join(',') ?? `error: ${p.error}`, p.path]);
  const plugins = rows.length === 0 ? `  none in ${info.cni.cniPath.join(':')}\n` : indent(renderTable(['PLUGIN', 'RELEASE', 'CNI VERSIONS', 'PATH'], rows));
  return [
    `engine:    ${engine}`,
    `conf dir:  ${info.cni.confDir} (networks: ${networks})`,
    `cni path:  ${info.cni.cniPath.join(':')}`,
    `nft:       ${nft}`,
    `plugins:`,
    plugins,
  ].join('\n');
}
