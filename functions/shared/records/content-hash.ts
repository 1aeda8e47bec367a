/**
 * A record's content hash: what makes two deliveries of one revision "the same". Covers the
 * identity, revision, operation and data — not `occurredAt` or `schemaVersion`, which a source may
 * restamp when it resends — over canonical JSON (object keys sorted), so key order never matters.
 */
import { createHash } from 'node:crypto';
import type { CreditRecord } from './types.js';

export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

export function contentHash(record: CreditRecord): string {
  const { recordType, source, recordId, revision, operation, data } = record;
  return createHash('sha256').update(canonicalJson({ recordType, source, recordId, revision, operation, data })).digest('base64url');
}
