import { createSocket, type Socket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { Forwarder, type Upstream } from './forwarder.js';
import { respond } from './responder.js';
import { ClusterZone, type ZoneData } from './zone.js';

/** A TCP client gets this long to send its queries (RFC 7766 allows idle connections to be closed). */
const TCP_IDLE_MS = 10_000;
/** Length-prefixed TCP messages above this are refused, as no DNS message is larger. */
const MAX_TCP_MESSAGE = 65535;

/**
 * The cluster DNS server: UDP and TCP on each address given, answering from a zone replaced
 * whole by `setZone`, forwarding the rest through one cached `Forwarder`. A bad packet or a
 * failed upstream never throws out of a handler.
 */
export class ClusterDnsServer {
  private zone: ClusterZone;
  private readonly forwarder: Forwarder;
  private readonly udp: Socket[] = [];
  private readonly tcp: Server[] = [];

  constructor(data: ZoneData, upstreams: () => Upstream[]) {
    this.zone = new ClusterZone(data);
    this.forwarder = new Forwarder(upstreams);
  }

  setZone(data: ZoneData): void {
    this.zone = new ClusterZone(data);
  }

  private answer(query: Buffer, transport: 'udp' | 'tcp'): Promise<Buffer | undefined> {
    return respond(query, transport, this.zone, (q, question, t) => this.forwarder.forward(q, question, t)).catch(() => undefined);
  }

  async listen(addresses: string[], port: number): Promise<void> {
    for (const address of addresses) {
      const udp = createSocket({ type: address.includes(':') ? 'udp6' : 'udp4' });
      udp.on('message', (msg, rinfo) => {
        void this.answer(msg, 'udp').then((reply) => reply && udp.send(reply, rinfo.port, rinfo.address));
      });
      udp.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(port, address, () => {
          udp.off('error', reject);
          resolve();
        });
      });
      this.udp.push(udp);

      const tcp = createServer((conn) => {
        conn.setTimeout(TCP_IDLE_MS, () => conn.destroy());
        conn.on('error', () => undefined);
        let pending = Buffer.alloc(0);
        conn.on('data', (chunk) => {
          pending = Buffer.concat([pending, chunk]);
          while (pending.length >= 2) {
            const length = pending.readUInt16BE(0);
            if (length === 0 || length > MAX_TCP_MESSAGE) return conn.destroy();
            if (pending.length < 2 + length) break;
            const message = pending.subarray(2, 2 + length);
            pending = pending.subarray(2 + length);
            void this.answer(Buffer.from(message), 'tcp').then((reply) => {
              if (!reply || conn.destroyed) return;
              const prefix = Buffer.alloc(2);
              prefix.writeUInt16BE(reply.length);
              conn.write(Buffer.concat([prefix, reply]));
            });
          }
        });
      });
      await new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ port, host: address, exclusive: true }, () => {
          tcp.off('error', reject);
          resolve();
        });
      });
      tcp.on('error', () => undefined);
      this.tcp.push(tcp);
    }
  }

  async close(): Promise<void> {
    for (const s of this.udp) s.close();
    await Promise.all(this.tcp.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}
