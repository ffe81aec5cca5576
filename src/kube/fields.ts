/**
 * A path-aware reader for one manifest document. Every problem is recorded with the field's
 * path (`spec.containers[1].ports[0].containerPort`) instead of thrown at once, so the user
 * sees all the malformed fields and all the unsupported ones in one go.
 */
export interface ManifestIssue {
  path: string;
  reason: string;
}

export class ManifestIssues {
  readonly errors: ManifestIssue[] = [];
  readonly unsupported: string[] = [];

  error(path: string, reason: string): undefined {
    this.errors.push({ path, reason });
    return undefined;
  }
}

/** `a.b`, `a[3]`, or `a["k8s.v1.cni.cncf.io/networks"]` for keys that are not identifiers. */
export function childPath(parent: string, key: string | number): string {
  if (typeof key === 'number') return `${parent}[${key}]`;
  if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return parent === '' ? key : `${parent}.${key}`;
  return `${parent}[${JSON.stringify(key)}]`;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** True for null and for empty objects and lists: what an exported manifest carries without meaning. */
export const isEmptyValue = (v: unknown): boolean =>
  v === null || v === undefined || (Array.isArray(v) && v.length === 0) || (isPlainObject(v) && Object.keys(v).length === 0);

/** The fields of one object in the document, read by key; absent and null are the same. */
export class Fields {
  constructor(
    readonly obj: Record<string, unknown>,
    readonly path: string,
    readonly issues: ManifestIssues,
  ) {}

  /** Reads `value` at `path` as an object; records an error (and returns undefined) otherwise. */
  static of(value: unknown, path: string, issues: ManifestIssues): Fields | undefined {
    if (!isPlainObject(value)) return issues.error(path || '(document)', 'must be an object');
    return new Fields(value, path, issues);
  }

  at(key: string | number): string {
    return childPath(this.path, key);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  raw(key: string): unknown {
    return this.obj[key] ?? undefined;
  }

  string(key: string, options: { required?: boolean; nonEmpty?: boolean } = {}): string | undefined {
    const v = this.raw(key);
    if (v === undefined) return options.required ? this.issues.error(this.at(key), 'is required') : undefined;
    if (typeof v !== 'string') return this.issues.error(this.at(key), 'must be a string');
    if ((options.nonEmpty || options.required) && v.trim() === '') return this.issues.error(this.at(key), 'must not be empty');
    return v;
  }

  int(key: string, options: { min?: number; max?: number; required?: boolean; range?: string } = {}): number | undefined {
    const v = this.raw(key);
    if (v === undefined) return options.required ? this.issues.error(this.at(key), 'is required') : undefined;
    const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = options;
    if (typeof v !== 'number' || !Number.isInteger(v)) return this.issues.error(this.at(key), 'must be an integer');
    if (v < min || v > max) return this.issues.error(this.at(key), `must be ${options.range ?? `${min}-${max}`}`);
    return v;
  }

  bool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') return this.issues.error(this.at(key), 'must be true or false');
    return v;
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const v = this.string(key);
    if (v === undefined) return undefined;
    if (!allowed.includes(v as T)) return this.issues.error(this.at(key), `must be one of ${allowed.join(', ')}`);
    return v as T;
  }

  strings(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!Array.isArray(v)) return this.issues.error(this.at(key), 'must be a list of strings');
    const bad = v.findIndex((item) => typeof item !== 'string');
    if (bad >= 0) return this.issues.error(childPath(this.at(key), bad), 'must be a string');
    return v as string[];
  }

  /** A map of string to string (labels, annotations). */
  stringMap(key: string): Record<string, string> | undefined {
    const v = this.raw(key);
    if (v === undefined) return undefined;
    if (!isPlainObject(v)) return this.issues.error(this.at(key), 'must be a map of strings');
    const out: Record<string, string> = {};
    for (const [k, value] of Object.entries(v)) {
      if (typeof value !== 'string') this.issues.error(childPath(this.at(key), k), 'must be a string (quote it in YAML)');
      else out[k] = value;
    }
    return out;
  }

  object(key: string): Fields | undefined {
    const v = this.raw(key);
    return v === undefined ? undefined : Fields.of(v, this.at(key), this.issues);
  }

  /** A list of objects; each element that is not one is an error and is left out. */
  list(key: string): Fields[] {
    const v = this.raw(key);
    if (v === undefined) return [];
    if (!Array.isArray(v)) {
      this.issues.error(this.at(key), 'must be a list');
      return [];
    }
    return v.flatMap((item, i) => Fields.of(item, childPath(this.at(key), i), this.issues) ?? []);
  }

  /**
   * Records every key that podctl does not read as unsupported, except those whose value is
   * empty or equals a harmless default (what an API server fills in on export).
   */
  only(supported: readonly string[], harmless: Record<string, unknown> = {}): void {
    for (const [key, value] of Object.entries(this.obj)) {
      if (supported.includes(key) || isEmptyValue(value)) continue;
      if (key in harmless && (harmless[key] === '*' || harmless[key] === value)) continue;
      this.issues.unsupported.push(this.at(key));
    }
  }
}
