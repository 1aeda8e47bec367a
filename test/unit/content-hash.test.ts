import fc from 'fast-check';
import { canonicalJson, contentHash } from '../../functions/shared/records/content-hash.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { commitment } from '../support/records.js';

/** Rebuilds a JSON value with every object's keys in reverse order. */
function reorder(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reorder);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .reverse()
      .map(([k, v]) => [k, reorder(v)]),
  );
}

describe('content hash', () => {
  it('canonical JSON parses back to the same value, whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
        expect(canonicalJson(reorder(value))).toBe(canonicalJson(value));
      }),
    );
  });

  it('leaves out undefined members, as JSON does', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [1, 'x'] })).toBe('{"b":1,"c":[1,"x"]}');
  });

  it('ignores occurredAt and schemaVersion, and sees any change of data or revision', () => {
    const base = commitment() as unknown as CreditRecord;
    const hash = contentHash(base);
    expect(contentHash({ ...base, occurredAt: '2026-03-05T10:00:00+08:00' })).toBe(hash);
    expect(contentHash(reorder(base) as CreditRecord)).toBe(hash);
    expect(contentHash({ ...base, revision: 2 })).not.toBe(hash);
    expect(contentHash({ ...base, data: { ...base.data, remarks: '补充说明' } })).not.toBe(hash);
  });
});
