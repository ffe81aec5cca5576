import type { CniRuntime } from '../cni/index.js';
import type { DockerContainers } from '../docker/containers.js';
import type { DockerVolumes } from '../docker/volumes.js';
import type { NetnsPins, RunCommand } from '../netns/pins.js';
import type { ReadCommand } from '../netns/iptables-leftovers.js';
import type { FileLock } from '../util/file-lock.js';
import type { Logger } from '../util/logger.js';
import type { PodStore } from './checkpoint.js';
import type { PodRef } from './naming.js';
import type { StepRunner } from './steps.js';

/** What starting a pod asks of Services (src/service), so the pod steps need not know them. */
export interface PodServiceHooks {
  env(namespace: string): Promise<Record<string, string>>;
  podFiles(namespace: string): Promise<{ hosts: string; searches: string[] }>;
  /** The cluster DNS server's address for a pod whose first network is `network`, started if need be; undefined when it cannot serve the pod. */
  clusterDns(network: string): Promise<string | undefined>;
  /** Whether a pod with these routes (CNI result destinations) reaches the cluster DNS address. */
  routesToClusterDns(routes: string[]): boolean;
  /** A sync that leaves `pod` out (a failed start gives up the cluster DNS). */
  leave(pod: { name: string; namespace: string }): Promise<void>;
  /** A sync that takes in the starting pods' route_localnet interfaces: recorded and guarded before a plugin changes them. */
  guardLocalnet(): Promise<void>;
}

/** Everything a pod operation needs, built once by PodManager.open; per pod, the logger names the pod. */
export interface PodDeps {
  containers: DockerContainers;
  cni: CniRuntime;
  pins: NetnsPins;
  store: PodStore;
  lockPod: (ref: PodRef, timeoutMs?: number) => Promise<FileLock>;
  ensureImages: (images: string[]) => Promise<void>;
  /** Single-image calls for imagePullPolicy and runAsNonRoot. */
  images: { exists: (image: string) => Promise<boolean>; pull: (image: string) => Promise<void>; user: (image: string) => Promise<string> };
  /** Docker named volumes (claims, `run -v name:/path`). */
  volumes: DockerVolumes;
  steps: StepRunner;
  logger: Logger;
  /** Host commands (ip, iptables): argument arrays, never a shell. */
  host: { run: RunCommand; read: ReadCommand };
  /** Cluster env, DNS names and search list from Services; absent in unit tests of the steps. */
  services?: PodServiceHooks;
}
