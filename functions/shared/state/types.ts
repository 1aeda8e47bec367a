/**
 * What the sync state holds and answers, independent of where it is kept: the types the SyncState
 * port (sync-state.ts) takes and returns, and the few pure rules both of its implementations share
 * (the status ranks of a destination outcome, the reason an invalid record is quarantined under).
 */
import type { CreditRecord } from '../records/types.js';
import type { ValidationIssue } from '../records/validate.js';
import type { RecordRef } from './keys.js';

export type { RecordRef } from './keys.js';

export const refOf = (record: Pick<CreditRecord, 'recordType' | 'source' | 'recordId'>): RecordRef => ({
  recordType: record.recordType,
  source: record.source,
  recordId: record.recordId,
});

// ---------------------------------------------------------------- revisions

/** The META item: latest accepted revision of a record and how far it was routed. */
export interface RecordMeta extends RecordRef {
  revision: number;
  contentHash: string;
  operation: string;
  acceptedAt: string;
  firstAcceptedAt: string;
  correlationId: string;
  routedRevision?: number;
  routedAt?: string;
  /** The revision an invocation is routing, and until when its claim holds. */
  routingRevision?: number;
  routingLeaseUntil?: string;
  /** Every destination any revision was routed to. */
  routedTo: string[];
}

export type AcceptOutcome =
  /** A newer revision: stored (and claimed for routing when a claim was asked). `routedTo` is where earlier revisions went. */
  | { kind: 'accepted'; routedTo: string[] }
  /** This revision was accepted before but never marked routed (a crash in between): route it now. */
  | { kind: 'unrouted'; routedTo: string[] }
  /** Same revision, same content, already routed: nothing to do. */
  | { kind: 'duplicate' }
  /** An older revision than the stored one. */
  | { kind: 'superseded'; storedRevision: number }
  /** Same revision, different content: a source error; the stored record is untouched. */
  | { kind: 'conflict'; storedHash: string };

export interface AcceptOptions {
  contentHash: string;
  now: string;
  correlationId: string;
  /**
   * Claim the routing of the revision in the same write when it is accepted (see claimRouting):
   * the destinations its routes name, known before the write. Saves a write per new revision.
   */
  claim?: { destinations: readonly string[]; leaseUntil: string; token: string };
}

export type ClaimOutcome =
  /** This invocation may route the revision; its destinations are recorded in `routedTo`. */
  | { kind: 'claimed' }
  /** A newer revision was accepted since: do not route this one. */
  | { kind: 'superseded'; storedRevision: number }
  /** Already routed, or another invocation is routing it right now (its lease has not expired). */
  | { kind: 'duplicate' };

/** A claim's terms: the time it is made, until when it holds, and its holder's token. */
export interface ClaimLease {
  now: string;
  leaseUntil: string;
  token: string;
}

// ---------------------------------------------------------------- destinations

/** A record's state at one destination: `waiting` is a repair held back until its breach is delivered there. */
export const DESTINATION_STATUSES = ['pending', 'waiting', 'failed', 'rejected', 'delivered'] as const;
export type DestinationStatus = (typeof DESTINATION_STATUSES)[number];

/** Within one revision an outcome only moves up; delivered and rejected are final. */
export const STATUS_RANK: Readonly<Record<DestinationStatus, number>> = { pending: 0, waiting: 1, failed: 1, rejected: 2, delivered: 2 };
export const FINAL_RANK = 2;

export interface DestinationOutcome {
  revision: number;
  status: DestinationStatus;
  now: string;
  /** Why the last attempt failed or was rejected (never personal data). */
  error?: string;
  /** What the endpoint returned on success (its record id, batch id…). */
  receipt?: string;
  correlationId?: string;
  /** Sends of this revision so far (the lane message's receive count). */
  attempts?: number;
  /** The token of the send claim this outcome ends (claimSend): the claim is released with it. */
  claimToken?: string;
  /**
   * An operator's redeliver of an answered revision: a final outcome (delivered, rejected) of the
   * claimed send may replace a final one of the same revision — never one of a newer revision, and
   * never with a transient failure.
   */
  reopen?: boolean;
  /**
   * Delivered to a destination that publishes the record type: whether the send stated the record
   * published, and until when. A new delivered send clears an earlier end of publication.
   */
  publication?: { published: boolean; until?: string };
  /**
   * The history event this outcome is (e.g. `delivered`), kept in the destination state's own
   * `history` list by the same write instead of as an item of its own: written exactly when the
   * outcome is. Read back among the record's events (historyOf).
   */
  event?: Pick<HistoryEvent, 'type' | 'at' | 'correlationId' | 'detail'>;
}

