/** `podctl cni test` as a library: run the smoke checks, render the reports. */
export { runSmoke, SANDBOX_PREFIX, type SmokeOptions } from './run-smoke.js';
export { removeKept, type RemoveKeptOptions } from './remove-kept.js';
export { HumanReporter, plainLine, type HumanReporterOptions } from './reporters/human.js';
export { renderJsonReport } from './reporters/json.js';
export { renderJunit, escapeXml } from './reporters/junit.js';
export type * from './types.js';
