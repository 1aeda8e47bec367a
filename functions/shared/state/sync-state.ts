/**
 * The sync state, as the functions and the operator CLI use it: every read and write of what the
 * exchange remembers — records and their revisions, routing and send claims, destination outcomes,
 * history, quarantine, repairs waiting for their breach, the publication expiry schedule, subjects'
 * enforcement histories and credit profiles, the licensing-item list, commitment deadlines, the
 * credit check log, cursors, the operators' audit trail, ingest nonces and throttle counters.
 *
 * Two implementations keep the same promises (test/support/sync-state-contract.ts holds them to it):
 * - `dynamoSyncState` (dynamo/index.ts): the DynamoDB table, deployed and local
 *   (docs/sync-state.md lists its items and access patterns);
 * - `inMemorySyncState` (test/support/in-memory-sync-state.ts): plain maps, for unit tests and
 *   benchmarks.
 *
 * Guards are part of the promise: a write that loses a race (an older revision, a claim someone
 * else holds, a stale cursor version) is refused and says so, never applied.
 */
import type { CreditRecord } from '../records/types.js';
import type {
  CommitmentDue,
  CommitmentVerified,
  CreditCheckEntry,
  CreditContribution,
  LicensingItemEntry,
  LicensingItemWrite,
  SubjectContribution,
} from '../credit/types.js';
import type {
  AcceptOptions,
  AcceptOutcome,
  AuditEntry,
  AuditResult,
  ClaimLease,
  ClaimOutcome,
  Cursor,
  DeliveryRead,
  DeliveryView,
  DestinationOutcome,
  DestinationState,
  DestinationStatus,
  DestinationStatusEntry,
  EnforcementEntry,
  ExpiryEntry,
  HistoryEvent,
  QuarantinedItem,
  QuarantineEntry,
  QuarantineRelease,
  RecordItem,
  RecordMeta,
  RecordRef,
  RecordState,
  RepairWait,
  RevisionScanPage,
  SendClaim,
  ThrottleResult,
  UnpublishOutcome,
} from './types.js';

export * from './types.js';

export interface SyncState {
  // ---------------------------------------------------------------- revisions and routing

  /**
   * Stores `record` as the latest revision if it is newer than the stored one, and its canonical
   * form as that revision (written once). Newer: accepted (claimed for routing when `claim` is
   * given); older: superseded; the same revision: a conflict when its content hash differs, a
   * duplicate once routed, else unrouted (accepted before, never marked routed: route it now).
   */
  acceptRevision(record: CreditRecord, options: AcceptOptions): Promise<AcceptOutcome>;

  /**
   * Claims the right to route `revision` and records where it will go (`routedTo`), before anything
   * is sent: only while it is still the latest revision, not routed yet, and not claimed by another
   * holder whose lease is still running. Superseded when a newer revision is stored; duplicate otherwise.
   */
  claimRouting(ref: RecordRef, revision: number, destinations: readonly string[], lease: ClaimLease): Promise<ClaimOutcome>;

  /** Gives up a routing claim (its lane messages could not all be sent); only its holder's token releases it. */
  releaseRouting(ref: RecordRef, token: string): Promise<void>;

  /**
   * Marks `revision` routed (and ends its claim). False when it no longer can be: a newer revision
   * was accepted meanwhile, or this one is already marked.
   */
  markRouted(ref: RecordRef, revision: number, now: string): Promise<boolean>;

  /** The record's latest accepted revision and routing (consistent read); undefined when unknown. */
  getMeta(ref: RecordRef): Promise<RecordMeta | undefined>;

  /** The canonical record of one accepted revision. */
  getRevision(ref: RecordRef, revision: number): Promise<CreditRecord | undefined>;

  /** The latest accepted revision of a record, canonical, with its META (undefined when unknown or its record is not stored yet). */
  getLatestRecord(ref: RecordRef): Promise<{ meta: RecordMeta; record: CreditRecord } | undefined>;

  /**
   * Everything known of one record: its META, the revisions stored, its destination states (a send
   * claimed without an outcome yet is `pending` at the revision being sent) and its history.
   */
  readRecordState(ref: RecordRef): Promise<RecordState>;

  /** Every item of a record's partition as stored, sort key included (`credex inspect` shows them as they are). */
  readRecordItems(ref: RecordRef): Promise<RecordItem[]>;

  /**
   * Every stored revision of every record, a page at a time (a full scan, for `credex stats`);
   * `totalSegments` > 1 reads one segment of a parallel scan; `signal` stops it between pages.
   */
  scanRevisions(options?: { segment?: number; totalSegments?: number; signal?: AbortSignal }): AsyncIterable<RevisionScanPage>;

  // ---------------------------------------------------------------- destinations

