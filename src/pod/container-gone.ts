import type { DockerContainers } from '../docker/containers.js';
import { LABEL } from './labels.js';

/**
 * Follows Docker's events until the container `id` (a podctl container) dies or is removed:
 * resolves then with what happened. `stop()` ends the watch. Subscribed before the caller checks
 * the container's state, so a death between that check and the watch is not missed.
 */
export async function watchContainerGone(containers: Pick<DockerContainers, 'events'>, id: string): Promise<{ gone: Promise<string>; stop(): void }> {
  const stream = await containers.events(LABEL.pod, ['die', 'destroy']);
  let stopped = false;
  const gone = new Promise<string>((resolve) => {
    let buffered = '';
    stream.on('data', (chunk: Buffer) => {
      buffered += String(chunk);
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) {
        if (line.trim() === '') continue;
        const event = JSON.parse(line) as { id?: string; Action?: string; Actor?: { ID?: string } };
        if ((event.Actor?.ID ?? event.id) === id) resolve(event.Action === 'destroy' || event.Action === 'remove' ? 'removed' : 'stopped');
      }
    });
    // Docker going away ends the pod's containers too.
    stream.on('end', () => stopped || resolve('lost: Docker closed its event stream'));
    stream.on('error', () => stopped || resolve('lost: Docker closed its event stream'));
  });
  return {
    gone,
    stop() {
      stopped = true;
      stream.destroy();
    },
  };
}
