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
export const REVISION_PREFIX = 'REV#';
export const revisionSk = (revision: number): string => `${REVISION_PREFIX}${String(revision).padStart(16, '0')}`;

export const DESTINATION_PREFIX = 'DEST#';
export const destinationSk = (destination: string): string => `${DESTINATION_PREFIX}${destination}`;

export const EVENT_PREFIX = 'EVT#';
export const eventSk = (at: string, id: string): string => `${EVENT_PREFIX}${at}#${id}`;

/** Quarantine is partitioned by UTC day so operators list one day at a time. */
export const quarantinePk = (at: string): string => `QUAR#${at.slice(0, 10)}`;
/** An entry's key within its day: when its message was first sent, and its id (the entry's id for operators). */
export const quarantineSk = (sentAt: string, messageId: string): string => `${sentAt}#${messageId}`;

export const cursorPk = (source: string): string => `CURSOR#${source}`;
export const CURSOR = 'CURSOR';

/** GSI key of a destination state: all items of one destination and status, by update time. */
export const destinationStatusKey = (destination: string, status: string): string => `DEST#${destination}#${status}`;

/** Operator actions (credex replay, resync, redeliver, quarantine release), by UTC month. */
export const auditPk = (at: string): string => `AUDIT#${at.slice(0, 7)}`;
export const auditSk = (startedAt: string, id: string): string => `${startedAt}#${id}`;

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

/**
 * What one record contributes to a subject's credit profile, under the same SUBJ#<digest> partition:
 * one item per role and record, `CREDIT#<role>#<recordPk>` (the profile is one query of the prefix).
 */
export const CREDIT_PREFIX = 'CREDIT#';
export const creditSk = (role: string, ref: RecordRef): string => `${CREDIT_PREFIX}${role}#${recordPk(ref)}`;

/** An item of the licensing-item list, under its item code (held by one licensingItem record). */
export const licensingItemPk = (itemCode: string): string => `ITEM#${itemCode}`;
export const LICENSING_ITEM_SK = 'ITEM';

/**
 * A commitment's deadline and its verifications, under the commitment code. While open it is in the
 * GSI under DUE_OPEN with sort key `<deadline>#<commitment code>` (dueKey): a key sorts below a day
 * `today` (YYYY-MM-DD) exactly when its deadline is before that day.
 */
export const commitmentDuePk = (commitmentCode: string): string => `DUE#${commitmentCode}`;
export const COMMITMENT_DUE_SK = 'DUE';
export const DUE_OPEN = 'DUE#open';
export const dueKey = (deadline: string, commitmentCode: string): string => `${deadline}#${commitmentCode}`;

/** The credit check log, by UTC month of the check, sorted by `<at>#<id>`. */
export const creditCheckPk = (at: string): string => `CHECK#${at.slice(0, 7)}`;
export const creditCheckSk = (at: string, id: string): string => `${at}#${id}`;

/** A repair waiting for its breach at a destination, kept under the breach's partition: `WAIT#<destination>#<repair pk>`. */
export const waitPrefix = (destination: string): string => `WAIT#${destination}#`;
export const waitSk = (destination: string, repair: RecordRef): string => `${waitPrefix(destination)}${recordPk(repair)}`;

/** The expiry sweep's cursor: the first month that may still hold open entries. */
export const EXPIRY_SWEEP_CURSOR = 'expiry-sweep';

/** A request nonce the ingest API has seen (expires through the table's TTL). */
export const nonceKey = (appKey: string, nonce: string): string => `NONCE#${appKey}#${nonce}`;
export const NONCE_SK = 'NONCE';

/** Requests of one upstream in one minute (expires through the table's TTL). */
export const throttleKey = (upstreamId: string, minute: number): string => `THROTTLE#${upstreamId}#${minute}`;
export const THROTTLE_SK = 'THROTTLE';
