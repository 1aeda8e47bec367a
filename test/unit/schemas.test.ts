import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildSchemaIndex, createAjv, generatedFiles, recordTypes } from '../../scripts/generate-validators.js';
import { fieldMapping as mapping } from '../../functions/shared/records/field-mapping.js';
import { CONTRACT_VERSION, type RecordType } from '../../functions/shared/records/types.js';
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
    for (const type of types) expect(ajv.getSchema(`https://schemas.credit-exchange.invalid/2.0/${type}.schema.json`)).toBeDefined();
  });

  it('speak the contract version the exchange sends, and only that one, under its $id', () => {
    for (const type of types) expect(index.fields[type]!.find((f) => f.path === '/schemaVersion')!.enum).toEqual([CONTRACT_VERSION]);
    const envelope = JSON.parse(readFileSync('schemas/envelope.schema.json', 'utf8')) as { $id: string };
    expect(envelope.$id).toContain(`/${CONTRACT_VERSION}/`);
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
      // a record about a party (every type but the licensing-item list) has its identity numbers, and nothing else personal
      const aboutAParty = index.fields[type]!.some((f) => f.path === '/data/party/name');
      expect([type, personal]).toEqual([type, aboutAParty ? ['/data/party/idNumber', '/data/party/legalRepIdNumber'] : []]);
    }
    expect(types.filter((type) => !index.fields[type]!.some((f) => f.path === '/data/party/name'))).toEqual(['licensingItem']);
  });
});

describe('field mapping (schemas/field-mapping.json)', () => {
  const sent = (types as RecordType[]).filter((type) => mapping.notSent[type] === undefined);

  it('names every record type once: mapped field by field, or never sent with the reason', () => {
    expect([...Object.keys(mapping.fields), ...Object.keys(mapping.notSent)].sort()).toEqual([...types].sort());
    expect(Object.keys(mapping.notSent)).toEqual(['nonPenalty', 'licensingItem']);
  });

  it.each(sent)('%s: every canonical field is mapped to a code or explicitly unmapped, and nothing else is', (type) => {
    const fields = canonicalFields(index, type)
      .map((f) => f.path)
      .sort();
    expect(Object.keys(mapping.fields[type] ?? {}).sort()).toEqual(fields);
    for (const target of Object.values(mapping.fields[type]!)) {
      if (typeof target === 'string') expect(target).toMatch(/^(XK|CF|CN|SX|XF|HC)_[A-Z_]+$|^BZ$/);
      else expect(target.unmapped.length).toBeGreaterThan(10);
    }
  });

  it('gives each code to one field per record type, except the committer code shared by USCC and identity number', () => {
    const committerCode: Partial<Record<RecordType, string>> = { commitment: 'CN_CNZTDM', verification: 'HC_CNZTDM' };
    for (const type of sent) {
      const codes = Object.values(mapping.fields[type]!).filter((t): t is string => typeof t === 'string');
      const derived = Object.keys(mapping.derived[type] ?? {});
      const repeated = [...codes, ...derived].filter((c, i, all) => all.indexOf(c) !== i);
      expect([type, repeated]).toEqual([type, committerCode[type] === undefined ? [] : [committerCode[type]]]);
    }
  });

  it('lists codes for values of enumerated fields only, every value once', () => {
    for (const [code, list] of Object.entries(mapping.codeLists)) {
      const field = sent.flatMap((type) =>
        Object.entries(mapping.fields[type]!)
          .filter(([, target]) => target === code)
          .map(([path]) => ({ type, path })),
      )[0];
      expect(field).toBeDefined();
      const schemaField = index.fields[field!.type]!.find((f) => f.path === field!.path);
      expect(schemaField?.leaf).toBe(true);
      expect(Object.values(list).every((wire) => /^[0-9A-Z]{1,8}$/.test(wire))).toBe(true);
    }
  });

  it('keeps the district-only codes to codes that exist', () => {
    const all = new Set(sent.flatMap((type) => Object.values(mapping.fields[type]!).filter((t): t is string => typeof t === 'string')));
    for (const code of mapping.districtOnly) expect(all.has(code)).toBe(true);
  });
});
