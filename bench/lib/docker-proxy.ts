import { createConnection, createServer, type Server } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const REQUEST_LINE = /(?:^|\r\n)(GET|POST|PUT|DELETE|HEAD) (\/\S*) HTTP\/1\.[01]\r\n/g;

/**
 * A unix-socket proxy in front of the Docker socket that counts the API requests passing
 * through it, for "a constant number of Docker API calls whatever the number of pods". Used
 * with DOCKER_HOST=unix://<socket> for counting runs only, never for timed ones.
 */
export class DockerCallCounter {
  readonly requests: string[] = [];
  private constructor(
    private readonly server: Server,
    private readonly dir: string,
    readonly socket: string,
  ) {}

  static async start(target = '/var/run/docker.sock'): Promise<DockerCallCounter> {
    const dir = mkdtempSync(join(tmpdir(), 'pct-bench-docker-'));
    const socket = join(dir, 'docker.sock');
    let counter: DockerCallCounter | undefined;
    const server = createServer((client) => {
      const upstream = createConnection(target);
      client.on('data', (chunk: Buffer) => {
        for (const m of chunk.toString('latin1').matchAll(REQUEST_LINE)) counter?.requests.push(`${m[1]} ${m[2]!.replace(/\?.*/, '')}`);
      });
      client.pipe(upstream).pipe(client);
      const close = () => {
        client.destroy();
        upstream.destroy();
      };
      client.on('error', close);
      upstream.on('error', close);
    });
    await new Promise<void>((resolve) => server.listen(socket, resolve));
    counter = new DockerCallCounter(server, dir, socket);
    return counter;
  }

  get env(): Record<string, string> {
    return { DOCKER_HOST: `unix://${this.socket}` };
  }

  /** Requests counted since the last reset, then starts counting again. */
  take(): string[] {
    return this.requests.splice(0);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
