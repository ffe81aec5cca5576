import type { CniRuntime, NetworkConfigList, RuntimeConf } from '../cni/index.js';
import { versionAtLeast } from '../cni/versions.js';
import { messageOf } from '../util/errors.js';
import { interfaceProblems } from './checks/interface-check.js';
import { findLeaks } from './checks/leak-check.js';
import { CONTAINER_PORT, checkPortmap, hasPortmap, ipv6HostAddress, type PortMapping } from './checks/portmap-check.js';
import { bareIp, describeDns, podNetView, type PodNetView } from './checks/result-view.js';
import { missingRoutes } from './checks/routes-check.js';
import type { Sandbox, SandboxEngine } from './engines/engine.js';
import { DAD_WAIT_MS, dadProblem, dadSettled, dadVerdict, type DadVerdict } from './checks/dad.js';
import { knownPluginBug } from './checks/known-plugin-bugs.js';
import { freeLocalPorts } from './host/listener.js';
import type { NetProbe } from './host/net-probe.js';
import type { NetworkRun } from './network-run.js';
import { parentChecks, podToPod, readHostSide, runMtuPathChecks, runPromiseChecks, type HostSide, type PromiseContext, type WiredPod } from './promises/index.js';
import type { KeptPod } from './types.js';

export interface LiveContext {
  engine: SandboxEngine;
  /** Readies the engine (the pause image) once, on the first sandbox. */
  prepareEngine: () => Promise<void>;
  runtime: CniRuntime;
  probe: NetProbe;
  pods: number;
  keep: boolean;
  /** Prefix of every sandbox name of this network, e.g. `cnitest-1a2b3c-2`. */
  namePrefix: string;
  signal: AbortSignal;
  kept: KeptPod[];
}

interface LivePod {
  label: string;
  name: string;
  sandbox?: Sandbox;
  rt?: RuntimeConf;
  view?: PodFacts;
  /** An ADD ran (even a failed one may have allocated): DEL is owed. */
  delOwed: boolean;
}

interface PodFacts extends PodNetView {
  /** 127.0.0.1 first, then the network's IPv6 host address when it has an IPv6 range. */
  mappings?: PortMapping[];
  /** Why its addresses (or its gateway's) are not usable after the DAD wait. */
  dadProblem?: string;
  /** How long the IPv6 addresses took to leave DAD, when they had to. */
  dadWaitedMs?: number;
}

const IFNAME = 'eth0';

/**
 * The live stage of one network: N sandboxes, ADD (+CHECK), what the pods really got,
 * reachability, portmap, then DEL, the leak check and a second DEL. Whatever happens, the
 * sandboxes and attachments are removed at the end (unless --keep).
 */
export async function runLiveChecks(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext): Promise<void> {
  const pods: LivePod[] = Array.from({ length: ctx.pods }, (_, i) => ({ label: `pod${i + 1}`, name: `${ctx.namePrefix}-${i + 1}`, delOwed: false }));
  try {
    for (const check of parentChecks(net, ctx.probe)) await run.check('live', check.name, () => check.run());
    for (const pod of pods) await createPod(run, ctx, pod);
    // Every pod's host ports, distinct, chosen at once (see freeLocalPorts).
    const perPod = hasPortmap(net) ? (ipv6HostAddress(net) ? 2 : 1) : 0;
    const ports = await freeLocalPorts(pods.length * perPod);
    for (const [i, pod] of pods.entries()) await addPod(run, net, ctx, pod, ports.slice(i * perPod, (i + 1) * perPod));
    await waitForDad(ctx, pods);
    for (const pod of pods) await inspectPod(run, net, ctx, pod);
    const promises = promiseContext(net, ctx, pods);
    await runPromiseChecks(run, promises);
    const answered = await pingPods(run, net, ctx, pods);
    await runMtuPathChecks(run, promises, answered.map(([a, b]) => [a.label, b.label]));
    if (hasPortmap(net)) for (const pod of pods) await portmapPod(run, ctx, pod);
    if (ctx.keep) {
      keepPods(run, net, ctx, pods);
      return;
    }
    for (const pod of pods) await deletePod(run, net, ctx, pod);
  } finally {
    if (!ctx.keep) await removePods(run, net, ctx, pods);
  }
}

