/**
 * Build step: compiles the JSON Schemas in schemas/ into ajv standalone validation code and a
 * schema index (field titles, normalisation plan, cross-field rules), both as TypeScript modules in
 * functions/shared/records/generated/, and docs/field-mapping.md. At run time only that code is loaded: no schema is compiled
 * on a Lambda cold start. `npm run generate` writes the files; test/unit/schemas.test.ts fails
 * when they are stale.
 *
 *   tsx scripts/generate-validators.ts [--check]
 */
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, _ } from 'ajv/dist/2020.js';
import standalone from 'ajv/dist/standalone/index.js';
import { decimalPlaces } from '../functions/shared/records/decimals.js';
import { formats } from '../functions/shared/records/formats.js';
import { fieldMappingDoc } from './field-mapping-doc.js';
import { fieldMapping } from '../functions/shared/records/field-mapping.js';
import type { FieldInfo, NormaliseKind, RuleRef, SchemaIndex } from '../functions/shared/records/schema-index-types.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SCHEMA_DIR = join(root, 'schemas');
export const GENERATED_DIR = join(root, 'functions/shared/records/generated');

/** Annotation keywords of this contract (not validation): see docs/contract.md. */
export const ANNOTATION_KEYWORDS = ['x-normalise', 'x-rules', 'x-personal'] as const;

/**
 * `x-maxDecimals: n`: a number has at most n decimals, counted on its decimal text
 * (functions/shared/records/decimals.ts) — the exact check `multipleOf` cannot make in binary.
 */
export const MAX_DECIMALS_KEYWORD = 'x-maxDecimals';

type Schema = Record<string, unknown>;

export function loadSchemas(): Schema[] {
  return readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .sort()
    .map((f) => JSON.parse(readFileSync(join(SCHEMA_DIR, f), 'utf8')) as Schema);
}

export function schemaId(name: string): string {
  return `https://schemas.credit-exchange.invalid/2.0/${name}.schema.json`;
}

/** The ajv instance both the generator and the schema tests use: strict, all errors, our formats. */
export function createAjv(schemas: Schema[] = loadSchemas()): Ajv2020 {
  const ajv = new Ajv2020({
    allErrors: true,
    strict: true,
    strictRequired: false, // if/then branches name properties declared on the parent
    inlineRefs: true,
    code: {
      source: true,
      esm: true,
      lines: false,
      optimize: true,
      formats: _`require("../formats.js").formats`,
    },
  });
  ajv.addVocabulary([...ANNOTATION_KEYWORDS]);
  ajv.addKeyword({
    keyword: MAX_DECIMALS_KEYWORD,
    type: 'number',
    schemaType: 'number',
    error: { message: ({ schema }) => _`"must have at most " + ${schema} + " decimals"`, params: ({ schema }) => _`{limit: ${schema}}` },
    code(cxt) {
      const places = cxt.gen.scopeValue('func', { ref: decimalPlaces, code: _`require("../decimals.js").decimalPlaces` });
      cxt.fail(_`${places}(${cxt.data}) > ${cxt.schema}`);
    },
  });
  for (const [name, fmt] of Object.entries(formats)) ajv.addFormat(name, fmt);
  for (const schema of schemas) ajv.addSchema(withoutAnnotations(schema) as Schema);
  return ajv;
}

const ANNOTATIONS = new Set<string>(['title', 'description', '$comment', 'examples', ...ANNOTATION_KEYWORDS]);
/** Keywords whose values are maps of names to schemas (a key there is a name, not a keyword). */
const SCHEMA_MAPS = new Set(['properties', 'patternProperties', '$defs', 'dependentSchemas']);

/**
 * The schema without annotations: they do not change what validates, and ajv's standalone code
 * embeds the schema objects it reads, so dropping them keeps the generated module small.
 */
export function withoutAnnotations(node: unknown, isSchemaMap = false): unknown {
  if (Array.isArray(node)) return node.map((n) => withoutAnnotations(n));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (isSchemaMap) out[key] = withoutAnnotations(value);
    else if (ANNOTATIONS.has(key)) continue;
    else out[key] = key === 'enum' || key === 'const' ? value : withoutAnnotations(value, SCHEMA_MAPS.has(key));
  }
  return out;
}

