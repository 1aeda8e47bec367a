/**
 * `credex validate [FILE|-]`: checks records against the record contract before they are sent,
 * with the same validator the intake uses. One JSON line per record on stdout; exit 0 when all
 * are valid, 1 when any is invalid, 2 when the input cannot be read.
 */
import { readFile } from 'node:fs/promises';
import { isNativeError } from 'node:util/types';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { normaliseString, type NormalisationChange } from '../../functions/shared/records/normalise.js';
import {
  describeJsonError,
  validateRecordText,
  type ValidateOptions,
  type ValidationIssue,
  type ValidationResult,
} from '../../functions/shared/records/validate.js';
import { ExitCode, isInteractive, readAll, type CliIo } from '../io.js';

/** `--encoding` names → TextDecoder labels. GBK is a subset of GB18030, so one decoder reads both. */
const ENCODINGS: Readonly<Record<string, string>> = { 'utf-8': 'utf-8', utf8: 'utf-8', gb18030: 'gb18030', gbk: 'gb18030' };

export const VALIDATE_EXAMPLES = `
Examples:
  $ credex validate record.json                     one record
  $ credex validate batch.json --pretty             a JSON array of records, for people
  $ credex validate records.ndjson                  NDJSON, one record per line
  $ cat records.ndjson | credex validate -          from standard input
  $ credex validate export.json --encoding gb18030  GB18030/GBK text from older systems
  $ credex validate batch.json --legacy-uscc legacy-uscc.txt
`;

const VALIDATE_NOTES = `
Input: a JSON record, a JSON array of records, or NDJSON. A multi-line input that is not one
JSON value is read as NDJSON when its first line is a complete JSON value; a malformed NDJSON
line is reported as that record's error (rule "json"), the other lines are still checked.

Output: one JSON line per record: {"index","recordId","valid","errors","normalised"},
with "warnings" when there are any.

Exit status: 0 all records valid, 1 some record invalid, 2 input unreadable or bad usage.
`;

export interface ValidateCommandOptions {
  encoding?: string;
  legacyUscc?: string;
  pretty?: boolean;
}

/** One record as found in the input: its own JSON text, and its line when the input is NDJSON. */
export interface SourceRecord {
  index: number;
  text: string;
  line?: number;
}

export type Decoded = { ok: true; text: string } | { ok: false; message: string };
export type ParsedInput = { ok: true; format: 'json' | 'array' | 'ndjson'; records: SourceRecord[] } | { ok: false; message: string };

/** What is printed for each record. */
export interface RecordReport {
  index: number;
  recordId: string | null;
  valid: boolean;
  errors: ValidationIssue[];
  normalised: NormalisationChange[];
  warnings?: ValidationIssue[];
}

export function registerValidateCommand(program: Command, io: CliIo, setExitCode: (code: number) => void): void {
  program
    .command('validate')
    .description('check records against the record contract (schemas and cross-field rules) before sending them')
    .argument('[file]', 'JSON record, JSON array of records, or NDJSON; "-" or omitted reads standard input')
    .addOption(new Option('--encoding <name>', 'text encoding of the input: utf-8 (default), gb18030 or gbk').argParser(parseEncodingOption))
    .option('--legacy-uscc <file>', 'registered legacy USCCs, one per line: accepted with a usccLegacy warning')
    .option('--pretty', 'human-readable output instead of JSON lines')
    .addHelpText('after', VALIDATE_EXAMPLES + VALIDATE_NOTES)
    .action(async (file: string | undefined, options: ValidateCommandOptions) => {
      setExitCode(await validateCommand(file, options, io));
    });
}

function parseEncodingOption(name: string): string {
  if (ENCODINGS[name.toLowerCase()] === undefined) {
    throw new InvalidArgumentError(`expected one of ${Object.keys(ENCODINGS).join(', ')}; found ${JSON.stringify(name)}`);
  }
  return name.toLowerCase();
}

