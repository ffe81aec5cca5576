/** The host commands the smoke test runs (ip, iptables, ping), behind a seam for unit tests. */
export interface CommandOutput {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export type RunHost = (file: string, args: string[], options?: { timeoutMs?: number }) => Promise<CommandOutput>;

/** execa with an argument array, never a shell; a failure is an exit code, not a throw. */
export const execaRunHost: RunHost = async (file, args, options = {}) => {
  const { execa } = await import('execa');
  const r = await execa(file, args, { reject: false, timeout: options.timeoutMs ?? 15_000, stdin: 'ignore' });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr || r.shortMessage || '') };
};