export type SendClaim =
  /** This revision may be sent now. */
  | { kind: 'claimed' }
  /** A newer revision's send has started: this one must never reach the endpoint. */
  | { kind: 'superseded'; sentRevision: number }
  /** Another send of this record is in flight until `leaseUntil`: try again after it. */
  | { kind: 'busy'; revision: number; leaseUntil: string };

export interface UnpublishOutcome {
  revision: number;
  status: 'delivered' | 'rejected' | 'failed';
  now: string;
  error?: string;
  receipt?: string;
  /** The claim of the unpublish send (claimSend): only its holder records the outcome. */
  claimToken: string;
}

export interface DestinationState {
  destination: string;
  revision: number;
  status: DestinationStatus;
  attempts?: number;
  lastError?: string;
  receipt?: string;
  updatedAt: string;
  /** Destinations that publish the record type: whether the delivered revision was stated published, until when. */
  published?: boolean;
  publishedUntil?: string;
  /** When the expiry sweep's end of publication was delivered here. */
  publicationEndedAt?: string;
  unpublishError?: string;
}

/** A lane message as deliver reads for it (readForDelivery): its record, destination and revision (none: the latest accepted). */
export interface DeliveryRead {
  ref: RecordRef;
  destination: string;
  revision?: number;
}

/** What deliver decides a lane message on: the record's META, its state at the destination, the revision's record (each undefined when not stored). */
export interface DeliveryView {
  meta?: RecordMeta;
  state?: DestinationState;
  record?: CreditRecord;
  /** Why the revision's item is stored but its record cannot be read (an unknown coding, corrupt bytes): that message fails, not its batch. */
  unreadable?: string;
}

/** A destination state as the operators' status index lists it: the whole item, its record's key (`pk`) included. */
export type DestinationStatusEntry = Record<string, unknown> & { pk: string; revision: number; updatedAt: string };

// ---------------------------------------------------------------- history

/**
 * History event types. There is no separate "received": the first event of every delivery of a
 * message (accepted, invalid, duplicate, superseded, conflict) records its arrival, time and
 * correlation id, at half the writes.
 */
export type EventType =
  | 'invalid'
  | 'accepted'
  | 'duplicate'
  | 'superseded'
  | 'conflict'
  | 'routed'
  | 'delivered'
  | 'rejected'
  | 'failed'
  | 'replayed'
  /** A repair held back at a destination until its breach is delivered there (with the reason). */
  | 'waiting'
  /** The expiry sweep found the publication over and sent its end where it was published. */
  | 'publicationExpired';

export interface HistoryEvent {
  ref: RecordRef;
  type: EventType;
  at: string;
  correlationId: string;
  revision?: number;
  /** Small, non-personal facts: destinations, the stored revision, an error code. */
  detail?: Record<string, unknown>;
  /**
   * An `accepted` event and the `routed` event of the same revision that followed it, kept in one
   * item (half the writes); read back as two events (historyOf).
   */
  routed?: { at: string; detail: Record<string, unknown> };
}

/** A history event as read back: the stored item's attributes, its sort key for a stable order. */
export type HistoryItem = Record<string, unknown> & { sk: string; type: EventType; at: string };

// ---------------------------------------------------------------- quarantine

/** Why input was quarantined; `unauthorised`: a registered upstream pushed a source or type it is not registered for. */
export type QuarantineReason = 'malformed' | 'encoding' | 'tooLarge' | 'invalid' | 'unknownSource' | 'unauthorised' | 'conflict';

/** The reason a record refused by validation is kept under: its first error's rule decides. */
export function reasonOfInvalid(errors: readonly ValidationIssue[]): QuarantineReason {
  const rule = errors[0]?.rule;
  return rule === 'json' ? 'malformed' : rule === 'maxRecordBytes' ? 'tooLarge' : 'invalid';
}

export interface QuarantineEntry {
  receivedAt: string;
  /**
   * When the message was first sent (SQS SentTimestamp; the request time for the ingest API): with
   * the message id, the item's key — the same for every redelivery, so a message is quarantined once.
   */
  sentAt: string;
  /** The SQS message id (or the ingest request id). */
  messageId: string;
  reason: QuarantineReason;
  errors: readonly ValidationIssue[];
  /** The body exactly as received ('' when it is held elsewhere: see bodyHeldIn). */
  body: string;
  /** Where a body too large for an item was kept instead, e.g. `intake-dlq:<message id>`. */
  bodyHeldIn?: string;
  correlationId: string;
  source?: string;
  recordType?: string;
  recordId?: string;
  revision?: number;
}

