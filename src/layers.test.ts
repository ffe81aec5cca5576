import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

// The layer map of docs/ARCHITECTURE.md, top to bottom: a module imports from its own folder or
// from a lower layer, never from a higher one nor from another folder of its own layer (they
// know nothing of each other). Test files may import anything.
const LAYERS: ReadonlyArray<readonly string[]> = [
  ['cli', 'index.ts'],
  ['serve'],
  ['api'],
  ['controllers'],
  ['kube', 'smoke', 'trace'],
  ['pod'],
  ['service'],
  ['cni', 'docker', 'netns', 'dns'],
  ['util', 'types'],
];

const SRC = dirname(fileURLToPath(import.meta.url));
const layerOf = (part: string): number => LAYERS.findIndex((layer) => layer.includes(part));
/** `cli` for src/cli/..., `index.ts` for src/index.ts. */
const partOf = (path: string): string => relative(SRC, path).split(sep)[0]!;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'testdata' ? [] : sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The relative specifiers of a module's static, re-exporting and dynamic imports. */
function importsOf(text: string): string[] {
  const patterns = [/^\s*(?:import|export)\b[^;]*?\bfrom\s+['"](\.[^'"]*)['"]/gms, /^\s*import\s+['"](\.[^'"]*)['"]/gm, /\bimport\(\s*['"](\.[^'"]*)['"]\s*\)/g];
  return patterns.flatMap((p) => [...text.matchAll(p)].map((m) => m[1]!));
}

test('every folder of src has a place in the layer map', () => {
  const parts = readdirSync(SRC).filter((name) => !name.endsWith('.test.ts'));
  assert.deepEqual(parts.filter((p) => layerOf(p) < 0), [], 'add them to LAYERS here and to the map in docs/ARCHITECTURE.md');
});

test('no module imports from a layer above its own or from a sibling of its layer', () => {
  const arrowsUp: string[] = [];
  for (const file of sourceFiles(SRC)) {
    const from = partOf(file);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      const to = partOf(resolve(dirname(file), specifier));
      if (to === from || layerOf(to) > layerOf(from)) continue;
      arrowsUp.push(`${relative(SRC, file)} imports ${specifier}`);
    }
  }
  assert.deepEqual(arrowsUp, []);
});

test('the import reader sees each form an import takes', () => {
  const text = [
    "import { a } from './a.js';",
    'import {\n  b,\n  c,\n} from "../b.js";',
    "import type { D } from '../d.js';",
    "export { e } from './e.js';",
    "import './side-effect.js';",
    "const f = await import('../f.js');",
    "import { readFile } from 'node:fs/promises';",
  ].join('\n');
  assert.deepEqual(importsOf(text).sort(), ['../b.js', '../d.js', '../f.js', './a.js', './e.js', './side-effect.js']);
});
