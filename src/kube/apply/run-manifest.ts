import type { PodHandle } from '../../pod/pod-handle.js';
import type { PodSession } from '../../pod/pod-session.js';
import type { WaitSpec } from '../../pod/wait.js';
import { loadPods } from './load-pods.js';
import { parseManifestText, type ManifestDocument } from './read-manifests.js';

export interface RunManifestOptions {
  /** Wait for each pod's startup/readiness probes (`{ timeoutMs }`). */
  wait?: WaitSpec;
  strict?: boolean;
  /** Receives the warning about fields podctl cannot honour (default: ignored). */
  onWarning?: (line: string) => void;
}

/**
 * Runs the Pods of a manifest (YAML/JSON text, or an object) in a library session and returns
 * their handles in manifest order. If one fails, the pods already started are removed again.
 */
export async function runManifest(session: PodSession, manifest: string | object, options: RunManifestOptions = {}): Promise<PodHandle[]> {
  const docs: ManifestDocument[] = typeof manifest === 'string' ? parseManifestText(manifest, 'manifest') : [{ source: 'manifest', value: manifest }];
  const { pods, warnings } = loadPods(docs, session.manifestDefaults(), { strict: options.strict ?? false });
  warnings.forEach((w) => options.onWarning?.(w));
  const handles: PodHandle[] = [];
  try {
    for (const pod of pods) handles.push(await session.runSpec(pod.spec, options.wait));
    return handles;
  } catch (err) {
    await Promise.allSettled(handles.map((h) => h.remove()));
    throw err;
  }
}
