import { createServer, type Server } from 'node:https';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { PodManager } from '../pod/manager.js';
import type { Logger } from '../util/logger.js';
import { messageOf } from '../util/errors.js';
import { bearerMatches, type ApiCredentials } from './credentials.js';
import { aggregatedContentType, aggregatedDiscovery, aggregatedVersionAccepted, apiGroupDocument, apiGroupList, apiResourceList, apiVersions } from './discovery.js';
import { readResource } from './read.js';
import { findResource, groupVersionOf, type ApiResource } from './resources.js';
import { failure, PAGE_NOT_FOUND, statusOf, UNAUTHORIZED, type Status } from './status.js';
import { tableOf, tableVersionAccepted } from './table.js';
import { kubernetesVersion } from './version.js';

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
}

const HEALTH_PATHS = ['/healthz', '/livez', '/readyz'];

class Reply {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly contentType = 'application/json',
  ) {}
}

const json = (body: unknown) => new Reply(200, body);
const statusReply = (s: Status) => new Reply(s.code, s);

export async function startApiServer(options: ApiServerOptions): Promise<Server> {
  const { credentials, logger } = options;
  const server = createServer({ key: credentials.server.key, cert: credentials.server.cert, ca: [credentials.ca.cert], requestCert: true, rejectUnauthorized: false }, (req, res) => {
    void handle(options, req).then(
      (reply) => send(res, reply),
      (err: unknown) => {
        const status = statusOf(err);
        if (status.code >= 500) logger.warn(`api: ${req.method} ${req.url}: ${messageOf(err)}`);
        send(res, statusReply(status));
      },
    );
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
  const text = typeof reply.body === 'string' ? reply.body : JSON.stringify(reply.body);
  res.writeHead(reply.status, { 'Content-Type': reply.contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

/** An upgrade refused: the Status as a plain HTTP answer on the raw connection, which then closes. */
function refuseUpgrade(socket: Duplex, status: Status): void {
  const text = JSON.stringify(status);
  socket.end(`HTTP/1.1 ${status.code} ${STATUS_CODES[status.code] ?? ''}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nCache-Control: no-cache, private\r\nConnection: close\r\n\r\n${text}`);
}

const STREAM_PATH = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)\/(exec|attach|portforward)\/?$/;

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

async function handle(options: ApiServerOptions, req: IncomingMessage): Promise<Reply> {
  const url = new URL(req.url ?? '/', 'https://podctl');
  const path = url.pathname.replace(/\/+$/, '') || '/';
  if (HEALTH_PATHS.includes(path)) return new Reply(200, 'ok', 'text/plain; charset=utf-8');
  if (path === '/version') return json(kubernetesVersion());
  if (!authenticated(req, options.credentials.token)) return statusReply(UNAUTHORIZED);
  if (req.method !== 'GET') return statusReply(METHOD_NOT_ALLOWED);
  const accept = req.headers.accept;
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
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
  // Discovery lists no watch verb yet: a watch gets the API server's answer for a verb a resource lacks.
  if (isWatch(url.searchParams)) return statusReply(METHOD_NOT_ALLOWED);
  return read(options, target, url.searchParams, accept);
}

const METHOD_NOT_ALLOWED = failure(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
const isWatch = (query: URLSearchParams) => ['true', '1'].includes(query.get('watch') ?? '');

const orNotFound = (body: unknown) => (body === undefined ? statusReply(PAGE_NOT_FOUND) : json(body));

interface Target {
  resource: ApiResource;
  namespace?: string;
  name?: string;
}

/** `pods`, `pods/NAME` (cluster-scoped only), `namespaces/NS/pods[/NAME]`; undefined for what the API server does not serve. */
export function resolveTarget(group: string, version: string, rest: string[]): Target | undefined {
  const [first, second, third, fourth, ...more] = rest;
  if (more.length > 0) return undefined;
  if (first === 'namespaces' && third !== undefined) {
    const resource = findResource(group, version, third);
    return resource?.namespaced ? { resource, namespace: second, ...(fourth !== undefined ? { name: fourth } : {}) } : undefined;
  }
  if (third !== undefined) return undefined;
  const resource = findResource(group, version, first!);
  if (!resource || (second !== undefined && resource.namespaced)) return undefined;
  return { resource, ...(second !== undefined ? { name: second } : {}) };
}

async function read(options: ApiServerOptions, { resource, namespace, name }: Target, query: URLSearchParams, accept: string | undefined): Promise<Reply> {
  const tableVersion = tableVersionAccepted(accept);
  const result = await readResource(options.pods, resource, { namespace, name, labelSelector: query.get('labelSelector'), fieldSelector: query.get('fieldSelector'), table: tableVersion !== undefined });
  if (tableVersion) return json(tableOf(result, tableVersion, query.get('includeObject') === 'None' ? 'None' : 'PartialObjectMetadata'));
  if (name !== undefined) return json(result.objects![0]);
  return json({ kind: `${resource.kind}List`, apiVersion: groupVersionOf(resource), metadata: { resourceVersion: '' }, items: result.objects });
}
