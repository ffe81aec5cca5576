import { randomBytes, timingSafeEqual } from 'node:crypto';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from '../util/atomic-file.js';
import { certificateCovers, issueCertificate, makeCa, type KeyPairPem } from './pki.js';

/**
 * What clients trust and present: the CA, the serving certificate and the bearer token, made on
 * the first start and kept (0600 in a 0700 directory) under `<stateDir>/api`, so a kubeconfig
 * stays good across restarts. The serving certificate is made again when it does not cover the
 * listen address (a new `--listen`) or is about to expire.
 */
export interface ApiCredentials {
  ca: KeyPairPem;
  server: KeyPairPem;
  token: string;
}

export const apiDir = (stateDir: string): string => join(stateDir, 'api');

const FILES = { caCert: 'ca.crt', caKey: 'ca.key', serverCert: 'server.crt', serverKey: 'server.key', token: 'token' };

/** The hosts the serving certificate names: loopback by both names, and the address it listens on. */
export const servingHosts = (listenHost: string): string[] => [...new Set(['127.0.0.1', 'localhost', listenHost].filter((h) => h !== '0.0.0.0' && h !== '::'))];

export async function ensureCredentials(stateDir: string, listenHost: string): Promise<ApiCredentials> {
  const dir = apiDir(stateDir);
  const read = (name: string) => readTextIfExists(join(dir, name));
  const write = (name: string, text: string) => writeFileAtomic(join(dir, name), text, { mode: 0o600, durable: true });
  let [caCert, caKey, token] = await Promise.all([read(FILES.caCert), read(FILES.caKey), read(FILES.token)]);
  if (!caCert || !caKey) {
    ({ cert: caCert, key: caKey } = await makeCa());
    // The key first: a CA certificate without its key would be kept and could sign nothing.
    await write(FILES.caKey, caKey);
    await write(FILES.caCert, caCert);
    await write(FILES.serverCert, ''); // what the old CA signed is no good
  }
  if (!token) await write(FILES.token, (token = randomBytes(32).toString('base64url')));
  const ca = { cert: caCert, key: caKey };
  const hosts = servingHosts(listenHost);
  let [serverCert, serverKey] = await Promise.all([read(FILES.serverCert), read(FILES.serverKey)]);
  if (!serverCert || !serverKey || !certificateCovers(serverCert, hosts)) {
    ({ cert: serverCert, key: serverKey } = await issueCertificate(ca, { commonName: 'podctl-apiserver', hosts }));
    await write(FILES.serverKey, serverKey);
    await write(FILES.serverCert, serverCert);
  }
  return { ca, server: { cert: serverCert, key: serverKey }, token: token.trim() };
}

/** What a client needs to reach the server (for a kubeconfig): the CA certificate and the token; undefined before the first start. */
export async function readClientCredentials(stateDir: string): Promise<{ caCert: string; token: string } | undefined> {
  const [caCert, token] = await Promise.all([readTextIfExists(join(apiDir(stateDir), FILES.caCert)), readTextIfExists(join(apiDir(stateDir), FILES.token))]);
  return caCert && token ? { caCert, token: token.trim() } : undefined;
}

/** `Authorization: Bearer <token>` compared in constant time. */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!m) return false;
  const given = Buffer.from(m[1]!);
  const want = Buffer.from(token);
  return given.length === want.length && timingSafeEqual(given, want);
}
