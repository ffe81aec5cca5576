import type Dockerode from 'dockerode';
import { Readable, Transform, Writable, type Duplex } from 'node:stream';
import { PodctlError, isPodctlError } from '../util/errors.js';
import { dockerMessage, dockerStatus, wrapDockerError } from './client.js';
import { containerEventQuery, identifyEngine, podNamespaces, type EngineEvent, type EngineInfo, type PodNamespaces } from './engine.js';

/** What podctl reads of a container in a list (one API call for all pods). */
export interface ContainerSummary {
  id: string;
  name: string;
  image: string;
  /** The image's id (`sha256:...`): Kubernetes' `imageID`. */
  imageId?: string;
  state: string; // created | running | paused | restarting | removing | exited | dead
  status: string; // "Up 3 minutes", "Exited (0) 2 seconds ago"
  labels: Record<string, string>;
  created: number; // unix seconds
}

/** The exit code in Docker's status line of an exited container ("Exited (137) 2 seconds ago" → 137). */
export function exitCodeOf(status: string): number | undefined {
  const m = /^Exited \((-?\d+)\)/.exec(status);
  return m ? Number(m[1]) : undefined;
}

/** What podctl reads of one container: whether it runs, its process (for the netns), when it started. */
export interface ContainerDetails extends ContainerSummary {
  pid: number;
  running: boolean;
  startedAt: string;
  /** Restarts made by Docker's restart policy since the container was last started by a client (a start resets it). */
  restartCount: number;
  finishedAt: string;
  exitCode: number;
  oomKilled: boolean;
}

export interface CreateContainerSpec {
  name: string;
  image: string;
  labels: Record<string, string>;
  hostname?: string;
  env?: string[];
  entrypoint?: string[];
  cmd?: string[];
  workingDir?: string;
  /** "uid[:gid]" or a user name (docker --user). */
  user?: string;
  tty?: boolean;
  /** Keep the process's stdin open for attaches (Docker's OpenStdin; AttachStdin with it, as `docker create -i` sets). */
  openStdin?: boolean;
  /** With openStdin: the first attach's end closes the process's stdin. */
  stdinOnce?: boolean;
  /**
   * A sandbox's pause: a network namespace with only `lo`, made by runc itself. The engine
   * then builds no network sandbox of its own, and dockerd adds no `libnetwork-setkey`
   * prestart hook (a re-exec of dockerd at every start): about half of a pause's start here.
   */
  bareNetns?: boolean;
  hostConfig: Dockerode.HostConfig;
}

/** Docker's fields for a container's stdin and terminal: an open stdin is attached at start too, as `docker create -i` makes it. */
export function dockerStdio(spec: Pick<CreateContainerSpec, 'tty' | 'openStdin' | 'stdinOnce'>): { Tty: boolean; OpenStdin?: boolean; AttachStdin?: boolean; StdinOnce?: boolean } {
  return { Tty: spec.tty ?? false, ...(spec.openStdin ? { OpenStdin: true, AttachStdin: true, StdinOnce: spec.stdinOnce ?? false } : {}) };
}

/** Where a container's or an exec's output goes, stdout and stderr apart (a TTY has stdout only). */
export interface OutputSink {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export interface ExecOptions {
  /** Piped to the command (and unpiped when it ends); without it the command gets no stdin. */
  stdin?: NodeJS.ReadableStream;
  tty?: boolean;
  /** Abandon a command still running after this long with a TIMEOUT error. */
  timeoutMs?: number;
  /** Called once the command runs, with what can steer it while it runs (a TTY's size). */
  onStart?: (running: RunningExec) => void;
}

export interface AttachOptions {
  /** Piped to the container's stdin (which it reads only when created with stdin open). */
  stdin?: NodeJS.ReadableStream;
  /** The container runs with a TTY: its output is not multiplexed, and it can be resized. */
  tty?: boolean;
  /** Ends the attachment (the container runs on). */
  signal?: AbortSignal;
  onStart?: (running: RunningExec) => void;
}

/** A terminal's size in characters. */
export interface TerminalSize {
  width: number;
  height: number;
}

/** A command running in a container: its TTY can be resized (Docker's exec resize). */
export interface RunningExec {
  resize(size: TerminalSize): Promise<void>;
}

export interface LogsOptions {
  follow?: boolean;
  tail?: number;
  timestamps?: boolean;
  /** Only lines logged at or after this time (Unix seconds, fractions allowed). */
  since?: number;
  /** Only lines logged before this time (Unix seconds, fractions allowed). */
  until?: number;
  /** Stops reading (a client that went away); the read then ends without an error. */
  signal?: AbortSignal;
}

/**
 * The container calls podctl makes: the only module that talks to the Engine about
 * containers, so callers see plain records and PodctlErrors, never dockerode objects.
 */
export class DockerContainers {
  private engineInfo?: Promise<EngineInfo>;

