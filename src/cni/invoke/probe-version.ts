import { CniError } from '../errors.js';
import { CURRENT_VERSION } from '../versions.js';
import type { PluginVersionInfo } from '../result/types.js';
import { runPlugin, type InvokeContext } from './invoke-plugin.js';
import { verbEnv } from './plugin-env.js';

/** What plugins built before the VERSION verb existed (spec 0.1.0) answer to it. */
const LEGACY_ANSWER = 'unknown CNI_COMMAND: VERSION';

/** Asks a plugin which spec versions it supports (VERSION), as libcni does. */
export async function probePluginVersion(ctx: InvokeContext, pluginType: string): Promise<PluginVersionInfo> {
  let stdout: string;
  try {
    stdout = await runPlugin(ctx, {
      verb: 'VERSION',
      pluginType,
      stdin: { cniVersion: CURRENT_VERSION },
      env: verbEnv('VERSION', ctx),
    });
  } catch (err) {
    // The legacy answer is a protocol fact, not an error: such a plugin speaks 0.1.0 only.
    if (err instanceof CniError && isLegacyAnswer(err)) return { cniVersion: '0.1.0', supportedVersions: ['0.1.0'] };
    throw err;
  }
  return decodeVersionInfo(stdout, pluginType);
}

function isLegacyAnswer(err: CniError): boolean {
  if (err.kind === 'plugin') return err.msg === LEGACY_ANSWER && err.cniDetails === undefined;
  return err.kind === 'exit' && err.stderr?.trim() === LEGACY_ANSWER;
}

function decodeVersionInfo(stdout: string, plugin: string): PluginVersionInfo {
  const fail = (msg: string) => new CniError({ kind: 'output', plugin, verb: 'VERSION', cniCode: 0, msg });
  let info: { cniVersion?: unknown; supportedVersions?: unknown };
  try {
    info = JSON.parse(stdout) as typeof info;
  } catch {
    throw fail(`its VERSION answer is not JSON: ${JSON.stringify(stdout.trim().slice(0, 200))}`);
  }
  if (typeof info !== 'object' || info === null) throw fail('its VERSION answer is not a JSON object');
  if (typeof info.cniVersion !== 'string' || info.cniVersion === '') throw fail('its VERSION answer has no cniVersion');
  const supported = info.supportedVersions;
  if (supported === undefined || (Array.isArray(supported) && supported.length === 0)) {
    // 0.2.0 plugins answered without a list; they support 0.1.0 and 0.2.0.
    if (info.cniVersion === '0.2.0') return { cniVersion: '0.2.0', supportedVersions: ['0.1.0', '0.2.0'] };
    throw fail('its VERSION answer has no supportedVersions');
  }
  if (!Array.isArray(supported) || !supported.every((v) => typeof v === 'string')) throw fail('its supportedVersions is not a list of versions');
  return { cniVersion: info.cniVersion, supportedVersions: supported as string[] };
}
