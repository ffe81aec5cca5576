import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readJsonIfExists, removeIfExists, writeJsonAtomic } from '../util/atomic-file.js';
import { errnoOf } from '../util/errors.js';
import type { ServiceRecord, ServiceSpec } from './types.js';

export type ServiceRef = Pick<ServiceSpec, 'name' | 'namespace'>;

/**
 * The desired state of services: one JSON record per service, `<stateDir>/services/<ns>_<name>.json`
 * (0600, written atomically). Callers change records only under the services lock.
 */
export class ServiceStore {
  readonly dir: string;

  constructor(stateDir: string) {
    this.dir = join(stateDir, 'services');
  }

  private path(ref: ServiceRef): string {
    return join(this.dir, `${ref.namespace}_${ref.name}.json`);
  }

  read(ref: ServiceRef): Promise<ServiceRecord | undefined> {
    return readJsonIfExists<ServiceRecord>(this.path(ref));
  }

  write(record: ServiceRecord): Promise<void> {
    return writeJsonAtomic(this.path(record), record);
  }

  /** The API's managedFields of the service (api/apply/managed-store.ts): beside the record, removed with it. */
  managedFieldsPath(ref: ServiceRef): string {
    return join(this.dir, `${ref.namespace}_${ref.name}.managed-fields`);
  }

  async remove(ref: ServiceRef): Promise<void> {
    await removeIfExists(this.path(ref));
    await removeIfExists(this.managedFieldsPath(ref));
  }

  async list(): Promise<ServiceRecord[]> {
    let names: string[];
    try {
      names = (await readdir(this.dir)).filter((n) => n.endsWith('.json') && !n.startsWith('.'));
    } catch (err) {
      if (errnoOf(err) === 'ENOENT') return [];
      throw err;
    }
    const all = await Promise.all(names.map((n) => readJsonIfExists<ServiceRecord>(join(this.dir, n))));
    return all.filter((r): r is ServiceRecord => r !== undefined).sort((a, b) => `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
  }
}
