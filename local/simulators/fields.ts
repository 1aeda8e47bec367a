/**
 * The field codes each record type may carry on the wire, what kind of value each holds, and which
 * codes are required when: all derived from schemas/*.schema.json (`required`, `allOf` if/then/else,
 * `dependentRequired`, value types) and schemas/field-mapping.json, so the simulators follow the
 * schemas without a second hand-written list.
 *
 * Values are checked per wire profile (docs/endpoints.md): the provincial platform and the district
 * write dates `YYYY/MM/DD`, lists `;`-joined, booleans `是`/`否`; the municipal platform writes ISO
 * dates, JSON arrays and JSON booleans. Messages never quote an identity number.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseDate } from '../../functions/shared/records/dates.js';
import { decimalPlaces } from '../../functions/shared/records/decimals.js';
import { fieldMapping } from '../../functions/shared/records/field-mapping.js';
import { RECORD_TYPES } from '../../functions/shared/records/generated/schema-index.js';
import type { RecordType } from '../../functions/shared/records/types.js';
import { sm4DecryptField } from '../../functions/shared/signing/sm4.js';

export interface WireProfile {
  dates: 'slash' | 'iso';
  lists: 'joined' | 'array';
  booleans: 'chinese' | 'json';
  /** `sm4`: identity numbers must arrive SM4-encrypted; `clear`: in clear. */
  identity: 'sm4' | 'clear';
}

export const PROVINCIAL_PROFILE: WireProfile = { dates: 'slash', lists: 'joined', booleans: 'chinese', identity: 'sm4' };
export const DISTRICT_PROFILE: WireProfile = { dates: 'slash', lists: 'joined', booleans: 'chinese', identity: 'clear' };
export const MUNICIPAL_PROFILE: WireProfile = { dates: 'iso', lists: 'array', booleans: 'json', identity: 'clear' };

export type FieldKind =
  | { kind: 'string' }
  | { kind: 'enum'; values: readonly string[] }
  | { kind: 'date' }
  | { kind: 'list'; values: readonly string[] | undefined }
  | { kind: 'number'; maxDecimals?: number }
  | { kind: 'integer' }
  | { kind: 'boolean' }
  /** An identity-document number; `idTypeCode` holds its document type (身份证 → 18 characters). */
  | { kind: 'identity'; idTypeCode: string | undefined }
  /** A code that is a USCC for organisations and an identity number for natural persons (CN_CNZTDM). */
  | { kind: 'partyCode'; categoryCode: string; idTypeCode: string | undefined };

/** Decoded values by field code (dates ISO, lists arrays, booleans booleans, identity numbers decrypted). */
export type FieldValues = ReadonlyMap<string, unknown>;

interface Requirement {
  /** All must hold for `require` to apply. */
  when: Array<(values: FieldValues) => boolean>;
  require: string[];
}

export interface TypeCatalogue {
  type: RecordType;
  codes: ReadonlyMap<string, FieldKind>;
  requirements: readonly Requirement[];
}

/** E105: an encrypted field does not decrypt under the issued field key (the sender's key is stale). */
export type IssueCode = 'E101' | 'E102' | 'E103' | 'E105';

export interface FieldIssue {
  errorCode: IssueCode;
  field: string;
  message: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

const SCHEMA_DIR = fileURLToPath(new URL('../../schemas/', import.meta.url));

let catalogues: ReadonlyMap<RecordType, TypeCatalogue> | undefined;

/** The catalogue of every record type (built once, on first use). */
export function fieldCatalogue(type: RecordType): TypeCatalogue {
  catalogues ??= buildCatalogues();
  const catalogue = catalogues.get(type);
  if (catalogue === undefined) throw new Error(`no field catalogue for record type ${type}`);
  return catalogue;
}

function readJson(name: string): Json {
  return JSON.parse(readFileSync(`${SCHEMA_DIR}${name}`, 'utf8')) as Json;
}

function buildCatalogues(): Map<RecordType, TypeCatalogue> {
  const files = new Map<string, Json>([['defs.schema.json', readJson('defs.schema.json')]]);
  const result = new Map<RecordType, TypeCatalogue>();
  for (const type of RECORD_TYPES) {
    // a record type never sent (a non-penalty decision) has no wire fields: no catalogue
    const typeMapping = fieldMapping.fields[type];
    if (typeMapping === undefined) continue;
    const file = `${type}.schema.json`;
    files.set(file, readJson(file));
    const codeOf = new Map<string, string>();
    for (const [pointer, code] of Object.entries(typeMapping)) if (typeof code === 'string') codeOf.set(pointer, code);
    const builder = new CatalogueBuilder(files, codeOf);
    const [data, dataFile] = builder.resolve({ $ref: `#/$defs/${type}` }, file);
    builder.walkObject(data, dataFile, '/data', []);
    // the codes the exchange derives (the publication it states)
    for (const [code, derived] of Object.entries(fieldMapping.derived[type] ?? {})) builder.codes.set(code, { kind: derived.kind });
    result.set(type, { type, codes: builder.codes, requirements: builder.requirements });
  }
  return result;
}

class CatalogueBuilder {
  readonly codes = new Map<string, FieldKind>();
  readonly requirements: Requirement[] = [];

