/**
 * The cluster DNS process: `node dist/src/dns/main.js <config.json>`, started on demand by the
 * services sync (src/dns/process.ts) and stopped by it when no pod needs it. It reads its
 * config (addresses, port and the zone), listens, prints `ready` on stdout (its starter waits
 * for that line) and then reloads the zone whenever the sync replaces the file. It loads only
 * the DNS modules: a small process (RSS measured in the README).
 */
import { readFileSync, watch } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ClusterDnsServer } from './server.js';
import { hostUpstreams } from './upstream.js';
import type { Upstream } from './forwarder.js';
import type { DnsProcessConfig } from './process.js';

const configPath = process.argv[2];
if (!configPath) {
  process.stderr.write('usage: main.js CONFIG.json\n');
  process.exit(2);
}
const read = (): DnsProcessConfig => JSON.parse(readFileSync(configPath, 'utf8')) as DnsProcessConfig;

/** Upstreams are read again at most every 10 s when a query needs them (resolv.conf changes with the host's network). */
let upstreams: Upstream[] = [];
let readAt = 0;
let reading: Promise<void> | undefined;
const refreshUpstreams = () => {
  if (Date.now() - readAt < 10_000 || reading) return;
  reading = hostUpstreams()
    .then((u) => {
      upstreams = u;
      readAt = Date.now();
    })
    .catch(() => undefined)
    .finally(() => (reading = undefined));
};

async function main(): Promise<void> {
  const config = read();
  upstreams = await hostUpstreams();
  readAt = Date.now();
  const server = new ClusterDnsServer(config.zone, () => {
    refreshUpstreams();
    return upstreams;
  });
  await server.listen(config.listen, config.port);
  // The sync writes the file atomically (rename): watch the directory for the new name.
  watch(dirname(configPath!), (_event, name) => {
    if (name !== basename(configPath!)) return;
    try {
      server.setZone(read().zone);
    } catch {
      // A half-seen rename or an unreadable file: the next event brings the whole one.
    }
  });
  const stop = () => void server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  process.stdout.write('ready\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`cluster DNS: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
