import { convertResult } from '../result/convert-result.js';
import type { CniResult } from '../result/types.js';
import type { NetworkConfigList, RuntimeConf } from '../types.js';
import type { CniVersion } from '../versions.js';
import { runPlugin, runPluginForResult, type InvokeContext } from '../invoke/invoke-plugin.js';
import { attachmentEnv } from '../invoke/plugin-env.js';
import { pluginStdin } from '../invoke/plugin-stdin.js';

/**
 * The verbs over a plugin list, without locks or cache (CniRuntime adds those):
 * ADD in order chaining each result into the next `prevResult`, CHECK in order with the
 * cached result, DEL in reverse. Each stops at the first error.
 */
export async function addChain(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf): Promise<CniResult> {
  let prevResult: CniResult | undefined;
  for (const plugin of net.plugins) {
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
  const prevResult = asVersion(cached, net.cniVersion);
  for (const plugin of net.plugins) {
    await runPlugin(ctx, {
      verb: 'CHECK',
      network: net.name,
      pluginType: plugin.type,
      stdin: pluginStdin(net, plugin, { prevResult, capabilityArgs: rt.capabilityArgs }),
      env: attachmentEnv('CHECK', rt, ctx),
    });
  }
}

export async function delChain(ctx: InvokeContext, net: NetworkConfigList, rt: RuntimeConf, cached: CniResult | undefined): Promise<void> {
  const prevResult = cached && asVersion(cached, net.cniVersion);
  for (const plugin of [...net.plugins].reverse()) {
    await runPlugin(ctx, {
      verb: 'DEL',
      network: net.name,
      pluginType: plugin.type,
      stdin: pluginStdin(net, plugin, { prevResult, capabilityArgs: rt.capabilityArgs }),
      env: attachmentEnv('DEL', rt, ctx),
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