  constructor(private readonly docker: Dockerode) {}

  /** Which engine this is (one `GET /version`, asked once). */
  engine(): Promise<EngineInfo> {
    this.engineInfo ??= identifyEngine(this.docker);
    this.engineInfo.catch(() => (this.engineInfo = undefined)); // a failed ask is asked again
    return this.engineInfo;
  }

  /** The HostConfig modes that put an app container into the pause's namespaces on this engine. */
  async podNamespaces(pauseId: string, sharePid: boolean): Promise<PodNamespaces> {
    return podNamespaces((await this.engine()).name, pauseId, sharePid);
  }

  async list(labelFilters: string[], all = true): Promise<ContainerSummary[]> {
    try {
      const rows = await this.docker.listContainers({ all, filters: { label: labelFilters } });
      return rows.map((row) => ({
        id: row.Id,
        name: (row.Names[0] ?? '').replace(/^\//, ''),
        image: row.Image,
        imageId: row.ImageID,
        state: row.State,
        status: row.Status,
        labels: row.Labels ?? {},
        created: row.Created,
      }));
    } catch (err) {
      throw wrapDockerError(err, 'list containers');
    }
  }

  async create(spec: CreateContainerSpec): Promise<string> {
    try {
      const container = await this.docker.createContainer({
        name: spec.name,
        Image: spec.image,
        Labels: spec.labels,
        Hostname: spec.hostname,
        Env: spec.env,
        Entrypoint: spec.entrypoint,
        Cmd: spec.cmd,
        WorkingDir: spec.workingDir,
        ...(spec.user !== undefined ? { User: spec.user } : {}),
        ...dockerStdio(spec),
        ...(spec.bareNetns ? { NetworkDisabled: true } : {}),
        HostConfig: spec.bareNetns ? { ...spec.hostConfig, NetworkMode: 'none' } : spec.hostConfig,
      });
      return container.id;
    } catch (err) {
      if (dockerStatus(err) === 409) {
        throw new PodctlError('ALREADY_EXISTS', `container name ${spec.name} is already in use`, { cause: err });
      }
      if (dockerStatus(err) === 404) {
        // The same status names a missing image or a missing container of `container:<id>`.
        const missingImage = !/no such container/i.test(dockerMessage(err));
        throw new PodctlError('NOT_FOUND', missingImage ? `image ${spec.image} not found` : `create container ${spec.name}: ${dockerMessage(err)}`, { cause: err, details: { missingImage } });
      }
      throw this.fail(err, `create container ${spec.name}`);
    }
  }

  async start(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).start();
    } catch (err) {
      if (dockerStatus(err) === 304) return; // already running
      throw this.fail(err, `start container ${id.slice(0, 12)}`);
    }
  }

  /** Sets a container's restart policy in place (`docker update --restart`); a container gone is fine. */
  async setRestartPolicy(id: string, policy: Dockerode.HostRestartPolicy): Promise<void> {
    try {
      await this.docker.getContainer(id).update({ RestartPolicy: policy });
    } catch (err) {
      if (dockerStatus(err) === 404) return;
      throw this.fail(err, `update container ${id.slice(0, 12)}`);
    }
  }

  async stop(id: string, timeoutSeconds: number): Promise<void> {
    try {
      await this.docker.getContainer(id).stop({ t: timeoutSeconds });
    } catch (err) {
      if (dockerStatus(err) === 304 || dockerStatus(err) === 404) return; // already stopped or gone
      throw this.fail(err, `stop container ${id.slice(0, 12)}`);
    }
  }

  /** Force-removes a container; a container that is already gone is fine. */
  async remove(id: string): Promise<void> {
    try {
      await this.docker.getContainer(id).remove({ force: true, v: true });
    } catch (err) {
      if (dockerStatus(err) === 404) return;
      // 409 "removal already in progress" means someone else is removing it: done either way.
      if (dockerStatus(err) === 409 && /already in progress/.test(dockerMessage(err))) return;
      throw this.fail(err, `remove container ${id.slice(0, 12)}`);
    }
  }