  constructor(
    private readonly files: ReadonlyMap<string, Json>,
    private readonly codeOf: ReadonlyMap<string, string>,
  ) {}

  /** Follows `$ref` (to `#/$defs/x` or `other.schema.json#/$defs/x`); sibling keywords win over the target's. */
  resolve(node: Json, file: string): [Json, string, string | undefined] {
    let current = node;
    let currentFile = file;
    let refName: string | undefined;
    while (typeof current.$ref === 'string') {
      const [target = '', fragment = ''] = current.$ref.split('#');
      const targetFile = target === '' ? currentFile : target;
      const doc = this.files.get(targetFile);
      if (doc === undefined) throw new Error(`unresolvable $ref ${current.$ref}`);
      let resolved: unknown = doc;
      for (const part of fragment.split('/').filter(Boolean)) resolved = isObject(resolved) ? resolved[part] : undefined;
      if (!isObject(resolved)) throw new Error(`unresolvable $ref ${current.$ref}`);
      refName = fragment.split('/').pop();
      const { $ref: _ref, ...siblings } = current;
      current = { ...resolved, ...siblings };
      currentFile = targetFile;
    }
    return [current, currentFile, refName];
  }

  private code(pointer: string): string | undefined {
    return this.codeOf.get(pointer);
  }

  /** Codes under an object pointer (to test "the object is present"). */
  private codesUnder(pointer: string): string[] {
    return [...this.codeOf].filter(([p]) => p.startsWith(`${pointer}/`)).map(([, c]) => c);
  }

  walkObject(node: Json, file: string, pointer: string, when: Requirement['when']): void {
    const properties = isObject(node.properties) ? node.properties : {};
    const required = new Set(Array.isArray(node.required) ? (node.required as string[]) : []);
    for (const [name, raw] of Object.entries(properties)) {
      if (!isObject(raw)) continue;
      const [prop, propFile, refName] = this.resolve(raw, file);
      const path = `${pointer}/${name}`;
      if (prop.type === 'object' && isObject(prop.properties)) {
        const under = this.codesUnder(path);
        // An optional object's own required fields apply once any of its fields is sent.
        const present = (values: FieldValues): boolean => under.some((c) => values.has(c));
        this.walkObject(prop, propFile, path, required.has(name) ? when : [...when, present]);
      } else {
        this.registerLeaf(path, prop, refName);
      }
    }
    this.addRequired(
      pointer,
      [...required].filter((name) => !this.isObjectProperty(properties[name], file)),
      when,
    );
    if (isObject(node.dependentRequired)) {
      for (const [name, deps] of Object.entries(node.dependentRequired)) {
        const present = this.presence(`${pointer}/${name}`);
        if (present === undefined || !Array.isArray(deps)) continue;
        this.addRequired(pointer, deps as string[], [...when, present]);
      }
    }
    if (Array.isArray(node.allOf)) for (const entry of node.allOf) if (isObject(entry)) this.conditional(entry, pointer, when);
  }

  /**
   * "The field at `pointer` is sent". A code shared by two fields (CN_CNZTDM: USCC or identity
   * number) stands for the identity number only when the party is a natural person.
   */
  private presence(pointer: string): ((values: FieldValues) => boolean) | undefined {
    const code = this.code(pointer);
    if (code === undefined) return undefined;
    const kind = this.codes.get(code);
    if (kind?.kind === 'partyCode') {
      const personal = /[iI]dNumber$/.test(pointer);
      return (values) => values.has(code) && (values.get(kind.categoryCode) === '自然人') === personal;
    }
    return (values) => values.has(code);
  }

  private isObjectProperty(raw: unknown, file: string): boolean {
    if (!isObject(raw)) return false;
    const [prop] = this.resolve(raw, file);
    return prop.type === 'object';
  }

