import type { ReadResult } from './read.js';

/**
 * The API server's Table (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), which
 * `kubectl get` prints as it comes: podctl's columns (the `-o wide` ones at priority 1, which
 * kubectl shows only with `-o wide`), the name column marked so kubectl prefixes `pod/` when it
 * prints several kinds, and each row's object metadata (kubectl's NAMESPACE and LABELS columns
 * come from it).
 */

/** The Table version an Accept header asks for, in the client's order; undefined when it wants objects. */
export function tableVersionAccepted(accept: string | undefined): 'v1' | 'v1beta1' | undefined {
  for (const part of (accept ?? '').split(',')) {
    const params = new Map(part.split(';').slice(1).map((p) => p.trim().split('=') as [string, string]));
    const v = params.get('v');
    if (params.get('as') === 'Table' && params.get('g') === 'meta.k8s.io' && (v === 'v1' || v === 'v1beta1')) return v;
  }
  return undefined;
}

export type IncludeObject = 'None' | 'PartialObjectMetadata';

export function tableOf(result: ReadResult, version: 'v1' | 'v1beta1', includeObject: IncludeObject = 'PartialObjectMetadata'): Record<string, unknown> {
  const table = result.table!;
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${version}`,
    metadata: { resourceVersion: '' },
    columnDefinitions: table.columns.map((c, i) => ({ name: c.header, type: 'string', format: i === (table.nameColumn ?? 0) ? 'name' : '', description: '', priority: c.wide ? 1 : 0 })),
    rows: table.rows.map((cells, i) => ({
      cells,
      ...(includeObject === 'None' ? {} : { object: { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: result.metadata[i] } }),
    })),
  };
}
