import { invalidArgument } from '../util/errors.js';
import { isIP } from 'node:net';

/** One port argument of `podctl port-forward`, as kubectl reads it. */
export interface PortArg {
  /** Set when the argument names its own address (`ADDR:LOCAL:REMOTE`). */
  address?: string;
  /** 0: a free port, chosen by the kernel (`:REMOTE`). */
  local: number;
  /** A port number, or a port's name (a service port's, or one a container declares). */
  remote: number | string;
}

const PORT_NAME = /^[a-z0-9]([a-z0-9-]{0,13}[a-z0-9])?$/;

/**
 * `PORT` (the same both sides), `LOCAL:REMOTE`, `:REMOTE` (a free local port) and
 * `ADDR:LOCAL:REMOTE` (an IPv4 address, or an IPv6 one in brackets).
 */
export function parsePortArg(text: string): PortArg {
  let rest = text;
  let address: string | undefined;
  const v6 = /^\[([^\]]+)\]:(.*)$/.exec(text);
  if (v6) {
    address = v6[1]!;
    rest = v6[2]!;
  } else if (text.split(':').length === 3) {
    address = text.slice(0, text.indexOf(':'));
    rest = text.slice(text.indexOf(':') + 1);
  }
  if (address !== undefined && isIP(address) === 0) throw badPort(text, `${address} is not an IP address`);
  const parts = rest.split(':');
  if (parts.length > 2 || (address !== undefined && parts.length !== 2)) throw badPort(text, 'too many colons');
  const [localText, remoteText] = parts.length === 2 ? parts : [parts[0]!, parts[0]!];
  const local = localText === '' ? 0 : portNumber(localText!, text, 'local');
  if (remoteText === undefined || remoteText === '') throw badPort(text, 'the remote port is missing');
  const remote = /^\d+$/.test(remoteText) ? portNumber(remoteText, text, 'remote') : remoteText;
  if (typeof remote === 'string' && (parts.length === 1 || !PORT_NAME.test(remote))) throw badPort(text, `"${remoteText}" is neither a port number nor a port name`);
  return { ...(address !== undefined ? { address } : {}), local, remote };
}

function portNumber(text: string, arg: string, which: string): number {
  const n = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= 65535)) throw badPort(arg, `the ${which} port "${text}" must be a number from 1 to 65535`);
  return n;
}

const badPort = (arg: string, why: string) =>
  invalidArgument(`port-forward: "${arg}" is not a port to forward: ${why}`, 'give LOCAL:REMOTE, :REMOTE (a free local port), PORT, or ADDR:LOCAL:REMOTE, e.g. 8080:80');
