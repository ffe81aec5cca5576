import { createSocket } from 'node:dgram';
import { connect } from 'node:net';
import { randomInt } from 'node:crypto';
import dnsPacket from 'dns-packet';
import type { Question, Transport } from './responder.js';

/** An upstream resolver: address and port. */
export interface Upstream {
  host: string;
  port: number;
}

const TIMEOUT_MS = 2000;
/** Cache bounds: answers live at most their smallest TTL, and never longer than this. */
const MAX_TTL_S = 300;
/** Negative answers (no records, SERVFAIL excluded) are kept this long, as RFC 2308 allows at most the SOA minimum. */
const NEGATIVE_TTL_S = 30;
const MAX_ENTRIES = 10_000;

interface Entry {
  reply: Buffer;
  expires: number;
}

/**
 * Sends queries for names outside the cluster zone to the host's upstream resolvers, one
 * after the other until one answers, and keeps their answers for their TTL. A UDP answer with
 * TC set is asked again over TCP when the client itself came over TCP (a UDP client gets the
 * truncated answer and does that itself). The client's query id is put back on every reply.
 */
export class Forwarder {
  private readonly cache = new Map<string, Entry>();

  constructor(
    private readonly upstreams: () => Upstream[],
    private readonly now: () => number = Date.now,
  ) {}

  async forward(query: Buffer, question: Question, transport: Transport): Promise<Buffer | undefined> {
    const id = query.readUInt16BE(0);
    // DNSSEC flags and the EDNS size change what an upstream returns, so they are part of the key.
    const key = `${question.name.toLowerCase()}|${question.type}|${question.class}|${transport}|${question.variant}`;
    const hit = this.cache.get(key);
    if (hit && hit.expires > this.now()) return withId(hit.reply, id);
    if (hit) this.cache.delete(key);
    for (const upstream of this.upstreams()) {
      let reply = await exchangeUdp(upstream, query).catch(() => undefined);
      if (reply && transport === 'tcp' && (reply.readUInt16BE(2) & dnsPacket.TRUNCATED_RESPONSE) !== 0) reply = await exchangeTcp(upstream, query).catch(() => undefined);
      if (!reply) continue;
      const rcode = reply.readUInt16BE(2) & 0xf;
      if (rcode === 2 || rcode === 5) continue; // SERVFAIL, REFUSED: the next upstream may know better
      this.remember(key, reply);
      return withId(reply, id);
    }
    return undefined;
  }

  private remember(key: string, reply: Buffer): void {
    const ttl = cacheSeconds(reply);
    if (ttl <= 0) return;
    if (this.cache.size >= MAX_ENTRIES) this.cache.delete(this.cache.keys().next().value!);
    this.cache.set(key, { reply, expires: this.now() + ttl * 1000 });
  }
}

function withId(reply: Buffer, id: number): Buffer {
  const out = Buffer.from(reply);
  out.writeUInt16BE(id, 0);
  return out;
}


/**
 * How long a reply may be cached: its smallest TTL over every record (SOA too, for negative
 * answers), bounded. Read with dns-packet on a copy; a reply it cannot read is not cached.
 */
export function cacheSeconds(reply: Buffer): number {
  let decoded;
  try {
    decoded = dnsPacket.decode(reply);
  } catch {
    return 0;
  }
  if ((decoded.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) return 0; // truncated
  const records = [...(decoded.answers ?? []), ...(decoded.authorities ?? [])].filter((r) => r.type !== 'OPT') as Array<{ ttl?: number }>;
  const rcode = (decoded.flags ?? 0) & 0xf;
  if (rcode !== 0 && rcode !== 3) return 0;
  if (records.length === 0) return 0;
  const smallest = Math.min(...records.map((r) => r.ttl ?? 0));
  return Math.min(smallest, decoded.answers?.length ? MAX_TTL_S : NEGATIVE_TTL_S);
}


function exchangeUdp(upstream: Upstream, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(upstream.host.includes(':') ? 'udp6' : 'udp4');
    // Our own id towards the upstream, so a reply is matched to this exchange only.
    const id = randomInt(0, 65536);
    const out = withId(query, id);
    const timer = setTimeout(() => finish(new Error('upstream timed out')), TIMEOUT_MS);
    const finish = (err?: Error, reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (err) reject(err);
      else resolve(reply!);
    };
    socket.on('error', (err) => finish(err));
    socket.on('message', (msg, rinfo) => {
      if (msg.length >= 12 && msg.readUInt16BE(0) === id && rinfo.port === upstream.port) finish(undefined, msg);
    });
    socket.send(out, upstream.port, upstream.host);
  });
}

function exchangeTcp(upstream: Upstream, query: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: upstream.host, port: upstream.port });
    let data = Buffer.alloc(0);
    const timer = setTimeout(() => socket.destroy(new Error('upstream timed out')), TIMEOUT_MS);
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      data = Buffer.concat([data, chunk]);
      if (data.length >= 2 && data.length >= 2 + data.readUInt16BE(0)) {
        clearTimeout(timer);
        socket.destroy();
        resolve(data.subarray(2, 2 + data.readUInt16BE(0)));
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.on('close', () => {
      clearTimeout(timer);
      reject(new Error('upstream closed the connection'));
    });
  });
}