/** What ajv's standalone code `require`s, and the ES module export that replaces each. */
const ESM_REPLACEMENTS: Record<string, { from: string; name: string }> = {
  'require("../formats.js").formats': { from: '../formats.js', name: 'formats' },
  'require("ajv/dist/runtime/ucs2length").default': { from: '../ucs2length.js', name: 'ucs2length' },
  'require("../decimals.js").decimalPlaces': { from: '../decimals.js', name: 'decimalPlaces' },
};

/**
 * Ajv's standalone ESM output still `require`s its runtime helpers and the formats object; swap
 * each for a named import from one of our ES modules, so the generated module is plain ESM that
 * Node, jest and esbuild all load the same way. An unknown `require` fails the build.
 */
export function requiresToImports(code: string): string {
  const used = new Set<string>();
  const body = code.replace(/require\("[^"]+"\)(\.\w+)?/g, (expr) => {
    const replacement = ESM_REPLACEMENTS[expr];
    if (!replacement) throw new Error(`generated validator code needs ${expr}: add it to ESM_REPLACEMENTS`);
    used.add(expr);
    return replacement.name;
  });
  const imports = [...used].map((expr) => `import { ${ESM_REPLACEMENTS[expr]!.name} } from '${ESM_REPLACEMENTS[expr]!.from}';`);
  return `${imports.join('\n')}\n${body.replace(/^"use strict";/, '')}`;
}

/**
 * minLength/maxLength count code points (ucs2length), which scans the string. A string's code-point
 * count lies between half its UTF-16 length and its length, so `.length` settles almost every
 * comparison: `cp > N` needs `length > N`, and `cp < N` needs `length < 2N`. Guard each call with
 * that test; the exact count runs only in the rare undecided case.
 */
export function lengthFastPath(code: string): string {
  const name = /const (func\d+) = ucs2length;/.exec(code)?.[1];
  if (!name) return code;
  return code
    .replace(new RegExp(`\\b${name}\\((\\w+)\\) > (\\d+)`, 'g'), (_m, v: string, n: string) => `(${v}.length > ${n} && ${name}(${v}) > ${n})`)
    .replace(new RegExp(`\\b${name}\\((\\w+)\\) < (\\d+)`, 'g'), (_m, v: string, n: string) => `(${v}.length < ${2 * Number(n)} && ${name}(${v}) < ${n})`);
}

export function generateValidatorsSource(schemas: Schema[] = loadSchemas()): string {
  const ajv = createAjv(schemas);
  const exports: Record<string, string> = { envelope: schemaId('envelope') };
  for (const type of recordTypes(schemas)) exports[type] = schemaId(type);
  const code = lengthFastPath(requiresToImports(standalone.default(ajv, exports)));
  return `// @ts-nocheck\n/* eslint-disable */\n// GENERATED by scripts/generate-validators.ts from schemas/*.schema.json: do not edit.\n${code}\n`;
}

// ---------------------------------------------------------------- schema index

/** The record types, from the envelope's `recordType` enum (their one source of truth). */
export function recordTypes(schemas: Schema[] = loadSchemas()): string[] {
  const env = schemas.find((s) => s['$id'] === schemaId('envelope'));
  const recordType = (env?.['properties'] as Record<string, Schema> | undefined)?.['recordType'];
  const types = recordType?.['enum'];
  if (!Array.isArray(types)) throw new Error('envelope.schema.json must enumerate recordType');
  return types as string[];
}

