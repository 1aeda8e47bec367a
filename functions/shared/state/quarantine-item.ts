/**
 * How a quarantine entry is kept, whatever keeps it: its facts bounded so the item always fits
 * (long facts cut, with their length and hash; at most MAX_ERRORS_KEPT errors, each bounded), and
 * a large body compressed — or refused (QuarantineBodyTooLargeError) when even that does not fit.
 * Both SyncState implementations store an entry this way and read it back with `quarantinedItemOf`.
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { quarantinePk, quarantineSk } from './keys.js';
import { MAX_STORED_BODY_BYTES, QuarantineBodyTooLargeError, type CutFields, type QuarantinedItem, type QuarantineEntry } from './types.js';

/** Bodies above this are stored gzip-compressed (a DynamoDB item holds 400 KB at most). */
const INLINE_BODY_BYTES = 64 * 1024;
/** An identity fact (source, recordId, …) comes from the input: longer ones are cut, their length and hash kept. */
const MAX_FACT_CHARS = 256;
/** Each error's path and message, at most this many characters; at most MAX_ERRORS_KEPT errors. */
const MAX_ERROR_TEXT_CHARS = 400;
const MAX_ERRORS_KEPT = 40;

/** The first `max` characters (code points: a surrogate pair is never split) and an ellipsis. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--; // the first half of a pair: leave the pair out
  return `${text.slice(0, end)}…`;
}

/**
 * The entry's facts bounded so the item always fits, whatever the input held (a 600 KB `source`, a
 * property name of a megabyte quoted in an error path): long facts cut, with their length and hash.
 */
function fitted(facts: Omit<QuarantineEntry, 'body'>): Omit<QuarantineEntry, 'body'> & { cutFields?: CutFields } {
  const cutFields: CutFields = {};
  const out: Record<string, unknown> = { ...facts };
  for (const name of ['source', 'recordType', 'recordId', 'correlationId', 'messageId', 'upstream'] as const) {
    const value = out[name];
    if (typeof value !== 'string' || value.length <= MAX_FACT_CHARS) continue;
    cutFields[name] = { chars: value.length, sha256: createHash('sha256').update(value).digest('hex') };
    out[name] = cutText(value, MAX_FACT_CHARS);
  }
  const errors = facts.errors
    .slice(0, MAX_ERRORS_KEPT)
    .map((e) => ({ ...e, path: cutText(e.path, MAX_ERROR_TEXT_CHARS), message: cutText(e.message, MAX_ERROR_TEXT_CHARS) }));
  if (facts.errors.length > MAX_ERRORS_KEPT)
    errors.push({ path: '', rule: 'maxErrors', message: `${facts.errors.length - MAX_ERRORS_KEPT} more errors not kept` });
  out['errors'] = errors;
  return { ...(out as Omit<QuarantineEntry, 'body'>), ...(Object.keys(cutFields).length > 0 && { cutFields }) };
}

/** The item that keeps `entry` (status open), keys included; throws QuarantineBodyTooLargeError when the body cannot fit. */
export function quarantineItem(entry: QuarantineEntry): Record<string, unknown> & { pk: string; sk: string } {
  const bytes = Buffer.byteLength(entry.body, 'utf8');
  let body: Record<string, unknown> = { body: entry.body };
  if (bytes > INLINE_BODY_BYTES) {
    const compressed = gzipSync(entry.body);
    if (compressed.length > MAX_STORED_BODY_BYTES) throw new QuarantineBodyTooLargeError(compressed.length);
    body = { bodyGzip: compressed };
  }
  const { body: _raw, ...raw } = entry;
  const facts = fitted(raw);
  return { pk: quarantinePk(entry.sentAt), sk: quarantineSk(entry.sentAt, facts.messageId), ...facts, ...body, bodyBytes: bytes, status: 'open' };
}

/** A quarantine item as stored → as read: keys dropped, a gzip-compressed body inflated. */
export function quarantinedItemOf<T extends QuarantinedItem>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, bodyGzip, ...rest } = item;
  const body = bodyGzip ? gunzipSync(bodyGzip as Uint8Array).toString('utf8') : (rest['body'] as string);
  return { ...(rest as unknown as T), body };
}
