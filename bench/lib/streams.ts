import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { connect, createServer, type Server } from 'node:net';
import { execa } from 'execa';
import { KUBECTL_NEWEST, KUBECTL_OLDEST, serveApi } from './api-client.js';
import { ms, target, type Row, type Target } from './report.js';
import { NAMESPACE, PODCTL, podctlArgs } from './setting.js';
import { median, pairedRatio, round } from './stats.js';

/**
 * The streaming subresources through `podctl serve`'s API, each against its plain counterpart in
 * the same run: HTTP download throughput through `kubectl port-forward` (the newest kubectl: SPDY
 * in WebSocket; the oldest: SPDY) against a plain Node TCP relay to the pod's IP, and the time of
 * `kubectl exec POD -- true` against `kubectl get pod POD`. The pod is busybox httpd serving a
 * file of zeros (the bytes do not matter, only how fast they cross).
 */
const POD = 'pct-bench-streams';
const FILE_MB = 200;

export interface StreamsOptions {
  /** Download rounds per way (the median is the figure). */
  transferRounds: number;
  /** exec/get pairs. */
  execRounds: number;
}

const sleep = (msecs: number) => new Promise<void>((r) => setTimeout(r, msecs));

export async function measureStreams(scratch: string, options: StreamsOptions, say: (text: string) => void): Promise<{ rows: Row[]; targets: Target[]; results: Record<string, unknown> }> {
  const api = await serveApi(scratch);
  const { kubeconfig, env, kubectl } = api;
  const relay: { server?: Server } = {};
  const forwards: ChildProcess[] = [];
  try {
    say(`streams: a busybox pod serving ${FILE_MB} MB`);
    await execa(PODCTL, podctlArgs(['run', '-n', NAMESPACE, '--name', POD, '--image', 'busybox', '--', 'sh', '-c', `mkdir -p /www && dd if=/dev/zero of=/www/big bs=1048576 count=${FILE_MB} 2>/dev/null && touch /www/ready && exec httpd -f -p 8080 -h /www`]));
    for (let i = 0; (await execa(PODCTL, podctlArgs(['exec', '-n', NAMESPACE, POD, '--', 'test', '-e', '/www/ready'])).catch(() => ({ exitCode: 1 }))).exitCode !== 0; i++) {
      if (i > 300) throw new Error('the bench pod did not write its file in 30 s');
      await sleep(100);
    }
    const podIp = (await kubectl(KUBECTL_NEWEST, ['get', 'pod', POD, '-o', 'jsonpath={.status.podIP}'])).stdout.trim();
    relay.server = await tcpRelay(podIp, 8080);
    const relayPort = (relay.server.address() as { port: number }).port;
    const newest = await kubectlForward(KUBECTL_NEWEST, kubeconfig, env, forwards);
    const oldest = await kubectlForward(KUBECTL_OLDEST, kubeconfig, env, forwards);
    say(`streams: ${options.transferRounds} rounds of ${FILE_MB} MB through a Node relay, kubectl 1.33 and 1.27 port-forward`);
    const mbps = { relay: [] as number[], newest: [] as number[], oldest: [] as number[] };
    for (let r = 0; r < options.transferRounds; r++) {
      mbps.relay.push(await downloadMbps(relayPort));
      mbps.newest.push(await downloadMbps(newest));
      mbps.oldest.push(await downloadMbps(oldest));
    }
    say(`streams: ${options.execRounds} pairs of kubectl exec -- true and kubectl get pod`);
    await kubectl(KUBECTL_NEWEST, ['get', 'pod', POD]);
    await kubectl(KUBECTL_NEWEST, ['exec', POD, '--', 'true']);
    const exec: number[] = [];
    const get: number[] = [];
    for (let r = 0; r < options.execRounds; r++) {
      exec.push((await kubectl(KUBECTL_NEWEST, ['exec', POD, '--', 'true'])).ms);
      get.push((await kubectl(KUBECTL_NEWEST, ['get', 'pod', POD])).ms);
    }
    const forwardRatio = pairedRatio(mbps.newest, mbps.relay);
    const execRatio = pairedRatio(exec, get);
    const rows: Row[] = [
      { what: `HTTP download through a plain Node TCP relay to the pod (${FILE_MB} MB)`, value: `${round(median(mbps.relay), 0)} MB/s` },
      { what: 'the same through kubectl 1.33 port-forward (SPDY in WebSocket)', value: `${round(median(mbps.newest), 0)} MB/s` },
      { what: 'the same through kubectl 1.27 port-forward (SPDY/3.1)', value: `${round(median(mbps.oldest), 0)} MB/s` },
      { what: 'kubectl exec POD -- true (1.33, WebSocket)', value: ms(median(exec)) },
      { what: 'kubectl get pod POD (1.33)', value: ms(median(get)) },
    ];
    const targets = [
      target('kubectl port-forward / Node TCP relay throughput', forwardRatio, '>=', 0.5),
      target('kubectl exec -- true / kubectl get pod', execRatio, '<=', 1.5),
    ];
    return { rows, targets, results: { mbps, execMs: exec, getMs: get, forwardRatio: round(forwardRatio), execRatio: round(execRatio) } };
  } finally {
    for (const f of forwards) f.kill('SIGTERM');
    relay.server?.close();
    await api.stop();
    await execa(PODCTL, podctlArgs(['rm', '-f', '-n', NAMESPACE, POD]), { reject: false });
  }
}

/** The baseline: a Node TCP relay on loopback to the pod's IP, one pipe each way. */
async function tcpRelay(host: string, port: number): Promise<Server> {
  const server = createServer((client) => {
    const upstream = connect(port, host);
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function kubectlForward(binary: string, kubeconfig: string, env: Record<string, string>, forwards: ChildProcess[]): Promise<number> {
  const child = spawn(binary, ['--kubeconfig', kubeconfig, '-n', NAMESPACE, 'port-forward', `pod/${POD}`, ':8080'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  forwards.push(child);
  let out = '';
  return new Promise<number>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += String(d);
      const found = /Forwarding from 127\.0\.0\.1:(\d+) ->/.exec(out);
      if (found) resolve(Number(found[1]));
    });
    child.stderr!.on('data', (d: Buffer) => (out += String(d)));
    child.on('exit', (code) => reject(new Error(`kubectl port-forward exited ${code}: ${out}`)));
  });
}

/** Downloads the pod's file through a local port: MB per second. */
function downloadMbps(port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    let bytes = 0;
    request({ host: '127.0.0.1', port, path: '/big' }, (res) => {
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => {
        if (bytes !== FILE_MB * 1048576) return reject(new Error(`downloaded ${bytes} bytes of ${FILE_MB} MB`));
        resolve(FILE_MB / (Number(process.hrtime.bigint() - start) / 1e9));
      });
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}
