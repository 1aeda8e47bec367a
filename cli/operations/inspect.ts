/**
 * `credex inspect`: everything the sync-state table holds about one record — META, every REV#,
 * DEST# and EVT# item of its partition, read with one Query — shaped into the view operators
 * read. The shaping is pure (items in, view out), so it is tested on hand-built items.
 *
 * Every string of the view goes through `maskPersonalData` before it is printed: errors and
 * history details are meant to be free of identity numbers, but an echo from an endpoint must not
 * reach a terminal or a script's log either.
 */
import { PERSONAL_PATHS } from '../../functions/deliver/adapters/wire-fields.js';
import { maskIdNumbersIn, maskResidentId } from '../../functions/shared/records/identifiers.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { META, revisionSk, type RecordRef } from '../../functions/shared/state/keys.js';
import { historyOf, revisionRecordOf } from '../../functions/shared/state/record-state.js';
import type { DestinationStatus, RecordItem, SyncState } from '../../functions/shared/state/sync-state.js';

/** One item of a record's partition, as stored. */
export type StateItem = RecordItem;

/** `credex inspect --json`: the record, its revisions, its destinations, its history. */
export interface InspectView {
  record: RecordSummary;
  /** Oldest first. */
  revisions: RevisionSummary[];
  /** By destination id. */
  destinations: DestinationSummary[];
  /** Oldest first. */
  history: HistoryEntry[];
}

export interface RecordSummary {
  recordType: string;
  source: string;
  recordId: string;
  /** The latest accepted revision. */
  revision: number;
  operation: string;
  contentHash: string;
  firstAcceptedAt: string;
  /** When the latest revision was accepted. */
  acceptedAt: string;
  correlationId: string;
  /** Every destination any revision was routed to. */
  routedTo: string[];
  routedRevision: number | null;
  routedAt: string | null;
  /** An invocation routing a revision now (or one that died holding the claim: `expired`). */
  routingClaim: Lease | null;
}

export interface Lease {
  revision: number;
  until: string;
  /** The lease ran out without an outcome: its invocation died; the message's redelivery takes over. */
  expired: boolean;
}

export interface RevisionSummary {
  revision: number;
  acceptedAt: string | null;
  contentHash: string;
}

export interface DestinationSummary {
  destination: string;
  /** The recorded outcome; `pending` when there is none yet. */
  status: DestinationStatus;
  /** The revision the status is about; null while no outcome is recorded. */
  revision: number | null;
  /** The latest revision, when this destination has no outcome for it yet; null when up to date. */
  pendingRevision: number | null;
  /** false: routed here, but no deliver function has touched it yet (no DEST# item). */
  attempted: boolean;
  attempts: number | null;
  lastError: string | null;
  receipt: string | null;
  updatedAt: string | null;
  /** The newest revision whose send started. */
  sentRevision: number | null;
  /** A send in flight (or one whose invocation died: `expired`). */
  sendClaim: Lease | null;
  /**
   * Where the destination publishes the record type: what the delivered revision stated (published,
   * until when), and the end of publication the expiry sweep sent (when it ended, or why not yet).
   */
  publication: { published: boolean; until: string | null; endedAt: string | null; endError: string | null } | null;
}

export interface HistoryEntry {
  at: string;
  type: string;
  revision: number | null;
  destination: string | null;
  /** The event's other facts (lanes, receipt, reason…), keys sorted. */
  detail: Record<string, unknown>;
  correlationId: string | null;
}

/** Every item of a record's partition, page after page (a consistent read: inspect follows writes). */
export function readRecordItems(state: Pick<SyncState, 'readRecordItems'>, ref: RecordRef): Promise<StateItem[]> {
  return state.readRecordItems(ref);
}

/** The view of a record's items; undefined without a META item (nothing accepted). */
export function shapeInspection(items: readonly StateItem[], now: Date): InspectView | undefined {
  const meta = items.find((item) => item.sk === META);
  if (!meta) return undefined;
  const record = summariseMeta(meta, now);
  const destinationItems = new Map(items.filter((item) => item.sk.startsWith('DEST#')).map((item) => [item.sk.slice('DEST#'.length), item]));
  const destinationIds = [...new Set([...record.routedTo, ...destinationItems.keys()])].sort(byCodeUnits);
  return {
    record,
    revisions: items
      .filter((item) => item.sk.startsWith('REV#'))
      .map(summariseRevision)
      .sort((a, b) => a.revision - b.revision),
    destinations: destinationIds.map((id) => summariseDestination(id, destinationItems.get(id), record.revision, now)),
    history: historyOf(items).sort(byTimeThenLifecycle).map(summariseEvent),
  };
}

/** The canonical record of `revision`, from its REV# item; undefined when it is not stored. */
export function canonicalRecordOf(items: readonly StateItem[], revision: number): CreditRecord | undefined {
  return revisionRecordOf(items.find((item) => item.sk === revisionSk(revision)));
}

function summariseMeta(meta: StateItem, now: Date): RecordSummary {
  const routingRevision = numberOrNull(meta['routingRevision']);
  const routingUntil = stringOrNull(meta['routingLeaseUntil']);
  return {
    recordType: String(meta['recordType']),
    source: String(meta['source']),
    recordId: String(meta['recordId']),
    revision: Number(meta['revision']),
    operation: String(meta['operation']),
    contentHash: String(meta['contentHash']),
    firstAcceptedAt: String(meta['firstAcceptedAt']),
    acceptedAt: String(meta['acceptedAt']),
    correlationId: String(meta['correlationId']),
    routedTo: listOf(meta['routedTo']),
    routedRevision: numberOrNull(meta['routedRevision']),
    routedAt: stringOrNull(meta['routedAt']),
    // markRouted and releaseRouting remove the lease: one still there is a routing in progress or a dead one
    routingClaim: routingRevision !== null && routingUntil !== null ? lease(routingRevision, routingUntil, now) : null,
  };
}

