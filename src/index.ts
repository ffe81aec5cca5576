/**
 * podctl as a library: the same managers the CLI is built on.
 *
 * ```ts
 * import { PodSession } from 'podctl';
 * await using pods = await PodSession.open();
 * await using web = await pods.run({ image: 'nginx:latest', wait: { http: { port: 80 } } });
 * const res = await fetch(web.url(80));
 * ```
 *
 * `PodManager` is the full pod lifecycle (run/create/start/stop/remove/list/inspect);
 * `PodSession` and `PodHandle` are the test-friendly layer over it; `CniRuntime` is the CNI
 * runtime alone (configs, ADD/CHECK/DEL/GC/STATUS, results, cache), with no Docker or pods.
 */
export { PodManager, type PodManagerOptions, type ListFilter } from './pod/manager.js';
export { PodSession, type PodSessionOptions, type ServiceInput } from './pod/pod-session.js';
export { ServiceManager } from './service/services.js';
export type { ServiceSpec, ServicePort, ServiceRecord, ServiceEndpoints, Endpoint, ServiceType, ServiceProtocol } from './service/types.js';
export { PodHandle } from './pod/pod-handle.js';
export type { PodRunOptions, ContainerRunOptions } from './pod/run-options.js';
export type { ExecResult, PodExecOptions, PodLogsOptions } from './pod/container-io.js';
export type { OutputSink } from './docker/containers.js';
export type { PodSpec, ContainerSpec, PortMapping, DnsSpec, ProbeSpec, RestartPolicy } from './pod/spec.js';
export { DEFAULT_NAMESPACE, DEFAULT_STOP_TIMEOUT, ifNameFor } from './pod/spec.js';
export type { PodView, PodState, PodContainerView } from './pod/status.js';
export type { WaitSpec } from './pod/wait.js';
export { parsePodRef, formatPodRef, type PodRef } from './pod/naming.js';
export { LABEL } from './pod/labels.js';
export { DEFAULT_PAUSE_IMAGE } from './docker/pause-image.js';

export * from './cni/index.js';
export * from './kube/index.js';

export { PodctlError, isPodctlError, type ErrorCode, type ErrorOptions } from './util/errors.js';
export { childLogger, createLogger, silentLogger, type LogFormat, type Logger, type LogLevel } from './util/logger.js';
export { defaultStatePaths, type StatePaths } from './util/paths.js';

export { trace, tracePath } from './trace/index.js';
export type { TraceRequest, TraceResult, TraceSnapshot, TraceVerdict, Hop, ServiceInfo } from './trace/types.js';
