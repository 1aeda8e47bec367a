/** The record envelope as TypeScript sees it; the JSON Schemas in schemas/ are the source of truth. */
import type { RECORD_TYPES } from './generated/schema-index.js';

export type RecordType = (typeof RECORD_TYPES)[number];
export type Operation = 'upsert' | 'withdraw';

/** The record contract the exchange speaks (schemas/envelope.schema.json `schemaVersion`; test/unit/schemas.test.ts keeps them equal). */
export const CONTRACT_VERSION = '2.0';

export interface CreditRecord<T extends RecordType = RecordType> {
  schemaVersion: string;
  recordType: T;
  recordId: string;
  revision: number;
  operation: Operation;
  source: string;
  occurredAt: string;
  data: Record<string, unknown>;
}
