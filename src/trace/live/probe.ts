import type { ProbeTuple } from './trace-table.js';

/**
 * The probe: one TCP connection (then an HTTP GET, reading the status line) or one UDP
 * datagram, from a fixed source address and port so the trace rule can match exactly it.
 * It runs as `node -e` inside the source's namespace (`ip netns exec`), or on the host.
 */
export interface ProbeOutcome {
  result: 'connected' | 'refused' | 'timeout' | 'sent' | 'error';
  detail: string;
}

// Runs in a fresh node: argv = protocol daddr dport saddr sport. Prints one JSON line.
const SCRIPT = `
const [proto, daddr, dport, saddr, sport] = process.argv.slice(1);
const done = (result, detail) => { process.stdout.write(JSON.stringify({ result, detail }) + '\\n'); process.exit(0); };
setTimeout(() => done(proto === 'udp' ? 'sent' : 'timeout', proto === 'udp' ? 'no answer in 2 s' : 'no answer to the SYN in 2 s'), 2000);
if (proto === 'tcp') {
  const s = require('net').connect({ host: daddr, port: +dport, localAddress: saddr, localPort: +sport });
  let got = '';
  s.on('connect', () => s.write('GET / HTTP/1.0\\r\\nHost: ' + daddr + '\\r\\n\\r\\n'));
  s.on('data', (d) => { got += d; if (got.includes('\\n')) { s.destroy(); done('connected', got.split('\\r\\n')[0].split('\\n')[0].slice(0, 80)); } });
  s.on('end', () => done('connected', got ? got.split('\\n')[0].slice(0, 80) : 'connection accepted, closed without data'));
  s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.code || e.message));
} else {
  const s = require('dgram').createSocket('udp4');
  s.on('error', (e) => done(e.code === 'ECONNREFUSED' ? 'refused' : 'error', e.code || e.message));
  s.on('message', (m) => done('connected', 'answered: ' + String(m).slice(0, 60)));
  s.bind({ address: saddr, port: +sport }, () => s.connect(+dport, daddr, () => s.send('podctl trace probe\\n')));
}
`;

export function probeCommand(t: ProbeTuple, netns: string | undefined): { file: string; args: string[] } {
  const node = ['-e', SCRIPT, t.protocol, t.daddr, String(t.dport), t.saddr, String(t.sport)];
  return netns ? { file: 'ip', args: ['netns', 'exec', netns, process.execPath, ...node] } : { file: process.execPath, args: node };
}

export function parseProbeOutput(stdout: string): ProbeOutcome {
  try {
    return JSON.parse(stdout.trim().split('\n').pop() ?? '') as ProbeOutcome;
  } catch {
    return { result: 'error', detail: stdout.trim().slice(0, 200) || 'the probe printed nothing' };
  }
}