  /** Inspects a container; `undefined` when it does not exist. */
  async inspect(id: string): Promise<ContainerDetails | undefined> {
    let info: Dockerode.ContainerInspectInfo;
    try {
      info = await this.docker.getContainer(id).inspect();
    } catch (err) {
      if (dockerStatus(err) === 404) return undefined;
      throw this.fail(err, `inspect container ${id.slice(0, 12)}`);
    }
    return {
      id: info.Id,
      name: info.Name.replace(/^\//, ''),
      image: info.Config.Image,
      state: info.State.Status,
      status: info.State.Status,
      labels: info.Config.Labels ?? {},
      created: Math.floor(Date.parse(info.Created) / 1000),
      pid: info.State.Pid,
      running: info.State.Running,
      startedAt: info.State.StartedAt,
      restartCount: info.RestartCount ?? 0,
      finishedAt: info.State.FinishedAt,
      exitCode: info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
    };
  }

  /** Waits for a container to exit and returns its exit code. */
  async wait(id: string): Promise<number> {
    try {
      const result = (await this.docker.getContainer(id).wait()) as { StatusCode: number };
      return result.StatusCode;
    } catch (err) {
      throw this.fail(err, `wait for container ${id.slice(0, 12)}`);
    }
  }

  /**
   * Runs a command in a running container, its output into `sink`; returns its exit code.
   * Docker offers no way to kill one exec: after `timeoutMs` it is abandoned and may finish
   * on its own later.
   */
  async exec(id: string, command: string[], sink: OutputSink, options: ExecOptions = {}): Promise<number> {
    const tty = options.tty ?? false;
    const stdin = options.stdin;
    let exec: Dockerode.Exec;
    let stream: Duplex;
    try {
      exec = await this.docker.getContainer(id).exec({ Cmd: command, AttachStdin: stdin !== undefined, AttachStdout: true, AttachStderr: true, Tty: tty });
      stream = await exec.start({ hijack: true, stdin: stdin !== undefined, Tty: tty });
    } catch (err) {
      throw this.fail(err, `run ${JSON.stringify(command)} in container ${id.slice(0, 12)}`);
    }
    stdin?.pipe(stream);
    options.onStart?.({
      resize: async ({ width, height }) => {
        try {
          await exec.resize({ w: width, h: height });
        } catch (err) {
          throw this.fail(err, `resize the terminal of ${JSON.stringify(command)}`);
        }
      },
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      const timedOut = new Promise<never>((_, reject) => {
        if (options.timeoutMs === undefined) return;
        timer = setTimeout(() => {
          stream.destroy();
          reject(new PodctlError('TIMEOUT', `command ${JSON.stringify(command)} did not finish within ${options.timeoutMs} ms`));
        }, options.timeoutMs);
      });
      await Promise.race([this.copyOutput(stream, tty, sink), timedOut]);
    } finally {
      clearTimeout(timer);
      stdin?.unpipe(stream);
    }
    try {
      return (await exec.inspect()).ExitCode ?? 1;
    } catch (err) {
      throw this.fail(err, `read the exit code of ${JSON.stringify(command)}`);
    }
  }

  /**
   * Attaches to a running container's stdio (`docker attach`): its output from now on into
   * `sink` until it exits or `signal` aborts; stdin goes to it if given.
   */
  async attach(id: string, sink: OutputSink, options: AttachOptions = {}): Promise<void> {
    const container = this.docker.getContainer(id);
    const stdin = options.stdin;
    let stream: NodeJS.ReadWriteStream & { destroy(): void };
    try {
      stream = (await container.attach({ stream: true, stdin: stdin !== undefined, stdout: true, stderr: true, hijack: stdin !== undefined })) as NodeJS.ReadWriteStream & { destroy(): void };
    } catch (err) {
      throw this.fail(err, `attach to container ${id.slice(0, 12)}`);
    }
    const abort = () => stream.destroy();
    if (options.signal?.aborted) abort();
    options.signal?.addEventListener('abort', abort, { once: true });
    stdin?.pipe(stream);
    options.onStart?.({
      resize: async ({ width, height }) => {
        try {
          await container.resize({ w: width, h: height });
        } catch (err) {
          throw this.fail(err, `resize the terminal of container ${id.slice(0, 12)}`);
        }
      },
    });
    try {
      await this.copyOutput(stream, options.tty ?? false, sink);
    } catch (err) {
      if (!options.signal?.aborted) throw this.fail(err, `follow the output of container ${id.slice(0, 12)}`);
    } finally {
      options.signal?.removeEventListener('abort', abort);
      stdin?.unpipe(stream);
    }
  }

  /** A container's output so far (or, with `follow`, until it stops) into `sink`. */
  async logs(id: string, sink: OutputSink, options: LogsOptions = {}): Promise<void> {
    const query = {
      stdout: true,
      stderr: true,
      timestamps: options.timestamps ?? false,
      ...(options.tail !== undefined ? { tail: options.tail } : {}),
      ...(options.since !== undefined ? { since: options.since } : {}),
      ...(options.until !== undefined ? { until: options.until } : {}),
      ...(options.signal ? { abortSignal: options.signal } : {}),
    };
    let stream: NodeJS.ReadableStream;
    try {
      const container = this.docker.getContainer(id);
      // dockerode answers a follow with a stream and a one-shot read with a buffer.
      stream = options.follow ? await container.logs({ ...query, follow: true }) : Readable.from([await container.logs({ ...query, follow: false })]);
    } catch (err) {
      if (options.signal?.aborted) return;
      if (dockerStatus(err) === 404) throw new PodctlError('NOT_FOUND', `container ${id.slice(0, 12)} not found`, { cause: err });
      throw this.fail(err, `read the logs of container ${id.slice(0, 12)}`);
    }
    // The logs of a TTY container are not multiplexed: demuxStream passes them through as stdout.
    await this.copyOutput(stream, false, sink).catch((err: unknown) => {
      if (!options.signal?.aborted) throw err;
    });
  }

  /** Copies an attached stream into the sink (demultiplexed by docker-modem unless it is a TTY's) until it ends. */
  /** Docker's event stream for containers carrying `label`, limited to `events` (one JSON object per line). */
  async events(label: string, events: string[]): Promise<NodeJS.ReadableStream & { destroy(): void }> {
    const { filters, keep } = containerEventQuery((await this.engine()).name, label, events);
    let stream: NodeJS.ReadableStream & { destroy(): void };
    try {
      stream = (await this.docker.getEvents({ filters })) as NodeJS.ReadableStream & { destroy(): void };
    } catch (err) {
      throw this.fail(err, 'follow Docker events');
    }
    return keep ? keepEventLines(stream, keep) : stream;
  }

  private copyOutput(stream: NodeJS.ReadableStream, tty: boolean, sink: OutputSink): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (tty) stream.on('data', (chunk: Buffer) => sink.stdout.write(chunk));
      else this.docker.modem.demuxStream(stream, sink.stdout, sink.stderr);
      stream.on('end', resolve);
      stream.on('close', resolve);
      stream.on('error', reject);
    });
  }

  private fail(err: unknown, doing: string): unknown {
    const wrapped = wrapDockerError(err, doing);
    if (wrapped !== err) return wrapped;
    return new PodctlError('INTERNAL', `cannot ${doing}: ${dockerMessage(err)}`, { cause: err });
  }
}


