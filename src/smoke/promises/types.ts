import type { NetworkConfigList, PluginConf } from '../../cni/index.js';
import type { PodNetView } from '../checks/result-view.js';
import type { LinkDetails } from '../host/link-details.js';
import type { NetProbe } from '../host/net-probe.js';
import type { HostSide } from './host-side.js';
import type { CheckOutcome } from '../network-run.js';

/** A pod as the promise checks see it: wired (ADD passed), with what its result said. */
export interface WiredPod {
  label: string;
  netns: string;
  view: PodNetView;
  /** Its interface, once read (`podLink`). */
  link?: Promise<LinkDetails>;
}

export interface PromiseContext {
  net: NetworkConfigList;
  probe: NetProbe;
  /** Every pod that ADD wired, in order. */
  pods: WiredPod[];
  /** The host's links, read once: after every ADD they no longer change. */
  hostSide: () => Promise<HostSide>;
}

/** One promise of one plugin: a named check whose detail is the value seen. */
export interface PromiseCheck {
  name: string;
  run(): Promise<CheckOutcome> | CheckOutcome;
}

/** What a plugin promises, as checks on one pod (`index` is its place in the chain). */
export type PluginPromises = (plugin: PluginConf, index: number, pod: WiredPod, ctx: PromiseContext) => PromiseCheck[];

/** Throws the problems as one message (a failed check), or returns the detail. */
export function verdict(problems: string[], seen: string): { detail: string } {
  if (problems.length > 0) throw new Error(problems.join('; '));
  return { detail: seen };
}

/** The pod's interface as the kernel has it (read once per pod); throws when it is gone. */
export function podLink(ctx: PromiseContext, pod: WiredPod): Promise<LinkDetails> {
  pod.link ??= ctx.probe.linkDetails(pod.netns, pod.view.ifName).then((l) => {
    if (!l[0]) throw new Error(`interface ${pod.view.ifName} does not exist in netns ${pod.netns}`);
    return l[0];
  });
  return pod.link;
}

/** Runs `fn` once, on first use: the checks of one plugin share one read of the kernel. */
export function lazy<T>(fn: () => Promise<T>): () => Promise<T> {
  let p: Promise<T> | undefined;
  return () => (p ??= fn());
}
