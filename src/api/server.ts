import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { PodManager } from '../pod/manager.js';
import type { Logger } from '../util/logger.js';
import { messageOf } from '../util/errors.js';
import { bearerMatches, type ApiCredentials } from './credentials.js';
import { aggregatedContentType, aggregatedDiscovery, aggregatedVersionAccepted, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { prepareLogs } from './logs.js';
import { pageOf } from './paging.js';
import { readResource } from './read.js';
import { withManagedFields } from './apply/managed-store.js';
import { findResource, groupVersionOf, isSubresource, writable, type ApiResource, type Subresource } from './resources.js';
import { failure, PAGE_NOT_FOUND, statusOf, UNAUTHORIZED, type Status } from './status.js';
import { tableOf, tableVersionAccepted } from './table.js';
import { kubernetesVersion } from './version.js';
import { queryFlag, serveWatch, stampVersions, type Watching } from './watch.js';
import { watchable } from './watchable.js';

/**
 * The Kubernetes API over HTTPS, for kubectl and client libraries: health and version (open to
 * anyone, as the API server's RBAC leaves them), then, for a client with the bearer token or a
 * certificate the CA signed, discovery and the read verbs of the resources podctl keeps.
 */
export interface ApiServerOptions {
  pods: PodManager;
  logger: Logger;
  credentials: ApiCredentials;
  host: string;
  port: number;
  /** The store's change feed and the observed pods and Services: watches, and the resourceVersions reads carry. */
  watching?: Watching;
}

const HEALTH_PATHS = ['/healthz', '/livez', '/readyz'];

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
    /** `Warning` headers: `299 - "text"`, as the API server sends them. */
    readonly warnings: string[] = [],
  ) {}
}

/** An answer written as it is produced (logs, watches); a failure before its first byte becomes a Status. */
class Streamed {
  constructor(readonly write: (res: ServerResponse) => Promise<void>) {}
}

const json = (body: unknown) => new Reply(200, body);
const statusReply = (s: Status) => new Reply(s.code, s);

export async function startApiServer(options: ApiServerOptions): Promise<Server> {
  const { credentials, logger } = options;
  const server = createServer({ key: credentials.server.key, cert: credentials.server.cert, ca: [credentials.ca.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    const fail = (err: unknown) => {
      const status = statusOf(err);
      if (status.code >= 500) logger.warn(`api: ${req.method} ${req.url}: ${messageOf(err)}`);
      send(res, statusReply(status));
    };
    // A streamed answer that fails after its first byte can only end.
    const failStreamed = (err: unknown) => (res.headersSent ? (logger.debug(`api: ${req.method} ${req.url}: ${messageOf(err)}`), res.end()) : fail(err));
    void handle(options, req).then((reply) => (reply instanceof Streamed ? reply.write(res).catch(failStreamed) : send(res, reply)), fail);
  });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', (err) => logger.debug(`api: ${req.method} ${req.url}: ${err.message}`));
    void upgrade(options, req, socket, head).catch((err: unknown) => {
      const status = statusOf(err);
      if (status.code >= 500) logger.warn(`api: ${req.method} ${req.url}: ${messageOf(err)}`);
      refuseUpgrade(socket, status);
    });
  });
  // A client that goes away mid-request must not end serve.
  server.on('tlsClientError', (err) => logger.debug(`api: TLS: ${err.message}`));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (err) => logger.warn(`api: ${err.message}`));
  return server;
}

function send(res: ServerResponse, reply: Reply): void {
  const text = typeof reply.body === 'string' || Buffer.isBuffer(reply.body) ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    'Content-Type': reply.contentType,
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-cache, private',
    ...(reply.warnings.length ? { Warning: reply.warnings.map((w) => `299 - ${JSON.stringify(w.replace(/[^\x20-\x7e]/g, ' '))}`) } : {}),
  });
  res.end(text);
}

