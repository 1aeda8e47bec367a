/**
 * Chinese identifier algorithms, exactly as the standards define them:
 * - Unified Social Credit Code, GB 32100-2015 (with the GB 11714 organisation-code check inside it);
 * - resident identity card number, GB 11643-1999.
 *
 * Each `explain*` function returns `undefined` for a valid value or the first reason it is not,
 * worded for a person; the boolean `is*` forms are what the ajv formats call.
 */
import { parseDate } from './dates.js';

/** GB 32100 character set: digits and capitals without I, O, Z, S, V; a character's value is its index. */
export const USCC_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

/**
 * Registration authority (position 1) → organisation categories allowed at position 2
 * (GB 32100-2015, table 1 and its category codes).
 */
export const USCC_CATEGORIES: Readonly<Record<string, string>> = {
  '1': '1239', // 机构编制: 机关, 事业单位, 编办直管群众团体, 其他
  '2': '19', // 外交
  '3': '123459', // 司法行政: 律师执业机构, 公证处, 基层法律服务所, 司法鉴定机构, 仲裁委员会, 其他
  '4': '19', // 文化
  '5': '1239', // 民政: 社会团体, 民办非企业单位, 基金会, 其他
  '6': '129', // 旅游
  '7': '129', // 宗教: 宗教活动场所, 宗教院校, 其他
  '8': '19', // 工会
  '9': '123', // 工商 (市场监管): 企业, 个体工商户, 农民专业合作社
  A: '19', // 中央军委改革和编制办公室
  N: '1239', // 农业: 组级, 村级, 乡镇级集体经济组织, 其他
  Y: '1', // 其他
};

/** Placeholder some systems send for an individual business (个体工商户) that has no code. */
export const USCC_PLACEHOLDER = '00000000000000000X';

const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2] as const;

/** GB 11714 value of a code character: digits 0–9, letters A=10 … Z=35. */
function orgCodeValue(ch: string): number {
  return Number.parseInt(ch, 36);
}

/** The GB 11714 check character for the 8-character organisation-code body. */
export function orgCodeCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += orgCodeValue(body8[i]!) * ORG_CODE_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

/** The GB 32100 check character for the first 17 characters of a USCC. */
export function usccCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARSET.indexOf(first17[i]!) * USCC_WEIGHTS[i]!;
  const c = (31 - (sum % 31)) % 31;
  return USCC_CHARSET[c]!;
}

/** Why `code` is not a valid USCC, or undefined when it is. The placeholder is reported as such. */
export function explainUscc(code: string): string | undefined {
  if (code === USCC_PLACEHOLDER) {
    return `${USCC_PLACEHOLDER} is the placeholder for an individual business without a code; it is accepted only for committer/party category 个体工商户, with the registration number given`;
  }
  // Explanations name positions, never quote the characters: a USCC field sometimes holds an
  // identity-card number sent by mistake, and that must not reach a log or an error message.
  if (code.length !== 18) return `must be 18 characters (found ${code.length})`;
  for (let i = 0; i < 18; i++) {
    if (!USCC_CHARSET.includes(code[i]!)) {
      return `character ${i + 1} is not in the GB 32100 character set (digits and capitals except I, O, Z, S, V)`;
    }
  }
  const categories = USCC_CATEGORIES[code[0]!];
  if (categories === undefined) return 'character 1 is not a registration-authority code';
  if (!categories.includes(code[1]!)) return 'character 2 is not an organisation category of the registration authority in character 1';
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'characters 3–8 must be a 6-digit administrative division code';
  if (!/^[0-9X]$/.test(code[16]!)) return 'character 17 must be a digit or X (the organisation-code check character)';
  if (code[16] !== orgCodeCheckCharacter(code.slice(8, 16))) {
    return 'characters 9–17 (the embedded organisation code) fail the GB 11714 check';
  }
  if (code[17] !== usccCheckCharacter(code.slice(0, 17))) return 'check character (18th) does not match the GB 32100 check';
  return undefined;
}

/** Character code → GB 32100 value (or -1), for the single-pass check below. */
const USCC_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < USCC_CHARSET.length; i++) USCC_VALUE[USCC_CHARSET.charCodeAt(i)] = i;

/**
 * The same verdict as `explainUscc(code) === undefined`, in one pass without building strings:
 * this runs for every USCC of every record (a property test keeps the two in agreement).
 */
