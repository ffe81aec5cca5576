import { randomBytes } from 'node:crypto';
import { invalidArgument } from '../util/errors.js';
import { isPodctlLabelKey } from './labels.js';
import { DEFAULT_NAMESPACE, DEFAULT_STOP_TIMEOUT, type ContainerSpec, type PodSpec } from './spec.js';
import { validatePodSpec } from './spec-validate.js';

/** A container as its source gives it: only the image is required. */
export type ContainerInput = Partial<Omit<ContainerSpec, 'image'>> & { image: string };

/** A pod as flags, library options or a manifest give it: only the containers are required. */
export type PodSpecInput = Partial<Omit<PodSpec, 'containers' | 'initContainers'>> & {
  containers: ContainerInput[];
  initContainers?: ContainerInput[];
};

/** What the caller knows and the input may leave out. */
export interface SpecDefaults {
  /** The primary network when the input names none (the conf dir's first network). */
  network: string;
  pauseImage: string;
}

/**
 * The one owner of a pod spec's defaults and checks, whatever the pod came from (flags,
 * library options, manifests): unnamed containers are named after their image ("nginx",
 * "nginx-2"), an unnamed pod after its first container with a random suffix ("nginx-7f3a2c"),
 * user labels may not use podctl's io.podctl.* keys, and the result passes validatePodSpec.
 */
export function buildPodSpec(input: PodSpecInput, defaults: SpecDefaults): PodSpec {
  // Given names are taken first, so a generated "nginx-2" never clashes with one; two equal
  // given names are validatePodSpec's to refuse.
  const used = new Set([...(input.initContainers ?? []), ...input.containers].flatMap((c) => (c.name ? [c.name] : [])));
  const complete = (c: ContainerInput, index: number): ContainerSpec => {
    if (!c.image) throw invalidArgument(`container ${c.name ?? index + 1} has no image`, 'give it an image, e.g. nginx:latest');
    let name = c.name;
    if (!name) {
      const base = containerNameFromImage(c.image);
      name = base;
      for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
      used.add(name);
    }
    return { ...definedOnly(c), name, env: { ...(c.env ?? {}) } };
  };
  const initContainers = (input.initContainers ?? []).map(complete);
  const containers = input.containers.map(complete);
  if (containers.length === 0) throw invalidArgument('a pod needs at least one container', 'give it an image');
  for (const key of Object.keys(input.labels ?? {})) {
    if (isPodctlLabelKey(key)) throw invalidArgument(`label ${key} is reserved for podctl's own bookkeeping`, 'use a label key outside io.podctl.');
  }
  const { session, hostname, subdomain, dns, bandwidth } = input;
  return validatePodSpec({
    name: input.name ?? generatedPodName(containers[0]!.name),
    namespace: input.namespace ?? DEFAULT_NAMESPACE,
    ...(hostname !== undefined ? { hostname } : {}),
    ...(subdomain !== undefined ? { subdomain } : {}),
    labels: { ...(input.labels ?? {}) },
    annotations: { ...(input.annotations ?? {}) },
    networks: input.networks?.length ? [...input.networks] : [defaults.network],
    portMappings: [...(input.portMappings ?? [])],
    ...(dns ? { dns } : {}),
    hostAliases: input.hostAliases ?? [],
    sharePid: input.sharePid ?? false,
    restartPolicy: input.restartPolicy ?? 'no',
    pauseImage: input.pauseImage ?? defaults.pauseImage,
    initContainers,
    containers,
    stopTimeout: input.stopTimeout ?? DEFAULT_STOP_TIMEOUT,
    ...(bandwidth ? { bandwidth } : {}),
    ...(session ? { session } : {}),
  });
}

/** "nginx" from "nginx", "app" from "registry:5000/team/app:1.2@sha256:...". */
export function containerNameFromImage(image: string): string {
  const last = image.split('@')[0]!.split('/').pop() ?? image;
  const repo = last.split(':')[0] ?? last;
  const name = repo.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 63);
  return name === '' ? 'app' : name;
}

/** "nginx-7f3a2c": the first container's name and a short random suffix, as podman does. */
function generatedPodName(base: string): string {
  return `${base.slice(0, 50)}-${randomBytes(3).toString('hex')}`;
}

/** The object without its undefined-valued keys (optional fields stay absent, not `undefined`). */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