async function createPod(run: NetworkRun, ctx: LiveContext, pod: LivePod): Promise<void> {
  await run.check('live', `${pod.label} create`, async () => {
    await ctx.prepareEngine();
    pod.sandbox = await ctx.engine.create(pod.name);
    return { detail: `${ctx.engine.name} sandbox ${pod.sandbox.netnsPath}` };
  });
}

/** ADD of one pod; `hostPorts` are its portmap host ports (127.0.0.1's, then the IPv6 host address's). */
async function addPod(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pod: LivePod, hostPorts: number[]): Promise<void> {
  if (!pod.sandbox) return run.skip('live', `${pod.label} add`, 'the sandbox was not created');
  const sandbox = pod.sandbox;
  const v6 = ipv6HostAddress(net);
  const mappings: PortMapping[] | undefined = hasPortmap(net)
    ? [
        { hostPort: hostPorts[0]!, containerPort: CONTAINER_PORT, protocol: 'tcp', hostIP: '127.0.0.1' },
        ...(v6 ? [{ hostPort: hostPorts[1]!, containerPort: CONTAINER_PORT, protocol: 'tcp' as const, hostIP: v6 }] : []),
      ]
    : undefined;
  pod.rt = {
    containerId: sandbox.id,
    netns: sandbox.netnsPath,
    ifName: IFNAME,
    ...(mappings && { capabilityArgs: { portMappings: mappings } }),
  };
  const rt = pod.rt;
  await run.check('live', `${pod.label} add`, async () => {
    pod.delOwed = true;
    const result = await ctx.runtime.addNetworkList(net, rt);
    pod.view = { ...podNetView(result, IFNAME), ...(mappings && { mappings }) };
    return { detail: `${IFNAME} ${pod.view.addresses.join(', ') || 'no address'}${pod.view.mac ? ` mac ${pod.view.mac}` : ''}` };
  });
}

/**
 * Waits (at most DAD_WAIT_MS, for all pods at once) until every pod's addresses and the
 * gateways on this host have left IPv6 duplicate address detection; records per pod what is
 * still unusable. IPv4 addresses are never tentative: an IPv4-only network returns at once.
 */
