import { PodctlError } from '../util/errors.js';
import { FrameParser } from '../docker/log-stream.js';
import { LABEL } from './labels.js';
import type { PodManager } from './manager.js';
import { formatPodRef, type PodRef } from './naming.js';

export interface ExecOptions {
  container?: string;
  interactive: boolean;
  tty: boolean;
}

/** Runs a command in a running container of the pod and returns its exit code. */
export async function execInPod(pods: PodManager, ref: PodRef, command: string[], options: ExecOptions): Promise<number> {
  if (command.length === 0) throw new PodctlError('INVALID_ARGUMENT', 'no command given', { hint: 'e.g. podctl exec web -- ls /' });
  const apps = (await pods.members(ref)).filter((c) => c.labels[LABEL.role] === 'app');
  if (apps.length === 0) throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} not found`, { hint: 'list pods with podctl ps -a' });
  const target = options.container ? apps.find((c) => c.labels[LABEL.container] === options.container) : [...apps].sort((a, b) => a.created - b.created || a.name.localeCompare(b.name))[0];
  if (!target) {
    throw new PodctlError('NOT_FOUND', `pod ${formatPodRef(ref)} has no container ${options.container}`, {
      hint: `its containers are: ${apps.map((c) => c.labels[LABEL.container]).join(', ')}`,
    });
  }
  if (target.state !== 'running') {
    throw new PodctlError('FAILED_PRECONDITION', `container ${target.labels[LABEL.container]} of pod ${formatPodRef(ref)} is not running (${target.status})`, {
      hint: `start the pod first: podctl start ${formatPodRef(ref)}`,
    });
  }
  const exec = await pods.docker.getContainer(target.id).exec({
    Cmd: command,
    AttachStdin: options.interactive,
    AttachStdout: true,
    AttachStderr: true,
    Tty: options.tty,
  });
  const stream = await exec.start({ hijack: true, stdin: options.interactive, Tty: options.tty });
  const stdin = process.stdin;
  const raw = options.tty && stdin.isTTY;
  if (options.interactive) {
    if (raw) stdin.setRawMode(true);
    stdin.pipe(stream);
  }
  try {
    await new Promise<void>((resolve, reject) => {
      if (options.tty) {
        stream.on('data', (chunk: Buffer) => process.stdout.write(chunk));
      } else {
        const parser = new FrameParser();
        stream.on('data', (chunk: Buffer) => {
          for (const frame of parser.push(chunk)) (frame.stream === 'stderr' ? process.stderr : process.stdout).write(frame.text);
        });
      }
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  } finally {
    if (options.interactive) {
      stdin.unpipe(stream);
      if (raw) stdin.setRawMode(false);
      stdin.pause();
    }
  }
  const info = await exec.inspect();
  if (info.ExitCode === null || info.ExitCode === undefined) return 1;
  return info.ExitCode;
}
