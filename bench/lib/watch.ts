import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { ObjectStore, type KubeObject } from '../../src/kube/objects/store.js';
import { freePort } from './api-client.js';
import { ms, target, type Row, type Target } from './report.js';
import { startServe } from './serve.js';
import { NAMESPACE } from './setting.js';
import { median, round } from './stats.js';

/**
 * How soon a watch of the API sees a change stored by another process: serve runs with its API,
 * a watch of ConfigMaps is open over HTTPS, and this process writes ConfigMap records through
 * the object store as a podctl command does. The figure is from the start of the write (the
 * store's lock, the counter and the log line, both fsynced, and the record) to the event's
 * arrival (inotify wakes serve, which reads the log line and sends the event): the event often
 * arrives before the write returns, since the log line is the commit and the record follows.
 */
const STATE_DIR = '/var/lib/podctl';

const p95 = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.95) - 1] ?? NaN;
const sleep = (msecs: number) => new Promise<void>((r) => setTimeout(r, msecs));

export async function measureWatch(rounds: number): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  const port = await freePort();
  const serve = await startServe(['--listen', `127.0.0.1:${port}`]);
  const store = new ObjectStore(STATE_DIR);
  const names = Array.from({ length: rounds }, (_, i) => `pct-bench-watch-${i}`);
  try {
    const ca = readFileSync(`${STATE_DIR}/api/ca.crt`, 'utf8');
    const token = readFileSync(`${STATE_DIR}/api/token`, 'utf8').trim();
    const arrived = new Map<string, bigint>();
    const path = `/api/v1/namespaces/${NAMESPACE}/configmaps?watch=true&resourceVersion=${await store.resourceVersion()}`;
    const req = request({ host: '127.0.0.1', port, path, ca, headers: { authorization: `Bearer ${token}` } });
    const opened = new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        let buf = '';
        res.on('data', (d: Buffer) => {
          const now = process.hrtime.bigint();
          buf += String(d);
          let nl;
          while ((nl = buf.indexOf('\n')) >= 0) {
            const event = JSON.parse(buf.slice(0, nl)) as { type: string; object: KubeObject };
            buf = buf.slice(nl + 1);
            if (event.type === 'ADDED') arrived.set(event.object.metadata.name, now);
          }
        });
        resolve();
      });
      req.on('error', reject);
    });
    req.end();
    await opened;
    const latencies: number[] = [];
    for (const name of names) {
      const writing = process.hrtime.bigint();
      await store.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: NAMESPACE }, data: { k: 'v' } });
      const deadline = Date.now() + 5000;
      while (!arrived.has(name) && Date.now() < deadline) await sleep(1);
      const at = arrived.get(name);
      latencies.push(at === undefined ? Infinity : Number(at - writing) / 1e6);
      await sleep(50);
    }
    req.destroy();
    const results = { watchRounds: rounds, watchMedianMs: round(median(latencies)), watchP95Ms: round(p95(latencies)) };
    return {
      rows: [{ what: `a watch sees a stored change, from the write's start (${rounds} writes by another process; median / p95)`, value: `${ms(results.watchMedianMs)} / ${ms(results.watchP95Ms)}` }],
      targets: [target('a watch sees a stored change, p95 (ms)', results.watchP95Ms, '<=', 50)],
      results,
    };
  } finally {
    await serve.stop();
    for (const name of names) await store.remove('ConfigMap', NAMESPACE, name);
  }
}
