#!/usr/bin/env node
// Generates the OpenAPI definitions podctl's API serves (/openapi/v3) from kubernetes-types'
// declarations, which carry every field, its type, whether it is required and its description
// as the official definitions word them. Run by `make build`; the result,
// dist/openapi/definitions.json, is read by src/api/openapi.ts when a client first asks.
//
//   node scripts/generate-openapi.mjs OUT.json
//
// The declarations lose two things of the official definitions: an integer and a float are
// both `number` (served as integer: every number field of the kinds served is one), and the
// patch merge keys and strategies (not there at all).
import ts from 'typescript';
import { createRequire } from 'node:module';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The official definitions' name prefix of a kubernetes-types module (`apps/v1` → io.k8s.api.apps.v1). */
export function prefixOf(module) {
  const special = {
    'meta/v1': 'io.k8s.apimachinery.pkg.apis.meta.v1',
    'api/resource': 'io.k8s.apimachinery.pkg.api.resource',
    runtime: 'io.k8s.apimachinery.pkg.runtime',
    version: 'io.k8s.apimachinery.pkg.version',
    'apiextensions/v1': 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1',
  };
  return special[module] ?? `io.k8s.api.${module.replace(/\//g, '.')}`;
}

const ref = (name) => ({ $ref: `#/components/schemas/${name}` });
// The official v3 documents wrap a reference that has a description beside it in allOf.
const withDescription = (schema, description) => {
  if (!description) return schema;
  return schema.$ref ? { allOf: [schema], description } : { ...schema, description };
};

function jsDocOf(node) {
  const doc = node.jsDoc?.at(-1);
  return doc ? (ts.getTextOfJSDocComment(doc.comment) ?? '').trim() : '';
}

/** The schema of one type node, given how the module's names resolve to definitions. */
function schemaOf(type, resolve) {
  switch (type.kind) {
    case ts.SyntaxKind.StringKeyword:
      return { type: 'string' };
    case ts.SyntaxKind.NumberKeyword:
      return { type: 'integer' };
    case ts.SyntaxKind.BooleanKeyword:
      return { type: 'boolean' };
    case ts.SyntaxKind.LiteralType:
      return ts.isStringLiteral(type.literal) ? { type: 'string' } : { type: 'object' };
    case ts.SyntaxKind.UnionType: {
      const kinds = new Set(type.types.map((t) => t.kind));
      if (kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) return { type: 'string', format: 'int-or-string', 'x-kubernetes-int-or-string': true };
      if (type.types.every((t) => ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal))) return { type: 'string', enum: type.types.map((t) => t.literal.text) };
      return { type: 'object' };
    }
    case ts.SyntaxKind.ArrayType:
      return { type: 'array', items: schemaOf(type.elementType, resolve) };
    case ts.SyntaxKind.TypeLiteral: {
      const index = type.members.find(ts.isIndexSignatureDeclaration);
      return index ? { type: 'object', additionalProperties: schemaOf(index.type, resolve) } : { type: 'object' };
    }
    case ts.SyntaxKind.TypeReference: {
      const name = type.typeName.getText();
      if (name === 'Array' && type.typeArguments?.length === 1) return { type: 'array', items: schemaOf(type.typeArguments[0], resolve) };
      if (name === 'Record' && type.typeArguments?.length === 2) return { type: 'object', additionalProperties: schemaOf(type.typeArguments[1], resolve) };
      const target = resolve(name);
      return target ? ref(target) : { type: 'object' };
    }
    default:
      return { type: 'object' };
  }
}

/** Time-like aliases keep the official format. */
const ALIAS_FORMATS = { 'io.k8s.apimachinery.pkg.apis.meta.v1.Time': 'date-time', 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime': 'date-time' };

/**
 * The definitions of the given modules (`{ module: 'apps/v1', text }`): one schema per
 * interface and type alias, under its official name, with description, properties, required
 * fields and, for a kind (a literal `apiVersion` and `kind`), x-kubernetes-group-version-kind.
 */
export function definitionsFrom(modules) {
  const out = {};
  for (const { module, text } of modules) {
    const file = ts.createSourceFile(`${module}.d.ts`, text, ts.ScriptTarget.Latest, true);
    const local = new Map();
    for (const s of file.statements) {
      if (ts.isImportDeclaration(s) && s.importClause?.namedBindings && ts.isNamedImports(s.importClause.namedBindings)) {
        const from = join(dirname(module), s.moduleSpecifier.text).replace(/\\/g, '/');
        for (const e of s.importClause.namedBindings.elements) local.set(e.name.text, `${prefixOf(from)}.${e.name.text}`);
      }
      if ((ts.isInterfaceDeclaration(s) || ts.isTypeAliasDeclaration(s)) && !local.has(s.name.text)) local.set(s.name.text, `${prefixOf(module)}.${s.name.text}`);
    }
    const resolve = (name) => local.get(name);
    for (const s of file.statements) {
      if (ts.isTypeAliasDeclaration(s)) {
        const name = resolve(s.name.text);
        out[name] = withDescription({ ...schemaOf(s.type, resolve), ...(ALIAS_FORMATS[name] ? { format: ALIAS_FORMATS[name] } : {}) }, jsDocOf(s));
        continue;
      }
      if (!ts.isInterfaceDeclaration(s)) continue;
      const properties = {};
      const required = [];
      let apiVersion;
      let kind;
      for (const m of s.members) {
        if (!ts.isPropertySignature(m) || !m.type) continue;
        const field = m.name.getText().replace(/^["']|["']$/g, '');
        if (!m.questionToken) required.push(field);
        if (field === 'apiVersion' && ts.isLiteralTypeNode(m.type)) apiVersion = m.type.literal.text;
        if (field === 'kind' && ts.isLiteralTypeNode(m.type)) kind = m.type.literal.text;
        properties[field] = withDescription(schemaOf(m.type, resolve), jsDocOf(m));
      }
      const gvk = apiVersion && kind ? [{ group: apiVersion.includes('/') ? apiVersion.split('/')[0] : '', version: apiVersion.split('/').at(-1), kind }] : undefined;
      out[resolve(s.name.text)] = {
        ...(jsDocOf(s) ? { description: jsDocOf(s) } : {}),
        type: 'object',
        ...(Object.keys(properties).length ? { properties } : {}),
        ...(required.length ? { required } : {}),
        ...(gvk ? { 'x-kubernetes-group-version-kind': gvk } : {}),
      };
    }
  }
  return out;
}

/** Every declaration module of the installed kubernetes-types, with its text. */
export async function kubernetesTypesModules() {
  const root = dirname(createRequire(import.meta.url).resolve('kubernetes-types/package.json'));
  const files = (await readdir(root, { recursive: true })).filter((f) => f.endsWith('.d.ts')).sort();
  return Promise.all(files.map(async (f) => ({ module: relative(root, join(root, f)).replace(/\\/g, '/').replace(/\.d\.ts$/, ''), text: await readFile(join(root, f), 'utf8') })));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const out = process.argv[2];
  if (!out) throw new Error('usage: generate-openapi.mjs OUT.json');
  const { version } = createRequire(import.meta.url)('kubernetes-types/package.json');
  const definitions = definitionsFrom(await kubernetesTypesModules());
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, JSON.stringify({ source: `kubernetes-types ${version}`, definitions }));
}
