import type { TerminalSize } from '../docker/containers.js';
import { PodctlError } from '../util/errors.js';

/**
 * The channel protocol of exec over WebSocket, as the API server speaks it: every message starts
 * with the number of its stream (0 stdin, 1 stdout, 2 stderr, 3 error/status, 4 resize), as one
 * byte in binary frames or one digit followed by base64 in the `base64.` text variants. `v4.` and
 * later send the outcome as a JSON metav1.Status (an exit code as a cause); the older ones send an
 * error's message text and nothing on success. `v5.` adds message 255 CHANNEL: the client closed
 * that stream (stdin's end, for `kubectl exec -i`).
 */
export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4 } as const;
const CLOSE_STREAM = 255;

export interface ChannelProtocol {
  name: string;
  base64: boolean;
  /** v4 and later: the status channel carries a JSON Status, success included. */
  jsonStatus: boolean;
  /** v5: the client may close one stream with message 255. */
  closeStream: boolean;
}

/** The subprotocols served; a client's own order of preference decides among them. */
export const CHANNEL_PROTOCOLS: readonly ChannelProtocol[] = [
  { name: 'v5.channel.k8s.io', base64: false, jsonStatus: true, closeStream: true },
  { name: 'v4.channel.k8s.io', base64: false, jsonStatus: true, closeStream: false },
  { name: 'v4.base64.channel.k8s.io', base64: true, jsonStatus: true, closeStream: false },
  { name: 'channel.k8s.io', base64: false, jsonStatus: false, closeStream: false },
  { name: 'base64.channel.k8s.io', base64: true, jsonStatus: false, closeStream: false },
];

/** The first protocol the client offers that is served; a client that offers none gets `channel.k8s.io`, as from the API server. */
export function chooseProtocol(offered: Iterable<string>): ChannelProtocol | undefined {
  const list = [...offered];
  if (list.length === 0) return CHANNEL_PROTOCOLS.find((p) => p.name === 'channel.k8s.io');
  for (const name of list) {
    const found = CHANNEL_PROTOCOLS.find((p) => p.name === name);
    if (found) return found;
  }
  return undefined;
}

/** One message for `channel`: a Buffer for a binary frame, a string for a text (base64) one. */
export function encodeMessage(protocol: ChannelProtocol, channel: number, data: Buffer): Buffer | string {
  return protocol.base64 ? `${channel}${data.toString('base64')}` : Buffer.concat([Buffer.from([channel]), data]);
}

export type ClientMessage = { channel: number; data: Buffer } | { closed: number };

/** A message from the client; undefined for an empty one (allowed, and meaningless). */
export function decodeMessage(protocol: ChannelProtocol, message: Buffer): ClientMessage | undefined {
  if (message.length === 0) return undefined;
  if (protocol.closeStream && message[0] === CLOSE_STREAM) {
    if (message.length !== 2) throw new PodctlError('INVALID_ARGUMENT', `a close-stream message has ${message.length} bytes, not 2`);
    return { closed: message[1]! };
  }
  if (!protocol.base64) return { channel: message[0]!, data: message.subarray(1) };
  const channel = message[0]! - 0x30;
  if (channel < 0 || channel > 9) throw new PodctlError('INVALID_ARGUMENT', `a base64 channel message starts with ${JSON.stringify(String.fromCharCode(message[0]!))}, not a channel digit`);
  return { channel, data: Buffer.from(message.subarray(1).toString('latin1'), 'base64') };
}

/** A resize message's `{"Width":W,"Height":H}`. */
export function parseResize(data: Buffer): TerminalSize {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const { Width, Height } = (parsed ?? {}) as { Width?: unknown; Height?: unknown };
  const valid = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0 && (n as number) <= 0xffff;
  if (!valid(Width) || !valid(Height)) throw new PodctlError('INVALID_ARGUMENT', `a resize message is not {"Width":W,"Height":H}: ${data.toString('utf8').slice(0, 100)}`);
  return { width: Width, height: Height };
}

/** How a command ended: its exit code, or the Status of what kept it from running. */
export type ExecOutcome = { exitCode: number; command: string[] } | { failure: Record<string, unknown> & { message: string } };

/**
 * The status channel's message: for v4 and later the Status kubectl reads its exit code from
 * (Failure, reason NonZeroExitCode, cause ExitCode); before v4 an error's text, and nothing on
 * success.
 */
export function statusMessage(protocol: ChannelProtocol, outcome: ExecOutcome): Buffer | undefined {
  const status = outcomeStatus(outcome);
  if (protocol.jsonStatus) return Buffer.from(JSON.stringify(status));
  return status.status === 'Success' ? undefined : Buffer.from(String(status.message));
}

export function outcomeStatus(outcome: ExecOutcome): Record<string, unknown> {
  const base = { kind: 'Status', apiVersion: 'v1', metadata: {} };
  if ('failure' in outcome) return { ...base, ...outcome.failure };
  if (outcome.exitCode === 0) return { ...base, status: 'Success' };
  return {
    ...base,
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${JSON.stringify(outcome.command)}, exit code ${outcome.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(outcome.exitCode) }] },
  };
}

export interface ExecRequest {
  /** `exec` runs `command`; `attach` joins the container's own process (no command). */
  verb: 'exec' | 'attach';
  command: string[];
  container?: string;
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

const flag = (query: URLSearchParams, name: string) => ['true', '1'].includes((query.get(name) ?? '').toLowerCase());

/** An exec's query (`command` repeated, one per argument), or an attach's (no command); a TTY has no stderr apart, as on a cluster. */
export function parseExecQuery(query: URLSearchParams, verb: ExecRequest['verb'] = 'exec'): ExecRequest {
  const command = verb === 'exec' ? query.getAll('command') : [];
  if (verb === 'exec' && command.length === 0) throw new PodctlError('INVALID_ARGUMENT', 'you must specify at least one command for the container');
  const tty = flag(query, 'tty');
  const request: ExecRequest = { verb, command, stdin: flag(query, 'stdin'), stdout: flag(query, 'stdout'), stderr: flag(query, 'stderr') && !tty, tty };
  if (!request.stdin && !request.stdout && !flag(query, 'stderr')) throw new PodctlError('INVALID_ARGUMENT', 'you must specify at least one of stdin, stdout, stderr');
  const container = query.get('container');
  return container ? { ...request, container } : request;
}