/**
 * Compressed bodies above this do not fit an item: the caller keeps them elsewhere (the DLQ). The
 * rest of the 400 KB item is left to the facts and errors, which are bounded (about 60 KB).
 */
export const MAX_STORED_BODY_BYTES = 320 * 1024;

export class QuarantineBodyTooLargeError extends Error {
  constructor(readonly compressedBytes: number) {
    super(`quarantined body is ${compressedBytes} bytes even compressed; an item holds at most ${MAX_STORED_BODY_BYTES}`);
    this.name = 'QuarantineBodyTooLargeError';
  }
}

/** What was cut from a quarantined entry's facts to fit one item: each field's full length and SHA-256. */
export type CutFields = Record<string, { chars: number; sha256: string }>;

export interface QuarantinedItem extends QuarantineEntry {
  status: string;
  bodyBytes: number;
}

// Operator release (`credex quarantine show | release`): find one entry by its key, mark it released.

/** What `markQuarantineReleased` records on the entry. */
export interface QuarantineRelease {
  releasedAt: string;
  /** The operator's identity (as in the audit entry). */
  releasedBy: string;
  /** The intake message the release sent. */
  releasedMessageId: string;
  auditId: string;
}

// ---------------------------------------------------------------- repairs waiting for their breach

export interface RepairWait {
  repair: RecordRef;
  revision: number;
  since: string;
}

// ---------------------------------------------------------------- publication expiry schedule

export interface ExpiryEntry {
  ref: RecordRef;
  /** The revision whose publication was scheduled to end. */
  revision: number;
  /** Its last day of publication. */
  until: string;
  /** Destinations the sweep already sent the end of publication to. */
  enqueued: string[];
}

// ---------------------------------------------------------------- a subject's enforcement history

/** One enforcement decision about a subject: a breach (a penalty) or a non-penalty decision. */
export interface EnforcementEntry {
  ref: RecordRef;
  revision: number;
  operation: string;
  decisionNumber: string;
  decisionDate: string;
  /** nonPenalty: its ground (首违不罚 …). */
  ground?: string;
  /** breach: its tier. */
  severity?: string;
}

// ---------------------------------------------------------------- pull cursors

export interface Cursor {
  value: string;
  version: number;
  updatedAt: string;
}

// ---------------------------------------------------------------- reading a record's state

export interface RecordState {
  meta?: RecordMeta;
  revisions: number[];
  destinations: Array<Record<string, unknown> & { destination: string; revision: number; status: DestinationStatus }>;
  events: HistoryItem[];
}

/** One item of a record's partition as stored (META, REV#, DEST#, EVT#, WAIT#…), its sort key included. */
export type RecordItem = Record<string, unknown> & { sk: string };

/** One page of a scan of every stored revision of every record (`credex stats`). */
export interface RevisionScanPage {
  /** The page's revisions: the record's key, the revision's key, the revision and its canonical record as stored (JSON). */
  revisions: Array<{ pk: string; sk: string; revision: number; record: string }>;
  /** Items the page read: the scan reads every item, keeping revisions only. */
  scanned: number;
  /** Read capacity the page consumed, when the store reports it. */
  readUnits?: number;
}

// ---------------------------------------------------------------- operator audit trail

export type AuditAction = 'replay' | 'resync' | 'redeliver' | 'quarantine-release';
export type AuditStatus = 'running' | 'completed' | 'interrupted' | 'failed';

export interface AuditEntry {
  id: string;
  action: AuditAction;
  /** The caller's identity: an IAM ARN, or user@host on the local runtime. */
  by: string;
  startedAt: string;
  finishedAt?: string;
  status: AuditStatus;
  /** Where it acted: the stack (or local runtime) it resolved. */
  target: string;
  /** What it was asked: lane, destination, record, filter, limit, rate… */
  request: Record<string, unknown>;
  /** What it did: moved, matched, skipped, enqueued, failed… */
  counts: Record<string, number>;
  /** Why it stopped, when it did not complete. */
  error?: string;
}

/** How an audited action ended (completeAuditEntry). */
export interface AuditResult {
  status: Exclude<AuditStatus, 'running'>;
  finishedAt: string;
  counts: Record<string, number>;
  error?: string;
}

// ---------------------------------------------------------------- ingest: replay protection and throttling

export type ThrottleResult = { allowed: true } | { allowed: false; retryAfterSeconds: number };
