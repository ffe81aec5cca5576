import { convertResult } from '../result/convert-result.js';
import type { CniResult } from '../result/types.js';
import type { NetworkConfigList, RuntimeConf } from '../types.js';
import type { CniVersion } from '../versions.js';
import { runPlugin, runPluginForResult, type InvokeContext } from '../invoke/invoke-plugin.js';
import { attachmentEnv } from '../invoke/plugin-env.js';
import { pluginStdin } from '../invoke/plugin-stdin.js';

/**
 * Called before each plugin of an ADD with the prevResult that plugin is given (none for the
 * first), so the caller can record what a DEL after a kill must give the plugins.
 */
export type BeforeAddPlugin = (prevResult: CniResult | undefined) => Promise<void>;

/**
 * The verbs over a plugin list, without locks or cache (CniRuntime adds those):
 * ADD in order chaining each result into the next `prevResult`, CHECK in order with the
 * cached result, DEL in reverse. Each stops at the first error.
 */
export async function addChain(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf, beforePlugin?: BeforeAddPlugin): Promise<CniResult> {
  let prevResult: CniResult | undefined;
  for (const plugin of net.plugins) {
    await beforePlugin?.(prevResult);
    prevResult = await runPluginForResult(
      ctx,
      {
        verb: 'ADD',
        network: net.name,
        pluginType: plugin.type,
        stdin: pluginStdin(net, plugin, { prevResult: prevResult && asVersion(prevResult, net.cniVersion), capabilityArgs: rt.capabilityArgs }),
        env: attachmentEnv('ADD', rt, ctx),
      },
      net.cniVersion,
    );
  }
  return prevResult!;
}

export async function checkChain(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf, cached: CniResult): Promise<void> {
  await runEach(ctx, 'CHECK', net, net.plugins, rt, asVersion(cached, net.cniVersion));
}

/** DEL runs the chain backwards, every plugin seeing the final ADD result (when there is one). */
export async function delChain(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf, cached: CniResult | undefined): Promise<void> {
  await runEach(ctx, 'DEL', net, [...net.plugins].reverse(), rt, cached && asVersion(cached, net.cniVersion));
}

/** CHECK and DEL give every plugin the same prevResult; the first failure stops the chain. */
async function runEach(ctx: InvokeContext, verb: 'CHECK' | 'DEL', net: NetworkConfigList, plugins: NetworkConfigList['plugins'], rt: RuntimeConf, prevResult: CniResult | undefined): Promise<void> {
  for (const plugin of plugins) {
    await runPlugin(ctx, {
      verb,
      network: net.name,
      pluginType: plugin.type,
      stdin: pluginStdin(net, plugin, { prevResult, capabilityArgs: rt.capabilityArgs }),
      env: attachmentEnv(verb, rt, ctx),
    });
  }
}

/** A result in the network's version, so plugins read the shape they expect; as-is if it cannot be. */
function asVersion(result: CniResult, version: CniVersion): CniResult {
  try {
    return convertResult(result, version);
  } catch {
    return result;
  }
}
