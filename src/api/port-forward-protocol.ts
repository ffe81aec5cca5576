import { PodctlError } from '../util/errors.js';
import { CHANNEL_PROTOCOLS, type ChannelProtocol } from './stream-channels.js';

/**
 * The port-forward protocols' pure parts. Over SPDY (and SPDY tunnelled in WebSocket) each
 * connection is two client-opened streams, `data` and `error`, paired by `requestid` and naming
 * the pod's port. Over WebSocket's channel protocols the ports come in the query (`ports=80`,
 * repeated or comma-separated); port i has data channel 2i and error channel 2i+1, and the
 * server's first message on each channel is the port as 2 bytes, little-endian.
 */
export const SPDY_PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** The WebSocket subprotocol of kubectl 1.31+: SPDY/3.1 carried in binary messages. */
export const SPDY_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';

/** The channel protocols port-forward serves over WebSocket (the kubelet's), by the client's order of preference. */
export const WEBSOCKET_PORT_FORWARD_PROTOCOLS: readonly ChannelProtocol[] = CHANNEL_PROTOCOLS.filter((p) => !p.closeStream);

export type PortForwardTransport = { kind: 'tunnel' } | { kind: 'channels'; protocol: ChannelProtocol };

/** What a WebSocket client offered that is served, in its order; none offered means binary `channel.k8s.io`. */
export function chooseWebSocketTransport(offered: string[]): PortForwardTransport | undefined {
  if (offered.length === 0) return { kind: 'channels', protocol: CHANNEL_PROTOCOLS.find((p) => p.name === 'channel.k8s.io')! };
  for (const name of offered) {
    if (name === SPDY_TUNNEL_PROTOCOL) return { kind: 'tunnel' };
    const protocol = WEBSOCKET_PORT_FORWARD_PROTOCOLS.find((p) => p.name === name);
    if (protocol) return { kind: 'channels', protocol };
  }
  return undefined;
}

export function parsePort(text: string | undefined): number {
  const port = Number(text);
  if (!text || !Number.isInteger(port) || port < 1 || port > 65535) throw new PodctlError('INVALID_ARGUMENT', `invalid port ${JSON.stringify(text ?? '')}: a port is a number from 1 to 65535`);
  return port;
}

/** The query's `ports` (repeated or comma-separated); at least one. */
export function parsePortsQuery(query: URLSearchParams): number[] {
  const ports = query.getAll('ports').flatMap((v) => v.split(',')).map((v) => parsePort(v.trim()));
  if (ports.length === 0) throw new PodctlError('INVALID_ARGUMENT', 'query parameter "ports" is required: the pod ports to forward');
  return ports;
}

/** The 2-byte little-endian port that opens each channel of a forwarded port. */
export function portPrefix(port: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(port);
  return b;
}

/** The error stream's text, in the kubelet's words (kubectl prints it after "an error occurred forwarding"). */
export const forwardError = (port: number, pod: string, why: string): string => `error forwarding port ${port} to pod ${pod}: ${why}`;

/** Data and error streams paired by request id as they arrive, in either order. */
export class StreamPairs<S> {
  private readonly waiting = new Map<string, { port: number; data?: S; error?: S }>();

  /** The completed pair, or undefined while its other half has not come (or when this one repeats a half). */
  add(requestId: string, port: number, type: 'data' | 'error', stream: S): { port: number; data: S; error: S } | undefined | 'duplicate' {
    const pair = this.waiting.get(requestId) ?? { port };
    if (pair[type] !== undefined || pair.port !== port) return 'duplicate';
    pair[type] = stream;
    if (pair.data !== undefined && pair.error !== undefined) {
      this.waiting.delete(requestId);
      return { port, data: pair.data, error: pair.error };
    }
    this.waiting.set(requestId, pair);
    return undefined;
  }

  /** Drops a half that never found its other (the caller resets it). */
  take(requestId: string): S | undefined {
    const pair = this.waiting.get(requestId);
    this.waiting.delete(requestId);
    return pair?.data ?? pair?.error;
  }

  values(): S[] {
    return [...this.waiting.values()].flatMap((p) => [p.data, p.error].filter((s): s is S => s !== undefined));
  }
}
