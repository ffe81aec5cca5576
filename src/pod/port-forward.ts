import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server, type Socket } from 'node:net';
import { PodctlError, errnoOf, messageOf } from '../util/errors.js';

/**
 * Port forwarding as the kubelet does it: a connection to a local port reaches `localhost:PORT`
 * inside the pod's network namespace, so a server bound to the pod's loopback answers too, and
 * a pod on a network the host cannot route to (macvlan, ipvlan) is reached all the same.
 *
 * Node cannot enter a namespace itself, so one relay process runs in the pod's namespace
 * (`nsenter --net=<pin>` node). podctl binds the local ports on the host and hands each
 * listening socket to the relay over the IPC channel (SCM_RIGHTS): the relay accepts on the
 * host's sockets and connects inside the pod, so every byte crosses one process, not two.
 * When podctl dies, the IPC channel closes and the relay exits with it.
 */

/** The relay, run by `node -e` in the pod's namespace (CommonJS: no bundle, no imports). */
const RELAY = `const net = require('net');
const send = (m) => process.connected && process.send(m);
function dial(port, hosts, done) {
  const s = net.connect({ host: hosts[0], port, allowHalfOpen: true });
  // Not read here before it is piped or handed over: no byte may stay behind in the relay.
  s.pause();
  s.once('connect', () => done(undefined, s));
  s.once('error', (e) => (hosts.length > 1 && e.code === 'ECONNREFUSED' ? dial(port, hosts.slice(1), done) : done(e)));
}
process.on('message', (m, server) => {
  if (m && m.type === 'dial') {
    dial(m.port, ['127.0.0.1', '::1'], (err, s) => {
      if (err) return send({ type: 'dial-failed', id: m.id, message: err.code === 'ECONNREFUSED' ? 'connection refused: nothing listens on localhost:' + m.port + ' in the pod' : err.message });
      // The connected socket goes to podctl (SCM_RIGHTS) and is closed here once sent.
      if (process.connected) process.send({ type: 'dialed', id: m.id }, s);
    });
    return;
  }
  if (!m || m.type !== 'serve' || !server) return;
  // A passed server comes without its options: keep half-closed connections open, as podctl's.
  server.allowHalfOpen = true;
  server.pauseOnConnect = true;
  server.on('connection', (client) => {
    client.pause();
    send({ type: 'connection', local: m.local });
    client.on('error', () => undefined);
    // localhost in the pod: IPv4, then IPv6, as a dial of "localhost" would.
    dial(m.remote, ['127.0.0.1', '::1'], (err, upstream) => {
      if (err) {
        send({ type: 'error', local: m.local, remote: m.remote, message: err.code === 'ECONNREFUSED' ? 'connection refused: nothing listens on localhost:' + m.remote + ' in the pod' : err.message });
        client.destroy();
        return;
      }
      // Ends travel through the pipes (half-close included); only a failure tears down both.
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
      client.resume();
    });
  });
  send({ type: 'serving', local: m.local });
});
process.on('disconnect', () => process.exit(0));
send({ type: 'ready' });`;

export interface ForwardedPort {
  /** The host address to listen on (127.0.0.1 unless asked). */
  address: string;
  /** The local port; 0 picks a free one. */
  local: number;
  /** The port inside the pod. */
  remote: number;
}

export interface ForwardEvents {
  /** A connection arrived on a local port. */
  onConnection?(local: number): void;
  /** A connection could not reach the pod's port (nothing listens there, ...). */
  onError?(local: number, remote: number, message: string): void;
}

