/**
 * Canonical record `data` → `{ fieldCode: value }`, by schemas/field-mapping.json (the table in
 * docs/field-mapping.md), with the wire conventions each contract in docs/endpoints.md names: date
 * format, arrays joined with ';' or kept, booleans as 是/否 or true/false, identity numbers
 * encrypted or not, enumerated values sent as their codes (codeLists). Fields marked `{ unmapped }`
 * and fields the record does not have are omitted; the district-only codes (the district's black
 * points) go to the district platform only; the derived codes (the publication the exchange
 * decides) are added where the delivery carries a publication.
 */
import { fieldMapping } from '../../shared/records/field-mapping.js';
import { RECORD_TYPES, schemaIndex } from '../../shared/records/generated/schema-index.js';
import { readPointer } from '../../shared/records/rules.js';
import type { CreditRecord, RecordType } from '../../shared/records/types.js';
import type { FieldEncryptor } from './field-encryption.js';
import type { DeliveryPublication } from './types.js';

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
  /** The district-only codes are sent (the district platform); default: left out. */
  district?: boolean;
  /** The publication to state (SX_SFGS, CF_GSJZQ) where this destination publishes the record type. */
  publication?: DeliveryPublication;
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
    '/data/fulfilmentDeadline',
    '/data/licence/decisionDate',
    '/data/licence/validFrom',
    '/data/licence/validTo',
  ]),
  breach: new Set(['/data/decisionDate', '/data/penaltyValidUntil', '/data/publicationEndDate']),
  repair: new Set(['/data/breachDecisionDate', '/data/minDisclosureEndDate', '/data/maxDisclosureEndDate', '/data/applicationDate', '/data/decisionDate']),
  nonPenalty: new Set(['/data/decisionDate']),
  licensingItem: new Set(['/data/validFrom', '/data/validTo']),
  verification: new Set(['/data/verificationDate', '/data/rectificationDeadline']),
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

/** Per record type, every mapped code and the canonical paths it is read from (none for a type never sent). */
export const CODE_SOURCES: Readonly<Record<RecordType, readonly CodeSource[]>> = byType((type) => {
  const byCode = new Map<string, CodeSource>();
  for (const [path, target] of Object.entries(fieldMapping.fields[type] ?? {})) {
    if (typeof target !== 'string') continue; // { unmapped: reason }
    const source = byCode.get(target);
    if (source) source.paths.push(path);
    else byCode.set(target, { code: target, paths: [path] });
  }
  return [...byCode.values()];
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function wireValue(value: unknown, path: string, code: string, type: RecordType, options: WireFieldOptions): WireValue | undefined {
  if (value === undefined || value === null) return undefined;
  if (options.encrypt?.paths.has(path)) return options.encrypt.field(String(value));
  const list = fieldMapping.codeLists[code];
  if (list !== undefined) {
    const wire = list[String(value)];
    if (wire === undefined) throw new Error(`${type} ${path}: ${JSON.stringify(value)} has no ${code} code (schemas/field-mapping.json codeLists)`);
    return wire;
  }
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

/** The record's mapped fields as `{ code: value }`, in mapping order, then the derived ones. */
export function wireFields(record: CreditRecord, options: WireFieldOptions): WireFields {
  const type = record.recordType;
  const notSent = fieldMapping.notSent[type];
  if (notSent !== undefined) throw new Error(`a ${type} record is never sent: ${notSent}`);
  const sources = CODE_SOURCES[type];
  if (sources === undefined) throw new Error(`no field mapping for record type ${String(type)}`);
  const fields: WireFields = {};
  for (const { code, paths } of sources) {
    if (options.codes && !options.codes.has(code)) continue;
    if (!options.district && fieldMapping.districtOnly.has(code)) continue;
    for (const path of paths) {
      const value = wireValue(readPointer(record, path), path, code, type, options);
      if (value === undefined) continue;
      fields[code] = value;
      break;
    }
  }
  if (options.publication && !options.codes) Object.assign(fields, publicationFields(type, options.publication, options));
  return fields;
}

/**
 * The derived publication codes of a record type (schemas/field-mapping.json `derived`): whether
 * the record is published (SX_SFGS) and, when it is, its last day (CF_GSJZQ).
 */
export function publicationFields(type: RecordType, publication: DeliveryPublication, options: Pick<WireFieldOptions, 'dateFormat' | 'booleans'>): WireFields {
  const fields: WireFields = {};
  for (const [code, derived] of Object.entries(fieldMapping.derived[type] ?? {})) {
    if (derived.kind === 'boolean') fields[code] = options.booleans === 'chinese' ? (publication.published ? '是' : '否') : publication.published;
    else if (publication.published && publication.until !== undefined)
      fields[code] = options.dateFormat === 'YYYY/MM/DD' ? publication.until.replaceAll('-', '/') : publication.until;
  }
  return fields;
}

/**
 * The codes that identify a record on the provincial platform (a DELETE's fields): CN_CNBM;
 * CF_WSH with CF_XDR_SHXYM, or CF_XDR_ZJHM for a party without a USCC; XF_JDWH; HC_CNBM with
 * HC_HCRQ (a verification has no number of its own: the commitment it verifies and the day, as a
 * commitment may be verified again after its rectification deadline).
 */
export function keyFieldCodes(record: CreditRecord): ReadonlySet<string> {
  switch (record.recordType) {
    case 'commitment':
      return new Set(['CN_CNBM']);
    case 'breach':
      return new Set(['CF_WSH', readPointer(record, '/data/party/uscc') === undefined ? 'CF_XDR_ZJHM' : 'CF_XDR_SHXYM']);
    case 'repair':
      return new Set(['XF_JDWH']);
    case 'verification':
      return new Set(['HC_CNBM', 'HC_HCRQ']);
    default:
      throw new Error(`no key fields for record type ${String(record.recordType)}`);
  }
}