/** A sink that keeps what it is given, for callers that want the output as text (`both` in arrival order). */
export function collectOutput(): { sink: OutputSink; text: () => { stdout: string; stderr: string; both: string } } {
  const parts: Array<{ stream: 'stdout' | 'stderr'; chunk: Buffer }> = [];
  const keep = (stream: 'stdout' | 'stderr') =>
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        parts.push({ stream, chunk });
        callback();
      },
    });
  const join = (wanted: (stream: string) => boolean) => Buffer.concat(parts.filter((p) => wanted(p.stream)).map((p) => p.chunk)).toString('utf8');
  return {
    sink: { stdout: keep('stdout'), stderr: keep('stderr') },
    text: () => ({ stdout: join((s) => s === 'stdout'), stderr: join((s) => s === 'stderr'), both: join(() => true) }),
  };
}

/** The event stream with only the events `keep` accepts, one JSON object per line as before. */
function keepEventLines(source: NodeJS.ReadableStream & { destroy(): void }, keep: (event: EngineEvent) => boolean): NodeJS.ReadableStream & { destroy(): void } {
  let partial = '';
  const filtered = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const lines = (partial + String(chunk)).split('\n');
      partial = lines.pop() ?? '';
      const kept = lines.filter((line) => {
        if (line.trim() === '') return false;
        try {
          return keep(JSON.parse(line) as EngineEvent);
        } catch {
          return false; // not an event
        }
      });
      done(null, kept.length > 0 ? kept.join('\n') + '\n' : undefined);
    },
  });
  source.on('error', (err: Error) => filtered.destroy(err));
  filtered.on('close', () => source.destroy());
  return source.pipe(filtered);
}

/** True for the error `create` throws when the container's image is not on the engine. */
export const isMissingImage = (err: unknown): boolean => isPodctlError(err, 'NOT_FOUND') && err.details?.missingImage === true;
