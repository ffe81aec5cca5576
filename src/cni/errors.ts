import { PodctlError } from '../util/errors.js';

/** The CNI verbs podctl sends (CNI_COMMAND values). */
export type CniVerb = 'ADD' | 'DEL' | 'CHECK' | 'GC' | 'STATUS' | 'VERSION';

/** Well-known CNI error codes (spec, "Well-known Error Codes"); 100+ are plugin specific. */
export const CniErrorCodes = {
  unknown: 0,
  incompatibleVersion: 1,
  unsupportedField: 2,
  unknownContainer: 3,
  invalidEnvironment: 4,
  ioFailure: 5,
  decodingFailure: 6,
  invalidNetworkConfig: 7,
  invalidNetns: 8,
  tryAgainLater: 11,
  pluginNotAvailable: 50,
  limitedConnectivity: 51,
  internal: 999,
} as const;

/**
 * How the plugin call failed:
 * - `plugin`: the plugin exited non-zero and printed a CNI error object;
 * - `exit`: it exited non-zero (or was killed) without a readable error object;
 * - `output`: it exited 0 but its stdout is not a valid answer (garbage, invalid result);
 * - `timeout`: it ran past the deadline and was killed;
 * - `spawn`: it could not be started (not executable, bad interpreter, ...).
 */
export type CniFailureKind = 'plugin' | 'exit' | 'output' | 'timeout' | 'spawn';

export interface CniErrorInit {
  kind: CniFailureKind;
  plugin: string;
  verb: CniVerb;
  network?: string;
  cniCode: number;
  msg: string;
  cniDetails?: string;
  stderr?: string;
  cause?: unknown;
}

const HINTS: Partial<Record<number, string>> = {
  [CniErrorCodes.incompatibleVersion]: 'the plugin does not support this cniVersion; check `podctl cni version <plugin>`',
  [CniErrorCodes.invalidNetworkConfig]: 'fix the network config (see `podctl net inspect <network>`)',
  [CniErrorCodes.tryAgainLater]: 'the plugin asks to retry later',
  [CniErrorCodes.pluginNotAvailable]: 'the plugin is not ready to accept ADD requests',
  [CniErrorCodes.limitedConnectivity]: 'the plugin reports limited connectivity',
};

/** A CNI plugin failed. `cniCode`/`msg`/`cniDetails` are the plugin's own error fields. */
export class CniError extends PodctlError {
  readonly kind: CniFailureKind;
  readonly cniCode: number;
  readonly msg: string;
  readonly cniDetails?: string;
  readonly plugin: string;
  readonly verb: CniVerb;
  readonly network?: string;
  readonly stderr?: string;

  constructor(init: CniErrorInit) {
    const where = init.network ? ` (network ${init.network})` : '';
    const code = init.kind === 'plugin' ? ` [code ${init.cniCode}]` : '';
    const details = init.cniDetails ? `; ${init.cniDetails}` : '';
    super('CNI', `CNI plugin ${init.plugin} failed on ${init.verb}${where}:${code} ${init.msg}${details}`, {
      cause: init.cause,
      hint: HINTS[init.cniCode],
      details: {
        kind: init.kind,
        plugin: init.plugin,
        verb: init.verb,
        network: init.network,
        cniCode: init.cniCode,
        msg: init.msg,
        details: init.cniDetails,
      },
    });
    this.name = 'CniError';
    this.kind = init.kind;
    this.cniCode = init.cniCode;
    this.msg = init.msg;
    this.cniDetails = init.cniDetails;
    this.plugin = init.plugin;
    this.verb = init.verb;
    this.network = init.network;
    this.stderr = init.stderr;
  }
}

export function isCniError(err: unknown): err is CniError {
  return err instanceof CniError;
}

/** A config file (or cached config) that does not parse or validate: names file, field and value. */
export function configError(file: string | undefined, field: string | undefined, problem: string, value?: unknown): PodctlError {
  const where = file ?? '<inline config>';
  const at = field ? `${field}: ` : '';
  return new PodctlError('INVALID_CONFIG', `invalid CNI config ${where}: ${at}${problem}`, {
    hint: 'fix the config and try again (podctl cni test FILE checks it)',
    details: { file, field, value },
  });
}
