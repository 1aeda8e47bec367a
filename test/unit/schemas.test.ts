import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildSchemaIndex, createAjv, generatedFiles, loadFieldMapping, recordTypes } from '../../scripts/generate-validators.js';
import { canonicalFields } from '../../scripts/field-mapping-doc.js';
import { rules } from '../../functions/shared/records/rules.js';

const index = buildSchemaIndex();
const types = recordTypes();

describe('generated code', () => {
  const files = generatedFiles();
  it.each(Object.keys(files).map((file) => [relative(process.cwd(), file), file]))(
    '%s matches the schemas (run `npm run generate` after editing schemas/)',
    (_name, file) => {
      expect(readFileSync(file, 'utf8')).toBe(files[file]);
    },
  );
});

describe('the schemas', () => {
  it('compile under ajv strict mode', () => {
    const ajv = createAjv();
    for (const type of types) expect(ajv.getSchema(`https://schemas.credit-exchange.invalid/1.0/${type}.schema.json`)).toBeDefined();
  });

  it.each(types)('%s: every field has a Chinese title', (type) => {
    const untitled = index.fields[type]!.filter((f) => !f.path.endsWith('/*') && !/[\u4e00-\u9fff]/.test(f.title ?? ''));
    expect(untitled.map((f) => f.path)).toEqual([]);
  });

  it('name only cross-field rules that exist, and every rule is used', () => {
    const named = new Set(Object.values(index.rules).flatMap((refs) => refs.map((r) => r.rule)));
    expect([...named].sort()).toEqual(Object.keys(rules).sort());
  });

  it('mark identity numbers as personal data', () => {
    for (const type of types) {
      const personal = index.fields[type]!.filter((f) => f.personal).map((f) => f.path);
      expect(personal).toEqual(['/data/party/idNumber', '/data/party/legalRepIdNumber']);
    }
  });
});

describe('field mapping (schemas/field-mapping.json)', () => {
  const mapping = loadFieldMapping();

  it.each(types)('%s: every canonical field is mapped to a code or explicitly unmapped, and nothing else is', (type) => {
    const fields = canonicalFields(index, type).map((f) => f.path).sort();
    expect(Object.keys(mapping[type] ?? {}).sort()).toEqual(fields);
    for (const target of Object.values(mapping[type]!)) {
      if (typeof target === 'string') expect(target).toMatch(/^(XK|CF|CN|SX|XF)_[A-Z_]+$|^BZ$/);
      else expect(target.unmapped.length).toBeGreaterThan(10);
    }
  });

  it('gives each code to one field per record type, except the committer code shared by USCC and identity number', () => {
    for (const type of types) {
      const codes = Object.values(mapping[type]!).filter((t): t is string => typeof t === 'string');
      const repeated = codes.filter((c, i) => codes.indexOf(c) !== i);
      expect(repeated).toEqual(type === 'commitment' ? ['CN_CNZTDM'] : []);
    }
  });
});
