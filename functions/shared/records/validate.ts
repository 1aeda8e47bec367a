/**
 * The record validator: normalise what is unambiguous, then check the record against its
 * precompiled JSON Schema and the cross-field rules its schema names. Every error says where
 * (JSON pointer), which rule, why (English) and the field's Chinese title.
 *
 * Only generated code is loaded here: the schemas are compiled at build time
 * (scripts/generate-validators.ts), never on a cold start.
 */
import type { ErrorObject } from 'ajv';
import { parse as parseJsonc, printParseErrorCode, type ParseError } from 'jsonc-parser';
import * as compiled from './generated/validators.js';
import { RECORD_TYPES, schemaIndex } from './generated/schema-index.js';
import { decimalPlaces, plainDecimal } from './decimals.js';
import { duplicateKeys } from './duplicate-keys.js';
import { explainResidentId, explainUscc } from './identifiers.js';
import { normaliseRecord, type NormalisationChange } from './normalise.js';
import { applyRules, readPointer } from './rules.js';
import type { FieldInfo } from './schema-index-types.js';
import { unsupportedText } from './text.js';
import type { RecordType } from './types.js';

/**
 * Largest record accepted, in bytes of UTF-8 JSON. SQS takes messages up to 1 MiB (1,048,576 bytes,
 * attributes included) since 2025, but a queue's default MaximumMessageSize is still 256 KiB and
 * several SQS-compatible servers, EventBridge and Lambda async invocations stop at 256 KiB; 240 KiB
 * leaves 16 KiB for message attributes and the routing envelope within that limit everywhere.
 */
export const MAX_RECORD_BYTES = 240 * 1024;

/** Errors reported per record at most; the rest are counted in one final `maxErrors` error. */
export const DEFAULT_MAX_ERRORS = 50;

export interface ValidationIssue {
  /** JSON pointer into the record, '' for the record itself. */
  path: string;
  /** The schema keyword (`required`, `enum`, `format:uscc`, …) or cross-field rule that failed. */
  rule: string;
  /** What was expected and what was found, in English. */
  message: string;
  /** The field's Chinese name, where the schema has one. */
  title?: string;
}

export interface ValidationResult {
  valid: boolean;
  /** The record after normalisation (the input when it is not an object). */
  record: unknown;
  errors: ValidationIssue[];
  /** Accepted with a flag: legacy codes from the configured allow-list. */
  warnings: ValidationIssue[];
  /** Every change normalisation made. */
  normalised: NormalisationChange[];
}

export interface ValidateOptions {
  /** Errors to report at most (default 50). */
  maxErrors?: number;
  /**
   * USCCs issued before GB 32100 checks were enforced that fail the check character, registered
   * by the operator: accepted with a `usccLegacy` warning instead of an error. Never implicit.
   */
  legacyUscc?: ReadonlySet<string>;
}

type CompiledValidator = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };
const validators = compiled as unknown as Record<RecordType | 'envelope', CompiledValidator>;

const fields = new Map(Object.entries(schemaIndex.fields).map(([type, list]) => [type, new Map(list.map((f) => [f.path, f]))]));

/** The schema's facts about the field at `path` (array indices match `*`). */
function fieldInfo(path: string, type: RecordType | undefined): FieldInfo | undefined {
  const pattern = path.replace(/\/\d+(?=\/|$)/g, '/*');
  return fields.get(type ?? 'envelope')?.get(pattern) ?? fields.get('envelope')?.get(pattern);
}

const recordTypes: ReadonlySet<unknown> = new Set(RECORD_TYPES);
const isRecordType = (value: unknown): value is RecordType => recordTypes.has(value);

/** A result that failed before schema validation could run (not an object, too large, not JSON). */
function rejected(record: unknown, issue: ValidationIssue): ValidationResult {
  return { valid: false, record, errors: [issue], warnings: [], normalised: [] };
}

export function validateRecord(input: unknown, options: ValidateOptions = {}): ValidationResult {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    return rejected(input, { path: '', rule: 'type', message: `a record must be a JSON object, found ${describe(input)}` });
  }
  const { record, changes } = normaliseRecord(input as Record<string, unknown>);
  const type = isRecordType(record['recordType']) ? record['recordType'] : undefined;
  const validate = validators[type ?? 'envelope'];
  // characters no destination can carry first: the same record would fail the same way at every hop
  let errors: ValidationIssue[] = unsupportedText(record).map((issue) => withTitle(issue, type));
  if (!validate(record)) errors.push(...fromAjv(validate.errors ?? [], record, type));
  if (type && record['data'] !== null && typeof record['data'] === 'object') {
    for (const issue of applyRules(record['data'] as Record<string, unknown>, schemaIndex.rules[type] ?? [], record['operation'])) {
      errors.push(withTitle({ ...issue, path: `/data${issue.path}` }, type));
    }
  }
  const warnings: ValidationIssue[] = [];
  if (options.legacyUscc?.size) {
    errors = errors.filter((e) => {
      const value = readPointer(record, e.path);
      if (e.rule !== 'format:uscc' || typeof value !== 'string' || !options.legacyUscc!.has(value)) return true;
      warnings.push({ ...e, rule: 'usccLegacy', message: `legacy code on the registered allow-list, accepted although it ${e.message}` });
      return false;
    });
  }
  return { valid: errors.length === 0, record, errors: boundErrors(errors, options.maxErrors), warnings, normalised: changes };
}

