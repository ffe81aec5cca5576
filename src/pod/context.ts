import type { CniRuntime } from '../cni/index.js';
import type { DockerContainers } from '../docker/containers.js';
import type { NetnsPins, RunCommand } from '../netns/pins.js';
import type { ReadCommand } from '../netns/iptables-leftovers.js';
import type { FileLock } from '../util/file-lock.js';
import type { Logger } from '../util/logger.js';
import type { PodStore } from './checkpoint.js';
import type { PodRef } from './naming.js';
import type { StepRunner } from './steps.js';

/** Everything a pod operation needs, built once by PodManager.open; per pod, the logger names the pod. */
export interface PodDeps {
  containers: DockerContainers;
  cni: CniRuntime;
  pins: NetnsPins;
  store: PodStore;
  lockPod: (ref: PodRef, timeoutMs?: number) => Promise<FileLock>;
  ensureImages: (images: string[]) => Promise<void>;
  steps: StepRunner;
  logger: Logger;
  /** Host commands (ip, iptables): argument arrays, never a shell. */
  host: { run: RunCommand; read: ReadCommand; preload?: () => void };
}
