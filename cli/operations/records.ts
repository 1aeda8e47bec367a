/**
 * Finding a record the way operators name it: type and id. Record ids are unique only within
 * their source system, so without `--source` every registered source is tried (one GetItem each).
 */
import { RECORD_TYPES } from '../../functions/shared/records/generated/schema-index.js';
import type { RecordType } from '../../functions/shared/records/types.js';
import type { RecordRef } from '../../functions/shared/state/keys.js';
import type { RecordMeta, SyncState } from '../../functions/shared/state/sync-state.js';
import { sources as registeredSources } from '../../topology/topology.js';
import { UsageError } from '../context.js';

export type FoundRecord =
  { kind: 'found'; ref: RecordRef; meta: RecordMeta } | { kind: 'notFound'; tried: string[] } | { kind: 'ambiguous'; sources: string[] };

export function checkRecordType(value: string): RecordType {
  if (!(RECORD_TYPES as readonly string[]).includes(value))
    throw new UsageError(`unknown record type ${JSON.stringify(value)}: one of ${RECORD_TYPES.join(', ')}`);
  return value as RecordType;
}

export async function findRecord(state: Pick<SyncState, 'getMeta'>, recordType: RecordType, recordId: string, source?: string): Promise<FoundRecord> {
  const candidates = source ? [source] : Object.keys(registeredSources);
  const found = (await Promise.all(candidates.map(async (s) => ({ source: s, meta: await state.getMeta({ recordType, source: s, recordId }) })))).filter(
    (c) => c.meta,
  );
  if (found.length === 0) return { kind: 'notFound', tried: candidates };
  if (found.length > 1) return { kind: 'ambiguous', sources: found.map((f) => f.source) };
  return { kind: 'found', ref: { recordType, source: found[0]!.source, recordId }, meta: found[0]!.meta! };
}

/** The message for a record not found or named ambiguously. */
export function describeNotFound(result: Exclude<FoundRecord, { kind: 'found' }>, recordType: string, recordId: string): string {
  return result.kind === 'ambiguous'
    ? `${recordType} ${recordId} exists in several sources (${result.sources.join(', ')}): add --source <source>`
    : `no ${recordType} ${recordId} in the exchange (looked in ${result.tried.length === 1 ? `source ${result.tried[0]}` : `all ${result.tried.length} registered sources`})`;
}
