import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * The API's X.509: a CA, the serving certificate it signs (SANs: 127.0.0.1, localhost and the
 * listen address) and client certificates. Keys are made by Node's crypto (native, fast);
 * certificates are built and signed by node-forge, a maintained library (no ASN.1 by hand).
 * forge is loaded only here, when a certificate must be made (first start, a new address).
 */
export interface KeyPairPem {
  cert: string;
  key: string;
}

type Forge = typeof import('node-forge');
const loadForge = async (): Promise<Forge> => ((await import('node-forge')) as unknown as { default: Forge }).default;

function rsaKeys(forge: Forge) {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs1', format: 'pem' } });
  return { pem: privateKey, privateKey: forge.pki.privateKeyFromPem(privateKey), publicKey: forge.pki.publicKeyFromPem(publicKey) };
}

/** A positive serial number (the high bit clear), as RFC 5280 wants. */
const serial = () => `01${randomBytes(15).toString('hex')}`;

function newCertificate(forge: Forge, publicKey: import('node-forge').pki.PublicKey, commonName: string, years: number) {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = serial();
  cert.validity.notBefore = new Date(Date.now() - 60_000);
  cert.validity.notAfter = new Date(Date.now() + years * 365 * 86_400_000);
  cert.setSubject([{ name: 'commonName', value: commonName }]);
  return cert;
}

/** A self-signed CA, valid 10 years. */
export async function makeCa(commonName = 'podctl-ca'): Promise<KeyPairPem> {
  const forge = await loadForge();
  const keys = rsaKeys(forge);
  const cert = newCertificate(forge, keys.publicKey, commonName, 10);
  cert.setIssuer(cert.subject.attributes);
  cert.setExtensions([{ name: 'basicConstraints', cA: true, critical: true }, { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true }, { name: 'subjectKeyIdentifier' }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** A leaf certificate signed by `ca`: a server's (SANs given) or a client's (organizations as its groups). */
export async function issueCertificate(ca: KeyPairPem, leaf: { commonName: string; hosts?: string[]; organizations?: string[] }): Promise<KeyPairPem> {
  const forge = await loadForge();
  const keys = rsaKeys(forge);
  const caCert = forge.pki.certificateFromPem(ca.cert);
  const cert = newCertificate(forge, keys.publicKey, leaf.commonName, 1);
  for (const o of leaf.organizations ?? []) cert.subject.addField({ name: 'organizationName', value: o });
  cert.setIssuer(caCert.subject.attributes);
  const server = leaf.hosts !== undefined;
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: server, clientAuth: !server },
    { name: 'authorityKeyIdentifier', keyIdentifier: caCert.generateSubjectKeyIdentifier().getBytes() },
    ...(server ? [{ name: 'subjectAltName', altNames: (leaf.hosts ?? []).map((h) => (isIP(h) ? { type: 7, ip: h } : { type: 2, value: h })) }] : []),
  ]);
  cert.sign(forge.pki.privateKeyFromPem(ca.key), forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: keys.pem };
}

/** Whether a certificate (PEM) names every host in its SANs and is valid for a day more (read with Node's X509Certificate). */
export function certificateCovers(pem: string, hosts: string[], now = Date.now()): boolean {
  const cert = new X509Certificate(pem);
  if (Date.parse(cert.validTo) < now + 86_400_000) return false;
  const sans = (cert.subjectAltName ?? '').split(', ');
  return hosts.every((h) => sans.includes(isIP(h) ? `IP Address:${h}` : `DNS:${h}`));
}