async function waitForDad(ctx: LiveContext, pods: LivePod[]): Promise<void> {
  const wired = pods.filter((p) => p.view && p.sandbox);
  if (wired.length === 0) return;
  const started = Date.now();
  let verdicts: Array<[LivePod, DadVerdict]> = [];
  for (;;) {
    const host = await ctx.probe.addressStates();
    const hostAddresses = new Set(host.map((a) => a.address));
    verdicts = await Promise.all(wired.map(async (pod): Promise<[LivePod, DadVerdict]> => {
      const own = dadVerdict(await ctx.probe.addressStates(pod.sandbox!.netnsName), pod.view!.addresses.map(bareIp));
      const gateways = dadVerdict(host, pod.view!.gateways.filter((g) => hostAddresses.has(g)));
      return [pod, { tentative: [...own.tentative, ...gateways.tentative], failed: [...own.failed, ...gateways.failed] }];
    }));
    if (verdicts.every(([, v]) => dadSettled(v)) || Date.now() - started >= DAD_WAIT_MS || ctx.signal.aborted) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const waited = Date.now() - started;
  for (const [pod, verdict] of verdicts) {
    const problem = dadProblem(verdict, waited);
    if (problem) pod.view!.dadProblem = problem;
    else if (waited >= 100) pod.view!.dadWaitedMs = waited;
  }
}

async function inspectPod(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pod: LivePod): Promise<void> {
  const names = ['check', 'interface', 'routes', 'gateway', 'dns'].map((n) => `${pod.label} ${n}`);
  const { view, rt, sandbox } = pod;
  if (!view || !rt || !sandbox) return names.forEach((n) => run.skip('live', n, 'ADD did not succeed'));
  const ns = sandbox.netnsName;
  await run.check('live', names[0]!, async () => {
    if (!versionAtLeast(net.cniVersion, '0.4.0')) return { skipped: `cniVersion ${net.cniVersion} has no CHECK (0.4.0+)` };
    if (net.disableCheck) return { skipped: 'the network sets disableCheck' };
    try {
      await ctx.runtime.checkNetworkList(net, rt);
    } catch (err) {
      const bug = knownPluginBug(err);
      if (bug === undefined) throw err;
      return { skipped: bug };
    }
  });
  await run.check('live', names[1]!, async () => {
    const problems = interfaceProblems(view, await ctx.probe.linkInNetns(ns, IFNAME), ns);
    if (view.dadProblem) problems.push(view.dadProblem);
    if (problems.length > 0) throw new Error(problems.join('; '));
    const dad = view.dadWaitedMs !== undefined ? ` (IPv6 duplicate address detection took ${view.dadWaitedMs} ms)` : '';
    return { detail: `${IFNAME} ${view.addresses.join(', ')}${view.mac ? ` ${view.mac}` : ' (the result reports no MAC)'}${dad}` };
  });
  await run.check('live', names[2]!, async () => {
    // sbr moves the pod's routes from the main table into one per source address.
    const table = net.plugins.some((p) => p.type === 'sbr') ? 'all' : 'main';
    const problems = missingRoutes(view.routes, await ctx.probe.routes(ns, table), ns);
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { detail: view.routes.length > 0 ? view.routes.map((r) => `${r.dst}${r.gw ? ` via ${r.gw}` : ''}`).join(', ') : 'the result has no routes' };
  });
  await run.check('live', names[3]!, async () => {
    if (view.gateways.length === 0) return { skipped: 'the result names no gateway' };
    const ours = await ctx.probe.hostAddresses();
    const local = view.gateways.filter((g) => ours.has(g));
    if (local.length === 0) {
      return { skipped: `gateway ${view.gateways.join(', ')} is not on this host (an upstream router); only addresses the test created are pinged` };
    }
    for (const gw of local) {
      const error = await ctx.probe.ping(ns, gw);
      if (error !== undefined) throw new Error(`gateway ${gw} does not answer ping from netns ${ns}: ${error}`);
    }
    return { detail: `${local.join(', ')} answered` };
  });
  await run.check('live', names[4]!, () => ({ detail: describeDns(view.dns) }));
}

function promiseContext(net: NetworkConfigList, ctx: LiveContext, pods: LivePod[]): PromiseContext {
  const wired = pods.flatMap((p): WiredPod[] => (p.view && p.sandbox ? [{ label: p.label, netns: p.sandbox.netnsName, view: p.view }] : []));
  let host: Promise<HostSide> | undefined;
  return { net, probe: ctx.probe, pods: wired, hostSide: () => (host ??= readHostSide(ctx.probe)) };
}

/**
 * Pod to pod, in a ring (with two pods that is both directions), with the verdict the network's
 * mode calls for: an answer where pods may talk, none where the mode forbids it (macvlan
 * private). Returns the pairs that answered, for the MTU path.
 */
async function pingPods(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pods: LivePod[]): Promise<Array<[LivePod, LivePod]>> {
  const wired = pods.filter((p) => p.view && p.view.addresses.length > 0);
  if (pods.length < 2) return [];
  if (wired.length < 2) {
    run.skip('live', 'pod↔pod ping', 'fewer than two pods got an address');
    return [];
  }
  const expectation = podToPod(net);
  const answered: Array<[LivePod, LivePod]> = [];
  for (let i = 0; i < wired.length; i++) {
    const pair: [LivePod, LivePod] = [wired[i]!, wired[(i + 1) % wired.length]!];
    const name = `${pair[0].label} → ${pair[1].label} ping`;
    if (expectation.expect === 'unknown') run.skip('live', name, expectation.why);
    else if (expectation.expect === 'isolated') await run.check('live', name, () => isolatedOne(ctx, pair[0], pair[1], expectation.why));
    else if (await pingOne(run, ctx, pair[0], pair[1])) answered.push(pair);
  }
  return answered;
}

async function isolatedOne(ctx: LiveContext, from: LivePod, to: LivePod, why: string) {
  for (const ip of to.view!.addresses.map(bareIp)) {
    if ((await ctx.probe.ping(from.sandbox!.netnsName, ip)) === undefined) throw new Error(`${to.label} (${ip}) answers ${from.label}, but ${why}`);
  }
  return { detail: `no answer, as expected: ${why}` };
}

async function pingOne(run: NetworkRun, ctx: LiveContext, from: LivePod, to: LivePod): Promise<boolean> {
  return run.check('live', `${from.label} → ${to.label} ping`, async () => {
    const targets = to.view!.addresses.map(bareIp);
    for (const ip of targets) {
      const error = await ctx.probe.ping(from.sandbox!.netnsName, ip);
      if (error === undefined) continue;
      const hint = (await ctx.probe.forwardPolicyDrops())
        ? '; the host\'s iptables FORWARD policy is DROP (Docker sets it) and nothing accepts this traffic: chain the firewall plugin or add an ACCEPT rule (e.g. in DOCKER-USER)'
        : '';
      throw new Error(`${to.label} (${ip}) does not answer ping from ${from.label} (netns ${from.sandbox!.netnsName}): ${error}${hint}`);
    }
    return { detail: `${targets.join(', ')} answered` };
  });
}

async function portmapPod(run: NetworkRun, ctx: LiveContext, pod: LivePod): Promise<void> {
  const name = `${pod.label} portmap`;
  if (!pod.view?.mappings || !pod.sandbox) return run.skip('live', name, 'ADD did not succeed');
  const view = pod.view;
  const ns = pod.sandbox.netnsName;
  await run.check('live', name, async () => {
    const host = await ctx.probe.hostAddresses();
    const [v4, v6] = view.mappings!;
    // The IPv6 mapping is tested when the pod got an IPv6 address and the host holds the address mapped from.
    const podHasV6 = view.addresses.some((a) => a.includes(':'));
    const tested = [v4!, ...(v6 && podHasV6 && host.has(v6.hostIP) ? [v6] : [])];
    const untested = v6 && podHasV6 && !host.has(v6.hostIP) ? `; IPv6 not tested: ${v6.hostIP} (the network's gateway) is not an address of this host` : '';
    return { detail: `${await checkPortmap(ns, tested, `podctl-cni-test ${ns}`)}${untested}` };
  });
}

async function deletePod(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pod: LivePod): Promise<void> {
  const { rt, sandbox } = pod;
  if (!rt || !sandbox) return ['del', 'leaks', 'del again'].forEach((n) => run.skip('live', `${pod.label} ${n}`, 'the sandbox was not created'));
  const deleted = await run.check('live', `${pod.label} del`, () => ctx.runtime.delNetworkList(net, rt));
  if (deleted) pod.delOwed = false;
  await run.check('live', `${pod.label} leaks`, async () => {
    const leaks = await findLeaks(ctx.probe, {
      net, containerId: rt.containerId, netns: sandbox.netnsName, ifName: rt.ifName,
      hostInterfaces: pod.view?.hostInterfaces ?? [],
      cached: async () => (await ctx.runtime.getCachedResult(net.name, rt.containerId, rt.ifName)) !== undefined,
    });
    if (leaks.length > 0) throw new Error(`after DEL: ${leaks.join('; ')}`);
    return { detail: 'no IP file, veth, pod interface, iptables rule or cache entry left' };
  });
  await run.check('live', `${pod.label} del again`, () => ctx.runtime.delNetworkList(net, rt));
}

/** Removes every sandbox (DEL first where one is owed), then checks nothing of them is left. */
async function removePods(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pods: LivePod[]): Promise<void> {
  for (const pod of pods) {
    if (!pod.sandbox) continue;
    const sandbox = pod.sandbox;
    if (pod.delOwed && pod.rt) await ctx.runtime.delNetworkList(net, pod.rt).catch((err: unknown) => run.appendStderr(`--- cleanup DEL of ${pod.label} failed: ${messageOf(err)}\n`));
    const removal = await ctx.engine.remove(sandbox).then(() => undefined, (err: unknown) => messageOf(err));
    const check = async () => {
      const left = await ctx.engine.leftovers(sandbox);
      if (removal !== undefined || left.length > 0) throw new Error([removal, ...left].filter(Boolean).join('; '));
      return { detail: `${sandbox.netnsPath} removed` };
    };
    if (ctx.signal.aborted) await check().catch(() => undefined);
    else await run.check('live', `${pod.label} removed`, check);
  }
}

function keepPods(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pods: LivePod[]): void {
  for (const pod of pods) {
    if (!pod.sandbox) continue;
    for (const n of ['del', 'leaks', 'del again', 'removed']) run.skip('live', `${pod.label} ${n}`, 'kept (--keep)');
    ctx.kept.push({
      network: net.name,
      pod: pod.label,
      netns: pod.sandbox.netnsPath,
      enter: `ip netns exec ${pod.sandbox.netnsName} sh`,
      remove: ['podctl cni test --cleanup'],
    });
  }
}