  private addRequired(pointer: string, names: readonly string[], when: Requirement['when']): void {
    const codes = names.map((name) => this.code(`${pointer}/${name}`)).filter((c): c is string => c !== undefined);
    if (codes.length > 0) this.requirements.push({ when, require: [...new Set(codes)] });
  }

  /** `if` / `then` / `else`, as the schemas use it: conditions on values of sibling fields. */
  private conditional(node: Json, pointer: string, when: Requirement['when']): void {
    if (!isObject(node.if)) return;
    const test = this.condition(node.if, pointer);
    if (test === undefined) return; // a condition on an unmapped field: nothing the wire can show
    this.branch(node.then, pointer, [...when, test]);
    this.branch(node.else, pointer, [...when, (values) => !test(values)]);
  }

  private branch(node: unknown, pointer: string, when: Requirement['when']): void {
    if (!isObject(node)) return;
    if (Array.isArray(node.required)) this.addRequired(pointer, node.required as string[], when);
    this.conditional(node, pointer, when);
  }

  private condition(node: Json, pointer: string): ((values: FieldValues) => boolean) | undefined {
    const tests: Array<(values: FieldValues) => boolean> = [];
    for (const name of Array.isArray(node.required) ? (node.required as string[]) : []) {
      const present = this.presence(`${pointer}/${name}`);
      if (present === undefined) return undefined;
      tests.push(present);
    }
    for (const [name, constraint] of Object.entries(isObject(node.properties) ? node.properties : {})) {
      const code = this.code(`${pointer}/${name}`);
      if (code === undefined || !isObject(constraint)) return undefined;
      const matches = valueTest(constraint);
      tests.push((values) => !values.has(code) || matches(values.get(code)));
    }
    return (values) => tests.every((t) => t(values));
  }

  private registerLeaf(pointer: string, prop: Json, refName: string | undefined): void {
    const code = this.code(pointer);
    if (code === undefined) return;
    const kind = leafKind(prop, refName, pointer, (p) => this.code(p));
    const existing = this.codes.get(code);
    if (existing !== undefined && existing.kind !== kind.kind) {
      // One code for two canonical fields (CN_CNZTDM: the party's USCC or identity number).
      const identity = existing.kind === 'identity' ? existing : kind.kind === 'identity' ? kind : undefined;
      const categoryCode = this.code(pointer.replace(/\/[^/]+$/, '/category'));
      if (identity === undefined || categoryCode === undefined) throw new Error(`field code ${code} maps to fields of different kinds`);
      this.codes.set(code, { kind: 'partyCode', categoryCode, idTypeCode: identity.idTypeCode });
      return;
    }
    if (existing === undefined) this.codes.set(code, kind);
  }
}

function valueTest(constraint: Json): (value: unknown) => boolean {
  if ('const' in constraint) return (value) => value === constraint.const;
  if (Array.isArray(constraint.enum)) {
    const values = constraint.enum as unknown[];
    return (value) => values.includes(value);
  }
  if (isObject(constraint.contains)) {
    const item = valueTest(constraint.contains);
    return (value) => Array.isArray(value) && value.some(item);
  }
  return () => true;
}

function leafKind(prop: Json, refName: string | undefined, pointer: string, codeOf: (p: string) => string | undefined): FieldKind {
  if (prop['x-personal'] === true) return { kind: 'identity', idTypeCode: codeOf(pointer.replace(/([iI])dNumber$/, '$1dType')) };
  if (refName === 'date' || prop.format === 'date') return { kind: 'date' };
  if (prop.type === 'array') {
    const items = isObject(prop.items) ? prop.items : {};
    return { kind: 'list', values: Array.isArray(items.enum) ? (items.enum as string[]) : undefined };
  }
  if (prop.type === 'number') return typeof prop['x-maxDecimals'] === 'number' ? { kind: 'number', maxDecimals: prop['x-maxDecimals'] } : { kind: 'number' };
  if (prop.type === 'integer') return { kind: 'integer' };
  if (prop.type === 'boolean') return { kind: 'boolean' };
  // a value sent as a code (schemas/field-mapping.json codeLists): the codes are what arrives
  const list = codeOf(pointer) === undefined ? undefined : fieldMapping.codeLists[codeOf(pointer)!];
  if (list !== undefined) return { kind: 'enum', values: [...new Set(Object.values(list))] };
  if (Array.isArray(prop.enum)) return { kind: 'enum', values: prop.enum as string[] };
  return { kind: 'string' };
}

const SLASH_DATE = /^(\d{4})\/(\d{2})\/(\d{2})$/;
const IDENTITY_PATTERN = /^[0-9A-Z()-]{5,64}$/;
const RESIDENT_ID_PATTERN = /^\d{17}[\dX]$/;

/** A wire date in the profile's format, as YYYY-MM-DD, or undefined. */
export function wireDate(value: unknown, profile: WireProfile): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (profile.dates === 'iso') return parseDate(value);
  const m = SLASH_DATE.exec(value);
  return m === null ? undefined : parseDate(`${m[1]}-${m[2]}-${m[3]}`);
}