/** An upgrade refused: the Status as a plain HTTP answer on the raw connection, which then closes. */
function refuseUpgrade(socket: Duplex, status: Status): void {
  const text = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${text}`);
}

const STREAM_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;
const LOG_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/log$/;

/** Requests that upgrade the connection (exec, attach, portforward); each streaming handler loads on its first use. */
async function upgrade(options: ApiServerOptions, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
  if (!authenticated(req, options.credentials.token)) return refuseUpgrade(socket, UNAUTHORIZED);
  const url = new URL(req.url ?? '/', 'https://podctl');
  const stream = STREAM_PATH.exec(url.pathname);
  if (!stream) return refuseUpgrade(socket, PAGE_NOT_FOUND);
  const ref = { namespace: decodeURIComponent(stream[1]!), name: decodeURIComponent(stream[2]!) };
  if (stream[3] === 'portforward') return (await import('./port-forward.js')).servePortForward(options, req, socket, head, ref, url.searchParams);
  const { serveExec } = await import('./exec.js');
  await serveExec(options, req, socket, head, ref, url.searchParams, stream[3] === 'attach' ? 'attach' : 'exec');
}

function authenticated(req: IncomingMessage, token: string): boolean {
  return bearerMatches(req.headers.authorization, token) || (req.socket as TLSSocket).authorized === true;
}

async function handle(options: ApiServerOptions, req: IncomingMessage): Promise<Reply | Streamed> {
  const url = new URL(req.url ?? '/', 'https://podctl');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (HEALTH_PATHS.includes(path)) return new Reply(200, 'ok', 'text/plain; charset=utf-8');
  if (path === '/version') return json(kubernetesVersion());
  if (!authenticated(req, options.credentials.token)) return statusReply(UNAUTHORIZED);
  if (req.method !== 'GET') return write(options, path, req, url.searchParams);
  const log = LOG_PATH.exec(path);
  if (log) return new Streamed(await prepareLogs(options.pods, options.logger, { namespace: decodeURIComponent(log[1]!), name: decodeURIComponent(log[2]!) }, url.searchParams));
  const accept = req.headers.accept;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'openapi' && (parts[1] === 'v3' || (parts[1] === 'v2' && parts.length === 2))) {
    // Loaded (with its definitions) on the first request: serve's start-up reads none of it.
    const { openApiV2, openApiV3 } = await import('./openapi.js');
    if (parts[1] === 'v2') {
      const { body, contentType } = await openApiV2(req.headers.accept, kubernetesVersion().gitVersion!);
      return new Reply(200, body, contentType);
    }
    const body = await openApiV3(parts.slice(2), kubernetesVersion().gitVersion!);
    return body === undefined ? statusReply(PAGE_NOT_FOUND) : new Reply(200, body);
  }
  if (parts[0] === 'api' && parts.length === 1) {
    const v = aggregatedVersionAccepted(accept);
    return v ? new Reply(200, aggregatedDiscovery(true, v), aggregatedContentType(v)) : json(apiVersions(`${options.host}:${options.port}`));
  }
  if (parts[0] === 'apis' && parts.length === 1) {
    const v = aggregatedVersionAccepted(accept);
    return v ? new Reply(200, aggregatedDiscovery(false, v), aggregatedContentType(v)) : json(apiGroupList());
  }
  if (parts[0] === 'apis' && parts.length === 2) return orNotFound(apiGroupDocument(parts[1]!));
  const [group, version, rest] = parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : parts[0] === 'apis' ? [parts[1]!, parts[2], parts.slice(3)] : ['', undefined, []];
  if (version === undefined) return statusReply(PAGE_NOT_FOUND);
  if (rest.length === 0) return orNotFound(apiResourceList(group, version));
  const target = resolveTarget(group, version, rest);
  if (!target) return statusReply(PAGE_NOT_FOUND);
  if (target.subresource) return write(options, path, req, url.searchParams);
  if (isWatch(url.searchParams)) {
    // A resource without the watch verb in discovery gets the API server's answer for a verb a resource lacks.
    const watching = options.watching;
    if (!watching || !watchable(target.resource)) return statusReply(METHOD_NOT_ALLOWED);
    const table = tableVersionAccepted(accept);
    return new Streamed((res) => serveWatch(options.pods, watching, { ...target, query: url.searchParams, table }, res));
  }
  return read(options, target, url.searchParams, accept);
}

/** The write verbs on a resource path (write.ts, loaded on the first write), and the scale and status subresources (scale.ts, status-subresource.ts); 405 on any other path. */
async function write(options: ApiServerOptions, path: string, req: IncomingMessage, query: URLSearchParams): Promise<Reply> {
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [group, version, rest] = parts[0] === 'api' ? ['', parts[1], parts.slice(2)] : parts[0] === 'apis' ? [parts[1]!, parts[2], parts.slice(3)] : ['', undefined, []];
  const target = version !== undefined && rest.length > 0 ? resolveTarget(group, version, rest) : undefined;
  if (!target || !writable(target.resource)) return statusReply(METHOD_NOT_ALLOWED);
  const observed = options.watching?.observed;
  const reply =
    target.subresource === 'scale'
      ? await (await import('./scale.js')).serveScale(options.pods, target, req, query)
      : target.subresource === 'status'
        ? await (await import('./status-subresource.js')).serveStatus(options.pods, target, req, query, observed)
        : await (await import('./write.js')).serveWrite(options.pods, target, req, query, observed);
  return new Reply(reply.code, reply.body, 'application/json', reply.warnings);
}

const METHOD_NOT_ALLOWED = failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
const isWatch = (query: URLSearchParams) => queryFlag(query, 'watch');

const orNotFound = (body: unknown) => (body === undefined ? statusReply(PAGE_NOT_FOUND) : json(body));

interface Target {
  resource: ApiResource;
  namespace?: string;
  name?: string;
  /** `scale` of `deployments/NAME/scale`, `status` of `pods/NAME/status`. */
  subresource?: Subresource;
}

/** `pods`, `pods/NAME` (cluster-scoped only), `namespaces/NS/pods[/NAME[/scale|status]]`; undefined for what the API server does not serve. */
export function resolveTarget(group: string, version: string, rest: string[]): Target | undefined {
  const [first, second, third, fourth, fifth, ...more] = rest;
  if (more.length > 0) return undefined;
  if (first === 'namespaces' && third !== undefined) {
    const resource = findResource(group, version, third);
    if (fifth !== undefined) return isSubresource(fifth) && fourth !== undefined && resource?.namespaced && resource.subresources?.includes(fifth) ? { resource, namespace: second, name: fourth, subresource: fifth } : undefined;
    return resource?.namespaced ? { resource, namespace: second, ...(fourth !== undefined ? { name: fourth } : {}) } : undefined;
  }
  if (fifth !== undefined) return undefined;
  if (third !== undefined) return undefined;
  const resource = findResource(group, version, first!);
  if (!resource || (second !== undefined && resource.namespaced)) return undefined;
  return { resource, ...(second !== undefined ? { name: second } : {}) };
}

async function read(options: ApiServerOptions, { resource, namespace, name }: Target, query: URLSearchParams, accept: string | undefined): Promise<Reply> {
  const tableVersion = tableVersionAccepted(accept);
  // The list's version is read before the list: a watch from it misses nothing the list did not show.
  const listRv = options.watching ? String(options.watching.feed.last) : '';
  const read = await readResource(options.pods, resource, { namespace, name, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'), table: tableVersion !== undefined });
  const watching = options.watching;
  if (watching) stampVersions(watching, resource, read);
  const page = name === undefined ? pageOf(read, query.get('limit'), query.get('continue')) : { result: read };
  if ('kind' in page) return statusReply(page);
  const { result } = page;
  const listMeta = { resourceVersion: listRv, ...(page.continue ? { continue: page.continue, remainingItemCount: page.remainingItemCount } : {}) };
  if (tableVersion) return json({ ...tableOf(result, tableVersion, query.get('includeObject') === 'None' ? 'None' : 'PartialObjectMetadata'), ...(name === undefined ? { metadata: listMeta } : {}) });
  // The objects' managedFields, kept beside them by the API's writes (apply/managed-store.ts).
  const objects = await withManagedFields(options.pods.stateDir, resource.kind, result.objects!);
  if (name !== undefined) return json(objects[0]);
  return json({ kind: `${resource.kind}List`, apiVersion: groupVersionOf(resource), metadata: listMeta, items: objects });
}
