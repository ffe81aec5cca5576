import type { CniRuntime, NetworkConfigList, RuntimeConf } from '../cni/index.js';
import { versionAtLeast } from '../cni/versions.js';
import { messageOf } from '../util/errors.js';
import { interfaceProblems } from './checks/interface-check.js';
import { findLeaks } from './checks/leak-check.js';
import { CONTAINER_PORT, checkPortmap, hasPortmap, type PortMapping } from './checks/portmap-check.js';
import { bareIp, describeDns, podNetView, type PodNetView } from './checks/result-view.js';
import { missingRoutes } from './checks/routes-check.js';
import type { Sandbox, SandboxEngine } from './engines/engine.js';
import { freeLocalPort } from './host/listener.js';
import type { NetProbe } from './host/net-probe.js';
import type { NetworkRun } from './network-run.js';
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
  mapping?: PortMapping;
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
    for (const pod of pods) await createPod(run, ctx, pod);
    for (const pod of pods) await addPod(run, net, ctx, pod);
    for (const pod of pods) await inspectPod(run, net, ctx, pod);
    await pingPods(run, ctx, pods);
    if (hasPortmap(net)) for (const pod of pods) await portmapPod(run, pod);
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

async function addPod(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pod: LivePod): Promise<void> {
  if (!pod.sandbox) return run.skip('live', `${pod.label} add`, 'the sandbox was not created');
  const sandbox = pod.sandbox;
  const mapping: PortMapping | undefined = hasPortmap(net)
    ? { hostPort: await freeLocalPort(), containerPort: CONTAINER_PORT, protocol: 'tcp', hostIP: '127.0.0.1' }
    : undefined;
  pod.rt = {
    containerId: sandbox.id,
    netns: sandbox.netnsPath,
    ifName: IFNAME,
    ...(mapping && { capabilityArgs: { portMappings: [mapping] } }),
  };
  const rt = pod.rt;
  await run.check('live', `${pod.label} add`, async () => {
    pod.delOwed = true;
    const result = await ctx.runtime.addNetworkList(net, rt);
    pod.view = { ...podNetView(result, IFNAME), ...(mapping && { mapping }) };
    return { detail: `${IFNAME} ${pod.view.addresses.join(', ') || 'no address'}${pod.view.mac ? ` mac ${pod.view.mac}` : ''}` };
  });
}

async function inspectPod(run: NetworkRun, net: NetworkConfigList, ctx: LiveContext, pod: LivePod): Promise<void> {
  const names = ['check', 'interface', 'routes', 'gateway', 'dns'].map((n) => `${pod.label} ${n}`);
  const { view, rt, sandbox } = pod;
  if (!view || !rt || !sandbox) return names.forEach((n) => run.skip('live', n, 'ADD did not succeed'));
  const ns = sandbox.netnsName;
  await run.check('live', names[0]!, async () => {
    if (!versionAtLeast(net.cniVersion, '0.4.0')) return { skipped: `cniVersion ${net.cniVersion} has no CHECK (0.4.0+)` };
    if (net.disableCheck) return { skipped: 'the network sets disableCheck' };
    await ctx.runtime.checkNetworkList(net, rt);
  });
  await run.check('live', names[1]!, async () => {
    const problems = interfaceProblems(view, await ctx.probe.linkInNetns(ns, IFNAME), ns);
    if (problems.length > 0) throw new Error(problems.join('; '));
    return { detail: `${IFNAME} ${view.addresses.join(', ')}${view.mac ? ` ${view.mac}` : ' (the result reports no MAC)'}` };
  });
  await run.check('live', names[2]!, async () => {
    const problems = missingRoutes(view.routes, await ctx.probe.routes(ns), ns);
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

async function pingPods(run: NetworkRun, ctx: LiveContext, pods: LivePod[]): Promise<void> {
  const wired = pods.filter((p) => p.view && p.view.addresses.length > 0);
  if (pods.length < 2) return;
  if (wired.length < 2) return run.skip('live', 'pod↔pod ping', 'fewer than two pods got an address');
  // A ring: with two pods that is both directions.
  for (let i = 0; i < wired.length; i++) await pingOne(run, ctx, wired[i]!, wired[(i + 1) % wired.length]!);
}

async function pingOne(run: NetworkRun, ctx: LiveContext, from: LivePod, to: LivePod): Promise<void> {
  await run.check('live', `${from.label} → ${to.label} ping`, async () => {
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

async function portmapPod(run: NetworkRun, pod: LivePod): Promise<void> {
  const name = `${pod.label} portmap`;
  if (!pod.view?.mapping || !pod.sandbox) return run.skip('live', name, 'ADD did not succeed');
  const { mapping } = pod.view;
  const ns = pod.sandbox.netnsName;
  await run.check('live', name, async () => ({ detail: await checkPortmap(ns, mapping, `podctl-cni-test ${ns}`) }));
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
