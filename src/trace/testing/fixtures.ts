import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TraceSnapshot } from '../types.js';

/**
 * Snapshots captured on a real host with `podctl trace ... --save-snapshot` (testdata/):
 * pod-to-pod and host-to-pod on the shipped network (firewall + portmap), pod → host:PORT,
 * two pods on a bridge network without the firewall plugin under Docker's FORWARD DROP, a
 * network whose route names a gateway the bridge does not have, a pod to itself, the host to
 * one of its own published ports (127.0.0.1).
 */
const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'testdata');

export const loadSnapshot = (name: string): TraceSnapshot => JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as TraceSnapshot;

export const loadRuleset = (name: string): { json: unknown; text: string } => ({
  json: JSON.parse(readFileSync(join(dir, `${name}-ruleset.json`), 'utf8')),
  text: readFileSync(join(dir, `${name}-ruleset.txt`), 'utf8'),
});