/** Resolves `$ref`s among the loaded schemas and lists every field of each record type. */
export function buildSchemaIndex(schemas: Schema[] = loadSchemas()): SchemaIndex {
  const byId = new Map(schemas.map((s) => [s['$id'] as string, s]));
  const resolve = (ref: string, base: string): { schema: Schema; base: string } => {
    const url = new URL(ref, base);
    const fragment = decodeURIComponent(url.hash.slice(1));
    url.hash = '';
    let node: unknown = byId.get(url.href);
    for (const part of fragment.split('/').filter(Boolean)) node = (node as Schema | undefined)?.[part];
    if (!node) throw new Error(`unresolved $ref ${ref} from ${base}`);
    return { schema: node as Schema, base: url.href };
  };

  const fieldsOf = (type: string): FieldInfo[] => {
    const out = new Map<string, FieldInfo>();
    const visit = (schema: Schema, base: string, path: string): void => {
      let s = schema;
      let b = base;
      while (typeof s['$ref'] === 'string' && !s['properties']) {
        const r = resolve(s['$ref'], b);
        // annotations on the referencing site win over those of the referenced definition
        s = { ...r.schema, ...withoutRef(s) };
        b = r.base;
      }
      const properties = s['properties'] as Record<string, Schema> | undefined;
      if (path !== '') {
        out.set(path, {
          ...out.get(path),
          path,
          ...(typeof s['title'] === 'string' && { title: s['title'] }),
          ...(typeof s['description'] === 'string' && { description: s['description'] }),
          ...(s['x-normalise'] !== undefined && { normalise: s['x-normalise'] as NormaliseKind }),
          ...(s['x-personal'] === true && { personal: true }),
          ...(Array.isArray(s['enum']) && { enum: s['enum'] as string[] }),
          leaf: properties === undefined,
        });
      }
      // a schema that extends another ($ref beside properties): the base's fields first, then its own
      if (typeof s['$ref'] === 'string') {
        const r = resolve(s['$ref'], b);
        visit(r.schema, r.base, path);
      }
      for (const [name, prop] of Object.entries(properties ?? {})) visit(prop, b, `${path}/${name}`);
      if (s['items']) visit(s['items'] as Schema, b, `${path}/*`);
    };
    visit(byId.get(schemaId(type))!, schemaId(type), '');
    return [...out.values()].sort((x, y) => x.path.localeCompare(y.path));
  };

  const rulesOf = (type: string): RuleRef[] => {
    const top = byId.get(schemaId(type))!;
    const dataRef = (top['properties'] as Record<string, Schema>)['data']!['$ref'] as string;
    return (resolve(dataRef, schemaId(type)).schema['x-rules'] as RuleRef[] | undefined) ?? [];
  };

  const index: SchemaIndex = { fields: { envelope: fieldsOf('envelope') }, rules: {} };
  for (const type of recordTypes(schemas)) {
    index.fields[type] = fieldsOf(type);
    index.rules[type] = rulesOf(type);
  }
  return index;
}

function withoutRef(s: Schema): Schema {
  const { $ref: _ref, ...rest } = s;
  return rest;
}

export function generateSchemaIndexSource(schemas: Schema[] = loadSchemas()): string {
  const index = buildSchemaIndex(schemas);
  return [
    '// GENERATED by scripts/generate-validators.ts from schemas/*.schema.json: do not edit.',
    "import type { SchemaIndex } from '../schema-index-types.js';",
    '',
    "export { RECORD_TYPES } from '../../../../topology/record-types.js';",
    '',
    `export const schemaIndex: SchemaIndex = ${JSON.stringify(index, null, 2)};`,
    '',
  ].join('\n');
}

/** The record types, one per schema: topology/ declares them for the stack and the functions alike. */
export function generateRecordTypesSource(schemas: Schema[] = loadSchemas()): string {
  return [
    '// GENERATED by scripts/generate-validators.ts from schemas/*.schema.json: do not edit.',
    '/** The record types of the record contract, one per schema (schemas/<type>.schema.json). */',
    `export const RECORD_TYPES = ${JSON.stringify(recordTypes(schemas))} as const;`,
    'export type RecordType = (typeof RECORD_TYPES)[number];',
    '',
  ].join('\n');
}

/** Every file derived from schemas/, by path. */
export function generatedFiles(): Record<string, string> {
  const schemas = loadSchemas();
  return {
    [join(GENERATED_DIR, 'validators.ts')]: generateValidatorsSource(schemas),
    [join(GENERATED_DIR, 'schema-index.ts')]: generateSchemaIndexSource(schemas),
    [join(root, 'topology/record-types.ts')]: generateRecordTypesSource(schemas),
    [join(root, 'docs/field-mapping.md')]: fieldMappingDoc(buildSchemaIndex(schemas), fieldMapping, recordTypes(schemas)),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const check = process.argv.includes('--check');
  let stale = false;
  for (const [file, content] of Object.entries(generatedFiles())) {
    if (check) {
      let current = '';
      try {
        current = readFileSync(file, 'utf8');
      } catch {
        /* missing counts as stale */
      }
      if (current !== content) {
        console.error(`stale: ${file} (run npm run generate)`);
        stale = true;
      }
    } else {
      writeFileSync(file, content);
      console.log(`wrote ${file}`);
    }
  }
  process.exitCode = stale ? 1 : 0;
}
