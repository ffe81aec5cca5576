import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import type { Command } from 'commander';
import { parsePodRef } from '../../pod/naming.js';
import { invalidArgument } from '../../util/errors.js';
import { parsePositiveInt } from '../../util/validate.js';
import type { TraceRequest, TraceSource, TraceTarget } from '../../trace/types.js';
import { openPods } from '../context.js';
import { parseOutputFormat, write } from '../output.js';

interface TraceFlags {
  namespace?: string;
  port?: number;
  protocol?: 'tcp' | 'udp';
  output?: string;
  live?: boolean;
  saveSnapshot?: string;
}

/** FROM and TO as the command line gives them → a trace request; bad input is one line, before anything runs. */
export function parseTraceRequest(from: string, to: string, flags: TraceFlags): TraceRequest {
  const source: TraceSource = from === 'host' ? { kind: 'host' } : { kind: 'pod', ...parsePodRef(from, flags.namespace) };
  let target: TraceTarget;
  const hostPort = /^host:(\d+)$/.exec(to);
  if (hostPort) target = { kind: 'host-port', port: parsePositiveInt(hostPort[1]!, 'host:PORT', { max: 65535 }) };
  else if (isIP(to) === 4) target = { kind: 'ip', ip: to };
  else if (isIP(to) === 6) throw invalidArgument(`${to} is an IPv6 address`, 'podctl trace follows IPv4 only; give the IPv4 address');
  else if (to.startsWith('svc/')) target = { kind: 'service', ...parsePodRef(to.slice('svc/'.length), flags.namespace) };
  else if (to === 'host') throw invalidArgument('TO "host" needs a port', 'give host:PORT, or the host address and -p');
  else target = { kind: 'pod', ...parsePodRef(to, flags.namespace) };
  if (source.kind === 'host' && target.kind === 'ip' && target.ip.startsWith('127.')) throw invalidArgument(`${to} is the host's own loopback`, 'trace a pod or host:PORT');
  // Port 0 for a service without -p: the trace takes the service's first port.
  const port = target.kind === 'host-port' ? target.port : (flags.port ?? (target.kind === 'service' ? 0 : 80));
  if (target.kind === 'host-port' && flags.port !== undefined) throw invalidArgument('host:PORT and -p do not go together', 'give the port once');
  return { from: source, to: target, protocol: flags.protocol ?? 'tcp', port };
}

export async function traceAction(cmd: Command, from: string, to: string): Promise<void> {
  const flags = cmd.opts() as TraceFlags;
  const format = parseOutputFormat(flags.output, ['text', 'json']);
  const request = parseTraceRequest(from, to, flags);
  const pods = await openPods(cmd);
  const [{ traceWithSnapshot }, { renderTrace }] = await Promise.all([import('../../trace/index.js'), import('../../trace/render-text.js')]);
  const { result, snapshot } = await traceWithSnapshot(pods, request);
  if (flags.saveSnapshot) await writeFile(flags.saveSnapshot, JSON.stringify(snapshot, null, 1) + '\n');
  if (flags.live) {
    const { liveProbe, renderLive } = await import('../../trace/live/live.js');
    const source = request.from;
    const netns = source.kind === 'pod' ? snapshot.pods.find((p) => p.name === source.name && p.namespace === source.namespace)?.netns : undefined;
    const live = await liveProbe(result, netns);
    write(format === 'json' ? JSON.stringify({ ...result, live }, null, 2) + '\n' : renderTrace(result) + renderLive(live));
  } else {
    write(format === 'json' ? JSON.stringify(result, null, 2) + '\n' : renderTrace(result));
  }
  // Like ping: 0 when the request arrives where something listens, 1 otherwise (the verdict says why).
  if (!(result.verdict.outcome === 'arrives' && result.verdict.listening)) process.exitCode = 1;
}
