import dnsPacket, { type Answer, type Packet } from 'dns-packet';
import type { ClusterZone } from './zone.js';

/**
 * One DNS message in, at most one out: the cluster zone answers its names with authority,
 * every other name goes to `forward` (the upstream resolvers, through the cache). The wire
 * format is dns-packet's. Anything malformed gets FORMERR when it has a header to answer, else
 * nothing; no input throws.
 */
export type Transport = 'udp' | 'tcp';

/** Forwards a query as received (raw bytes) and returns the upstream's raw reply, or undefined on failure. */
export type Forward = (query: Buffer, question: Question, transport: Transport) => Promise<Buffer | undefined>;

export interface Question {
  name: string;
  type: string;
  class: string;
  /** What else shapes an upstream's answer (CD, DO, EDNS size): part of the cache key. */
  variant: string;
}

const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;
const QR = 1 << 15;
const OPCODE_MASK = 0xf << 11;
/** Without EDNS0 a UDP answer fits 512 bytes (RFC 1035); with it, what the client offers up to the 2020 flag day's 1232. */
const CLASSIC_UDP = 512;
const EDNS_UDP = 1232;
const MAX_NAME = 253;

function flags(rcode: Rcode, extra: number, queryFlags: number): number {
  // Keep the query's opcode and RD; RA: this server recurses for names outside the zone.
  return QR | (queryFlags & OPCODE_MASK) | (queryFlags & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | extra | RCODE[rcode];
}

/** A bare reply with only a header (the question could not be read). */
function headerOnly(query: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(12);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  out.writeUInt16BE(QR | (query.readUInt16BE(2) & OPCODE_MASK) | RCODE[rcode], 2);
  return out;
}

export async function respond(query: Buffer, transport: Transport, zone: ClusterZone, forward: Forward): Promise<Buffer | undefined> {
  if (query.length < 12) return undefined;
  if (query.readUInt16BE(2) & QR) return undefined; // a response sent to us: never answer it (no loops)
  let packet: Packet;
  try {
    packet = dnsPacket.decode(query);
  } catch {
    return headerOnly(query, 'FORMERR');
  }
  const queryFlags = packet.flags ?? 0;
  if ((queryFlags & OPCODE_MASK) !== 0) return headerOnly(query, 'NOTIMP');
  const question = packet.questions?.[0];
  if (!question || packet.questions!.length !== 1 || question.name.length > MAX_NAME) return headerOnly(query, 'FORMERR');
  const opt = packet.additionals?.find((a) => a.type === 'OPT') as { udpPayloadSize?: number; flag_do?: boolean } | undefined;
  const limit = transport === 'tcp' ? 65535 : opt ? Math.min(Math.max(opt.udpPayloadSize ?? CLASSIC_UDP, CLASSIC_UDP), EDNS_UDP) : CLASSIC_UDP;
  const reply = (rcode: Rcode, answers: Answer[], authorities: Answer[], additionals: Answer[], extra: number): Buffer => {
    const edns: Answer[] = opt ? [{ type: 'OPT', name: '.', udpPayloadSize: EDNS_UDP, flags: 0 } as Answer] : [];
    const full = encode({ id: packet.id, type: 'response', flags: flags(rcode, extra, queryFlags), questions: [question], answers, authorities, additionals: [...additionals, ...edns] });
    if (full.length <= limit) return full;
    // Too big for this UDP client: the header, question and OPT with TC set; it asks again over TCP.
    return encode({ id: packet.id, type: 'response', flags: flags(rcode, extra | dnsPacket.TRUNCATED_RESPONSE, queryFlags), questions: [question], answers: [], authorities: [], additionals: edns });
  };
  const asked: Question = { name: question.name, type: question.type, class: question.class ?? 'IN', variant: `${queryFlags & dnsPacket.CHECKING_DISABLED}|${opt?.flag_do ?? false}|${opt ? limit : 0}` };
  if (question.class !== 'IN' && question.class !== 'ANY') return zone.handles(question.name) ? reply('REFUSED', [], [], [], 0) : forwarded(query, asked, transport, forward, reply);
  if (zone.handles(question.name)) {
    const found = zone.answer(question.name, question.type);
    return reply(found.rcode, found.answers, found.authorities, found.additionals, dnsPacket.AUTHORITATIVE_ANSWER);
  }
  return forwarded(query, asked, transport, forward, reply);
}

async function forwarded(query: Buffer, question: Question, transport: Transport, forward: Forward, reply: (rcode: Rcode, a: Answer[], b: Answer[], c: Answer[], extra: number) => Buffer): Promise<Buffer> {
  const upstream = await forward(query, question, transport).catch(() => undefined);
  return upstream ?? reply('SERVFAIL', [], [], [], 0);
}

function encode(p: Packet): Buffer {
  return dnsPacket.encode(p);
}
