import { readFile } from 'node:fs/promises';
import { tracePath } from '../path.js';
import type { IpLink, IpRouteGet, Need, PodInfo, ServiceInfo, TraceRequest, TraceResult, TraceSnapshot } from '../types.js';
import { parseListeners } from './listeners.js';

import type { RunProgram, RunResult } from '../../util/run-command.js';

/**
 * Gathers what a trace reads, in as few commands as possible: the host's links and
 * addresses, netns ids, the ruleset (JSON and text), two sysctls, then per namespace on the
 * path its links, `ip route get` answers and listening sockets. The path asks for more when
 * it meets something unplanned (a DNAT to another pod): at most a few rounds.
 */
export async function gatherAndTrace(request: TraceRequest, pods: PodInfo[], run: RunProgram, services?: ServiceInfo[]): Promise<{ result: TraceResult; snapshot: TraceSnapshot }> {
  const snapshot = await baseSnapshot(request, pods, run);
  if (services) snapshot.services = services;
  await fill(snapshot, firstNeeds(request, pods), run);
  let needs: Need[] = [];
  for (let round = 0; round < 16; round++) {
    const out = tracePath(snapshot);
    if ('result' in out) return { result: out.result, snapshot };
    needs = out.needs;
    await fill(snapshot, needs, run);
  }
  throw new Error(`trace did not settle after 16 rounds of gathering (still asking for ${JSON.stringify(needs)})`);
}

async function baseSnapshot(request: TraceRequest, pods: PodInfo[], run: RunProgram): Promise<TraceSnapshot> {
  const [links, netns, json, text, brNf, fwd] = await Promise.all([
    must(run('ip', ['-j', '-d', 'addr', 'show'])),
    run('ip', ['-j', 'netns', 'list']),
    must(run('nft', ['-j', 'list', 'ruleset'])),
    must(run('nft', ['-a', 'list', 'ruleset'])),
    readFile('/proc/sys/net/bridge/bridge-nf-call-iptables', 'utf8').catch(() => undefined),
    readFile('/proc/sys/net/ipv4/ip_forward', 'utf8').catch(() => '0'),
  ]);
  return {
    request,
    pods,
    links: { '': JSON.parse(links) as IpLink[] },
    netnsIds: netns.exitCode === 0 && netns.stdout.trim() ? (JSON.parse(netns.stdout) as Array<{ name: string; id?: number }>) : [],
    routes: {},
    listeners: {},
    ...(brNf === undefined ? {} : { brNetfilter: brNf.trim() === '1' }),
    ipForward: fwd.trim() === '1',
    ruleset: { json: JSON.parse(json), text },
  };
}

/** What the path will certainly ask for, fetched in the first round. */
function firstNeeds(request: TraceRequest, pods: PodInfo[]): Need[] {
  const find = (name: string, namespace: string) => pods.find((p) => p.name === name && p.namespace === namespace);
  const needs: Need[] = [];
  const from = request.from.kind === 'pod' ? find(request.from.name, request.from.namespace) : undefined;
  const to = request.to.kind === 'pod' ? find(request.to.name, request.to.namespace) : undefined;
  const dst = request.to.kind === 'ip' ? request.to.ip : to?.ips[0];
  // (a service's ClusterIP and a host port are found by the path: their routes come in round two)
  if (from) needs.push({ kind: 'links', netns: from.netns });
  if (from && dst) needs.push({ kind: 'route', netns: from.netns, dst });
  if (!from && dst) needs.push({ kind: 'route', netns: '', dst });
  if (to) needs.push({ kind: 'links', netns: to.netns }, { kind: 'listeners', netns: to.netns });
  return needs;
}

async function fill(snapshot: TraceSnapshot, needs: Need[], run: RunProgram): Promise<void> {
  const at = (netns: string) => (netns ? ['-n', netns] : []);
  await Promise.all(
    needs.map(async (need) => {
      if (need.kind === 'links') {
        snapshot.links[need.netns] = JSON.parse(await must(run('ip', [...at(need.netns), '-j', '-d', 'addr', 'show']))) as IpLink[];
      } else if (need.kind === 'route') {
        const r = await run('ip', [...at(need.netns), '-j', 'route', 'get', need.dst]);
        snapshot.routes[`${need.netns} ${need.dst}`] = r.exitCode === 0 ? ((JSON.parse(r.stdout) as IpRouteGet[])[0] ?? { error: 'no answer' }) : { error: failure(r) };
      } else if (need.kind === 'sysctl') {
        const value = await readFile(`/proc/sys/${need.key}`, 'utf8').catch(() => '');
        snapshot.sysctls = { ...snapshot.sysctls, [need.key]: value.trim() };
      } else {
        const r = await must(run('ss', [...(need.netns ? ['-N', need.netns] : []), '-Hlnptu']));
        snapshot.listeners[need.netns] = parseListeners(r);
      }
    }),
  );
}

async function must(p: Promise<RunResult>): Promise<string> {
  const r = await p;
  if (r.exitCode !== 0) throw new Error(failure(r));
  return r.stdout;
}

/** A failed command in one line: the first line of its stderr. */
const failure = (r: RunResult): string => r.stderr.trim().split('\n')[0] || `exit code ${r.exitCode}`;
