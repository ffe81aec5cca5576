import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HOSTS_MARK, clusterSearches, renderServiceHosts, serviceEnv, withServiceHosts } from './dns.js';
import type { ServiceEndpoints, ServiceRecord } from './types.js';

const rec = (name: string, namespace: string, clusterIP: string): ServiceRecord => ({
  version: 1, name, namespace, labels: {}, selector: { app: name }, type: 'ClusterIP', clusterIP, uid: '', createdAt: '', ports: [{ name: 'http', protocol: 'TCP', port: 80, targetPort: 80 }, { name: 'metrics', protocol: 'TCP', port: 9100, targetPort: 9100 }],
});
const eps = (service: ServiceRecord, podIPs: string[]): ServiceEndpoints => ({ service, ports: [], podIPs, unresolved: [] });

describe('cluster DNS in hosts files', () => {
  it('names services of the pod namespace short and long, others only qualified; headless gets pod IPs', () => {
    const block = renderServiceHosts([eps(rec('web', 'shop', '10.96.0.5'), ['10.99.0.2']), eps(rec('peers', 'default', 'None'), ['10.99.0.3', '10.99.0.4'])], 'shop');
    assert.equal(
      block,
      `${HOSTS_MARK}\n10.99.0.3\tpeers.default.svc.cluster.local peers.default.svc peers.default\n10.99.0.4\tpeers.default.svc.cluster.local peers.default.svc peers.default\n10.96.0.5\tweb.shop.svc.cluster.local web.shop.svc web.shop web\n`,
    );
  });

  it("writes a headless service's named pods as <hostname>.<service>, with the same forms as the service", () => {
    const block = renderServiceHosts([{ ...eps(rec('web', 'shop', 'None'), ['10.99.0.3']), podHosts: [{ ip: '10.99.0.3', hostname: 'web-0' }] }], 'shop');
    assert.equal(block, `${HOSTS_MARK}\n10.99.0.3\tweb.shop.svc.cluster.local web.shop.svc web.shop web\n10.99.0.3\tweb-0.web.shop.svc.cluster.local web-0.web.shop.svc web-0.web.shop web-0.web\n`);
  });

  it('replaces only its own block of a hosts file, and removes it when no service is left', () => {
    const base = '127.0.0.1\tlocalhost\n10.99.0.9\tme\n';
    const once = withServiceHosts(base, `${HOSTS_MARK}\n1.1.1.1\ta\n`);
    assert.equal(withServiceHosts(once, `${HOSTS_MARK}\n2.2.2.2\tb\n`), `${base}${HOSTS_MARK}\n2.2.2.2\tb\n`);
    assert.equal(withServiceHosts(once, ''), base);
  });

  it('gives the Kubernetes search list', () => {
    assert.deepEqual(clusterSearches('shop'), ['shop.svc.cluster.local', 'svc.cluster.local', 'cluster.local']);
  });
});

describe('serviceEnv', () => {
  it('exports host and ports of the namespace services with an address', () => {
    assert.deepEqual(serviceEnv([rec('my-web', 'shop', '10.96.0.5'), rec('other', 'default', '10.96.0.6'), rec('peers', 'shop', 'None')], 'shop'), {
      MY_WEB_SERVICE_HOST: '10.96.0.5',
      MY_WEB_SERVICE_PORT: '80',
      MY_WEB_SERVICE_PORT_HTTP: '80',
      MY_WEB_SERVICE_PORT_METRICS: '9100',
    });
  });
});
