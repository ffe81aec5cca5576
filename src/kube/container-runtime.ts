import type { ContainerResources, ContainerSecurity } from '../pod/spec.js';
import type { Fields } from './fields.js';
import { parseQuantity } from './quantity.js';

/** `resources.limits`/`requests` (memory, cpu) as Docker's limits: hard memory and CPU limits, soft memory and CPU weight. */
export function resourcesOf(c: Fields): ContainerResources | undefined {
  const r = c.object('resources');
  if (!r) return undefined;
  r.only(['limits', 'requests']);
  const out: ContainerResources = {};
  const read = (section: string, key: 'cpu' | 'memory') => {
    const f = r.object(section);
    if (!f) return undefined;
    f.only(['cpu', 'memory'], { 'ephemeral-storage': '*' });
    const raw = f.raw(key);
    if (raw === undefined) return undefined;
    const v = typeof raw === 'string' || typeof raw === 'number' ? parseQuantity(raw) : undefined;
    if (v === undefined) return f.issues.error(f.at(key), 'must be a quantity such as 128Mi or 500m');
    return v;
  };
  const memLimit = read('limits', 'memory');
  const cpuLimit = read('limits', 'cpu');
  const memRequest = read('requests', 'memory');
  const cpuRequest = read('requests', 'cpu');
  if (memLimit !== undefined) out.memoryBytes = Math.round(memLimit);
  if (cpuLimit !== undefined) out.cpus = cpuLimit;
  if (memRequest !== undefined) out.memoryReservationBytes = Math.round(memRequest);
  // The kubelet's cpu.shares: 1024 per core, at least 2.
  if (cpuRequest !== undefined) out.cpuShares = Math.max(2, Math.round(cpuRequest * 1024));
  if (memLimit !== undefined && memRequest !== undefined && memRequest > memLimit) r.issues.error(`${r.path}.requests.memory`, 'must be less than or equal to the memory limit');
  if (cpuLimit !== undefined && cpuRequest !== undefined && cpuRequest > cpuLimit) r.issues.error(`${r.path}.requests.cpu`, 'must be less than or equal to the cpu limit');
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The user fields a pod's securityContext gives every container (the container's own win). */
export interface PodSecurityDefaults {
  runAsUser?: number;
  runAsGroup?: number;
  runAsNonRoot?: boolean;
}

export function podSecurityOf(podSpec: Fields): PodSecurityDefaults {
  const s = podSpec.object('securityContext');
  if (!s) return {};
  s.only(['runAsUser', 'runAsGroup', 'runAsNonRoot']);
  return userFields(s);
}

function userFields(s: Fields): PodSecurityDefaults {
  const out: PodSecurityDefaults = {};
  const uid = s.int('runAsUser', { min: 0, max: 2147483647 });
  const gid = s.int('runAsGroup', { min: 0, max: 2147483647 });
  const nonRoot = s.bool('runAsNonRoot');
  if (uid !== undefined) out.runAsUser = uid;
  if (gid !== undefined) out.runAsGroup = gid;
  if (nonRoot !== undefined) out.runAsNonRoot = nonRoot;
  return out;
}

export function securityOf(c: Fields, pod: PodSecurityDefaults): ContainerSecurity | undefined {
  const s = c.object('securityContext');
  s?.only(['runAsUser', 'runAsGroup', 'runAsNonRoot', 'readOnlyRootFilesystem', 'privileged', 'capabilities', 'allowPrivilegeEscalation']);
  const own = s ? userFields(s) : {};
  const user = { ...pod, ...own };
  const out: ContainerSecurity = {};
  if (user.runAsUser !== undefined) out.user = user.runAsGroup !== undefined ? `${user.runAsUser}:${user.runAsGroup}` : String(user.runAsUser);
  else if (user.runAsGroup !== undefined) c.issues.unsupported.push(`${c.path}.securityContext.runAsGroup (without runAsUser)`);
  if (user.runAsNonRoot) {
    out.runAsNonRoot = true;
    if (user.runAsUser === 0) c.issues.error(`${c.path}.securityContext.runAsNonRoot`, 'is true but runAsUser is 0 (root)');
  }
  if (s) {
    const ro = s.bool('readOnlyRootFilesystem');
    const privileged = s.bool('privileged');
    const escalation = s.bool('allowPrivilegeEscalation');
    if (ro) out.readOnlyRootFilesystem = true;
    if (privileged) out.privileged = true;
    if (escalation !== undefined) out.allowPrivilegeEscalation = escalation;
    if (privileged && escalation === false) s.issues.error(s.at('allowPrivilegeEscalation'), 'cannot be false when privileged is true');
    const caps = s.object('capabilities');
    if (caps) {
      caps.only(['add', 'drop']);
      const add = caps.strings('add');
      const drop = caps.strings('drop');
      if (add?.length) out.capAdd = add;
      if (drop?.length) out.capDrop = drop;
    }
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
