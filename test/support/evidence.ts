/** Evidence entries for tests: a send to the provincial platform, numbered. */
import { randomUUID } from 'node:crypto';
import type { EvidenceEntry } from '../../functions/shared/evidence/format.js';

/** The `n`th send: one breach delivered, its times `n` seconds after 08:00 on 2026-12-08. */
export function sendEntry(n: number, overrides: Partial<EvidenceEntry> = {}): EvidenceEntry {
  return {
    v: 1,
    id: randomUUID(),
    kind: 'send',
    party: 'provincial',
    method: 'POST',
    path: '/gateway/credit/v1/records:batchUpload',
    requestDigest: 'a'.repeat(64),
    requestBytes: 100 + n,
    status: 200,
    error: null,
    responseDigest: 'b'.repeat(64),
    responseBytes: 40,
    sentAt: new Date(Date.UTC(2026, 11, 8, 8, 0, n)).toISOString(),
    answeredAt: new Date(Date.UTC(2026, 11, 8, 8, 0, n, 300)).toISOString(),
    records: [
      {
        key: `breach:hxsj-enforcement:HXSJ-CF-2026-${String(n).padStart(6, '0')}:1:provincial`,
        recordDigest: 'c'.repeat(64),
        outcome: 'delivered',
        receipt: `R-${n}`,
      },
    ],
    ...overrides,
  };
}