export interface TextOptions extends ValidateOptions {
  /** Line number of the text's first line in its file (NDJSON), for JSON error positions; default 1. */
  firstLine?: number;
}

/**
 * Validates one record given as JSON text (a message body, a request body, a line of NDJSON):
 * size limit, JSON syntax (with line and column), no property named twice, then validateRecord.
 */
export function validateRecordText(input: string, options: TextOptions = {}): ValidationResult {
  // a byte-order mark is an encoding artefact some Windows tools write, not content
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  // UTF-8 takes at most 3 bytes per UTF-16 unit, so most texts need no byte count at all
  const bytes = text.length * 3 <= MAX_RECORD_BYTES ? 0 : Buffer.byteLength(text, 'utf8');
  if (bytes > MAX_RECORD_BYTES) {
    return rejected(undefined, {
      path: '',
      rule: 'maxRecordBytes',
      message: `record is ${bytes} bytes of UTF-8 JSON; the limit is ${MAX_RECORD_BYTES} bytes (240 KiB)`,
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return rejected(undefined, { path: '', rule: 'json', message: describeJsonError(text, err, options.firstLine) });
  }
  const duplicates = duplicateKeys(text, parsed);
  if (duplicates.length > 0)
    return { ...rejected(parsed, duplicateKeyIssue(duplicates[0]!)), errors: boundErrors(duplicates.map(duplicateKeyIssue), options.maxErrors) };
  return validateRecord(parsed, options);
}

/** A property named twice (rule `duplicateKey`): JSON readers disagree on which value counts, so none does. */
export function duplicateKeyIssue(path: string): ValidationIssue {
  return {
    path,
    rule: 'duplicateKey',
    message: 'this property is named more than once in its object; JSON readers disagree on which value counts, so the record is refused',
  };
}

const JSON_PROBLEMS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: "expected ':'",
  CommaExpected: "expected ','",
  CloseBraceExpected: "expected '}'",
  CloseBracketExpected: "expected ']'",
  EndOfFileExpected: 'expected the end of the input after the JSON value',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control character in a string',
};

/**
 * "malformed JSON at line L, column C: <what was expected>" for text JSON.parse rejected. V8's own
 * messages do not reliably carry a position, so the text is scanned again (only on this error path).
 */
export function describeJsonError(text: string, err: unknown, firstLine = 1): string {
  const problems: ParseError[] = [];
  parseJsonc(text, problems, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  const first = problems[0];
  if (!first) return `malformed JSON: ${err instanceof Error ? err.message : String(err)}`;
  const before = text.slice(0, first.offset);
  const line = firstLine - 1 + before.split('\n').length;
  const column = first.offset - before.lastIndexOf('\n');
  const code = printParseErrorCode(first.error);
  return `malformed JSON at line ${line}, column ${column}: ${JSON_PROBLEMS[code] ?? code}`;
}

/** At most `max` errors (default 50), then one `maxErrors` entry counting the rest. */
export function boundErrors(errors: ValidationIssue[], max = DEFAULT_MAX_ERRORS): ValidationIssue[] {
  if (errors.length <= max) return errors;
  return [...errors.slice(0, max), { path: '', rule: 'maxErrors', message: `${errors.length - max} more errors not shown (at most ${max} are reported)` }];
}

function withTitle(issue: ValidationIssue, type: RecordType | undefined): ValidationIssue {
  const title = fieldInfo(issue.path, type)?.title;
  return title ? { ...issue, title } : issue;
}

const describe = (value: unknown): string => (value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value);

/** Rules that add nothing once another rule reported the same field: a field gets its most specific error. */
const OUTRANKED_BY: Readonly<Record<string, (rule: string) => boolean>> = {
  pattern: (other) => other.startsWith('format:'),
  maxLength: (other) => other.startsWith('format:'),
  dependentRequired: (other) => other === 'required',
};

function fromAjv(ajvErrors: ErrorObject[], record: Record<string, unknown>, type: RecordType | undefined): ValidationIssue[] {
  const issues = new Map<string, ValidationIssue>();
  for (const e of ajvErrors) {
    const issue = toIssue(e, record, type);
    if (issue) issues.set(`${issue.path}\u0000${issue.rule}\u0000${issue.message}`, issue);
  }
  const rulesAt = new Map<string, string[]>();
  for (const { path, rule } of issues.values()) rulesAt.set(path, [...(rulesAt.get(path) ?? []), rule]);
  return [...issues.values()]
    .filter(({ path, rule }) => !rulesAt.get(path)!.some((other) => OUTRANKED_BY[rule]?.(other)))
    .map((issue) => withTitle(issue, type));
}

/** One ajv error → one issue, or undefined for wrapper errors that add nothing (`if`, `allOf`). */
function toIssue(e: ErrorObject, record: Record<string, unknown>, type: RecordType | undefined): ValidationIssue | undefined {
  const p = e.params as Record<string, unknown>;
  const value = readPointer(record, e.instancePath);
  // personal data is never quoted back, whatever rule it broke
  const shown = fieldInfo(e.instancePath, type)?.personal ? '(personal data, not shown)' : JSON.stringify(value);
  const conditional = /\/(then|else)\//.test(e.schemaPath);
  switch (e.keyword) {
    case 'if':
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
      return undefined;
    case 'required': {
      const field = String(p['missingProperty']);
      const path = `${e.instancePath}/${field}`;
      const when = conditional ? requiredWhen(path, type) : undefined;
      return { path, rule: 'required', message: `${field} is ${when ? `r${when.slice(1)}` : 'required'}` };
    }
    case 'dependentRequired':
      return {
        path: `${e.instancePath}/${String(p['missingProperty'])}`,
        rule: 'dependentRequired',
        message: `${String(p['missingProperty'])} is required when ${String(p['property'])} is given`,
      };
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(p['additionalProperty'] ?? p['unevaluatedProperty']);
      return {
        path: `${e.instancePath}/${field}`,
        rule: e.keyword,
        message: `${field} is not a field of this record (unknown property; check its spelling against the schema)`,
      };
    }
    case 'type':
      return { path: e.instancePath, rule: 'type', message: `must be ${String(p['type'])}, found ${describe(value)}` };
    case 'enum':
      return { path: e.instancePath, rule: 'enum', message: `must be one of: ${(p['allowedValues'] as unknown[]).join(', ')}; found ${shown}` };
    case 'const':
      return { path: e.instancePath, rule: 'const', message: `must be ${JSON.stringify(p['allowedValue'])}, found ${shown}` };
    case 'false schema': {
      const field = e.instancePath.slice(e.instancePath.lastIndexOf('/') + 1);
      const when = /\bnot allowed (when|for) [^.;]*/i.exec(fieldInfo(e.instancePath, type)?.description ?? '')?.[0];
      return { path: e.instancePath, rule: 'notAllowed', message: `${field} is ${when ?? 'not allowed here'}` };
    }
    case 'maxLength':
    case 'minLength': {
      const length = typeof value === 'string' ? [...value].length : 0;
      const bound = e.keyword === 'maxLength' ? 'at most' : 'at least';
      return { path: e.instancePath, rule: e.keyword, message: `must be ${bound} ${String(p['limit'])} characters, found ${length}` };
    }
    case 'pattern':
      return { path: e.instancePath, rule: 'pattern', message: `${shown} does not have the expected form (pattern ${String(p['pattern'])})` };
    case 'format':
      return { path: e.instancePath, rule: `format:${String(p['format'])}`, message: formatMessage(String(p['format']), value, shown) };
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return { path: e.instancePath, rule: e.keyword, message: `must be ${String(p['comparison'])} ${String(p['limit'])}, found ${String(value)}` };
    case 'x-maxDecimals': {
      const found = typeof value === 'number' ? `${decimalPlaces(value)} in ${plainDecimal(value)}` : String(value);
      return {
        path: e.instancePath,
        rule: 'maxDecimals',
        message: `must have at most ${String(p['limit'])} decimals (amounts are in 10,000 yuan, to the fen), found ${found}`,
      };
    }
    case 'minItems':
    case 'maxItems':
      return { path: e.instancePath, rule: e.keyword, message: `must have ${e.keyword === 'minItems' ? 'at least' : 'at most'} ${String(p['limit'])} item(s)` };
    case 'uniqueItems':
      return { path: e.instancePath, rule: 'uniqueItems', message: `items ${String(p['j'])} and ${String(p['i'])} are the same; each value may appear once` };
    default:
      return { path: e.instancePath, rule: e.keyword, message: e.message ?? 'is invalid' };
  }
}

/** The clause of a field's description that says when it is required ("required when …"), if any. */
function requiredWhen(path: string, type: RecordType | undefined): string | undefined {
  return /\brequired (when|for|once)[^.;]*/i.exec(fieldInfo(path, type)?.description ?? '')?.[0];
}

function formatMessage(format: string, value: unknown, shown: string): string {
  if (typeof value !== 'string') return `must be a string in format ${format}`;
  switch (format) {
    case 'uscc':
      return `is not a valid Unified Social Credit Code: ${explainUscc(value) ?? 'invalid'}`;
    case 'resident-id':
      // never echo the number: it is personal data
      return `is not a valid resident identity card number: ${explainResidentId(value) ?? 'invalid'}`;
    case 'date':
      return `must be a real calendar date YYYY-MM-DD, found ${shown}`;
    case 'date-time':
      return `must be an RFC 3339 date-time with an offset (e.g. 2026-03-02T09:30:00+08:00), found ${shown}`;
    default:
      return `does not match format ${format}`;
  }
}
