import type Dockerode from 'dockerode';
import { FrameParser } from '../docker/log-stream.js';
import { PodctlError } from '../util/errors.js';

/** What a command run in a container printed and how it ended. */
export interface ExecResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command in a running container and collects its output (for exec probes and the
 * library's `pod.exec`). A command still running after `timeoutMs` is abandoned with a
 * TIMEOUT error; Docker offers no way to kill one exec, so it may finish on its own later.
 */
export async function execCapture(docker: Dockerode, containerId: string, command: string[], timeoutMs = 60_000): Promise<ExecResult> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true, Tty: false });
  const stream = await exec.start({ hijack: true, stdin: false, Tty: false });
  const parser = new FrameParser();
  const out = { stdout: '', stderr: '' };
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      timer = setTimeout(() => {
        stream.destroy();
        reject(new PodctlError('TIMEOUT', `command ${JSON.stringify(command)} did not finish within ${timeoutMs} ms`));
      }, timeoutMs);
      stream.on('data', (chunk: Buffer) => {
        for (const frame of parser.push(chunk)) out[frame.stream] += frame.text;
      });
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  } finally {
    clearTimeout(timer);
  }
  const info = await exec.inspect();
  return { exitCode: info.ExitCode ?? 1, ...out };
}
