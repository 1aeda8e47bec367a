/**
 * A pushed body, from bytes to records: the charset its Content-Type names, strict decoding, the
 * JSON limit on nesting, and its two shapes (one record, or a batch `{ "records": [ … ] }`).
 */
import { describeJsonError } from '../shared/records/validate.js';

/** Deepest nesting of arrays and objects accepted in a body (records need fewer than 10 levels). */
export const MAX_NESTING_DEPTH = 64;

export type BodyEncoding = 'utf-8' | 'gb18030';

/**
 * The body's encoding from its Content-Type: `application/json`, with no charset or one of utf-8,
 * gb18030, gbk, gb2312 (all three decoded as GB18030, their superset). Anything else: a message for 415.
 */
export function bodyEncoding(contentType: string | undefined): { encoding: BodyEncoding } | { error: string } {
  if (contentType === undefined || contentType.trim() === '')
    return { error: 'Content-Type is missing; send application/json (charset utf-8, gb18030 or gbk)' };
  const [mediaType, ...params] = contentType.split(';').map((part) => part.trim());
  if (mediaType!.toLowerCase() !== 'application/json')
    return { error: `Content-Type ${JSON.stringify(mediaType)} is not supported; send application/json (charset utf-8, gb18030 or gbk)` };
  let encoding: BodyEncoding = 'utf-8';
  for (const param of params) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name !== 'charset') continue;
    const value = (eq < 0 ? '' : param.slice(eq + 1))
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (value === 'utf-8' || value === 'utf8') encoding = 'utf-8';
    else if (value === 'gb18030' || value === 'gbk' || value === 'gb2312') encoding = 'gb18030';
    else return { error: `charset ${JSON.stringify(value)} is not supported; use utf-8, gb18030 or gbk` };
  }
  return { encoding };
}

/** Decodes strictly: invalid bytes are an error naming the byte offset, never replacement characters. */
export function decodeBody(body: Buffer, encoding: BodyEncoding): { text: string } | { error: string } {
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(body) };
  } catch {
    return {
      error: `the body is not valid ${encoding === 'utf-8' ? 'UTF-8' : 'GB18030/GBK'}${firstInvalidOffset(body, encoding)}; check the charset in Content-Type`,
    };
  }
}

/** " (first invalid byte near offset N)" found by bisection over strict decodes of prefixes. */
function firstInvalidOffset(body: Buffer, encoding: BodyEncoding): string {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const valid = (end: number) => {
    try {
      decoder.decode(body.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = body.length;
  // streaming decodes accept a truncated final sequence, so the largest valid prefix ends just before the bad byte
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo < body.length ? ` (first invalid byte near offset ${lo})` : '';
}

/** Deepest nesting of arrays/objects in JSON-ish text, stopping early past `limit`. */
export function nestingDepth(text: string, limit = MAX_NESTING_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

export function safeDescribeJsonError(text: string, err: unknown): string {
  try {
    return describeJsonError(text, err);
  } catch {
    return 'malformed JSON';
  }
}

/** The records of a body: `{ "records": [ … ] }` (a batch) or a single record object. */
export function recordsOf(parsed: unknown): { records: unknown[]; batch: boolean } | { error: string } {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: 'the body must be a JSON object: one record, or {"records": [ … ]}' };
  }
  if (!Object.hasOwn(parsed, 'records')) return { records: [parsed], batch: false };
  const records = (parsed as Record<string, unknown>)['records'];
  if (!Array.isArray(records)) return { error: 'records must be an array of record objects' };
  const others = Object.keys(parsed).filter((k) => k !== 'records');
  if (others.length > 0)
    return {
      error: `a batch body has only the property records; found also ${others
        .slice(0, 5)
        .map((k) => JSON.stringify(k))
        .join(', ')}`,
    };
  if (records.length === 0) return { error: 'records is empty' };
  return { records, batch: true };
}
