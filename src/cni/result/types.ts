/** CNI result types, one per shape family (see versions.ts `resultFamily`). */

export interface DnsConf {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface Route {
  dst: string;
  gw?: string;
  /** 1.1.0 route attributes. */
  mtu?: number;
  advmss?: number;
  priority?: number;
  table?: number;
  scope?: number;
}

export interface Interface {
  name: string;
  mac?: string;
  sandbox?: string;
  /** 1.1.0 interface attributes. */
  mtu?: number;
  socketPath?: string;
  pciID?: string;
}

/** 0.1.0 / 0.2.0: one address per family. */
export interface IpConfig02 {
  ip: string;
  gateway?: string;
  routes?: Route[];
}

export interface Result02 {
  cniVersion: '0.1.0' | '0.2.0';
  ip4?: IpConfig02;
  ip6?: IpConfig02;
  dns?: DnsConf;
}

/** 0.3.0 / 0.3.1 / 0.4.0: `ips[]` with an explicit family. */
export interface IpConfig04 {
  version: '4' | '6';
  address: string;
  gateway?: string;
  interface?: number;
}

export interface Result04 {
  cniVersion: '0.3.0' | '0.3.1' | '0.4.0';
  interfaces?: Interface[];
  ips?: IpConfig04[];
  routes?: Route[];
  dns?: DnsConf;
}

/** 1.0.0 / 1.1.0: the family is implied by the address. */
export interface IpConfig1 {
  address: string;
  gateway?: string;
  interface?: number;
}

export interface Result1 {
  cniVersion: '1.0.0' | '1.1.0';
  interfaces?: Interface[];
  ips?: IpConfig1[];
  routes?: Route[];
  dns?: DnsConf;
}

export type CniResult = Result02 | Result04 | Result1;

/** What a plugin answers to VERSION. */
export interface PluginVersionInfo {
  cniVersion: string;
  supportedVersions: string[];
}