export interface DecodeOptions {
  profile: WireProfile;
  /** SM4 field key (32 hex) for `identity: 'sm4'` profiles. */
  fieldKey?: string | undefined;
}

export interface Decoded {
  /** Values that decoded, by code (identity numbers in clear). */
  values: Map<string, unknown>;
  issues: FieldIssue[];
}

const describeDate = (profile: WireProfile): string => (profile.dates === 'iso' ? 'YYYY-MM-DD' : 'YYYY/MM/DD');

/**
 * Decodes wire fields of one record type: unknown codes (E103) and invalid values (E102). Required
 * fields are checked separately ({@link missingRequired}).
 */
export function decodeFields(catalogue: TypeCatalogue, fields: Json, options: DecodeOptions): Decoded {
  const { profile } = options;
  const values = new Map<string, unknown>();
  const issues: FieldIssue[] = [];
  const invalid = (field: string, message: string, errorCode: IssueCode = 'E102'): void =>
    void issues.push({ errorCode, field, message: `${field} ${message}` });
  // Identity numbers last: they need their document type, which is decoded first.
  const entries = Object.entries(fields).sort(([a], [b]) => Number(isIdentity(catalogue, a)) - Number(isIdentity(catalogue, b)));
  for (const [code, value] of entries) {
    const kind = catalogue.codes.get(code);
    if (kind === undefined) {
      issues.push({ errorCode: 'E103', field: code, message: `${code} 未知字段 (unknown field code for ${catalogue.type})` });
      continue;
    }
    if (value === null || value === undefined || value === '') {
      invalid(code, 'is empty: leave a field out rather than sending it empty');
      continue;
    }
    switch (kind.kind) {
      case 'string':
        if (typeof value === 'string' && value.trim() !== '') values.set(code, value);
        else invalid(code, 'must be a non-empty string');
        break;
      case 'enum':
        if (typeof value === 'string' && kind.values.includes(value)) values.set(code, value);
        else invalid(code, `must be one of ${kind.values.join(', ')}`);
        break;
      case 'date': {
        const date = wireDate(value, profile);
        if (date === undefined) invalid(code, `日期格式错误: must be a real date written ${describeDate(profile)}`);
        else values.set(code, date);
        break;
      }
      case 'list': {
        const items =
          profile.lists === 'joined' ? (typeof value === 'string' ? value.split(';') : undefined) : Array.isArray(value) ? (value as unknown[]) : undefined;
        const how = profile.lists === 'joined' ? "a string of values joined with ';'" : 'a JSON array of strings';
        if (items === undefined || items.length === 0) invalid(code, `must be ${how}`);
        else if (items.some((item) => typeof item !== 'string' || (kind.values !== undefined && !kind.values.includes(item)))) {
          invalid(code, `must be ${how}, each one of ${kind.values?.join(', ') ?? 'the allowed values'}`);
        } else if (new Set(items).size !== items.length) invalid(code, 'repeats a value');
        else values.set(code, items);
        break;
      }
      case 'number':
        if (!(typeof value === 'number' && Number.isFinite(value) && value >= 0)) invalid(code, 'must be a non-negative JSON number (amounts in 10,000 yuan)');
        else if (kind.maxDecimals !== undefined && decimalPlaces(value) > kind.maxDecimals)
          invalid(code, `has more than ${kind.maxDecimals} decimals (amounts in 10,000 yuan, to the fen)`);
        else values.set(code, value);
        break;
      case 'integer':
        if (typeof value === 'number' && Number.isInteger(value)) values.set(code, value);
        else invalid(code, 'must be a JSON integer');
        break;
      case 'boolean':
        if (profile.booleans === 'json') {
          if (typeof value === 'boolean') values.set(code, value);
          else invalid(code, 'must be a JSON boolean');
        } else if (value === '是' || value === '否') values.set(code, value === '是');
        else invalid(code, 'must be "是" or "否"');
        break;
      case 'identity':
      case 'partyCode': {
        const personal = kind.kind === 'identity' || values.get(kind.categoryCode) === '自然人';
        if (!personal) {
          if (typeof value === 'string' && /^[0-9A-Z]{18}$/.test(value)) values.set(code, value);
          else invalid(code, 'must be an 18-character unified social credit code');
          break;
        }
        const plain = identityValue(code, value, values.get(kind.idTypeCode ?? ''), options, invalid);
        if (plain !== undefined) values.set(code, plain);
        break;
      }
    }
  }
  return { values, issues };
}

