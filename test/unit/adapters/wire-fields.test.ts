import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { fieldMapping } from '../../../functions/shared/records/field-mapping.js';
import { schemaIndex } from '../../../functions/shared/records/generated/schema-index.js';
import { RECORD_TYPES } from '../../../functions/shared/records/generated/schema-index.js';
import type { RecordType } from '../../../functions/shared/records/types.js';
import {
  CODE_SOURCES,
  DATE_PATHS,
  ISO_CONVENTIONS,
  keyFieldCodes,
  PERSONAL_PATHS,
  PROVINCIAL_CONVENTIONS,
  wireFields,
} from '../../../functions/deliver/adapters/wire-fields.js';
import { exampleByPrefix, verifications } from './helpers.js';

type Schema = Record<string, unknown>;
const SCHEMA_DIR = fileURLToPath(new URL('../../../schemas/', import.meta.url));
const schemas = new Map<string, Schema>(
  readdirSync(SCHEMA_DIR)
    .filter((f) => f.endsWith('.schema.json'))
    .map((f) => [f, JSON.parse(readFileSync(`${SCHEMA_DIR}${f}`, 'utf8')) as Schema]),
);

/** Resolves `file#/$defs/name` (or `#/$defs/name` within `file`) to [file, schema]. */
function resolve(ref: string, file: string): [string, Schema] {
  const [refFile, pointer] = ref.split('#') as [string, string];
  const target = refFile === '' ? file : refFile;
  let node: unknown = schemas.get(target);
  for (const key of pointer.split('/').slice(1)) node = (node as Schema)[key];
  return [target, node as Schema];
}

/** Every date field under /data of a record type: `format: date` directly or through `$ref`s. */
function schemaDatePaths(type: RecordType): string[] {
  const found: string[] = [];
  const visit = (schema: Schema, file: string, path: string): void => {
    let isDate = schema['format'] === 'date';
    let node = schema;
    let nodeFile = file;
    while (typeof node['$ref'] === 'string') {
      [nodeFile, node] = resolve(node['$ref'], nodeFile);
      isDate ||= node['format'] === 'date';
    }
    if (isDate) found.push(path);
    for (const s of [schema, node]) {
      const properties = s['properties'] as Record<string, Schema> | undefined;
      for (const [name, child] of Object.entries(properties ?? {})) visit(child, s === schema ? file : nodeFile, `${path}/${name}`);
    }
  };
  const file = `${type}.schema.json`;
  visit((schemas.get(file)!['$defs'] as Record<string, Schema>)[type]!, file, '/data');
  return [...new Set(found)].sort();
}

