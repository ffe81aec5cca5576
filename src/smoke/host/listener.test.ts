import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { freeLocalPorts } from './listener.js';

test('freeLocalPorts gives distinct ports on 127.0.0.1, all free again afterwards', async () => {
  const ports = await freeLocalPorts(50);
  assert.equal(ports.length, 50);
  assert.equal(new Set(ports).size, 50, 'held at once, the kernel cannot hand one out twice');
  assert.ok(ports.every((p) => p > 0));
  // Given back: each can be listened on again.
  for (const port of ports.slice(0, 5)) {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
  }
  assert.deepEqual(await freeLocalPorts(0), []);
});
