/**
 * Canonical record `data` → `{ fieldCode: value }`, by schemas/field-mapping.json (the table in
 * docs/field-mapping.md), with the wire conventions each contract in docs/endpoints.md names: date
 * format, arrays joined with ';' or kept, booleans as 是/否 or true/false, identity numbers
 * encrypted or not. Fields marked `{ unmapped }` and fields the record does not have are omitted.
 *
 * The mapping is imported as a JSON module: tsc (resolveJsonModule) type-checks it and copies it
 * into dist/ next to the compiled code, Node 22 and ts-jest load it natively, and a bundler inlines
 * it. No file is read at run time.
 */
import mapping from '../../../schemas/field-mapping.json' with { type: 'json' };
import { RECORD_TYPES, schemaIndex } from '../../shared/records/generated/schema-index.js';
import { readPointer } from '../../shared/records/rules.js';
import type { CreditRecord, RecordType } from '../../shared/records/types.js';
import type { FieldEncryptor } from './field-encryption.js';

export type WireValue = string | number | boolean | string[];
export type WireFields = Record<string, WireValue>;

export interface WireFieldOptions {
  /** How a date (canonically YYYY-MM-DD) is written. */
  dateFormat: 'YYYY/MM/DD' | 'YYYY-MM-DD';
  /** `joined`: a string with ';' between the items (CF_CFLB); `array`: a JSON array. */
  arrays: 'joined' | 'array';
  /** `chinese`: "是"/"否"; `boolean`: JSON true/false. */
  booleans: 'chinese' | 'boolean';
  /** Encrypts the values read from these canonical paths (JSON pointers from the record root). */
  encrypt?: { paths: ReadonlySet<string>; field: FieldEncryptor };
  /** Only the fields with these codes (a withdrawal's key fields); default all mapped fields. */
  codes?: ReadonlySet<string>;
}

/** The provincial platform's conventions (the district platform takes the same, in clear). */
export const PROVINCIAL_CONVENTIONS = { dateFormat: 'YYYY/MM/DD', arrays: 'joined', booleans: 'chinese' } as const satisfies WireFieldOptions;

/** ISO conventions (the municipal platform): dates YYYY-MM-DD, JSON arrays and booleans. */
export const ISO_CONVENTIONS = { dateFormat: 'YYYY-MM-DD', arrays: 'array', booleans: 'boolean' } as const satisfies WireFieldOptions;

/**
 * The date fields of each record type (`$ref` defs.schema.json#/$defs/date in the schemas).
 * test/unit/adapters/wire-fields.test.ts walks the schemas and fails when this list is stale.
 */
export const DATE_PATHS: Readonly<Record<RecordType, ReadonlySet<string>>> = {
  commitment: new Set([
    '/data/commitmentDate',
    '/data/validFrom',
    '/data/validTo',
    '/data/fulfilmentDeterminationDate',
    '/data/licence/decisionDate',
    '/data/licence/validFrom',
    '/data/licence/validTo',
  ]),
  breach: new Set(['/data/decisionDate', '/data/penaltyValidUntil', '/data/disclosureEndDate']),
  repair: new Set([
    '/data/breachDecisionDate',
    '/data/minDisclosureEndDate',
    '/data/maxDisclosureEndDate',
    '/data/applicationDate',
    '/data/decisionDate',
  ]),
};

function byType<T>(make: (type: RecordType) => T): Record<RecordType, T> {
  return Object.fromEntries(RECORD_TYPES.map((type) => [type, make(type)])) as Record<RecordType, T>;
}

/**
 * Personal data (`x-personal` in the schemas: identity numbers) per record type. These are the
 * values a contract encrypts; for a commitment `/data/party/idNumber` is the natural person's
 * CN_CNZTDM.
 */
export const PERSONAL_PATHS: Readonly<Record<RecordType, ReadonlySet<string>>> = byType(
  (type) => new Set((schemaIndex.fields[type] ?? []).filter((f) => f.personal === true).map((f) => f.path)),
);

interface CodeSource {
  code: string;
  /** Canonical paths mapped to this code, in mapping order: the first one the record has wins. */
  paths: string[];
}

type MappingTable = Record<string, string | { unmapped: string }>;

/** Per record type, every mapped code and the canonical paths it is read from. */
export const CODE_SOURCES: Readonly<Record<RecordType, readonly CodeSource[]>> = byType((type) => {
  const byCode = new Map<string, CodeSource>();
  for (const [path, target] of Object.entries((mapping as Record<RecordType, MappingTable>)[type])) {
    if (typeof target !== 'string') continue; // { unmapped: reason }
    const source = byCode.get(target);
    if (source) source.paths.push(path);
    else byCode.set(target, { code: target, paths: [path] });
  }
  return [...byCode.values()];
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function wireValue(value: unknown, path: string, type: RecordType, options: WireFieldOptions): WireValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (options.encrypt?.paths.has(path)) return options.encrypt.field(String(value));
  if (typeof value === 'string') {
    // A canonical date is always YYYY-MM-DD; anything else is passed on for the platform to judge.
    if (options.dateFormat === 'YYYY/MM/DD' && DATE_PATHS[type].has(path) && ISO_DATE.test(value)) return value.replaceAll('-', '/');
    return value;
  }
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean') return options.booleans === 'chinese' ? (value ? '是' : '否') : value;
  if (Array.isArray(value)) {
    const items = value.map(String);
    return options.arrays === 'joined' ? items.join(';') : items;
  }
  throw new Error(`${type} ${path}: a mapped field must hold a value, not an object`);
}

/** The record's mapped fields as `{ code: value }`, in mapping order. */
export function wireFields(record: CreditRecord, options: WireFieldOptions): WireFields {
  const type = record.recordType;
  const sources = CODE_SOURCES[type];
  if (sources === undefined) throw new Error(`no field mapping for record type ${String(type)}`);
  const fields: WireFields = {};
  for (const { code, paths } of sources) {
    if (options.codes && !options.codes.has(code)) continue;
    for (const path of paths) {
      const value = wireValue(readPointer(record, path), path, type, options);
      if (value === undefined) continue;
      fields[code] = value;
      break;
    }
  }
  return fields;
}

/**
 * The codes that identify a record on the provincial platform (a DELETE's fields): CN_CNBM;
 * CF_WSH with CF_XDR_SHXYM, or CF_XDR_ZJHM for a party without a USCC; XF_JDWH.
 */
export function keyFieldCodes(record: CreditRecord): ReadonlySet<string> {
  switch (record.recordType) {
    case 'commitment':
      return new Set(['CN_CNBM']);
    case 'breach':
      return new Set(['CF_WSH', readPointer(record, '/data/party/uscc') === undefined ? 'CF_XDR_ZJHM' : 'CF_XDR_SHXYM']);
    case 'repair':
      return new Set(['XF_JDWH']);
    default:
      throw new Error(`no key fields for record type ${String(record.recordType)}`);
  }
}
