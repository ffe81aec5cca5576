/**
 * The work queue's keys: `Kind/namespace/name`, as client-go's MetaNamespaceKeyFunc plus the
 * kind, since one queue serves every controller. Names and namespaces are DNS names: no `/`.
 */
export interface ObjectKey {
  kind: string;
  namespace: string;
  name: string;
}

export const keyOf = (k: ObjectKey): string => `${k.kind}/${k.namespace}/${k.name}`;

export function parseKey(key: string): ObjectKey {
  const [kind, namespace, name, ...rest] = key.split('/');
  if (!kind || !namespace || !name || rest.length > 0) throw new Error(`not a queue key: ${key}`);
  return { kind, namespace, name };
}
