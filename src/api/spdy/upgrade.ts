import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { PodctlError } from '../../util/errors.js';
import { SpdySession } from './session.js';

/**
 * The HTTP side of a SPDY/3.1 stream request, as the API server answers kubectl: the client
 * offers its stream protocols in `X-Stream-Protocol-Version` (one header each, or a comma list),
 * the server picks the first it serves in the client's order and says which in its 101.
 */
export const SPDY_UPGRADE = 'SPDY/3.1';

export const isSpdyUpgrade = (req: IncomingMessage): boolean => (req.headers.upgrade ?? '').toLowerCase() === SPDY_UPGRADE.toLowerCase();

export function offeredStreamProtocols(req: IncomingMessage): string[] {
  const raw = req.headersDistinct['x-stream-protocol-version'] ?? [];
  return raw.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** The protocol to speak, or the API server's error when none fits. */
export function chooseStreamProtocol(offered: string[], served: readonly string[]): string {
  const chosen = offered.find((p) => served.includes(p));
  if (chosen) return chosen;
  throw new PodctlError('INVALID_ARGUMENT', `unable to upgrade connection: unable to negotiate protocol: client supports [${offered.join(', ')}], server supports [${served.join(', ')}]`);
}

/** Answers 101 Switching Protocols and starts the SPDY session on the raw connection. */
export function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdySession {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: ${SPDY_UPGRADE}\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  const session = new SpdySession(socket);
  session.start(head);
  return session;
}