export async function validateCommand(file: string | undefined, options: ValidateCommandOptions, io: CliIo): Promise<number> {
  const fail = (message: string): number => {
    io.stderr.write(`credex validate: ${message}\n`);
    return ExitCode.unreadable;
  };

  let legacyUscc: Set<string> | undefined;
  if (options.legacyUscc !== undefined) {
    const list = await readLegacyUscc(options.legacyUscc);
    if (!list.ok) return fail(list.message);
    legacyUscc = list.codes;
  }

  const fromStdin = file === undefined || file === '-';
  const name = fromStdin ? 'standard input' : file;
  let bytes: Uint8Array;
  if (fromStdin) {
    // waiting on a terminal looks like a hang; an operator who typed `credex validate` forgot the file
    if (isInteractive(io.stdin)) return fail('no input: give a FILE, or pipe records to standard input');
    bytes = await readAll(io.stdin);
  } else {
    const read = await readBytes(file);
    if (!read.ok) return fail(`cannot read ${file}: ${read.message}`);
    bytes = read.bytes;
  }

  const decoded = decodeInput(bytes, options.encoding);
  if (!decoded.ok) return fail(`${name}: ${decoded.message}`);
  const parsed = parseRecords(decoded.text);
  if (!parsed.ok) return fail(`${name}: ${parsed.message}`);

  const validateOptions: ValidateOptions = legacyUscc ? { legacyUscc } : {};
  let invalid = 0;
  for (const source of parsed.records) {
    const report = toReport(source, validateSource(source, validateOptions));
    if (!report.valid) invalid++;
    io.stdout.write(options.pretty ? formatPretty(report, source.line) : formatJsonLine(report));
  }
  if (options.pretty) io.stdout.write(formatSummary(parsed.records.length, invalid));
  else if (parsed.records.length === 0) io.stderr.write(`credex validate: ${name}: no records (empty array)\n`);
  return invalid > 0 ? ExitCode.invalid : ExitCode.ok;
}

/**
 * Decodes the input strictly: bytes that are not valid in the encoding are an error that says
 * where, never replacement characters in a record that would then be sent on.
 */
export function decodeInput(bytes: Uint8Array, encoding = 'utf-8'): Decoded {
  const label = ENCODINGS[encoding.toLowerCase()];
  if (label === undefined) return { ok: false, message: `unknown encoding ${JSON.stringify(encoding)}; expected one of ${Object.keys(ENCODINGS).join(', ')}` };
  let text: string;
  try {
    text = new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, message: describeUndecodable(bytes, label) };
  }
  // TextDecoder drops a UTF-8 BOM but keeps GB18030's (84 31 95 33) as U+FEFF
  return { ok: true, text: text.startsWith('\uFEFF') ? text.slice(1) : text };
}

function describeUndecodable(bytes: Uint8Array, label: string): string {
  const name = label === 'utf-8' ? 'UTF-8' : 'GB18030';
  const hint = label === 'utf-8' ? '; if it is GB18030 or GBK text (common in exports from older Chinese systems), pass --encoding gb18030' : '';
  const offset = firstUndecodableByte(bytes, label);
  if (offset === undefined) return `not valid ${name}: the input ends in the middle of a character (truncated?)${hint}`;
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line++;
  const byte = bytes[offset]!.toString(16).toUpperCase().padStart(2, '0');
  return `not valid ${name}: byte 0x${byte} at line ${line} (byte offset ${offset}) is not part of a valid ${name} character${hint}`;
}

/**
 * TextDecoder does not say where it failed. A streaming decoder accepts any prefix that only ends
 * mid-character and rejects every prefix containing an invalid sequence, so the shortest rejected
 * prefix (binary search) ends at the first byte that cannot be decoded. Undefined: only the end is
 * incomplete.
 */
function firstUndecodableByte(bytes: Uint8Array, label: string): number | undefined {
  const rejects = (length: number): boolean => {
    try {
      new TextDecoder(label, { fatal: true }).decode(bytes.subarray(0, length), { stream: true });
      return false;
    } catch {
      return true;
    }
  };
  if (!rejects(bytes.length)) return undefined;
  let low = 1;
  let high = bytes.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    if (rejects(mid)) high = mid;
    else low = mid + 1;
  }
  return low - 1;
}

/**
 * Splits the input into records: a JSON array, one JSON value, or NDJSON. A malformed array or
 * document cannot be split, so it is an error for the whole input; a malformed NDJSON line is
 * only that record's error.
 */
