import { configError } from '../errors.js';
import { IMPLICIT_VERSION, SUPPORTED_VERSIONS, compareVersions, isSemver, isSupportedVersion, type CniVersion } from '../versions.js';
import type { NetworkConfigList, PluginConf } from '../types.js';
import { parseJsonText } from './parse-json.js';
import { validateIpam } from './validate-ipam.js';

/** Network names become file names (cache, IPAM dataDir): the spec's character set. */
export const NETWORK_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

const supportedList = SUPPORTED_VERSIONS.join(', ');

/**
 * Parses one network config: a list (`plugins`, or any `.conflist`) or a single plugin
 * config, which becomes a list of one. Unknown fields pass through untouched.
 */
export function parseNetworkConfig(text: string, file?: string): NetworkConfigList {
  const root = parseJsonText(text, file);
  if (typeof root !== 'object' || root === null || Array.isArray(root)) {
    throw configError(file, undefined, 'the top level must be a JSON object');
  }
  const obj = root as Record<string, unknown>;
  const name = obj.name;
  if (name === undefined || name === '') throw configError(file, 'name', 'is missing');
  if (typeof name !== 'string' || !NETWORK_NAME.test(name)) {
    throw configError(file, 'name', `${JSON.stringify(name)} is not a valid network name (letters, digits, '_', '.', '-'; starting with a letter or digit)`, name);
  }
  const cniVersion = selectVersion(obj, file);
  const isList = obj.plugins !== undefined || file?.endsWith('.conflist') === true;
  if (!isList) {
    return { name, cniVersion, plugins: [checkPlugin(obj, '', file)], disableCheck: false, disableGC: false, file, bytes: text };
  }
  if (!Array.isArray(obj.plugins)) throw configError(file, 'plugins', obj.plugins === undefined ? 'is missing' : 'must be a list', obj.plugins);
  if (obj.plugins.length === 0) throw configError(file, 'plugins', 'is empty: a network needs at least one plugin', []);
  const plugins = obj.plugins.map((p, i) => checkPlugin(p, `plugins[${i}]`, file));
  return {
    name,
    cniVersion,
    plugins,
    disableCheck: parseBoolField(obj, 'disableCheck', file),
    disableGC: parseBoolField(obj, 'disableGC', file),
    file,
    bytes: text,
  };
}

function checkPlugin(raw: unknown, path: string, file: string | undefined): PluginConf {
  const at = (field: string) => (path ? `${path}.${field}` : field);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw configError(file, path || undefined, `must be a JSON object, got ${JSON.stringify(raw)}`, raw);
  }
  const plugin = raw as Record<string, unknown>;
  const type = plugin.type;
  if (type === undefined || type === '') throw configError(file, at('type'), 'is missing');
  if (typeof type !== 'string') throw configError(file, at('type'), `${JSON.stringify(type)} is not a plugin name`, type);
  if (/[/\\\0]/.test(type) || type === '.' || type === '..') {
    throw configError(file, at('type'), `${JSON.stringify(type)} must be a plain executable name without a path separator`, type);
  }
  const caps = plugin.capabilities;
  if (caps !== undefined && (typeof caps !== 'object' || caps === null || Array.isArray(caps))) {
    throw configError(file, at('capabilities'), `must be an object of capability: true, got ${JSON.stringify(caps)}`, caps);
  }
  validateIpam(plugin.ipam, at('ipam'), file);
  return plugin as PluginConf;
}

/**
 * The version this runtime uses: the highest supported one among `cniVersions` and
 * `cniVersion` (CNI 1.1 negotiation), else `cniVersion`, else 0.1.0 as pre-0.2 plugins assume.
 */
function selectVersion(obj: Record<string, unknown>, file: string | undefined): CniVersion {
  const declared = obj.cniVersion;
  if (declared !== undefined && typeof declared !== 'string') {
    throw configError(file, 'cniVersion', `${JSON.stringify(declared)} must be a string`, declared);
  }
  if (obj.cniVersions !== undefined) {
    if (!Array.isArray(obj.cniVersions)) throw configError(file, 'cniVersions', 'must be a list of versions', obj.cniVersions);
    obj.cniVersions.forEach((v, i) => {
      if (typeof v !== 'string' || !isSemver(v)) throw configError(file, `cniVersions[${i}]`, `${JSON.stringify(v)} is not a version`, v);
    });
    const candidates = [...(obj.cniVersions as string[]), ...(declared ? [declared] : [])].filter(isSupportedVersion);
    if (candidates.length === 0) {
      throw configError(file, 'cniVersions', `none of ${JSON.stringify(obj.cniVersions)} is supported (podctl supports ${supportedList})`, obj.cniVersions);
    }
    return candidates.sort(compareVersions)[candidates.length - 1]!;
  }
  if (declared === undefined || declared === '') return IMPLICIT_VERSION;
  if (!isSupportedVersion(declared)) {
    throw configError(file, 'cniVersion', `${JSON.stringify(declared)} is not supported (podctl supports ${supportedList})`, declared);
  }
  return declared;
}

/** `disableCheck` / `disableGC`: a boolean, or the strings "true"/"false" as the spec allows. */
function parseBoolField(obj: Record<string, unknown>, field: string, file: string | undefined): boolean {
  const value = obj[field];
  if (value === undefined) return false;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^(true|false)$/i.test(value)) return value.toLowerCase() === 'true';
  throw configError(file, field, `${JSON.stringify(value)} must be true or false`, value);
}