export function isUscc(code: string): boolean {
  if (code.length !== 18) return false;
  let sum = 0;
  let orgSum = 0;
  for (let i = 0; i < 17; i++) {
    const c = code.charCodeAt(i);
    const v = c < 128 ? USCC_VALUE[c]! : -1;
    if (v < 0) return false;
    if (i >= 2 && i < 8 && v > 9) return false; // division code: digits
    if (i >= 8 && i < 16) orgSum += (v < 10 ? v : c - 55) * ORG_CODE_WEIGHTS[i - 8]!; // GB 11714 values: A=10 … Z=35
    sum += v * USCC_WEIGHTS[i]!;
  }
  const categories = USCC_CATEGORIES[code[0]!];
  if (categories === undefined || !categories.includes(code[1]!)) return false;
  const org = 11 - (orgSum % 11);
  if (code[16] !== (org === 10 ? 'X' : org === 11 ? '0' : String(org))) return false;
  return code[17] === USCC_CHARSET[(31 - (sum % 31)) % 31];
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** The GB 11643 check character for the first 17 digits of an identity-card number. */
export function residentIdCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * ID_WEIGHTS[i]!;
  return ID_CHECK[sum % 11]!;
}

/** Earliest birth date accepted: older numbers are data errors, not people. */
const EARLIEST_BIRTH = '19000101';

/**
 * Why `id` is not a valid resident identity-card number, or undefined when it is.
 * `today` (YYYYMMDD) bounds the birth date; it defaults to the current UTC date.
 */
export function explainResidentId(id: string, today: string = utcToday()): string | undefined {
  if (/^\d{15}$/.test(id)) {
    return '15-digit (first-generation) identity numbers are not accepted: give the 18-digit number';
  }
  if (id.length !== 18) return `must be 18 characters (found ${id.length})`;
  if (!/^\d{17}[\dX]$/.test(id)) return 'must be 17 digits followed by a digit or X';
  // Messages never quote the number or its parts: it is personal data.
  if (!/^[1-8]\d{5}$/.test(id.slice(0, 6))) return 'characters 1–6 are not an administrative division code';
  const birth = id.slice(6, 14);
  if (!isRealDate(birth)) return 'characters 7–14 are not a real birth date';
  if (birth < EARLIEST_BIRTH || birth > today) return 'birth date is before 1900 or in the future';
  if (id[17] !== residentIdCheckCharacter(id.slice(0, 17))) return 'check character (18th) does not match the GB 11643 check';
  return undefined;
}

/**
 * The same verdict as `explainResidentId(id) === undefined`, without building strings: this runs
 * for every identity number of every record (a property test keeps the two in agreement).
 */
export function isResidentId(id: string, today: string = utcToday()): boolean {
  if (id.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const d = id.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    sum += d * ID_WEIGHTS[i]!;
  }
  if (id[17] !== ID_CHECK[sum % 11] || id.charCodeAt(0) < 49 || id.charCodeAt(0) > 56) return false;
  const birth = id.slice(6, 14);
  return birth >= EARLIEST_BIRTH && birth <= today && isRealDate(birth);
}

/** YYYYMMDD that names a day of the Gregorian calendar. */
function isRealDate(yyyymmdd: string): boolean {
  return parseDate(`${yyyymmdd.slice(0, 4)}-${yyyymmdd.slice(4, 6)}-${yyyymmdd.slice(6, 8)}`) !== undefined;
}

let todayCache = { day: -1, text: '' };

/** Today's UTC date as YYYYMMDD, computed once a day rather than once a record. */
function utcToday(): string {
  const day = Math.floor(Date.now() / 86_400_000);
  if (day !== todayCache.day) todayCache = { day, text: new Date(day * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '') };
  return todayCache.text;
}

/** Masks an identity-card number for public destinations: first 6 and last 4 characters kept. */
export function maskResidentId(id: string): string {
  if (id.length <= 10) return '*'.repeat(id.length);
  return `${id.slice(0, 6)}${'*'.repeat(id.length - 10)}${id.slice(-4)}`;
}

/** An identity-card number anywhere in a text (not inside a longer run of digits or letters). */
const ID_NUMBER_IN_TEXT = /(?<![\dA-Za-z])[1-8]\d{5}(?:19|20)\d{2}[01]\d[0-3]\d{4}[\dXx](?![\dA-Za-z])/g;

/** `text` with every identity-card number in it masked (maskResidentId): for logs, state and operator output. */
export function maskIdNumbersIn(text: string): string {
  return text.replace(ID_NUMBER_IN_TEXT, (id) => maskResidentId(id));
}
