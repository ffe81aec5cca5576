import type { PluginConf } from '../../cni/index.js';
import type { LinkDetails } from '../host/link-details.js';
import { lazy, podLink, type PluginPromises, type PromiseCheck } from './types.js';

/** One setting of a tuning config, and how to read it back from the pod's interface. */
interface LinkSetting {
  what: string;
  expected: string;
  seen(link: LinkDetails): string;
}

const onOff = (v: boolean) => (v ? 'on' : 'off');

/** The link settings a tuning config asks for (only those it names). */
export function tuningLinkSettings(conf: PluginConf): LinkSetting[] {
  const out: LinkSetting[] = [];
  if (typeof conf.mtu === 'number') out.push({ what: 'mtu', expected: String(conf.mtu), seen: (l) => String(l.mtu) });
  if (typeof conf.mac === 'string') out.push({ what: 'mac', expected: conf.mac.toLowerCase(), seen: (l) => l.mac.toLowerCase() });
  if (typeof conf.promisc === 'boolean') out.push({ what: 'promisc', expected: onOff(conf.promisc), seen: (l) => onOff(l.promisc) });
  if (typeof conf.allmulti === 'boolean') out.push({ what: 'allmulti', expected: onOff(conf.allmulti), seen: (l) => onOff(l.allmulti) });
  return out;
}

/** The sysctls a tuning config sets, key → value, values with their whitespace folded as the kernel prints them. */
export function tuningSysctls(conf: PluginConf): Array<[string, string]> {
  const sysctl = conf.sysctl;
  if (typeof sysctl !== 'object' || sysctl === null) return [];
  return Object.entries(sysctl as Record<string, unknown>).map(([k, v]) => [k.replace(/\//g, '.'), foldSpace(String(v))]);
}

const foldSpace = (v: string) => v.trim().split(/\s+/).join(' ');

/** One check per setting and per sysctl, each read back in the pod (one link read, one sysctl read). */
export const tuningPromises: PluginPromises = (conf, _index, pod, ctx) => {
  const link = lazy(() => podLink(ctx, pod));
  const sysctls = tuningSysctls(conf);
  const values = lazy(() => ctx.probe.sysctls(pod.netns, sysctls.map(([k]) => k)));
  const checks: PromiseCheck[] = tuningLinkSettings(conf).map((s) => ({
    name: `${pod.label} tuning ${s.what}`,
    run: async () => {
      const seen = s.seen(await link());
      if (seen !== s.expected) throw new Error(`tuning sets ${s.what} ${s.expected} on ${pod.view.ifName}; netns ${pod.netns} has ${seen}`);
      return { detail: `${pod.view.ifName} ${s.what} ${seen}` };
    },
  }));
  if (typeof conf.txQLen === 'number') {
    // `ip -j link` leaves out a queue length of 0; sysfs always has it.
    const file = `/sys/class/net/${pod.view.ifName}/tx_queue_len`;
    checks.push({
      name: `${pod.label} tuning txQLen`,
      run: async () => {
        const seen = (await ctx.probe.filesInNetns(pod.netns, [file])).get(file) ?? 'unreadable';
        if (seen !== String(conf.txQLen)) throw new Error(`tuning sets txQLen ${String(conf.txQLen)} on ${pod.view.ifName}; netns ${pod.netns} has ${seen}`);
        return { detail: `${pod.view.ifName} txQLen ${seen}` };
      },
    });
  }
  for (const [key, expected] of sysctls) {
    checks.push({
      name: `${pod.label} tuning sysctl ${key}`,
      run: async () => {
        const seen = (await values()).get(key);
        if (seen === undefined) throw new Error(`tuning sets ${key}=${expected}; it cannot be read in netns ${pod.netns}`);
        if (foldSpace(seen) !== expected) throw new Error(`tuning sets ${key}=${expected}; netns ${pod.netns} has ${foldSpace(seen)}`);
        return { detail: `${key} = ${seen}` };
      },
    });
  }
  if (checks.length === 0) checks.push({ name: `${pod.label} tuning`, run: () => ({ detail: 'the config sets nothing to check' }) });
  return checks;
};
