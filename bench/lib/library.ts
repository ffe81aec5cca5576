import { PodSession, type PodHandle, type PodSessionOptions } from '../../src/index.js';
import type { Contender } from './contenders.js';
import { APP_IMAGE, CONF_DIR, NAMESPACE } from './setting.js';

export interface LibraryContender extends Contender {
  close(): Promise<void>;
}

/**
 * One pod's life through the library, in this process: `session.run` of the same nginx pod
 * in the bench namespace and network, then `handle.remove()`. The session's pod names are its
 * own; the bench's name only finds the handle again.
 */
export async function libraryContender(name: string, options: PodSessionOptions): Promise<LibraryContender> {
  const session = await PodSession.open({ cniConfDir: CONF_DIR, ...options });
  const handles = new Map<string, PodHandle>();
  return {
    name,
    async up(pod) {
      const handle = await session.run({ image: APP_IMAGE, namespace: NAMESPACE });
      handles.set(pod, handle);
      return { ip: handle.ip, runs: [] };
    },
    async down(pod) {
      await handles.get(pod)!.remove();
      handles.delete(pod);
      return [];
    },
    settle: () => session.idle(),
    close: async () => {
      await session.removeAll();
    },
  };
}
