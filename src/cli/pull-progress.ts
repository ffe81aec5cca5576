import type { PullEvent } from '../docker/images.js';

/**
 * Shows an image pull as docker does: one line per layer, redrawn in place on a terminal;
 * in CI (no TTY) each layer's status is printed once per change, without progress bars.
 */
export function pullRenderer(out: NodeJS.WriteStream): (event: PullEvent) => void {
  const lines = new Map<string, string>();
  const order: string[] = [];
  let drawn = 0;
  return (event) => {
    const key = event.id ?? event.image;
    const text = `${event.id ? event.id + ': ' : ''}${event.status}${event.progress && out.isTTY ? ' ' + event.progress : ''}`;
    if (lines.get(key) === text) return;
    if (!lines.has(key)) order.push(key);
    lines.set(key, text);
    if (!out.isTTY) {
      out.write(`${event.image}: ${text}\n`);
      return;
    }
    if (drawn > 0) out.write(`\x1b[${drawn}A`);
    for (const k of order) out.write(`\x1b[2K${lines.get(k)}\n`);
    drawn = order.length;
  };
}
