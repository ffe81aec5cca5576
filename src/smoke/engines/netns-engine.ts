import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { PodctlError } from '../../util/errors.js';
import { NETNS_DIR } from '../../netns/pins.js';
import { validateNetnsName } from '../../util/validate.js';
import type { RunProgram } from '../../util/run-command.js';
import type { Sandbox, SandboxEngine } from './engine.js';


/** Bare namespaces from `ip netns add`: no Docker needed, for CI runners without an engine. */
export class NetnsEngine implements SandboxEngine {
  readonly name = 'netns' as const;

  constructor(private readonly run: RunProgram) {}

  async prepare(): Promise<void> {}

  async create(name: string): Promise<Sandbox> {
    validateNetnsName(name);
    const added = await this.run('ip', ['netns', 'add', name]);
    if (added.exitCode !== 0) throw new PodctlError('INTERNAL', `ip netns add ${name} failed: ${added.stderr.trim()}`);
    const sandbox = { id: name, netnsName: name, netnsPath: join(NETNS_DIR, name), removeCommands: [`ip netns delete ${name}`] };
    // Loopback up, as in any pod, so a listener bound to 0.0.0.0 behaves as it would there.
    const lo = await this.run('ip', ['-n', name, 'link', 'set', 'lo', 'up']);
    if (lo.exitCode !== 0) {
      await this.remove(sandbox);
      throw new PodctlError('INTERNAL', `cannot bring up lo in namespace ${name}: ${lo.stderr.trim()}`);
    }
    return sandbox;
  }

  async remove(sandbox: Sandbox): Promise<void> {
    if (!(await exists(sandbox.netnsPath))) return;
    const r = await this.run('ip', ['netns', 'delete', sandbox.netnsName]);
    if (r.exitCode !== 0 && (await exists(sandbox.netnsPath))) {
      throw new PodctlError('INTERNAL', `ip netns delete ${sandbox.netnsName} failed: ${r.stderr.trim()}`);
    }
  }

  async leftovers(sandbox: Sandbox): Promise<string[]> {
    return (await exists(sandbox.netnsPath)) ? [`namespace ${sandbox.netnsPath} still exists`] : [];
  }
}

export const exists = (path: string): Promise<boolean> => access(path).then(() => true, () => false);
