import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderInfo, type HostInfo } from './info.js';

const cni: HostInfo['cni'] = {
  confDir: '/etc/podctl/cni/net.d',
  networks: ['podctl'],
  cniPath: ['/opt/cni/bin', '/usr/lib/cni'],
  plugins: [
    { name: 'bridge', path: '/usr/lib/cni/bridge', release: 'unknown', supportedVersions: ['0.4.0', '1.0.0'] },
    { name: 'odd', path: '/opt/cni/bin/odd', error: 'its VERSION answer is not JSON' },
  ],
};

test('renderInfo: one line per subject, then the plugins with release and spec versions', () => {
  const text = renderInfo({
    engine: { endpoint: 'unix:///run/podman/podman.sock', name: 'podman', version: '4.3.1', apiVersion: '1.41' },
    cni,
    nft: { version: 'nftables v1.0.6 (Lester Gooch #5)' },
  });
  assert.equal(
    text,
    [
      'engine:    podman 4.3.1 (API 1.41) at unix:///run/podman/podman.sock',
      'conf dir:  /etc/podctl/cni/net.d (networks: podctl)',
      'cni path:  /opt/cni/bin:/usr/lib/cni',
      'nft:       nftables v1.0.6 (Lester Gooch #5)',
      'plugins:',
      '  PLUGIN  RELEASE  CNI VERSIONS                           PATH',
      '  bridge  unknown  0.4.0,1.0.0                            /usr/lib/cni/bridge',
      '  odd     -        error: its VERSION answer is not JSON  /opt/cni/bin/odd',
      '',
    ].join('\n'),
  );
});

test('renderInfo says which engine does not answer, and what is missing', () => {
  const text = renderInfo({
    engine: { endpoint: 'unix:///run/docker.sock', error: 'no Docker engine answers (ENOENT)' },
    cni: { ...cni, networks: [], plugins: [] },
    nft: { error: 'nft not found (apt-get install nftables)' },
  });
  assert.match(text, /^engine: {4}none answers at unix:\/\/\/run\/docker\.sock: no Docker engine answers \(ENOENT\)$/m);
  assert.match(text, /\(networks: none\)/);
  assert.match(text, /^nft: {7}not available: nft not found \(apt-get install nftables\)$/m);
  assert.match(text, /^ {2}none in \/opt\/cni\/bin:\/usr\/lib\/cni$/m);
});
