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

/**
 * Publications that end in one month (the month of their last day, a Beijing date), sorted by that day: what the
 * expiry sweep reads, a month partition at a time. Sort key `<until>#<recordPk>`.
 */
export const expiryPk = (until: string): string => `EXPIRY#${until.slice(0, 7)}`;
export const expirySk = (until: string, ref: RecordRef): string => `${until}#${recordPk(ref)}`;

/**
 * A subject's enforcement history (breaches and non-penalty decisions), under a digest of the
 * subject's identity — never the identity number itself in a key. One item per record: `ENF#<recordPk>`.
 */
export const subjectPk = (subjectDigest: string): string => `SUBJ#${subjectDigest}`;
export const ENFORCEMENT_PREFIX = 'ENF#';
export const enforcementSk = (ref: RecordRef): string => `${ENFORCEMENT_PREFIX}${recordPk(ref)}`;

/** A repair waiting for its breach at a destination, kept under the breach's partition: `WAIT#<destination>#<repair pk>`. */
export const waitPrefix = (destination: string): string => `WAIT#${destination}#`;
export const waitSk = (destination: string, repair: RecordRef): string => `${waitPrefix(destination)}${recordPk(repair)}`;

/** The expiry sweep's cursor: the first month that may still hold open entries. */
export const EXPIRY_SWEEP_CURSOR = 'expiry-sweep';