function isIdentity(catalogue: TypeCatalogue, code: string): boolean {
  const kind = catalogue.codes.get(code)?.kind;
  return kind === 'identity' || kind === 'partyCode';
}

/** The identity number in clear, or undefined after reporting why it is invalid. */
function identityValue(
  code: string,
  value: unknown,
  idType: unknown,
  options: DecodeOptions,
  invalid: (field: string, message: string, errorCode?: IssueCode) => void,
): string | undefined {
  if (typeof value !== 'string') {
    invalid(code, 'must be a string');
    return undefined;
  }
  let plain = value;
  if (options.profile.identity === 'sm4') {
    if (options.fieldKey === undefined) {
      invalid(code, 'cannot be decrypted: the simulator has no field key for this app key');
      return undefined;
    }
    try {
      plain = sm4DecryptField(value, options.fieldKey);
    } catch {
      const looksPlain = IDENTITY_PATTERN.test(value);
      if (looksPlain) invalid(code, '证件号码未加密: identity numbers must be SM4-encrypted (base64 of IV ‖ ciphertext)');
      else invalid(code, '解密失败: not a valid SM4 value under the issued field key', 'E105');
      return undefined;
    }
  }
  if (!IDENTITY_PATTERN.test(plain)) {
    invalid(
      code,
      options.profile.identity === 'sm4'
        ? 'decrypts to something that is not an identity number'
        : 'is not an identity number in clear (letters, digits, brackets, hyphens)',
    );
    return undefined;
  }
  if (idType === '身份证' && !RESIDENT_ID_PATTERN.test(plain)) {
    invalid(code, 'is not an 18-character identity-card number');
    return undefined;
  }
  return plain;
}

/**
 * Required codes missing, given the codes sent (`present`) and the decoded values the schemas'
 * conditions test (e.g. CF_NR_FK is required when CF_CFLB includes 罚款).
 */
export function missingRequired(catalogue: TypeCatalogue, present: ReadonlySet<string>, values: FieldValues): string[] {
  // Conditions see decoded values; presence counts every code sent, even one with an invalid value.
  const view: FieldValues = new Map([...[...present].map((c): [string, unknown] => [c, undefined]), ...values]);
  const missing = new Set<string>();
  for (const { when, require } of catalogue.requirements) {
    if (!when.every((test) => test(view))) continue;
    for (const code of require) if (!present.has(code)) missing.add(code);
  }
  return [...missing];
}

/**
 * Full check of an UPSERT's fields: unknown codes first (E103), then missing required (E101), then
 * invalid values (E102); the first kind found is the record's error code, its message lists every
 * field of that kind.
 */
export function checkUpsert(catalogue: TypeCatalogue, fields: Json, options: DecodeOptions): { values: Map<string, unknown>; issues: FieldIssue[] } {
  const { values, issues } = decodeFields(catalogue, fields, options);
  const present = new Set(
    Object.keys(fields).filter((code) => catalogue.codes.has(code) && fields[code] !== null && fields[code] !== undefined && fields[code] !== ''),
  );
  for (const code of missingRequired(catalogue, present, values)) {
    issues.push({ errorCode: 'E101', field: code, message: `${code} 必填字段缺失 (required field missing)` });
  }
  return { values, issues };
}

/** The first error code of `issues` by precedence (E105, E103, E101, E102) and a message listing its fields. */
export function summariseIssues(issues: readonly FieldIssue[]): { errorCode: IssueCode; message: string } | undefined {
  for (const errorCode of ['E105', 'E103', 'E101', 'E102'] as const) {
    const found = issues.filter((i) => i.errorCode === errorCode);
    if (found.length > 0) return { errorCode, message: found.map((i) => i.message).join('; ') };
  }
  return undefined;
}
