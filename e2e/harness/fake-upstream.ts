import { join } from 'node:path';
import { execa } from 'execa';
import { REPO_ROOT, sh } from './run.js';

/**
 * A DNS resolver for tests that forward: a Node server in a network namespace of the test's
 * own, reached from the host over a veth pair (10.253.77.1 <-> 10.253.77.2), so no query
 * leaves the machine. It answers `example.test A 192.0.2.7` and NXDOMAIN to everything else.
 */
export const FAKE_UPSTREAM = '10.253.77.2';

const SERVER = `
const dgram = require('node:dgram');
const packet = require(${JSON.stringify(join(REPO_ROOT, 'node_modules', 'dns-packet'))});
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => {
  const q = packet.decode(m);
  const known = q.questions[0].name === 'example.test' && q.questions[0].type === 'A';
  const reply = packet.encode({ id: q.id, type: 'response', flags: known ? 0x80 : 0x83, questions: q.questions,
    answers: known ? [{ name: 'example.test', type: 'A', ttl: 60, data: '192.0.2.7' }] : [] });
  s.send(reply, r.port, r.address);
});
s.bind(53, ${JSON.stringify(FAKE_UPSTREAM)}, () => console.log('ready'));
`;

export async function startFakeUpstream(tag: string): Promise<{ stop: () => Promise<void> }> {
  const ns = `pct-dnsup-${tag}`;
  const hostEnd = `pdu${tag}h`.slice(0, 15);
  const nsEnd = `pdu${tag}n`.slice(0, 15);
  await sh('ip', ['netns', 'add', ns]);
  const stopNs = () => execa('ip', ['netns', 'delete', ns], { reject: false });
  try {
    await sh('ip', ['link', 'add', hostEnd, 'type', 'veth', 'peer', 'name', nsEnd, 'netns', ns]);
    await sh('ip', ['addr', 'add', '10.253.77.1/30', 'dev', hostEnd]);
    await sh('ip', ['link', 'set', hostEnd, 'up']);
    await sh('ip', ['-n', ns, 'addr', 'add', `${FAKE_UPSTREAM}/30`, 'dev', nsEnd]);
    await sh('ip', ['-n', ns, 'link', 'set', nsEnd, 'up']);
    await sh('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await stopNs();
    throw err;
  }
  const server = execa('ip', ['netns', 'exec', ns, process.execPath, '-e', SERVER], { reject: false });
  const stop = async () => {
    server.kill('SIGKILL');
    await server.catch(() => undefined);
    await stopNs();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      void server.then((r) => reject(new Error(`fake upstream ended: ${String(r.stderr)}`)));
    });
  } catch (err) {
    await stop();
    throw err;
  }
  return { stop };
}
