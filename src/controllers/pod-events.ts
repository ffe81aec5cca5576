import { LABEL, userLabels } from '../pod/labels.js';

/** A Docker event of one of podctl's containers, as the controllers need it. */
export interface PodEvent {
  action: string;
  namespace: string;
  pod: string;
  role: string;
  /** The pod's own labels (Docker puts them, with its own attributes, in the event). */
  labels: Record<string, string>;
}

/** Docker's attributes that are not labels. */
const DOCKER_ATTRIBUTES = new Set(['name', 'image', 'exitCode', 'signal', 'execDuration']);

/** The events of one chunk of Docker's stream (one JSON object per line); others are skipped. */
export function parsePodEvents(text: string): PodEvent[] {
  const out: PodEvent[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    let e: { Action?: string; status?: string; Actor?: { Attributes?: Record<string, string> } };
    try {
      e = JSON.parse(line) as typeof e;
    } catch {
      continue;
    }
    const attrs = e.Actor?.Attributes ?? {};
    const pod = attrs[LABEL.pod];
    const namespace = attrs[LABEL.namespace];
    if (!pod || !namespace) continue;
    const labels = Object.fromEntries(Object.entries(userLabels(attrs)).filter(([k]) => !DOCKER_ATTRIBUTES.has(k)));
    // health_status events carry the status after a colon ("health_status: unhealthy").
    const action = (e.Action ?? e.status ?? '').split(':')[0]!.trim();
    out.push({ action, namespace, pod, role: attrs[LABEL.role] ?? 'app', labels });
  }
  return out;
}
