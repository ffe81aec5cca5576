import { stat } from 'node:fs/promises';
import { isAbsolute } from 'node:path';
import { errnoOf, invalidArgument } from '../../util/errors.js';
import { NETWORK_NAME } from '../conf/parse-network.js';
import { formatCniArgs, validateContainerId, validateIfName } from '../invoke/plugin-env.js';
import type { RuntimeConf } from '../types.js';

/** Checks every name that becomes an env value or a file name before any plugin runs. */
export function validateAttachment(rt: RuntimeConf, netnsRequired: boolean): void {
  validateContainerId(rt.containerId);
  validateIfName(rt.ifName);
  formatCniArgs(rt.args);
  if (netnsRequired && rt.netns === '') throw invalidArgument('a network namespace path is required');
  if (rt.netns !== '' && (!isAbsolute(rt.netns) || rt.netns.includes('\0'))) {
    throw invalidArgument(`invalid network namespace path ${JSON.stringify(rt.netns)}: it must be absolute`);
  }
}

export function validateNetworkName(name: string): void {
  if (!NETWORK_NAME.test(name)) throw invalidArgument(`invalid network name ${JSON.stringify(name)}`);
}

/**
 * The netns path to send on DEL: '' when the namespace is gone (a dead /proc/<pid>/ns/net
 * behind a symlink fails with ENOENT), which the spec allows and plugins handle.
 */
export async function liveNetnsOrEmpty(netns: string): Promise<string> {
  if (netns === '') return '';
  try {
    await stat(netns);
    return netns;
  } catch (err) {
    return errnoOf(err) === 'ENOENT' ? '' : netns;
  }
}
