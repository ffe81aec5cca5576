import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseListeners } from './listeners.js';

test('ss -Hlnptu: TCP listeners and bound UDP sockets with address, port and process', () => {
  const text = [
    'tcp   LISTEN 0      511          0.0.0.0:80        0.0.0.0:*    users:(("nginx",pid=4242,fd=6),("nginx",pid=4200,fd=6))',
    'tcp   LISTEN 0      511             [::]:80           [::]:*    users:(("nginx",pid=4242,fd=7))',
    'udp   UNCONN 0      0      127.0.0.11%lo:53        0.0.0.0:*',
    'tcp   LISTEN 0      4096      10.99.0.5:8080      0.0.0.0:*    users:(("httpd",pid=77,fd=3))',
    'garbage line',
  ].join('\n');
  assert.deepEqual(parseListeners(text), [
    { protocol: 'tcp', address: '0.0.0.0', port: 80, process: 'nginx' },
    { protocol: 'tcp', address: '[::]', port: 80, process: 'nginx' },
    { protocol: 'udp', address: '127.0.0.11', port: 53 },
    { protocol: 'tcp', address: '10.99.0.5', port: 8080, process: 'httpd' },
  ]);
});
