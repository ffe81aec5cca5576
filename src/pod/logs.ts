import { PodctlError } from '../util/errors.js';
import { FrameParser } from '../docker/log-stream.js';
import { LABEL } from './labels.js';
import type { PodManager } from './manager.js';
import { formatPodRef, type PodRef } from './naming.js';

export interface LogOptions {
  container?: string;
  follow: boolean;
  tail?: number;
  timestamps: boolean;
}

/**
 * Prints the logs of a pod's containers (init and app, not the pause). With several
 * containers each line is prefixed by its container's name; with -f all are followed at once.
 */
export async function streamPodLogs(pods: PodManager, ref: PodRef, options: LogOptions, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<void> {
  const members = (await pods.members(ref)).filter((c) => c.labels[LABEL.role] !== 'pause');
  if (members.length === 0) throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a' });
  const chosen = options.container ? members.filter((c) => c.labels[LABEL.container] === options.container) : members;
  if (chosen.length === 0) {
    const names = members.map((c) => c.labels[LABEL.container]).join(', ');
    throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} has no container ${options.container}`, { hint: `its containers are: ${names}` });
  }
  const prefixed = chosen.length > 1;
  const print = async (id: string, name: string) => {
    const prefix = prefixed ? `[${name}] ` : '';
    const parser = new FrameParser();
    const carry = { stdout: '', stderr: '' };
    const emit = (chunk: Buffer) => {
      for (const frame of parser.push(chunk)) {
        const text = carry[frame.stream] + frame.text;
        const lines = text.split('\n');
        carry[frame.stream] = lines.pop() ?? '';
        const target = frame.stream === 'stderr' ? err : out;
        for (const line of lines) target.write(prefix + line + '\n');
      }
    };
    const container = pods.docker.getContainer(id);
    const base = { stdout: true, stderr: true, timestamps: options.timestamps, ...(options.tail !== undefined ? { tail: options.tail } : {}) };
    if (options.follow) {
      const stream = (await container.logs({ ...base, follow: true })) as NodeJS.ReadableStream;
      await new Promise<void>((resolve, reject) => {
        stream.on('data', (chunk: Buffer) => emit(chunk));
        stream.on('end', resolve);
        stream.on('error', reject);
      });
    } else {
      emit((await container.logs({ ...base, follow: false })) as unknown as Buffer);
    }
    for (const stream of ['stdout', 'stderr'] as const) {
      if (carry[stream]) (stream === 'stderr' ? err : out).write(prefix + carry[stream] + '\n');
    }
  };
  if (options.follow) {
    await Promise.all(chosen.map((c) => print(c.id, c.labels[LABEL.container] ?? c.name)));
  } else {
    for (const c of chosen) await print(c.id, c.labels[LABEL.container] ?? c.name);
  }
}
