import { findPluginInDirs, parseNetworkConfig, type NetworkConfigList, type PluginVersionInfo } from '../../cni/index.js';
import { messageOf } from '../../util/errors.js';
import type { KernelRoute } from '../host/net-probe.js';
import type { NetworkRun } from '../network-run.js';
import type { SmokeTarget } from '../targets.js';
import { ipamProblems, pluginTypes } from './ipam-present.js';
import { ipamRanges, ownDevices, subnetProblems, type OtherSubnet } from './subnets.js';

export interface StaticContext {
  cniPath: readonly string[];
  probeVersion(pluginType: string): Promise<PluginVersionInfo>;
  hostRoutes: KernelRoute[];
  /** Subnets of the networks checked before this one in the same run. */
  others: OtherSubnet[];
  /** Network name → the file that declared it first in this run. */
  seenNames: Map<string, string>;
}

const fail = (problems: string[]) => {
  if (problems.length > 0) throw new Error(problems.join('; '));
};

/**
 * The static stage: JSON, the runtime's own validation, ipam, subnets, then every plugin
 * binary and its VERSION answer. Returns the parsed network when all of it passed.
 */
export async function runStaticChecks(run: NetworkRun, target: SmokeTarget, ctx: StaticContext): Promise<NetworkConfigList | undefined> {
  let raw: unknown;
  const jsonOk = await run.check('static', 'json', () => {
    try {
      raw = JSON.parse(target.text);
    } catch (err) {
      throw new Error(`${target.file} is not valid JSON: ${messageOf(err)}`);
    }
  });
  if (!jsonOk) {
    for (const name of ['config', 'ipam', 'subnets', 'plugins']) run.skip('static', name, 'the file is not valid JSON');
    return undefined;
  }
  let net: NetworkConfigList | undefined;
  const configOk = await run.check('static', 'config', () => {
    net = parseNetworkConfig(target.text, target.file);
    run.report.cniVersion = net.cniVersion;
    const first = ctx.seenNames.get(net.name);
    if (first !== undefined) throw new Error(`network ${JSON.stringify(net.name)} is already defined in ${first}`);
    ctx.seenNames.set(net.name, target.file);
    return { detail: `network ${net.name}, cniVersion ${net.cniVersion}, plugins ${net.plugins.map((p) => p.type).join(' → ')}` };
  });
  const ipamOk = await run.check('static', 'ipam', () => fail(ipamProblems(raw)));
  const ranges = ipamRanges(raw);
  const subnetsOk = await run.check('static', 'subnets', () => {
    fail(subnetProblems(ranges, ctx.others, ctx.hostRoutes, ownDevices(raw)));
    return { detail: ranges.length > 0 ? ranges.map((r) => r.subnet).join(', ') : 'no ipam subnets' };
  });
  ctx.others.push(...ranges.map((r) => ({ network: target.name, subnet: r.subnet })));
  let pluginsOk = true;
  for (const type of pluginTypes(raw)) {
    const ok = await run.check('static', `plugin ${type}`, async () => {
      const path = await findPluginInDirs(type, ctx.cniPath);
      if (!net) return { skipped: 'the config is invalid, so its cniVersion is unknown', detail: path };
      const info = await ctx.probeVersion(type);
      if (!info.supportedVersions.includes(net.cniVersion)) {
        throw new Error(`${path} supports cniVersion ${info.supportedVersions.join(', ')}; the network uses ${net.cniVersion}`);
      }
      return { detail: `${path} (supports ${info.supportedVersions.join(', ')})` };
    });
    pluginsOk &&= ok;
  }
  return configOk && ipamOk && subnetsOk && pluginsOk ? net : undefined;
}