  /**
   * Records what happened at one destination; moves only forward: a newer revision replaces an
   * older one, within a revision the status only rises and delivered / rejected are final (an
   * operator's `reopen` by the holder of the send claim may replace a final one of the same
   * revision with another final one). With `claimToken` it ends that send claim, and is refused
   * when another holder's claim is on the item. False when refused (stale).
   */
  recordDestinationOutcome(ref: RecordRef, destination: string, outcome: DestinationOutcome): Promise<boolean>;

  /**
   * Claims the right to send `revision` to a destination now: refused while another holder's send
   * is in flight (its lease running: busy), and for good once a newer revision's send has started
   * (superseded). Its own holder may claim again.
   */
  claimSend(ref: RecordRef, destination: string, revision: number, lease: ClaimLease): Promise<SendClaim>;

  /** Gives a send claim up without an outcome (the send never happened): only the holder's own claim goes. */
  releaseSend(ref: RecordRef, destination: string, token: string): Promise<void>;

  /**
   * Records the outcome of an end of publication at one destination (the revision stays delivered):
   * when it ended, or why not. Only the claim's holder writes, and only on that revision; false when refused.
   */
  recordUnpublishOutcome(ref: RecordRef, destination: string, outcome: UnpublishOutcome): Promise<boolean>;

  /**
   * What deliver decides each lane message of a batch on — the record's META, its state at the
   * destination, the revision the message names (none named: the latest accepted) — in one
   * consistent read for the whole batch (BatchGetItem in the table; a second one for the latest
   * revisions asked for), in the order asked.
   */
  readForDelivery(reads: readonly DeliveryRead[]): Promise<DeliveryView[]>;

  /** A record's delivery state at one destination (consistent read). */
  getDestinationState(ref: RecordRef, destination: string): Promise<DestinationState | undefined>;

  /** The destination states of a record. */
  listDestinationStates(ref: RecordRef): Promise<DestinationState[]>;

  /** Destination states of one destination and status, newest update first, at most `limit`. */
  listByDestinationStatus(destination: string, status: DestinationStatus, options?: { limit?: number }): Promise<DestinationStatusEntry[]>;

  /** Destination states of one destination and status, oldest update first, updated at or after `since`, read page by page. */
  streamByDestinationStatus(destination: string, status: DestinationStatus, options?: { since?: string }): AsyncIterable<DestinationStatusEntry>;

  /** How many records have `status` as their latest outcome at `destination` (`credex status`). */
  countByDestinationStatus(destination: string, status: DestinationStatus): Promise<number>;

  // ---------------------------------------------------------------- history

  /** Appends history events to their records' histories. */
  appendEvents(events: readonly HistoryEvent[]): Promise<void>;

  // ---------------------------------------------------------------- quarantine

  /**
   * Keeps invalid input for operators, once per (sentAt, messageId): a redelivery changes nothing.
   * Long facts are cut (their length and hash kept); throws QuarantineBodyTooLargeError when the
   * body does not fit even compressed (the caller keeps it elsewhere and quarantines a pointer).
   */
  quarantine(entry: QuarantineEntry): Promise<void>;

  /** One UTC day's quarantine (YYYY-MM-DD), oldest first, at most `limit`. */
  listQuarantine(day: string, options?: { limit?: number }): Promise<QuarantinedItem[]>;

  /**
   * The entries of `day` whose key (`<sentAt>#<messageId>`) starts with `keyPrefix`, at most
   * `limit` (default 5), in key order: an entry whose key is exactly `keyPrefix` comes first.
   */
  findQuarantined(day: string, keyPrefix: string, limit?: number): Promise<Array<QuarantinedItem & Partial<QuarantineRelease>>>;

  /**
   * Marks an entry released, only while it is still open (`force`: whatever its status, as long as
   * it exists). False when refused: another release marked it first.
   */
  markQuarantineReleased(entry: Pick<QuarantineEntry, 'sentAt' | 'messageId'>, release: QuarantineRelease, options?: { force?: boolean }): Promise<boolean>;

  /** Open (not released) entries of one UTC day (`credex status`). */
  countOpenQuarantine(day: string): Promise<number>;

  // ---------------------------------------------------------------- repairs waiting for their breach

  /** Registers a repair that waits at `destination` for `breach` (which need not be known yet); a newer wait of the same repair replaces it. */
  registerRepairWait(breach: RecordRef, destination: string, wait: RepairWait): Promise<void>;

  /** The repairs waiting at `destination` for this breach. */
  listRepairWaits(breach: RecordRef, destination: string): Promise<RepairWait[]>;

  /** Forgets waits once their repairs were sent on; a wait of a newer revision, registered since, stays. */
  removeRepairWaits(breach: RecordRef, destination: string, waits: readonly RepairWait[]): Promise<void>;

  // ---------------------------------------------------------------- publication expiry schedule

  /** Schedules the end of a revision's publication after `until` (one entry per last day and record: the latest write wins). */
  scheduleExpiry(ref: RecordRef, revision: number, until: string): Promise<void>;

