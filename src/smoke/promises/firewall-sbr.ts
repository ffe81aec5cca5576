import { bareIp } from '../checks/result-view.js';
import { verdict, type PluginPromises } from './types.js';

/**
 * firewall (iptables backend): CNI-FORWARD accepts traffic from the pod and the replies to it,
 * one rule each per pod address. (That pods then reach each other, the ping checks show.)
 */
export const firewallPromises: PluginPromises = (conf, _index, pod, ctx) => [{
  name: `${pod.label} firewall`,
  run: async () => {
    if (conf.backend === 'firewalld') return { skipped: 'the firewalld backend keeps its zones in firewalld; only the iptables backend is read back' };
    const problems: string[] = [];
    const seen: string[] = [];
    for (const ip of pod.view.addresses.map(bareIp)) {
      const cidr = ip.includes(':') ? `${ip}/128` : `${ip}/32`;
      const rules = (await ctx.probe.iptablesRulesWith(cidr)).filter((r) => / -A CNI-FORWARD /.test(` ${r.split(': ').slice(1).join(': ')}`) && /filter: /.test(r));
      const from = rules.some((r) => r.includes(`-s ${cidr}`) && r.includes('-j ACCEPT'));
      const to = rules.some((r) => r.includes(`-d ${cidr}`) && r.includes('-j ACCEPT'));
      if (!from) problems.push(`no CNI-FORWARD rule accepts traffic from ${cidr}`);
      if (!to) problems.push(`no CNI-FORWARD rule accepts replies to ${cidr}`);
      if (from && to) seen.push(cidr);
    }
    return verdict(problems, `CNI-FORWARD accepts traffic from and replies to ${seen.join(', ')}`);
  },
}];

/**
 * sbr: each pod address gets a rule `from <address> lookup <table>` and that table routes
 * through the pod's interface, so replies leave the way requests came.
 */
export const sbrPromises: PluginPromises = (_conf, _index, pod, ctx) => [{
  name: `${pod.label} sbr`,
  run: async () => {
    const rules = await ctx.probe.rules(pod.netns);
    const problems: string[] = [];
    const seen: string[] = [];
    for (const ip of pod.view.addresses.map(bareIp)) {
      const rule = rules.find((r) => r.src === ip && r.table !== undefined && !['main', 'local', 'default'].includes(r.table));
      if (!rule) {
        problems.push(`no routing rule "from ${ip}" in netns ${pod.netns}`);
        continue;
      }
      const routes = await ctx.probe.routesOfTable(pod.netns, rule.table!);
      const through = routes.filter((r) => r.dev === pod.view.ifName);
      if (through.length === 0) problems.push(`table ${rule.table} (from ${ip}) has no route through ${pod.view.ifName}`);
      else seen.push(`from ${ip} lookup ${rule.table}: ${through.map((r) => `${r.dst}${r.gateway ? ` via ${r.gateway}` : ''}`).join(', ')}`);
    }
    return verdict(problems, seen.join('; '));
  },
}];
