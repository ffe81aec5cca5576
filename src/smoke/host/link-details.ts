/** A link as `ip -d -j link show` describes it: what the plugins' promises are read back from. */
export interface LinkDetails {
  name: string;
  ifindex: number;
  /** The peer's (veth) or parent's (macvlan, ipvlan, vlan) ifindex, in the namespace `linkNetnsId` names. */
  linkIndex?: number;
  /** Set when the peer or parent is in another namespace (the host, seen from a pod). */
  linkNetnsId?: number;
  mtu: number;
  mac: string;
  promisc: boolean;
  allmulti: boolean;
  /** `veth`, `bridge`, `macvlan`, `ipvlan`, `vlan`, `ifb`; '' for a plain device. */
  kind: string;
  /** macvlan/ipvlan mode (`bridge`, `private`, `l2`, `l3`, ...). */
  mode?: string;
  /** A vlan's id. */
  vlanId?: number;
  /** The bridge a port is enslaved to. */
  master?: string;
  /** As a bridge port: hairpin mode. */
  hairpin?: boolean;
  /** As a bridge: VLAN filtering on. */
  vlanFiltering?: boolean;
}

interface IpLinkJson {
  ifname: string;
  ifindex: number;
  link_index?: number;
  link_netnsid?: number;
  link?: string;
  flags?: string[];
  mtu: number;
  address?: string;
  master?: string;
  promiscuity?: number;
  allmulti?: number;
  linkinfo?: {
    info_kind?: string;
    info_data?: { mode?: string; id?: number; vlan_filtering?: number };
    info_slave_data?: { hairpin?: boolean };
  };
}

/** Parses `ip -d -j link show` output (every link in it). */
export function parseLinkDetails(json: string): LinkDetails[] {
  return (JSON.parse(json || '[]') as IpLinkJson[]).map((l) => {
    const info = l.linkinfo ?? {};
    const flags = new Set(l.flags ?? []);
    return {
      name: l.ifname,
      ifindex: l.ifindex,
      ...(l.link_index !== undefined && { linkIndex: l.link_index }),
      ...(l.link_netnsid !== undefined && { linkNetnsId: l.link_netnsid }),
      mtu: l.mtu,
      mac: l.address ?? '',
      // The flag shows the device's own state; the counters also count what taps (tcpdump) asked for.
      promisc: flags.has('PROMISC'),
      allmulti: flags.has('ALLMULTI'),
      kind: info.info_kind ?? '',
      ...(info.info_data?.mode !== undefined && { mode: info.info_data.mode }),
      ...(info.info_data?.id !== undefined && { vlanId: info.info_data.id }),
      ...(l.master !== undefined && { master: l.master }),
      ...(info.info_slave_data?.hairpin !== undefined && { hairpin: info.info_slave_data.hairpin }),
      ...(info.info_data?.vlan_filtering !== undefined && { vlanFiltering: info.info_data.vlan_filtering === 1 }),
    };
  });
}

/** One qdisc as `tc -j qdisc show dev X` prints it; tbf's rate and burst are in bytes. */
export interface Qdisc {
  kind: string;
  root: boolean;
  rateBytes?: number;
  burstBytes?: number;
}

export function parseQdiscs(json: string): Qdisc[] {
  const list = JSON.parse(json || '[]') as Array<{ kind: string; root?: boolean; options?: { rate?: number; burst?: number } }>;
  return list.map((q) => ({
    kind: q.kind,
    root: q.root === true,
    ...(q.options?.rate !== undefined && { rateBytes: q.options.rate }),
    ...(q.options?.burst !== undefined && { burstBytes: q.options.burst }),
  }));
}
