/**
 * Measures what a shaper lets through: a UDP sender offers more than the configured rate for
 * a bounded time, and the receiver times what arrives once the token bucket's burst has passed.
 * UDP, because TCP would measure its own congestion control (a drop in slow start costs a
 * retransmit timeout) rather than the qdisc. Sender and receiver are the same small node
 * script, run in the pod (under `ip netns exec`) or on the host.
 */

import { startScript } from './listener.js';

/** The UDP port the receiver binds (in the pod, or on the host's gateway address). */
export const RATE_PORT = 8081;
/** Payload per datagram: one unfragmented packet on any link of MTU 1100 or more. */
export const DATAGRAM_BYTES = 1024;
/** Ethernet, IPv4 and UDP headers: what a qdisc counts besides the payload. */
export const FRAME_OVERHEAD = 42;

const SCRIPT = `const [mode, host, port, a, b, ttl] = process.argv.slice(1);
const dgram = require('dgram');
const socket = dgram.createSocket('udp4');
setTimeout(() => process.exit(0), Number(ttl));
if (mode === 'receive') {
  // a = bytes to let pass before timing (the burst); b = quiet ms that end the transfer.
  let total = 0, at = 0, t0 = 0, last = 0, quiet;
  const done = () => { console.log(JSON.stringify({ total, bytes: total - at, ms: t0 === 0 ? 0 : last - t0 })); process.exit(0); };
  socket.on('message', (m) => {
    last = performance.now();
    total += m.length;
    if (t0 === 0 && total >= Number(a)) { t0 = last; at = total; }
    clearTimeout(quiet);
    quiet = setTimeout(done, Number(b));
  });
  socket.bind(Number(port), host, () => console.log('ready'));
} else {
  // a = bytes per second to offer; b = for how many ms.
  const payload = Buffer.alloc(${DATAGRAM_BYTES}, 120);
  let sent = 0;
  const start = performance.now();
  console.log('ready');
  const tick = setInterval(() => {
    const elapsed = performance.now() - start;
    const due = Math.min(elapsed, Number(b)) * Number(a) / 1000;
    while (sent + payload.length <= due) { socket.send(payload, Number(port), host); sent += payload.length; }
    if (elapsed >= Number(b)) { clearInterval(tick); setTimeout(() => { console.log(JSON.stringify({ sent, ms: elapsed })); process.exit(0); }, 50); }
  }, 5);
}`;

export interface RateSample {
  /** Payload bytes timed (after the burst). */
  bytes: number;
  ms: number;
  /** What the sender offered, bytes per second (payload). */
  offered: number;
  /** Everything that arrived. */
  received: number;
}

export interface Transfer {
  /** Where the receiver runs (undefined: the host) and the address it binds. */
  receiver: { netns?: string; ip: string };
  /** Where the sender runs (undefined: the host). */
  senderNetns?: string;
  offerBytesPerSecond: number;
  sendMs: number;
  skipBytes: number;
}

/** One shaped transfer; resolves to what was timed. Bounded by sendMs plus a second. */
export async function measureTransfer(t: Transfer): Promise<RateSample> {
  const ttl = String(t.sendMs + 3000);
  const receiver = await startScript(t.receiver.netns, SCRIPT, ['receive', t.receiver.ip, String(RATE_PORT), String(t.skipBytes), '200', ttl]);
  try {
    const sender = await startScript(t.senderNetns, SCRIPT, ['send', t.receiver.ip, String(RATE_PORT), String(Math.round(t.offerBytesPerSecond)), String(t.sendMs), ttl]);
    const [got, offered] = await Promise.all([receiver.output, sender.output]);
    const r = parse<{ total: number; bytes: number; ms: number }>(got);
    const s = parse<{ sent: number; ms: number }>(offered);
    return { bytes: r?.bytes ?? 0, ms: r?.ms ?? 0, received: r?.total ?? 0, offered: s && s.ms > 0 ? (s.sent * 1000) / s.ms : 0 };
  } finally {
    await receiver.stop();
  }
}

function parse<T>(line: string): T | undefined {
  try {
    return JSON.parse(line) as T;
  } catch {
    return undefined;
  }
}
