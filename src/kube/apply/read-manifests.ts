import { readFile } from 'node:fs/promises';
import { parseAllDocuments, type Tags } from 'yaml';
import { PodctlError, invalidArgument } from '../../util/errors.js';
import { filesOf } from '../../util/files-of.js';

/** One document of a manifest source, with where it came from for error messages. */
export interface ManifestDocument {
  /** "web.yaml", "web.yaml#2" (second document), "web.yaml#2.items[0]" (inside a List), "stdin". */
  source: string;
  value: unknown;
}

const EXTENSIONS = ['.yaml', '.yml', '.json'];

/**
 * Reads `-f` sources: a file, a directory (its .yaml, .yml and .json files in name order, not
 * recursive) or "-" for stdin. Files hold one or more YAML documents (JSON is YAML); empty
 * documents are skipped and `kind: List` is unpacked into its items.
 */
export async function readManifests(sources: string[], stdin: () => Promise<string> = readStdin): Promise<ManifestDocument[]> {
  const docs: ManifestDocument[] = [];
  for (const source of sources) {
    if (source === '-') {
      docs.push(...parseManifestText(await stdin(), 'stdin'));
      continue;
    }
    for (const file of await manifestFiles(source)) docs.push(...parseManifestText(await readFile(file, 'utf8'), file));
  }
  return docs;
}

async function manifestFiles(path: string): Promise<string[]> {
  const found = await filesOf(path, EXTENSIONS);
  if (!found) throw new PodctlError('NOT_FOUND', `manifest ${path} does not exist`, { hint: 'give a file, a directory or - for stdin' });
  if (found.directory && found.files.length === 0) throw invalidArgument(`directory ${path} has no .yaml, .yml or .json files`, 'put Pod manifests there, or give a file');
  return found.files;
}

export function parseManifestText(text: string, source: string): ManifestDocument[] {
  // YAML 1.1, as kubectl reads manifests: `defaultMode: 0644` is octal there. A timestamp stays
  // the text it was written as, as kubectl's YAML reader keeps it (`creationTimestamp:
  // 2024-05-01T10:00:00Z` unquoted is a string to the API, not a date).
  const parsed = parseAllDocuments(text, { version: '1.1', customTags: withoutTimestamps });
  const all = Array.isArray(parsed) ? parsed : [parsed];
  const docs: ManifestDocument[] = [];
  all.forEach((doc, i) => {
    const label = all.length > 1 ? `${source}#${i + 1}` : source;
    const error = doc.errors[0];
    if (error) {
      const where = error.linePos?.[0] ? ` line ${error.linePos[0].line}, column ${error.linePos[0].col}` : '';
      throw invalidArgument(`${label}:${where}: not valid YAML or JSON: ${error.message.split('\n')[0]}`, 'fix the syntax and apply again');
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const list = value as { kind?: unknown; items?: unknown };
    if (list.kind === 'List' && Array.isArray(list.items)) {
      list.items.forEach((item, j) => docs.push({ source: `${label}.items[${j}]`, value: item }));
    } else {
      docs.push({ source: label, value });
    }
  });
  return docs;
}

const withoutTimestamps = (tags: Tags): Tags => tags.filter((t) => typeof t !== 'object' || t.tag !== 'tag:yaml.org,2002:timestamp');

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
