/**
 * A record's content hash: what makes two deliveries of one revision "the same". Covers the
 * identity, revision, operation and data — not `occurredAt` or `schemaVersion`, which a source may
 * restamp when it resends — over canonical JSON (object keys sorted), so key order never matters.
 */
import { createHash } from 'node:crypto';
import type { CreditRecord } from './types.js';

/** JSON with object keys sorted (undefined members left out, as JSON.stringify does). One pass: it runs per record. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i ? ',' : '') + canonicalJson(value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  for (const key of keys) {
    const member = obj[key];
    if (member === undefined) continue;
    out += `${out.length > 1 ? ',' : ''}${JSON.stringify(key)}:${canonicalJson(member)}`;
  }
  return `${out}}`;
}

export function contentHash(record: CreditRecord): string {
  const { recordType, source, recordId, revision, operation, data } = record;
  return createHash('sha256').update(canonicalJson({ recordType, source, recordId, revision, operation, data })).digest('base64url');
}
