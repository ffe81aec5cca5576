import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { certificateCovers, issueCertificate, makeCa } from './pki.js';

test('a serving certificate signed by the CA names its hosts; a client certificate carries its groups', async () => {
  const ca = await makeCa();
  const server = await issueCertificate(ca, { commonName: 'podctl', hosts: ['127.0.0.1', 'localhost', '127.0.0.2'] });
  const caCert = new X509Certificate(ca.cert);
  const cert = new X509Certificate(server.cert);
  assert.ok(caCert.ca);
  assert.ok(cert.verify(caCert.publicKey), 'signed by the CA');
  assert.ok(cert.checkIssued(caCert));
  assert.ok(certificateCovers(server.cert, ['127.0.0.1', 'localhost', '127.0.0.2']));
  assert.equal(certificateCovers(server.cert, ['10.1.2.3']), false);
  assert.equal(certificateCovers(server.cert, ['127.0.0.1'], Date.now() + 2 * 365 * 86_400_000), false, 'expired by then');
  const client = new X509Certificate((await issueCertificate(ca, { commonName: 'admin', organizations: ['system:masters'] })).cert);
  assert.match(client.subject, /CN=admin/);
  assert.match(client.subject, /O=system:masters/);
  assert.equal(client.subjectAltName, undefined);
  assert.ok(client.verify(caCert.publicKey));
});