  /** Entries of the month `month` (YYYY-MM) whose publication ended before `day`, oldest first, at most `limit`. */
  listExpired(month: string, day: string, limit: number): Promise<ExpiryEntry[]>;

  /** Notes the destinations an entry's end of publication was sent to (nothing when none). */
  markExpiryEnqueued(entry: Pick<ExpiryEntry, 'ref' | 'until'>, destinations: readonly string[], now: string): Promise<void>;

  /** Removes an entry whose publication has ended everywhere (or no longer ends then). */
  removeExpiry(entry: Pick<ExpiryEntry, 'ref' | 'until'>): Promise<void>;

  // ---------------------------------------------------------------- a subject's enforcement history

  /** Records a decision in its subject's history (by a digest of the subject); an older revision never replaces a newer one's entry. */
  registerEnforcement(subjectDigest: string, entry: EnforcementEntry): Promise<void>;

  /** A subject's enforcement history. */
  listEnforcement(subjectDigest: string): Promise<EnforcementEntry[]>;

  // ---------------------------------------------------------------- credit profiles (SUBJ#<digest> / CREDIT#…)

  /**
   * Writes what accepted records contribute to subjects' credit profiles: one item per subject,
   * role and record, replaced only by the same or a newer revision (idempotent, order-safe).
   */
  putCreditContributions(contributions: readonly SubjectContribution[]): Promise<void>;

  /** Every contribution to one subject's profile, as written, by role then record: one query of its partition. */
  getCreditContributions(subjectDigest: string): Promise<CreditContribution[]>;

  // ---------------------------------------------------------------- the licensing-item list (ITEM#<code>)

  /** Keeps an item of the list under its code; an older revision never replaces a newer one, and another record's code is refused. */
  putLicensingItem(entry: LicensingItemEntry): Promise<LicensingItemWrite>;

  /** The item of the list under its code (consistent read), withdrawn or not; undefined when no record holds the code. */
  getLicensingItem(itemCode: string): Promise<LicensingItemEntry | undefined>;

  // ---------------------------------------------------------------- commitment deadlines (DUE#<commitment code>)

  /** Tracks a commitment's deadline: open (in the overdue index) until a verification counts, or the commitment is withdrawn. */
  trackCommitmentDue(due: CommitmentDue): Promise<void>;

  /** Records (or, withdrawn, takes back) a verification of a commitment: a verified commitment leaves the overdue index. */
  recordCommitmentVerified(verified: CommitmentVerified): Promise<void>;

  /** Open commitments whose deadline is before `today` (YYYY-MM-DD), earliest deadline first, at most `limit`. */
  listOverdueCommitments(today: string, options?: { limit?: number }): Promise<CommitmentDue[]>;

  /** How many commitments `listOverdueCommitments(today)` lists. */
  countOverdueCommitments(today: string): Promise<number>;

  // ---------------------------------------------------------------- the credit check log (CHECK#<month>)

  /** Logs a credit check under the month of its `at` (YYYY-MM), once: a second write of the same check (`at`, `id`) changes nothing. */
  recordCreditCheck(entry: CreditCheckEntry): Promise<void>;

  /** One month's checks (YYYY-MM), newest first, at most `limit`. */
  listCreditChecks(month: string, options?: { limit?: number }): Promise<CreditCheckEntry[]>;

  // ---------------------------------------------------------------- cursors

  /** A named cursor (a pull's position in its feed, the expiry sweep's first open month). */
  getCursor(name: string): Promise<Cursor | undefined>;

  /**
   * Moves a cursor, optimistically: only if it is still at `expectedVersion` (0 = no cursor yet), so
   * two overlapping runs cannot both move it. False when another run won.
   */
  saveCursor(name: string, value: string, expectedVersion: number, now: string): Promise<boolean>;

  // ---------------------------------------------------------------- operators' audit trail

  /** Writes a new audit entry (an action about to start). */
  createAuditEntry(entry: AuditEntry): Promise<void>;

  /** Records how an audited action ended. */
  completeAuditEntry(entry: Pick<AuditEntry, 'id' | 'startedAt'>, result: AuditResult): Promise<void>;

  /** Audit entries of one month (YYYY-MM) started at or after `since`, newest first, read page by page. */
  listAuditEntries(month: string, since: string): AsyncIterable<AuditEntry>;

  // ---------------------------------------------------------------- ingest: replay protection and throttling

  /** Records a request nonce of `appKey`; false when it was recorded before (a replay). */
  claimNonce(appKey: string, nonce: string, nowMs: number): Promise<boolean>;

  /** Counts one request of an upstream in its fixed one-minute window; refused (with the seconds left in the window) over `limit`. */
  throttleRequest(upstreamId: string, limit: number, nowMs: number): Promise<ThrottleResult>;
}