describe('wire-fields', () => {
  test.each([...RECORD_TYPES])('DATE_PATHS lists exactly the date fields of the %s schema', (type) => {
    const dates = schemaDatePaths(type);
    expect(dates.length).toBeGreaterThan(0);
    expect([...DATE_PATHS[type]].sort()).toEqual(dates);
  });

  test('every mapped canonical field has its code; unmapped ones none', () => {
    for (const type of RECORD_TYPES) {
      const table = fieldMapping.fields[type] ?? {};
      const fromSources = new Map(CODE_SOURCES[type].flatMap(({ code, paths }) => paths.map((p) => [p, code] as const)));
      for (const [path, target] of Object.entries(table)) {
        expect([path, fromSources.get(path)]).toEqual([path, typeof target === 'string' ? target : undefined]);
      }
    }
  });

  test('the encrypted codes are the ones the provincial contract names', () => {
    const encryptedCodes = (type: RecordType) =>
      CODE_SOURCES[type]
        .filter(({ paths }) => paths.some((p) => PERSONAL_PATHS[type].has(p)))
        .map((s) => s.code)
        .sort();
    expect(encryptedCodes('breach')).toEqual(['CF_FR_ZJHM', 'CF_XDR_ZJHM']);
    expect(encryptedCodes('repair')).toEqual(['XF_FR_ZJHM', 'XF_ZJHM']);
    // CN_CNZTDM is encrypted only when it is read from /data/party/idNumber (a natural person).
    expect(encryptedCodes('commitment')).toEqual(['CN_CNZTDM']);
    expect(CODE_SOURCES.commitment.find((s) => s.code === 'CN_CNZTDM')!.paths).toEqual(['/data/party/uscc', '/data/party/idNumber']);
    expect(PERSONAL_PATHS.commitment.has('/data/party/uscc')).toBe(false);
    // a verification's HC_CNZTDM as the commitment's CN_CNZTDM
    expect(encryptedCodes('verification')).toEqual(['HC_CNZTDM']);
    expect(CODE_SOURCES.verification.find((s) => s.code === 'HC_CNZTDM')!.paths).toEqual(['/data/party/uscc', '/data/party/idNumber']);
    expect(PERSONAL_PATHS.verification.has('/data/party/idNumber')).toBe(true);
    expect(PERSONAL_PATHS.verification.has('/data/party/uscc')).toBe(false);
  });

  test('provincial conventions: YYYY/MM/DD, categories joined with ;, amounts in 10,000 yuan as numbers, 是/否', () => {
    const publication = { published: true, until: '2028-06-10' };
    const fields = wireFields(exampleByPrefix('breach', '03'), { ...PROVINCIAL_CONVENTIONS, publication });
    expect(fields).toMatchObject({
      CF_WSH: '哈道市监罚〔2025〕112号',
      CF_JDRQ: '2025/06/10',
      CF_GSJZQ: '2028/06/10',
      SX_SFGS: '是',
      CF_CFLB: '没收违法所得;罚款;吊销许可证件',
      CF_NR_FK: 5,
      CF_NR_WFFF: 0.3268,
      CF_FR_ZJHM: '230102197506110331', // no encryption asked for
    });
  });

  test('ISO conventions: YYYY-MM-DD, arrays and booleans as JSON', () => {
    const fields = wireFields(exampleByPrefix('breach', '03'), { ...ISO_CONVENTIONS, publication: { published: false } });
    expect(fields).toMatchObject({ CF_JDRQ: '2025-06-10', CF_CFLB: ['没收违法所得', '罚款', '吊销许可证件'], SX_SFGS: false, CF_NR_FK: 5 });
    expect(fields).not.toHaveProperty('CF_GSJZQ'); // not published: no end of publication
  });

  test("the district's black points go to the district platform only", () => {
    const breach = exampleByPrefix('breach', '03');
    expect(wireFields(breach, PROVINCIAL_CONVENTIONS)).not.toHaveProperty('SX_HMDJF');
    expect(wireFields(breach, ISO_CONVENTIONS)).not.toHaveProperty('SX_HMDJF');
    expect(wireFields(breach, { ...PROVINCIAL_CONVENTIONS, district: true })['SX_HMDJF']).toBe(60);
  });

  test('a 轻微 record the department asked to publish says so (SX_QXGS)', () => {
    const fields = wireFields(exampleByPrefix('breach', '10'), { ...PROVINCIAL_CONVENTIONS, publication: { published: true, until: '2026-07-20' } });
    expect(fields).toMatchObject({ SX_YZCD: '轻微', SX_QXGS: '是', SX_SFGS: '是', CF_GSJZQ: '2026/07/20' });
  });

  test('the licence status is sent as its XK_ZT code, and every status the schema allows has one', () => {
    expect(wireFields(exampleByPrefix('commitment', '01'), PROVINCIAL_CONVENTIONS)['XK_ZT']).toBe('0');
    const statuses = schemaIndex.fields['commitment']!.find((f) => f.path === '/data/licence/status')!.enum!;
    expect(Object.keys(fieldMapping.codeLists['XK_ZT']!).sort()).toEqual([...statuses].sort());
    const cancelled = exampleByPrefix('commitment', '11');
    expect(wireFields(cancelled, ISO_CONVENTIONS)['XK_ZT']).toBe('3');
  });

  test('a non-penalty decision is never turned into wire fields', () => {
    expect(() => wireFields({ recordType: 'nonPenalty', data: {} } as never, PROVINCIAL_CONVENTIONS)).toThrow(/never sent/);
  });

  test('normalised values are sent (full-width digits, lower case codes fixed by validation)', () => {
    const fields = wireFields(exampleByPrefix('breach', '09'), PROVINCIAL_CONVENTIONS);
    expect(fields).toMatchObject({ CF_JDRQ: '2026/09/02', CF_XDR_SHXYM: '91230109MA7D2H4Q74', CF_SJLYDM: '11230109MB1F30176M' });
  });

  test('fields the record does not have are omitted; unmapped fields are skipped', () => {
    const record = exampleByPrefix('commitment', '01');
    const fields = wireFields(record, PROVINCIAL_CONVENTIONS);
    expect(fields).not.toHaveProperty('CN_LYZT'); // no fulfilment status yet
    expect(fields).not.toHaveProperty('BZ');
    expect(JSON.stringify(fields)).not.toContain('230102198104230159'); // legalRepIdNumber: unmapped for commitments
    expect(fields).toMatchObject({
      CN_CNBM: '23010920260112000158',
      CN_CNZTDM: '91230109MA1BX3K20E',
      CN_FDDBR: '李志强',
      CN_CNRQ: '2026/01/12',
      XK_YXQZI: '2031/01/11',
    });
  });

  test('CN_CNZTDM: the USCC of an organisation, the (encrypted) identity number of a natural person', () => {
    const person = exampleByPrefix('commitment', '03');
    expect(wireFields(person, ISO_CONVENTIONS)['CN_CNZTDM']).toBe('230103198207150318');
    const encrypted = wireFields(person, { ...ISO_CONVENTIONS, encrypt: { paths: PERSONAL_PATHS.commitment, field: (p) => `enc(${p})` } });
    expect(encrypted['CN_CNZTDM']).toBe('enc(230103198207150318)');
    const company = wireFields(exampleByPrefix('commitment', '01'), {
      ...ISO_CONVENTIONS,
      encrypt: { paths: PERSONAL_PATHS.commitment, field: (p) => `enc(${p})` },
    });
    expect(company['CN_CNZTDM']).toBe('91230109MA1BX3K20E');
  });

  test('encrypts exactly the personal fields', () => {
    const calls: string[] = [];
    const fields = wireFields(exampleByPrefix('breach', '02'), {
      ...PROVINCIAL_CONVENTIONS,
      encrypt: { paths: PERSONAL_PATHS.breach, field: (p) => (calls.push(p), 'X') },
    });
    expect(calls).toEqual(['230102198104230159']);
    expect(fields['CF_FR_ZJHM']).toBe('X');
    expect(fields['CF_FRDB']).toBe('李志强');
  });

  test('key fields of a withdrawal', () => {
    expect([...keyFieldCodes(exampleByPrefix('commitment', '01'))]).toEqual(['CN_CNBM']);
    expect([...keyFieldCodes(exampleByPrefix('breach', '02'))].sort()).toEqual(['CF_WSH', 'CF_XDR_SHXYM']);
    expect([...keyFieldCodes(exampleByPrefix('breach', '05'))].sort()).toEqual(['CF_WSH', 'CF_XDR_ZJHM']);
    expect([...keyFieldCodes(exampleByPrefix('repair', '01'))]).toEqual(['XF_JDWH']);
    expect([...keyFieldCodes(verifications()[0]!)]).toEqual(['HC_CNBM', 'HC_HCRQ']);
    const breach = exampleByPrefix('breach', '02');
    expect(wireFields(breach, { ...PROVINCIAL_CONVENTIONS, codes: keyFieldCodes(breach) })).toEqual({
      CF_XDR_SHXYM: '91230109MA1BX3K20E',
      CF_WSH: '哈新市监罚〔2026〕36号',
    });
  });
});
