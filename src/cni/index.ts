/** podctl's CNI runtime: configs, plugin invocation, chains, results, cache. No Docker, no pods. */
export { CniRuntime, type CniRuntimeOptions, type DelRuntimeConf, type PluginInventoryEntry } from './runtime/cni-runtime.js';
export type { NetworkConfigList, PluginConf, RuntimeConf, GcAttachment, CachedAttachment } from './types.js';
export { CniError, CniErrorCodes, isCniError, configError, type CniVerb, type CniFailureKind } from './errors.js';
export { SUPPORTED_VERSIONS, CURRENT_VERSION, isSupportedVersion, compareVersions, type CniVersion } from './versions.js';
export { parseNetworkConfig, NETWORK_NAME } from './conf/parse-network.js';
export { summarizeNetwork, type NetworkSummary } from './conf/summary.js';
export { bridgeOfPlugin, networkBridge } from './conf/bridge-name.js';
export { scanConfDir, loadNetworkFile, CONF_EXTENSIONS, type ConfDirScan, type ConfProblem } from './conf/load-dir.js';
export { SpawnPluginExec, findPluginInDirs, pluginNotFound, type PluginExec, type PluginRequest, type PluginOutput } from './invoke/plugin-exec.js';
export { formatCniArgs, validateContainerId, validateIfName } from './invoke/plugin-env.js';
export { pluginStdin, runtimeConfigFor } from './invoke/plugin-stdin.js';
export { parseResult } from './result/parse-result.js';
export { convertResult, toCurrentResult } from './result/convert-result.js';
export type * from './result/types.js';