function summariseRevision(item: StateItem): RevisionSummary {
  return { revision: Number(item['revision']), acceptedAt: stringOrNull(item['acceptedAt']), contentHash: String(item['contentHash']) };
}

/**
 * One destination's delivery state. No item: routed, not attempted yet. An item claimSend created
 * holds only a send claim (no status, no revision): no outcome yet.
 */
export function summariseDestination(destination: string, item: StateItem | undefined, latestRevision: number, now: Date): DestinationSummary {
  const revision = numberOrNull(item?.['revision']);
  const leaseRevision = numberOrNull(item?.['sendLeaseRevision']);
  const leaseUntil = stringOrNull(item?.['sendLeaseUntil']);
  const hasOutcome = revision !== null && typeof item?.['status'] === 'string';
  return {
    destination,
    status: hasOutcome ? (item['status'] as DestinationStatus) : 'pending',
    revision: hasOutcome ? revision : null,
    pendingRevision: hasOutcome && revision >= latestRevision ? null : latestRevision,
    attempted: item !== undefined,
    attempts: numberOrNull(item?.['attempts']),
    lastError: stringOrNull(item?.['lastError']),
    receipt: stringOrNull(item?.['receipt']),
    updatedAt: stringOrNull(item?.['updatedAt']),
    sentRevision: numberOrNull(item?.['sentRevision']),
    sendClaim: leaseRevision !== null && leaseUntil !== null ? lease(leaseRevision, leaseUntil, now) : null,
    publication:
      typeof item?.['published'] === 'boolean'
        ? {
            published: item['published'],
            until: stringOrNull(item['publishedUntil']),
            endedAt: stringOrNull(item['publicationEndedAt']),
            endError: stringOrNull(item['unpublishError']),
          }
        : null,
  };
}

function summariseEvent(item: StateItem): HistoryEntry {
  const { destination, ...rest } = (item['detail'] ?? {}) as Record<string, unknown>;
  return {
    at: eventTime(item),
    type: String(item['type']),
    revision: numberOrNull(item['revision']),
    destination: stringOrNull(destination),
    detail: sortKeys(rest),
    correlationId: stringOrNull(item['correlationId']),
  };
}

function lease(revision: number, until: string, now: Date): Lease {
  return { revision, until, expired: Date.parse(until) < now.getTime() };
}

/**
 * Where a record's events stand in its life. Intake writes `accepted` and `routed` with the same
 * time; events of one millisecond are shown in this order, not in the random order of their ids.
 */
const LIFECYCLE: readonly string[] = [
  'invalid',
  'accepted',
  'duplicate',
  'conflict',
  'superseded',
  'routed',
  'replayed',
  'waiting',
  'failed',
  'rejected',
  'delivered',
  'publicationExpired',
];

function byTimeThenLifecycle(a: StateItem, b: StateItem): number {
  return byCodeUnits(eventTime(a), eventTime(b)) || lifecycleRank(a) - lifecycleRank(b) || byCodeUnits(a.sk, b.sk);
}

function lifecycleRank(item: StateItem): number {
  const rank = LIFECYCLE.indexOf(String(item['type']));
  return rank === -1 ? LIFECYCLE.length : rank;
}

/** `at`, or the time in the key `EVT#<time>#<id>` of an event written without it. */
function eventTime(item: StateItem): string {
  return typeof item['at'] === 'string' ? item['at'] : item.sk.slice('EVT#'.length, item.sk.lastIndexOf('#'));
}

/** Plain code-unit order: the same on every machine, whatever its locale. */
function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortKeys(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).sort(([a], [b]) => byCodeUnits(a, b)));
}

function numberOrNull(value: unknown): number | null {
  return typeof value === 'number' ? value : null;
}

function stringOrNull(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

/** A string set (as the document client reads one) or a list, sorted. */
function listOf(value: unknown): string[] {
  const list = value instanceof Set ? [...(value as Set<unknown>)] : Array.isArray(value) ? value : [];
  return list.map(String).sort(byCodeUnits);
}

// ---------------------------------------------------------------- personal data

/** `value` with every identity-card number in any of its strings masked (maskIdNumbersIn). */
export function maskPersonalData<T>(value: T): T {
  return mapStrings(value, '', (text) => maskIdNumbersIn(text)) as T;
}

/**
 * A canonical record for operators: the schema's personal fields (`x-personal`: identity
 * numbers of any document type, passports included) masked whole, and identity-card numbers
 * anywhere else (one typed into a free-text field) masked where they appear.
 */
export function maskRecord(record: CreditRecord): CreditRecord {
  const personal = PERSONAL_PATHS[record.recordType];
  return mapStrings(record, '', (text, path) => (personal.has(path) ? maskResidentId(text) : maskIdNumbersIn(text))) as CreditRecord;
}

/** Maps every string in a JSON value; `path` is its JSON pointer with array indices as `*`. */
function mapStrings(value: unknown, path: string, map: (text: string, path: string) => string): unknown {
  if (typeof value === 'string') return map(value, path);
  if (Array.isArray(value)) return value.map((item) => mapStrings(item, `${path}/*`, map));
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([key, member]) => [key, mapStrings(member, `${path}/${key}`, map)]));
  return value;
}
