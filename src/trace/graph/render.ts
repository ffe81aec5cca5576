import type { NetGraph } from './model.js';

/** The graph as a tree for a terminal: host → bridges → veth pairs → pods, host ports under their pod. */
export function renderGraphText(g: NetGraph): string {
  const lines = ['host'];
  const unbridged = g.veths.filter((v) => !v.bridge);
  const hasMore = g.services.length > 0;
  const groups = [...g.bridges.map((b) => ({ title: `bridge ${b.name} (ifindex ${b.ifindex}) ${b.cidrs.join(', ') || 'no address'}${b.up ? '' : ' DOWN'}`, veths: g.veths.filter((v) => v.bridge === b.name) }))];
  if (unbridged.length) groups.push({ title: 'veths on no bridge', veths: unbridged });
  groups.forEach((group, gi) => {
    const lastGroup = gi === groups.length - 1 && !hasMore && g.pods.every((p) => g.veths.some((v) => v.pod === p.id));
    lines.push(`${lastGroup ? '└─' : '├─'} ${group.title}`);
    const bar = lastGroup ? '   ' : '│  ';
    group.veths.forEach((v, vi) => {
      const last = vi === group.veths.length - 1;
      const pod = g.pods.find((p) => p.id === v.pod);
      lines.push(`${bar}${last ? '└─' : '├─'} ${v.hostIfname} (ifindex ${v.hostIfindex}${v.hairpin ? ', hairpin' : ''}) ⇄ ${v.podIfname} ${v.podIp ?? ''}  pod ${v.pod}  [${pod?.containers.join(', ') || 'no containers'}]`);
      for (const hp of g.hostPorts.filter((h) => h.pod === v.pod && (!v.podIp || h.toIp === v.podIp))) {
        lines.push(`${bar}${last ? '   ' : '│  '}   host port ${hp.hostIp ? `${hp.hostIp}:` : ':'}${hp.port}/${hp.protocol} → ${hp.toIp}${hp.toPort ? `:${hp.toPort}` : ''}`);
      }
    });
  });
  const unwired = g.pods.filter((p) => !g.veths.some((v) => v.pod === p.id));
  for (const svc of g.services) {
    lines.push(`${svc === g.services.at(-1) && !unwired.length ? '└─' : '├─'} service ${svc.id} ${svc.clusterIP}`);
    const bar = svc === g.services.at(-1) && !unwired.length ? '   ' : '│  ';
    for (const p of svc.ports) {
      const eps = p.endpoints.map((e) => `${e.ip}:${e.port}${e.pod ? ` (${e.pod})` : ''}`).join(', ') || 'no endpoints';
      lines.push(`${bar}   :${p.port}/${p.protocol}${p.nodePort ? ` (NodePort ${p.nodePort})` : ''} → ${eps}`);
    }
  }
  if (unwired.length) {
    lines.push('└─ pods without a veth on the host');
    unwired.forEach((p, i) => lines.push(`   ${i === unwired.length - 1 ? '└─' : '├─'} pod ${p.id} ${p.ips.join(', ')}  [${p.containers.join(', ')}]`));
  }
  return lines.join('\n') + '\n';
}

const q = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
const label = (...lines: string[]): string => q(lines.filter(Boolean).join('\n')).replace(/\n/g, '\\n');

/** Graphviz dot: left to right, host → bridges → pods, veth pairs on the edges, host ports as their own nodes. */
export function renderGraphDot(g: NetGraph): string {
  const out = [
    'digraph podctl {',
    '  rankdir=LR; nodesep=0.3; ranksep=0.9;',
    '  node [fontname="Helvetica", fontsize=11, shape=box, style="rounded,filled", fillcolor="#ffffff"];',
    '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    `  host [label=${label('host')}, shape=box3d, fillcolor="#eeeeee"];`,
  ];
  for (const b of g.bridges) {
    out.push(`  ${q(`bridge:${b.name}`)} [label=${label(`bridge ${b.name}`, b.cidrs.join(', '), b.up ? '' : 'DOWN')}, fillcolor="#dbe9f6"];`);
    out.push(`  host -> ${q(`bridge:${b.name}`)} [arrowhead=none];`);
  }
  for (const p of g.pods) {
    out.push(`  ${q(`pod:${p.id}`)} [label=${label(`pod ${p.id}`, p.ips.join(', '), p.containers.join(', '))}, fillcolor="#e3f4dc"];`);
  }
  for (const v of g.veths) {
    const from = v.bridge ? q(`bridge:${v.bridge}`) : 'host';
    out.push(`  ${from} -> ${q(`pod:${v.pod}`)} [label=${label(`${v.hostIfname} ⇄ ${v.podIfname}`, v.hairpin ? 'hairpin' : '')}, dir=both];`);
  }
  for (const h of g.hostPorts) {
    const id = q(`port:${h.protocol}/${h.hostIp ?? ''}:${h.port}`);
    out.push(`  ${id} [label=${label(`host port ${h.hostIp ?? ''}:${h.port}/${h.protocol}`)}, shape=cds, fillcolor="#fbe7c6"];`);
    out.push(`  host -> ${id} [arrowhead=none, style=dotted];`);
    out.push(`  ${id} -> ${q(`pod:${h.pod}`)} [label=${label(`DNAT ${h.toIp}${h.toPort ? `:${h.toPort}` : ''}`)}, style=dashed];`);
  }
  for (const svc of g.services) {
    const id = q(`service:${svc.id}`);
    const ports = svc.ports.map((p) => `:${p.port}/${p.protocol}${p.nodePort ? ` NodePort ${p.nodePort}` : ''}`).join(', ');
    out.push(`  ${id} [label=${label(`service ${svc.id}`, `${svc.clusterIP} ${ports}`)}, shape=hexagon, fillcolor="#efe0f7"];`);
    out.push(`  host -> ${id} [arrowhead=none, style=dotted];`);
    for (const p of svc.ports) {
      for (const e of p.endpoints) if (e.pod) out.push(`  ${id} -> ${q(`pod:${e.pod}`)} [label=${label(`:${p.port} → ${e.ip}:${e.port}`)}, style=dashed, color="#8e44ad"];`);
    }
  }
  out.push('}');
  return out.join('\n') + '\n';
}
