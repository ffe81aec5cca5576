/**
 * Sets of field paths as server-side apply tracks them, and their FieldsV1 form (the API
 * server's `metadata.managedFields[].fieldsV1`). A path is a list of elements in FieldsV1's own
 * spelling: `f:spec` (a field), `k:{"name":"app"}` (an item of an associative list, by its key
 * fields in name order), `v:"x"` (an item of a set). A set holds the paths owned: leaves
 * (scalars, atomic lists, empty maps) and list items themselves; a map is never a member, its
 * fields are.
 */
export type PathElement = string;
export type FieldPath = readonly PathElement[];

/** One path as a set member (paths are compared as their JSON). */
const keyOf = (path: FieldPath): string => JSON.stringify(path);
const pathOf = (key: string): FieldPath => JSON.parse(key) as PathElement[];

export class FieldSet {
  private readonly members = new Set<string>();

  constructor(paths: Iterable<FieldPath> = []) {
    for (const p of paths) this.add(p);
  }

  add(path: FieldPath): void {
    this.members.add(keyOf(path));
  }

  has(path: FieldPath): boolean {
    return this.members.has(keyOf(path));
  }

  get size(): number {
    return this.members.size;
  }

  paths(): FieldPath[] {
    return [...this.members].sort().map(pathOf);
  }

  union(other: FieldSet): FieldSet {
    return new FieldSet([...this.paths(), ...other.paths()]);
  }

  intersection(other: FieldSet): FieldSet {
    return new FieldSet(this.paths().filter((p) => other.has(p)));
  }

  difference(other: FieldSet): FieldSet {
    return new FieldSet(this.paths().filter((p) => !other.has(p)));
  }
}

export const fieldElement = (name: string): PathElement => `f:${name}`;

/** `k:{"containerPort":80,"protocol":"TCP"}`: the key fields in name order, as the API server writes them. */
export function keyElement(key: Record<string, unknown>): PathElement {
  return `k:${JSON.stringify(Object.fromEntries(Object.keys(key).sort().map((k) => [k, key[k]])))}`;
}

export const valueElement = (value: unknown): PathElement => `v:${JSON.stringify(value)}`;

type FieldsV1 = { [element: string]: FieldsV1 };

/** The set as a FieldsV1 tree: a member with members under it is marked by `"."`; a member without is `{}`. */
export function toFieldsV1(set: FieldSet): FieldsV1 {
  const root: FieldsV1 = {};
  const paths = set.paths();
  for (const path of paths) {
    let node = root;
    for (const element of path) node = node[element] ??= {};
  }
  // A member that other members pass through keeps a `.` of its own.
  for (const path of paths) {
    let node = root;
    for (const element of path) node = node[element]!;
    if (Object.keys(node).some((k) => k !== '.')) node['.'] = {};
  }
  return root;
}

/** A FieldsV1 tree as the set it stands for; what is not FieldsV1 throws (the caller says whose). */
export function fromFieldsV1(tree: unknown): FieldSet {
  const set = new FieldSet();
  const walk = (node: unknown, path: PathElement[]): void => {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) throw new Error(`not a FieldsV1 node at ${pathString(path) || '.'}`);
    const entries = Object.entries(node);
    if (path.length > 0 && (entries.length === 0 || '.' in node)) set.add(path);
    for (const [element, child] of entries) {
      if (element === '.') continue;
      if (!/^[fkvi]:/.test(element)) throw new Error(`unknown FieldsV1 element ${JSON.stringify(element)}`);
      walk(child, [...path, element]);
    }
  };
  walk(tree, []);
  return set;
}

/** `.spec.template.spec.containers[name="app"].image`: a path as the API server's conflict messages print it. */
export function pathString(path: FieldPath): string {
  return path
    .map((element) => {
      const body = element.slice(2);
      if (element.startsWith('f:')) return `.${body}`;
      if (element.startsWith('v:')) return `[=${body}]`;
      if (element.startsWith('i:')) return `[${body}]`;
      const key = JSON.parse(body) as Record<string, unknown>;
      return `[${Object.entries(key).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(',')}]`;
    })
    .join('');
}