export interface PortForward {
  /** What is listening, with the local ports the kernel chose for 0. */
  readonly ports: ReadonlyArray<ForwardedPort>;
  /** Resolves when the relay ends: rejected when it died on its own, resolved after close(). */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

/** Starts forwarding `ports` into the namespace pinned at `netnsPath` (e.g. /var/run/netns/web). */
export async function forwardPorts(netnsPath: string, ports: ForwardedPort[], events: ForwardEvents = {}): Promise<PortForward> {
  const servers = await Promise.all(ports.map((p) => listen(p)));
  let relay: ChildProcess | undefined;
  try {
    relay = await startRelay(netnsPath);
    for (const [i, server] of servers.entries()) await handOver(relay, server, ports[i]!.remote);
  } catch (err) {
    relay?.kill('SIGKILL');
    for (const s of servers) s.server.close();
    throw err;
  }
  // The relay holds its own copies of the listening sockets now (passed file descriptors).
  for (const s of servers) s.server.close();
  const child = relay;
  child.on('message', (m: RelayMessage) => {
    if (m.type === 'connection') events.onConnection?.(m.local);
    else if (m.type === 'error') events.onError?.(m.local, m.remote, m.message);
  });
  const { ended, close } = relayLife(child, netnsPath);
  return { ports: servers.map((s, i) => ({ ...ports[i]!, local: s.port })), ended, close };
}

type RelayMessage =
  | { type: 'ready' }
  | { type: 'dialed'; id: number }
  | { type: 'dial-failed'; id: number; message: string }
  | { type: 'serving'; local: number }
  | { type: 'connection'; local: number }
  | { type: 'error'; local: number; remote: number; message: string };

/**
 * Connections to `localhost:PORT` inside a pod, one at a time on demand (the API's
 * port-forward): the relay dials in the pod's namespace and hands the connected socket to this
 * process (SCM_RIGHTS), so the bytes then flow between podctl and the pod with no relay between.
 */
export interface PodDialer {
  dial(port: number): Promise<Socket>;
  /** Resolves after close(); rejects when the relay died on its own. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

export async function startDialer(netnsPath: string): Promise<PodDialer> {
  const relay = await startRelay(netnsPath);
  const waiting = new Map<number, { resolve: (s: Socket) => void; reject: (err: Error) => void }>();
  let nextId = 1;
  relay.on('message', (m: RelayMessage, handle: unknown) => {
    if (m.type !== 'dialed' && m.type !== 'dial-failed') return;
    const call = waiting.get(m.id);
    waiting.delete(m.id);
    if (!call) return (handle as Socket | undefined)?.destroy();
    if (m.type === 'dial-failed') return call.reject(new PodctlError('UNAVAILABLE', m.message));
    const socket = handle as Socket;
    // A received socket comes without its options: keep half-closed connections open.
    socket.allowHalfOpen = true;
    call.resolve(socket);
  });
  const { ended, close } = relayLife(relay, netnsPath);
  ended.catch((err: Error) => {
    for (const call of waiting.values()) call.reject(err);
    waiting.clear();
  });
  return {
    ended,
    close,
    dial(port) {
      return new Promise((resolve, reject) => {
        const id = nextId++;
        waiting.set(id, { resolve, reject });
        relay.send({ type: 'dial', id, port }, (err) => {
          if (!err) return;
          waiting.delete(id);
          reject(new PodctlError('UNAVAILABLE', `the port-forward relay in ${netnsPath} is gone: ${err.message}`));
        });
      });
    },
  };
}

/** The relay's end: `ended` rejects when it exits on its own; `close()` ends it and resolves `ended`. */
function relayLife(child: ChildProcess, netnsPath: string): { ended: Promise<void>; close: () => Promise<void> } {
  let closing = false;
  const ended = new Promise<void>((resolve, reject) => {
    child.once('exit', (code, signal) => {
      if (closing) resolve();
      else reject(new PodctlError('INTERNAL', `the port-forward relay in ${netnsPath} ended (${signal ?? `exit ${code}`})`, { hint: 'is the pod still there? podctl ps' }));
    });
  });
  ended.catch(() => undefined);
  return {
    ended,
    async close() {
      closing = true;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await ended;
    },
  };
}

function listen(p: ForwardedPort): Promise<{ server: Server; port: number }> {
  return new Promise((resolve, reject) => {
    const server = createServer({ allowHalfOpen: true, pauseOnConnect: true });
    server.once('error', (err) => {
      const why = errnoOf(err) === 'EADDRINUSE' ? 'the address is in use' : errnoOf(err) === 'EADDRNOTAVAIL' ? 'no interface of this host has that address' : messageOf(err);
      reject(new PodctlError('INVALID_ARGUMENT', `cannot listen on ${p.address}:${p.local}: ${why}`, { hint: 'choose another local port (or :REMOTE for a free one), or another --address' }));
    });
    server.listen({ host: p.address, port: p.local }, () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : p.local });
    });
  });
}

function startRelay(netnsPath: string): Promise<ChildProcess> {
  // NODE_EXTRA_CA_CERTS would cost the relay's start a CA-store load it never uses.
  const { NODE_EXTRA_CA_CERTS: _ca, NODE_OPTIONS: _opts, ...env } = process.env;
  const child = spawn('nsenter', [`--net=${netnsPath}`, '--', process.execPath, '-e', RELAY], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], env });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr += String(d)));
  return new Promise((resolve, reject) => {
    const fail = (why: string) => reject(new PodctlError('INTERNAL', `cannot enter the pod's network namespace ${netnsPath}: ${why}`, { hint: 'is the pod running? podctl ps' }));
    child.once('error', (err) => fail(messageOf(err)));
    child.once('exit', (code, signal) => fail(stderr.trim() || (signal ?? `exit ${code}`)));
    child.once('message', (m: RelayMessage) => {
      if (m.type !== 'ready') return fail(`unexpected message ${JSON.stringify(m)}`);
      child.removeAllListeners('exit');
      resolve(child);
    });
  });
}

/** Sends one listening socket to the relay and waits until it serves it. */
function handOver(relay: ChildProcess, s: { server: Server; port: number }, remote: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: RelayMessage) => {
      if (m.type === 'serving' && m.local === s.port) {
        relay.off('message', onMessage);
        resolve();
      }
    };
    relay.on('message', onMessage);
    relay.send({ type: 'serve', local: s.port, remote }, s.server, (err) => {
      if (err) {
        relay.off('message', onMessage);
        reject(new PodctlError('INTERNAL', `cannot hand port ${s.port} to the port-forward relay: ${err.message}`));
      }
    });
  });
}
