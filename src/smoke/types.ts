/** What `podctl cni test` reports: checks grouped by network, with timings and verdicts. */
export type CheckStatus = 'passed' | 'failed' | 'skipped';
export type CheckStage = 'static' | 'live';

export interface CheckResult {
  name: string;
  stage: CheckStage;
  status: CheckStatus;
  durationMs: number;
  /** Why it failed (expected vs found) or why it was skipped. */
  message?: string;
  /** What a passing check found worth showing (addresses, DNS settings, ...). */
  detail?: string;
}

export interface NetworkReport {
  /** The network name, or the file name when the file has no readable name. */
  name: string;
  file?: string;
  cniVersion?: string;
  checks: CheckResult[];
  /** Everything the plugins wrote on stderr, each call headed by plugin and verb. */
  pluginStderr: string;
  startedAt: string;
  durationMs: number;
}

export interface CheckCounts {
  total: number;
  passed: number;
  failed: number;
  skipped: number;
}

/** A sandbox left behind by --keep, with the commands to enter and remove it. */
export interface KeptPod {
  network: string;
  pod: string;
  netns: string;
  enter: string;
  remove: string[];
}

export interface SmokeReport {
  engine: EngineName;
  passed: boolean;
  interrupted: boolean;
  counts: CheckCounts;
  networks: NetworkReport[];
  kept: KeptPod[];
  startedAt: string;
  durationMs: number;
}

export type EngineName = 'docker' | 'netns';

/** Live progress for reporters (the human one draws a list as checks run). */
export interface SmokeReporter {
  runStarted?(info: { engine: EngineName; networks: number }): void;
  networkStarted?(network: string, file?: string): void;
  checkStarted?(network: string, check: string): void;
  checkFinished?(network: string, result: CheckResult): void;
  runFinished?(report: SmokeReport): void;
}

export function countChecks(networks: NetworkReport[]): CheckCounts {
  const all = networks.flatMap((n) => n.checks);
  const of = (s: CheckStatus) => all.filter((c) => c.status === s).length;
  return { total: all.length, passed: of('passed'), failed: of('failed'), skipped: of('skipped') };
}