export function parseRecords(text: string): ParsedInput {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, message: 'no input: expected a JSON record, a JSON array of records, or NDJSON (one record per line)' };

  const whole = parseJson(text);
  if (trimmed.startsWith('[')) {
    if (!whole.ok) return whole;
    const items = whole.value as unknown[];
    return { ok: true, format: 'array', records: items.map((item, index) => ({ index, text: JSON.stringify(item) })) };
  }
  if (whole.ok) return { ok: true, format: 'json', records: [{ index: 0, text }] };

  const lines = text
    .split('\n')
    .map((line, i) => ({ line: i + 1, text: line.endsWith('\r') ? line.slice(0, -1) : line }))
    .filter((l) => l.text.trim() !== '');
  // a pretty-printed document with a syntax error also has several lines, but its first line ("{")
  // is never complete JSON; reading it as NDJSON would bury the one real error under many
  if (lines.length < 2 || !parseJson(lines[0]!.text).ok) return whole;
  return { ok: true, format: 'ndjson', records: lines.map((l, index) => ({ index, text: l.text, line: l.line })) };
}

function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (err) {
    return { ok: false, message: describeJsonError(text, err) };
  }
}

/** validateRecordText on the record's own text (size limit, JSON syntax with its line in the file, contract). */
export function validateSource(source: SourceRecord, options: ValidateOptions = {}): ValidationResult {
  return validateRecordText(source.text, { ...options, ...(source.line !== undefined && { firstLine: source.line }) });
}

export function toReport(source: SourceRecord, result: ValidationResult): RecordReport {
  const record = result.record;
  const id = record !== null && typeof record === 'object' ? (record as Record<string, unknown>)['recordId'] : undefined;
  const report: RecordReport = {
    index: source.index,
    recordId: typeof id === 'string' ? id : null,
    valid: result.valid,
    errors: result.errors,
    normalised: result.normalised,
  };
  if (result.warnings.length > 0) report.warnings = result.warnings;
  return report;
}

export function formatJsonLine(report: RecordReport): string {
  return `${JSON.stringify(report)}\n`;
}

export function formatPretty(report: RecordReport, line?: number): string {
  const where = line === undefined ? '' : ` (line ${line})`;
  const out = [`#${report.index}${where} ${report.recordId ?? '(no recordId)'} ${report.valid ? 'VALID' : 'INVALID'}`];
  for (const e of report.errors) out.push(`  ${formatIssue(e)}`);
  for (const w of report.warnings ?? []) out.push(`  warning: ${formatIssue(w)}`);
  for (const c of report.normalised) out.push(`  normalised ${c.path}: ${JSON.stringify(c.before)} → ${JSON.stringify(c.after)}`);
  return `${out.join('\n')}\n`;
}

function formatIssue(issue: ValidationIssue): string {
  const title = issue.title ? ` ${issue.title}` : '';
  return `${issue.path || '(record)'} [${issue.rule}]${title}: ${issue.message}`;
}

function formatSummary(total: number, invalid: number): string {
  return `${total} record${total === 1 ? '' : 's'}: ${total - invalid} valid, ${invalid} invalid\n`;
}

async function readBytes(file: string): Promise<{ ok: true; bytes: Uint8Array } | { ok: false; message: string }> {
  try {
    return { ok: true, bytes: await readFile(file) };
  } catch (err) {
    return { ok: false, message: describeFsError(err) };
  }
}

function describeFsError(err: unknown): string {
  // not `instanceof Error`: fs errors come from another realm under jest's VM modules
  const code = isNativeError(err) && 'code' in err ? err.code : undefined;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'is a directory, not a file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return isNativeError(err) ? err.message : String(err);
}

/**
 * The operator's allow-list of legacy USCCs: one per line, blank lines and # comments ignored.
 * Codes are normalised as the record's codes are, so the list matches what the validator compares.
 */
async function readLegacyUscc(file: string): Promise<{ ok: true; codes: Set<string> } | { ok: false; message: string }> {
  const read = await readBytes(file);
  if (!read.ok) return { ok: false, message: `cannot read legacy USCC list ${file}: ${read.message}` };
  const decoded = decodeInput(read.bytes);
  if (!decoded.ok) return { ok: false, message: `legacy USCC list ${file}: ${decoded.message}` };
  const codes = new Set<string>();
  const lines = decoded.text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const code = normaliseString(lines[i]!, 'code');
    if (code === '' || code.startsWith('#')) continue;
    if (code.length !== 18)
      return { ok: false, message: `legacy USCC list ${file}, line ${i + 1}: expected an 18-character code, found ${JSON.stringify(code)}` };
    codes.add(code);
  }
  return { ok: true, codes };
}
