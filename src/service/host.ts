import { PodctlError } from '../util/errors.js';
import { runProgram, type RunProgram } from '../util/run-command.js';
import type { UdpFlow } from './endpoints.js';
import { BRIDGE_NF_CALL_IPTABLES, procSysctls, type SysctlIO } from './sysctls.js';

/** Every program Services run goes through the one seam; a missing one names Services. */
export const runForServices: RunProgram = (file, args, options) => runProgram(file, args, { neededFor: 'Services', ...options });

/** Applies an nft script as one transaction: the kernel takes all of it or none. */
export async function applyNft(exec: RunProgram, script: string): Promise<void> {
  const r = await exec('nft', ['-f', '-'], { input: script });
  if (r.exitCode !== 0) {
    const why = r.stderr.trim().split('\n')[0] ?? 'failed';
    throw new PodctlError('INTERNAL', `nft refused podctl's Service rules, the previous rules stay: ${why}`, { hint: 'run podctl gc to rewrite them; report a bug if it persists', details: { stderr: r.stderr } });
  }
}

/** Fails with one line when nft is missing, before anything is changed. */
export async function requireNft(exec: RunProgram): Promise<void> {
  await exec('nft', ['--version']);
}

/**
 * Deletes the conntrack entries of UDP flows to an endpoint that left, as kube-proxy does:
 * by ClusterIP and port, and by NodePort. conntrack exits 1 when nothing matched.
 */
export async function flushUdpFlows(exec: RunProgram, flows: UdpFlow[]): Promise<void> {
  for (const f of flows) {
    const runs = [['-D', '-p', 'udp', '--orig-dst', f.clusterIP, '--orig-port-dst', String(f.port), '--dst-nat', f.endpointIP]];
    if (f.nodePort !== undefined) runs.push(['-D', '-p', 'udp', '--orig-port-dst', String(f.nodePort), '--dst-nat', f.endpointIP]);
    for (const args of runs) {
      const r = await exec('conntrack', args);
      if (r.exitCode !== 0 && r.exitCode !== 1) throw new PodctlError('INTERNAL', `conntrack ${args.join(' ')} failed: ${r.stderr.trim()}`);
    }
  }
}

/**
 * Bridged replies (pod to pod on one bridge) must pass netfilter, or a DNATed reply reaches
 * the client from the pod IP instead of the ClusterIP: br_netfilter must be loaded (its
 * sysctls, on by default, appear with it). Switching it on is the ledger's job (sysctls.ts).
 */
export async function loadBridgeNetfilter(exec: RunProgram, sysctls: SysctlIO): Promise<void> {
  if ((await sysctls.read(BRIDGE_NF_CALL_IPTABLES)) !== undefined) return;
  const r = await exec('modprobe', ['br_netfilter']);
  if (r.exitCode !== 0) throw new PodctlError('FAILED_PRECONDITION', `cannot load br_netfilter: ${r.stderr.trim()}`, { hint: 'load it (modprobe br_netfilter): Services need it for replies between pods of one bridge' });
}

/** The host as Services touch it: programs, br_netfilter and sysctls. Unit tests pass a fake. */
export interface ServiceHost {
  exec: RunProgram;
  sysctls: SysctlIO;
  loadBridgeNetfilter(): Promise<void>;
}

export const realServiceHost: ServiceHost = {
  exec: runForServices,
  sysctls: procSysctls,
  loadBridgeNetfilter: () => loadBridgeNetfilter(runForServices, procSysctls),
};
