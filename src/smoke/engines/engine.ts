import type { EngineName } from '../types.js';

/** A throwaway pod: a network namespace (and, with Docker, the pause container holding it). */
export interface Sandbox {
  /** The CNI container id (the pause container's id with Docker, the name without). */
  id: string;
  /** The name under /var/run/netns, usable with `ip netns exec`. */
  netnsName: string;
  netnsPath: string;
  /** Shell commands a person can paste to remove it (printed by --keep). */
  removeCommands: string[];
}

/** Creates and removes sandboxes; `leftovers` says what of a removed one is still there. */
export interface SandboxEngine {
  readonly name: EngineName;
  /** Whatever must exist before the first sandbox (the pause image). */
  prepare(): Promise<void>;
  create(name: string): Promise<Sandbox>;
  remove(sandbox: Sandbox): Promise<void>;
  leftovers(sandbox: Sandbox): Promise<string[]>;
}
