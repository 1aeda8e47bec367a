/**
 * Item keys of the sync-state table (single-table design; docs/sync-state.md lists every item
 * and access pattern). A record is identified by type, source and id: `recordId` is unique only
 * within its source system.
 */
import type { RecordType } from '../records/types.js';

export interface RecordRef {
  recordType: RecordType;
  source: string;
  recordId: string;
}

export const META = 'META';

export const recordPk = (ref: RecordRef): string => `REC#${ref.recordType}#${ref.source}#${ref.recordId}`;

/** Revisions sort as strings: zero-padded to the 16 digits of Number.MAX_SAFE_INTEGER. */
export const revisionSk = (revision: number): string => `REV#${String(revision).padStart(16, '0')}`;

export const destinationSk = (destination: string): string => `DEST#${destination}`;

export const eventSk = (at: string, id: string): string => `EVT#${at}#${id}`;

/** Quarantine is partitioned by UTC day so operators list one day at a time. */
export const quarantinePk = (at: string): string => `QUAR#${at.slice(0, 10)}`;

export const cursorPk = (source: string): string => `CURSOR#${source}`;
export const CURSOR = 'CURSOR';

/** GSI key of a destination state: all items of one destination and status, by update time. */
export const destinationStatusKey = (destination: string, status: string): string => `DEST#${destination}#${status}`;

/** Operator actions (credex replay, resync, redeliver, quarantine release), by UTC month. */
export const auditPk = (at: string): string => `AUDIT#${at.slice(0, 7)}`;
