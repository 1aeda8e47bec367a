/**
 * The sync state in memory: SyncState in plain TypeScript over maps, for unit tests and benchmarks.
 * It keeps the same promises as the DynamoDB implementation (test/support/sync-state-contract.ts
 * runs against both), and no more:
 *
 * - items are kept as the table keeps them — the same keys (functions/shared/state/keys.ts) and
 *   attributes, string sets as Sets (a set whose last element is deleted goes, as in the table),
 *   undefined values dropped (the handlers' document client drops them) — so what reads whole items
 *   (readRecordState, readRecordItems, getDestinationState, the status listings) answers exactly
 *   what the table would; the GSI (byDestinationStatus: the status index, the overdue commitments)
 *   holds the items that carry its keys, as the table's sparse index does;
 * - every guard the table's condition expressions make is the same test here, in code; each method
 *   runs to its end without yielding, so a method is atomic as one conditional write is (a
 *   method that makes two writes in the table, e.g. acceptRevision, is not interleaved here);
 * - keys sort as DynamoDB sorts them (UTF-8 bytes, i.e. code points); expired nonces and throttle
 *   counters are never deleted (the table's TTL deletes them some time after they expire; a nonce
 *   blocks until then, and so here for good).
 *
 * Stored items are never changed in place (a write stores a new object), so `snapshot()` is cheap
 * and `restore()` puts the state back; reads hand out copies. Every operation does all its work
 * before it returns its promise (a benchmark times the call alone).
 */
import { randomUUID } from 'node:crypto';
import type {
  CommitmentDue,
  CommitmentVerified,
  CreditCheckEntry,
  CreditContribution,
  LicensingItemEntry,
  LicensingItemWrite,
  SubjectContribution,
} from '../../functions/shared/credit/types.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import {
  commitmentAttributes,
  commitmentDueKey,
  commitmentDueOf,
  creditCheckEntryOf,
  creditCheckItem,
  creditContributionOf,
  creditItem,
  licensingItemEntryOf,
  licensingItemItem,
} from '../../functions/shared/state/credit-items.js';
import {
  CREDIT_PREFIX,
  CURSOR,
  DESTINATION_PREFIX,
  DUE_OPEN,
  ENFORCEMENT_PREFIX,
  LICENSING_ITEM_SK,
  META,
  NONCE_SK,
  REVISION_PREFIX,
  THROTTLE_SK,
  auditPk,
  auditSk,
  cursorPk,
  destinationSk,
  destinationStatusKey,
  dueKey,
  enforcementSk,
  expiryPk,
  expirySk,
  licensingItemPk,
  nonceKey,
  quarantinePk,
  quarantineSk,
  recordPk,
  revisionSk,
  subjectPk,
  throttleKey,
  waitPrefix,
  waitSk,
} from '../../functions/shared/state/keys.js';
import { quarantinedItemOf, quarantineItem } from '../../functions/shared/state/quarantine-item.js';
import { packRecord, unpackRecord } from '../../functions/shared/state/record-compression.js';
import {
  DESTINATION_LAST_EVENT,
  deliveryViewOf,
  destinationHistoryEntry,
  historyEventItem,
  lastEventReplaced,
  metaOf as sharedMetaOf,
  recordStateOf,
  revisionRecordOf,
  setToList,
} from '../../functions/shared/state/record-state.js';
import {
  FINAL_RANK,
  STATUS_RANK,
  refOf,
  type AcceptOptions,
  type AcceptOutcome,
  type AuditEntry,
  type AuditResult,
  type ClaimLease,
  type ClaimOutcome,
  type Cursor,
  type DeliveryRead,
  type DeliveryView,
  type DestinationOutcome,
  type DestinationState,
  type DestinationStatus,
  type DestinationStatusEntry,
  type EnforcementEntry,
  type ExpiryEntry,
  type HistoryEvent,
  type QuarantinedItem,
  type QuarantineEntry,
  type QuarantineRelease,
  type RecordItem,
  type RecordMeta,
  type RecordRef,
  type RecordState,
  type RepairWait,
  type RevisionScanPage,
  type SendClaim,
  type SyncState,
  type ThrottleResult,
  type UnpublishOutcome,
} from '../../functions/shared/state/sync-state.js';
import { STATUS_INDEX_PK, STATUS_INDEX_SK, TTL_ATTRIBUTE } from '../../topology/table.js';

type Item = Readonly<Record<string, unknown>> & { readonly pk: string; readonly sk: string };

/** The state at one moment (`snapshot()`), to `restore()` later. */
export interface InMemorySnapshot {
  readonly partitions: ReadonlyMap<string, ReadonlyMap<string, Item>>;
}

/** DynamoDB's order of string keys: UTF-8 bytes, which is code-point order (UTF-16 code units differ only around surrogates). */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  if (!SURROGATE.test(a) && !SURROGATE.test(b)) return a < b ? -1 : 1;
  const x = [...a];
  const y = [...b];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const d = x[i]!.codePointAt(0)! - y[i]!.codePointAt(0)!;
    if (d !== 0) return d;
  }
  return x.length - y.length;
}
const SURROGATE = /[\ud800-\udfff]/;

/** A comparison of a stored attribute with a value: false when the attribute is missing (as in a condition expression). */
const lt = (a: unknown, b: number | string): boolean => typeof a === typeof b && (a as number | string) < b;
const le = (a: unknown, b: number | string): boolean => typeof a === typeof b && (a as number | string) <= b;

/** A value as the document client stores it: undefined dropped (maps, lists and sets), containers copied. */
function stored<T>(value: T): T {
  if (value instanceof Set) return new Set([...value].filter((v) => v !== undefined)) as T;
  if (value instanceof Uint8Array) return new Uint8Array(value) as T;
  if (Array.isArray(value)) return value.filter((v) => v !== undefined).map(stored) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = stored(v);
    return out as T;
  }
  return value;
}

/**
 * A copy to hand out: a caller changing it changes nothing stored. (Not structuredClone: under
 * jest its Sets come from another realm, and `instanceof Set` would fail on them.)
 */
const copy = <T>(value: T): T => stored(value);

const conditionFailed = () => Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

export class InMemorySyncState implements SyncState {
  private partitions = new Map<string, Map<string, Item>>();

  // ---------------------------------------------------------------- the table

  private get(pk: string, sk: string): Item | undefined {
    return this.partitions.get(pk)?.get(sk);
  }

  private put(item: Record<string, unknown> & { pk: string; sk: string }): void {
    let partition = this.partitions.get(item.pk);
    if (!partition) this.partitions.set(item.pk, (partition = new Map()));
    partition.set(item.sk, Object.freeze(stored(item)));
  }

  /** Writes `item` with `set` applied and `remove` removed (an UpdateItem: the item is made when missing). */
  private update(key: { pk: string; sk: string }, set: Record<string, unknown>, remove: readonly string[] = []): Item {
    const next: Record<string, unknown> & { pk: string; sk: string } = { ...(this.get(key.pk, key.sk) ?? key), ...set };
    for (const name of remove) delete next[name];
    this.put(next);
    return this.get(key.pk, key.sk)!;
  }

  private delete(pk: string, sk: string): void {
    this.partitions.get(pk)?.delete(sk);
  }

  /** A partition's items in sort-key order, optionally only those whose sort key passes `filter`. */
  private query(pk: string, filter: (sk: string) => boolean = () => true): Item[] {
    return [...(this.partitions.get(pk)?.values() ?? [])].filter((item) => filter(item.sk)).sort((a, b) => compareKeys(a.sk, b.sk));
  }

  /** The items of the GSI (byDestinationStatus: the operators' status index, the overdue commitments) under one key, by its sort key. */
  private statusIndex(key: string): Item[] {
    const items: Item[] = [];
    for (const partition of this.partitions.values()) {
      for (const item of partition.values()) if (item[STATUS_INDEX_PK] === key && typeof item[STATUS_INDEX_SK] === 'string') items.push(item);
    }
    return items.sort((a, b) => compareKeys(String(a[STATUS_INDEX_SK]), String(b[STATUS_INDEX_SK])));
  }

  /** Every item (for tests and benchmarks that look at what is stored). */
  items(): Item[] {
    return [...this.partitions.values()].flatMap((partition) => [...partition.values()]).map(copy);
  }

  /** Forgets everything. */
  clear(): void {
    this.partitions = new Map();
  }

  snapshot(): InMemorySnapshot {
    return { partitions: new Map([...this.partitions].map(([pk, partition]) => [pk, new Map(partition)])) };
  }

  restore(snapshot: InMemorySnapshot): void {
    this.partitions = new Map([...snapshot.partitions].map(([pk, partition]) => [pk, new Map(partition)]));
  }

  // ---------------------------------------------------------------- revisions and routing

  async acceptRevision(record: CreditRecord, options: AcceptOptions): Promise<AcceptOutcome> {
    const ref = refOf(record);
    const key = { pk: recordPk(ref), sk: META };
    const before = this.get(key.pk, key.sk);
    if (!before || lt(before['revision'], record.revision)) {
      const claim = options.claim;
      this.update(key, {
        recordType: record.recordType,
        source: record.source,
        recordId: record.recordId,
        revision: record.revision,
        contentHash: options.contentHash,
        operation: record.operation,
        acceptedAt: options.now,
        correlationId: options.correlationId,
        firstAcceptedAt: before?.['firstAcceptedAt'] ?? options.now,
        ...(claim && { routingRevision: record.revision, routingLeaseUntil: claim.leaseUntil, routingClaim: claim.token }),
        ...(claim?.destinations.length && { routedTo: union(before?.['routedTo'], claim.destinations) }),
      });
      this.putRevision(record, options);
      return { kind: 'accepted', routedTo: setToList(before?.['routedTo']) };
    }
    const stored = metaOf(before);
    if (stored.revision > record.revision) return { kind: 'superseded', storedRevision: stored.revision };
    if (stored.contentHash !== options.contentHash) return { kind: 'conflict', storedHash: stored.contentHash };
    if ((stored.routedRevision ?? 0) >= record.revision) return { kind: 'duplicate' };
    this.putRevision(record, options);
    return { kind: 'unrouted', routedTo: stored.routedTo };
  }

  /** The immutable REV item, written once. */
  private putRevision(record: CreditRecord, options: AcceptOptions): void {
    const pk = recordPk(refOf(record));
    const sk = revisionSk(record.revision);
    if (this.get(pk, sk)) return;
    this.put({ pk, sk, revision: record.revision, contentHash: options.contentHash, ...packRecord(JSON.stringify(record)), acceptedAt: options.now });
  }

  async claimRouting(ref: RecordRef, revision: number, destinations: readonly string[], lease: ClaimLease): Promise<ClaimOutcome> {
    const key = { pk: recordPk(ref), sk: META };
    const meta = this.get(key.pk, key.sk);
    const latest = meta !== undefined && meta['revision'] === revision;
    const notRouted = meta?.['routedRevision'] === undefined || lt(meta['routedRevision'], revision);
    const noLiveClaim = meta?.['routingLeaseUntil'] === undefined || lt(meta['routingRevision'], revision) || lt(meta['routingLeaseUntil'], lease.now);
    if (latest && notRouted && noLiveClaim) {
      this.update(key, {
        routingRevision: revision,
        routingLeaseUntil: lease.leaseUntil,
        routingClaim: lease.token,
        ...(destinations.length && { routedTo: union(meta['routedTo'], destinations) }),
      });
      return { kind: 'claimed' };
    }
    if (meta && Number(meta['revision']) > revision) return { kind: 'superseded', storedRevision: Number(meta['revision']) };
    return { kind: 'duplicate' };
  }

  async releaseRouting(ref: RecordRef, token: string): Promise<void> {
    const key = { pk: recordPk(ref), sk: META };
    if (this.get(key.pk, key.sk)?.['routingClaim'] === token) this.update(key, {}, ['routingLeaseUntil', 'routingClaim']);
  }

  async markRouted(ref: RecordRef, revision: number, now: string): Promise<boolean> {
    const key = { pk: recordPk(ref), sk: META };
    const meta = this.get(key.pk, key.sk);
    if (!meta || meta['revision'] !== revision || !(meta['routedRevision'] === undefined || lt(meta['routedRevision'], revision))) return false;
    this.update(key, { routedRevision: revision, routedAt: now }, ['routingLeaseUntil', 'routingClaim']);
    return true;
  }

  async getMeta(ref: RecordRef): Promise<RecordMeta | undefined> {
    const item = this.get(recordPk(ref), META);
    return item ? metaOf(item) : undefined;
  }

  async getRevision(ref: RecordRef, revision: number): Promise<CreditRecord | undefined> {
    return this.revisionOf(ref, revision);
  }

  private revisionOf(ref: RecordRef, revision: number): CreditRecord | undefined {
    return revisionRecordOf(this.get(recordPk(ref), revisionSk(revision)));
  }

  async getLatestRecord(ref: RecordRef): Promise<{ meta: RecordMeta; record: CreditRecord } | undefined> {
    const item = this.get(recordPk(ref), META);
    if (!item) return undefined;
    const meta = metaOf(item);
    const record = this.revisionOf(ref, meta.revision);
    return record ? { meta, record } : undefined;
  }

  async readRecordState(ref: RecordRef): Promise<RecordState> {
    return recordStateOf(this.query(recordPk(ref)).map(copy));
  }

  async readRecordItems(ref: RecordRef): Promise<RecordItem[]> {
    return this.query(recordPk(ref)).map(copy);
  }

  async *scanRevisions(options: { segment?: number; totalSegments?: number; signal?: AbortSignal } = {}): AsyncGenerator<RevisionScanPage> {
    const { segment = 0, totalSegments = 1, signal } = options;
    signal?.throwIfAborted();
    const page: RevisionScanPage = { revisions: [], scanned: 0 };
    for (const [pk, partition] of this.partitions) {
      if (totalSegments > 1 && segmentOf(pk, totalSegments) !== segment) continue;
      for (const item of [...partition.values()].sort((a, b) => compareKeys(a.sk, b.sk))) {
        page.scanned++;
        if (item.sk.startsWith(REVISION_PREFIX)) page.revisions.push({ pk, sk: item.sk, revision: Number(item['revision']), record: unpackRecord(item) ?? '' });
      }
    }
    yield page;
  }

  // ---------------------------------------------------------------- destinations

  async recordDestinationOutcome(ref: RecordRef, destination: string, outcome: DestinationOutcome): Promise<boolean> {
    const key = { pk: recordPk(ref), sk: destinationSk(destination) };
    const item = this.get(key.pk, key.sk);
    const rank = STATUS_RANK[outcome.status];
    const reopen = outcome.reopen === true && outcome.claimToken !== undefined && rank === FINAL_RANK;
    const stored = item?.['revision'];
    const forward = reopen
      ? stored === undefined || le(stored, outcome.revision)
      : stored === undefined ||
        lt(stored, outcome.revision) ||
        (stored === outcome.revision && le(item?.['statusRank'], rank) && lt(item?.['statusRank'], FINAL_RANK));
    const claim =
      outcome.claimToken === undefined
        ? true
        : reopen
          ? item?.['sendLeaseToken'] === outcome.claimToken
          : item?.['sendLeaseToken'] === undefined || item['sendLeaseToken'] === outcome.claimToken;
    if (!forward || !claim) return false;
    const optional: Record<string, unknown> = {
      lastError: outcome.error,
      receipt: outcome.receipt,
      correlationId: outcome.correlationId,
      attempts: outcome.attempts,
      published: outcome.publication?.published,
      publishedUntil: outcome.publication?.until,
    };
    this.update(
      key,
      {
        revision: outcome.revision,
        status: outcome.status,
        statusRank: rank,
        updatedAt: outcome.now,
        [STATUS_INDEX_PK]: destinationStatusKey(destination, outcome.status),
        [STATUS_INDEX_SK]: `${outcome.now}#${recordPk(ref)}`,
        destination,
        ...Object.fromEntries(Object.entries(optional).filter(([, value]) => value !== undefined)),
        ...(outcome.event && { [DESTINATION_LAST_EVENT]: destinationHistoryEntry({ ...outcome, event: outcome.event }) }),
      },
      [
        ...(outcome.claimToken === undefined ? [] : SEND_CLAIM_ATTRIBUTES),
        ...(outcome.publication ? ['publicationEndedAt', 'unpublishError', ...(outcome.publication.until === undefined ? ['publishedUntil'] : [])] : []),
      ],
    );
    // the event it replaced becomes an item of its own
    const replaced = outcome.event && (item?.[DESTINATION_LAST_EVENT] as Record<string, unknown> | undefined);
    if (replaced) this.put(historyEventItem(lastEventReplaced(ref, destination, replaced), randomUUID().slice(0, 8)));
    return true;
  }

  async claimSend(ref: RecordRef, destination: string, revision: number, lease: ClaimLease): Promise<SendClaim> {
    const key = { pk: recordPk(ref), sk: destinationSk(destination) };
    const item = this.get(key.pk, key.sk);
    const noNewerSend = item?.['sentRevision'] === undefined || le(item['sentRevision'], revision);
    const noLiveClaim = item?.['sendLeaseUntil'] === undefined || lt(item['sendLeaseUntil'], lease.now) || item['sendLeaseToken'] === lease.token;
    if (noNewerSend && noLiveClaim) {
      this.update(key, { sentRevision: revision, sendLeaseUntil: lease.leaseUntil, sendLeaseRevision: revision, sendLeaseToken: lease.token });
      return { kind: 'claimed' };
    }
    const sent = Number(item?.['sentRevision'] ?? 0);
    if (sent > revision) return { kind: 'superseded', sentRevision: sent };
    return { kind: 'busy', revision: Number(item?.['sendLeaseRevision'] ?? sent), leaseUntil: String(item?.['sendLeaseUntil'] ?? lease.now) };
  }

  async releaseSend(ref: RecordRef, destination: string, token: string): Promise<void> {
    const key = { pk: recordPk(ref), sk: destinationSk(destination) };
    if (this.get(key.pk, key.sk)?.['sendLeaseToken'] === token) this.update(key, {}, SEND_CLAIM_ATTRIBUTES);
  }

  async recordUnpublishOutcome(ref: RecordRef, destination: string, outcome: UnpublishOutcome): Promise<boolean> {
    const key = { pk: recordPk(ref), sk: destinationSk(destination) };
    const item = this.get(key.pk, key.sk);
    if (!item || item['revision'] !== outcome.revision || item['sendLeaseToken'] !== outcome.claimToken) return false;
    if (outcome.status === 'delivered') {
      this.update(
        key,
        { publicationEndedAt: outcome.now, published: false, updatedAt: outcome.now, ...(outcome.receipt && { unpublishReceipt: outcome.receipt }) },
        ['unpublishError', ...SEND_CLAIM_ATTRIBUTES],
      );
    } else {
      this.update(key, { unpublishError: `${outcome.status}: ${outcome.error ?? 'no reason given'}`, updatedAt: outcome.now }, SEND_CLAIM_ATTRIBUTES);
    }
    return true;
  }

  async readForDelivery(reads: readonly DeliveryRead[]): Promise<DeliveryView[]> {
    return reads.map((read) => {
      const pk = recordPk(read.ref);
      const item = (sk: string) => {
        const found = this.get(pk, sk);
        return found && copy(found);
      };
      const meta = item(META);
      const revision = read.revision ?? (meta?.['revision'] as number | undefined);
      return deliveryViewOf(meta, item(destinationSk(read.destination)), revision === undefined ? undefined : item(revisionSk(revision)));
    });
  }

  async getDestinationState(ref: RecordRef, destination: string): Promise<DestinationState | undefined> {
    const item = this.get(recordPk(ref), destinationSk(destination));
    return item ? (copy(item) as unknown as DestinationState) : undefined;
  }

  async listDestinationStates(ref: RecordRef): Promise<DestinationState[]> {
    return this.query(recordPk(ref), (sk) => sk.startsWith(DESTINATION_PREFIX)).map((item) => ({
      ...(copy(item) as unknown as DestinationState),
      destination: item.sk.slice(DESTINATION_PREFIX.length),
    }));
  }

  async listByDestinationStatus(destination: string, status: DestinationStatus, options: { limit?: number } = {}): Promise<DestinationStatusEntry[]> {
    const items = this.statusIndex(destinationStatusKey(destination, status)).reverse();
    return (options.limit === undefined ? items : items.slice(0, options.limit)).map((item) => copy(item) as unknown as DestinationStatusEntry);
  }

  async *streamByDestinationStatus(destination: string, status: DestinationStatus, options: { since?: string } = {}): AsyncGenerator<DestinationStatusEntry> {
    const { since } = options;
    const items = this.statusIndex(destinationStatusKey(destination, status)).filter(
      (item) => since === undefined || compareKeys(String(item[STATUS_INDEX_SK]), since) >= 0,
    );
    for (const item of items) yield copy(item) as unknown as DestinationStatusEntry;
  }

  async countByDestinationStatus(destination: string, status: DestinationStatus): Promise<number> {
    return this.statusIndex(destinationStatusKey(destination, status)).length;
  }

  // ---------------------------------------------------------------- history

  async appendEvents(events: readonly HistoryEvent[]): Promise<void> {
    for (const e of events) {
      this.put(historyEventItem(e, randomUUID().slice(0, 8)));
    }
  }

  // ---------------------------------------------------------------- quarantine

  async quarantine(entry: QuarantineEntry): Promise<void> {
    const item = quarantineItem(entry);
    if (!this.get(item.pk, item.sk)) this.put(item); // else a redelivery: already kept
  }

  async listQuarantine(day: string, options: { limit?: number } = {}): Promise<QuarantinedItem[]> {
    const items = this.query(quarantinePk(day));
    return (options.limit === undefined ? items : items.slice(0, options.limit)).map((item) => quarantinedItemOf<QuarantinedItem>(copy(item)));
  }

  async findQuarantined(day: string, keyPrefix: string, limit = 5): Promise<Array<QuarantinedItem & Partial<QuarantineRelease>>> {
    return this.query(quarantinePk(day), (sk) => sk.startsWith(keyPrefix))
      .slice(0, limit)
      .map((item) => quarantinedItemOf<QuarantinedItem & Partial<QuarantineRelease>>(copy(item)));
  }

  async markQuarantineReleased(
    entry: Pick<QuarantineEntry, 'sentAt' | 'messageId'>,
    release: QuarantineRelease,
    options: { force?: boolean } = {},
  ): Promise<boolean> {
    const key = { pk: quarantinePk(entry.sentAt), sk: quarantineSk(entry.sentAt, entry.messageId) };
    const item = this.get(key.pk, key.sk);
    if (options.force ? !item : item?.['status'] !== 'open') return false;
    this.update(key, {
      status: 'released',
      releasedAt: release.releasedAt,
      releasedBy: release.releasedBy,
      releasedMessageId: release.releasedMessageId,
      auditId: release.auditId,
    });
    return true;
  }

  async countOpenQuarantine(day: string): Promise<number> {
    return this.query(quarantinePk(day)).filter((item) => item['status'] === 'open').length;
  }

  // ---------------------------------------------------------------- repairs waiting for their breach

  async registerRepairWait(breach: RecordRef, destination: string, wait: RepairWait): Promise<void> {
    this.put({ pk: recordPk(breach), sk: waitSk(destination, wait.repair), ...wait.repair, revision: wait.revision, since: wait.since });
  }

  async listRepairWaits(breach: RecordRef, destination: string): Promise<RepairWait[]> {
    return this.query(recordPk(breach), (sk) => sk.startsWith(waitPrefix(destination))).map((item) => ({
      repair: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
      revision: Number(item['revision']),
      since: String(item['since']),
    }));
  }

  async removeRepairWaits(breach: RecordRef, destination: string, waits: readonly RepairWait[]): Promise<void> {
    for (const wait of waits) {
      const key = { pk: recordPk(breach), sk: waitSk(destination, wait.repair) };
      if (le(this.get(key.pk, key.sk)?.['revision'], wait.revision)) this.delete(key.pk, key.sk);
    }
  }

  // ---------------------------------------------------------------- publication expiry schedule

  async scheduleExpiry(ref: RecordRef, revision: number, until: string): Promise<void> {
    this.put({ pk: expiryPk(until), sk: expirySk(until, ref), ...ref, revision, until });
  }

  async listExpired(month: string, day: string, limit: number): Promise<ExpiryEntry[]> {
    return this.query(`EXPIRY#${month}`, (sk) => compareKeys(sk, day) < 0)
      .slice(0, limit)
      .map((item) => ({
        ref: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
        revision: Number(item['revision']),
        until: String(item['until']),
        enqueued: setToList(item['enqueued']),
      }));
  }

  async markExpiryEnqueued(entry: Pick<ExpiryEntry, 'ref' | 'until'>, destinations: readonly string[], now: string): Promise<void> {
    if (destinations.length === 0) return;
    const key = { pk: expiryPk(entry.until), sk: expirySk(entry.until, entry.ref) };
    this.update(key, { enqueued: union(this.get(key.pk, key.sk)?.['enqueued'], destinations), sweptAt: now });
  }

  async removeExpiry(entry: Pick<ExpiryEntry, 'ref' | 'until'>): Promise<void> {
    this.delete(expiryPk(entry.until), expirySk(entry.until, entry.ref));
  }

  // ---------------------------------------------------------------- a subject's enforcement history

  async registerEnforcement(subjectDigest: string, entry: EnforcementEntry): Promise<void> {
    const { ref, ...facts } = entry;
    const key = { pk: subjectPk(subjectDigest), sk: enforcementSk(ref) };
    const item = this.get(key.pk, key.sk);
    if (item && !le(item['revision'], entry.revision)) return;
    this.put({ ...key, ...ref, ...facts });
  }

  async listEnforcement(subjectDigest: string): Promise<EnforcementEntry[]> {
    return this.query(subjectPk(subjectDigest), (sk) => sk.startsWith(ENFORCEMENT_PREFIX)).map((item) => ({
      ref: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
      revision: Number(item['revision']),
      operation: String(item['operation']),
      decisionNumber: String(item['decisionNumber']),
      decisionDate: String(item['decisionDate']),
      ...(typeof item['ground'] === 'string' && { ground: item['ground'] }),
      ...(typeof item['severity'] === 'string' && { severity: item['severity'] }),
    }));
  }

  // ---------------------------------------------------------------- credit profiles

  async putCreditContributions(contributions: readonly SubjectContribution[]): Promise<void> {
    for (const { subjectDigest, contribution } of contributions) {
      const item = creditItem(subjectDigest, contribution);
      const stored = this.get(item.pk, item.sk);
      if (stored && !le(stored['revision'], contribution.revision)) continue; // a newer revision's contribution is stored
      this.put(item);
    }
  }

  async getCreditContributions(subjectDigest: string): Promise<CreditContribution[]> {
    return this.query(subjectPk(subjectDigest), (sk) => sk.startsWith(CREDIT_PREFIX)).map((item) => creditContributionOf(copy(item)));
  }

  // ---------------------------------------------------------------- the licensing-item list

  async putLicensingItem(entry: LicensingItemEntry): Promise<LicensingItemWrite> {
    const item = licensingItemItem(entry);
    const stored = this.get(item.pk, item.sk);
    if (stored && stored['recordPk'] !== item['recordPk']) return 'codeTaken';
    if (stored && !le(stored['revision'], entry.revision)) return 'stale';
    this.put(item);
    return 'stored';
  }

  async getLicensingItem(itemCode: string): Promise<LicensingItemEntry | undefined> {
    const item = this.get(licensingItemPk(itemCode), LICENSING_ITEM_SK);
    return item ? licensingItemEntryOf(copy(item)) : undefined;
  }

  // ---------------------------------------------------------------- commitment deadlines

  async trackCommitmentDue(due: CommitmentDue): Promise<void> {
    const key = commitmentDueKey(due.commitmentCode);
    const item = this.get(key.pk, key.sk);
    if (item?.['cmtRevision'] !== undefined && !le(item['cmtRevision'], due.revision)) return; // a newer revision is tracked
    const open = !due.withdrawn && item?.['verifiedBy'] === undefined;
    const { set, unset } = commitmentAttributes(due, dueKey(due.deadline, due.commitmentCode));
    this.update(key, { ...set, ...(open && { [STATUS_INDEX_PK]: DUE_OPEN, [STATUS_INDEX_SK]: set['dueKey'] }) }, [
      ...unset,
      ...(open ? [] : [STATUS_INDEX_PK, STATUS_INDEX_SK]),
    ]);
  }

  async recordCommitmentVerified(verified: CommitmentVerified): Promise<void> {
    const key = commitmentDueKey(verified.commitmentCode);
    const item = this.get(key.pk, key.sk);
    const verification = recordPk(verified.ref);
    if (!verified.withdrawn) {
      const lastVerification = { ...verified.ref, verificationDate: verified.verificationDate, result: verified.result };
      this.update(key, { lastVerification, verifiedBy: union(item?.['verifiedBy'], [verification]) }, [STATUS_INDEX_PK, STATUS_INDEX_SK]);
      return;
    }
    const rest = [...(item?.['verifiedBy'] instanceof Set ? (item['verifiedBy'] as Set<string>) : [])].filter((v) => v !== verification);
    const reopen = rest.length === 0 && typeof item?.['dueKey'] === 'string' && item['withdrawn'] !== true;
    this.update(
      key,
      { ...(rest.length > 0 && { verifiedBy: new Set(rest) }), ...(reopen && { [STATUS_INDEX_PK]: DUE_OPEN, [STATUS_INDEX_SK]: item['dueKey'] }) },
      rest.length > 0 ? [] : ['verifiedBy'],
    );
  }

  async listOverdueCommitments(today: string, options: { limit?: number } = {}): Promise<CommitmentDue[]> {
    const items = this.overdue(today);
    return (options.limit === undefined ? items : items.slice(0, options.limit)).map((item) => commitmentDueOf(copy(item)));
  }

  async countOverdueCommitments(today: string): Promise<number> {
    return this.overdue(today).length;
  }

  /** Open commitments whose `<deadline>#<code>` sorts below `today`: their deadline is before it. */
  private overdue(today: string): Item[] {
    return this.statusIndex(DUE_OPEN).filter((item) => compareKeys(String(item[STATUS_INDEX_SK]), today) < 0);
  }

  // ---------------------------------------------------------------- the credit check log

  async recordCreditCheck(entry: CreditCheckEntry): Promise<void> {
    const item = creditCheckItem(entry);
    if (!this.get(item.pk, item.sk)) this.put(item); // else logged already
  }

  async listCreditChecks(month: string, options: { limit?: number } = {}): Promise<CreditCheckEntry[]> {
    const items = this.query(`CHECK#${month}`).reverse();
    return (options.limit === undefined ? items : items.slice(0, options.limit)).map((item) => creditCheckEntryOf(copy(item)));
  }

  // ---------------------------------------------------------------- cursors

  async getCursor(name: string): Promise<Cursor | undefined> {
    const item = this.get(cursorPk(name), CURSOR);
    return item ? { value: item['value'] as string, version: item['version'] as number, updatedAt: item['updatedAt'] as string } : undefined;
  }

  async saveCursor(name: string, value: string, expectedVersion: number, now: string): Promise<boolean> {
    const item = this.get(cursorPk(name), CURSOR);
    if (expectedVersion === 0 ? item !== undefined : item?.['version'] !== expectedVersion) return false;
    this.put({ pk: cursorPk(name), sk: CURSOR, value, version: expectedVersion + 1, updatedAt: now });
    return true;
  }

  // ---------------------------------------------------------------- operators' audit trail

  async createAuditEntry(entry: AuditEntry): Promise<void> {
    const key = { pk: auditPk(entry.startedAt), sk: auditSk(entry.startedAt, entry.id) };
    if (this.get(key.pk, key.sk)) throw conditionFailed();
    this.put({ ...key, ...entry });
  }

  async completeAuditEntry(entry: Pick<AuditEntry, 'id' | 'startedAt'>, result: AuditResult): Promise<void> {
    const { status, finishedAt, counts, error } = result;
    this.update({ pk: auditPk(entry.startedAt), sk: auditSk(entry.startedAt, entry.id) }, { status, finishedAt, counts, ...(error && { error }) });
  }

  async *listAuditEntries(month: string, since: string): AsyncGenerator<AuditEntry> {
    for (const item of this.query(`AUDIT#${month}`, (sk) => compareKeys(sk, since) >= 0).reverse()) {
      const { pk: _pk, sk: _sk, ...entry } = copy(item);
      yield entry as unknown as AuditEntry;
    }
  }

  // ---------------------------------------------------------------- ingest: replay protection and throttling

  async claimNonce(appKey: string, nonce: string, nowMs: number): Promise<boolean> {
    const key = { pk: nonceKey(appKey, nonce), sk: NONCE_SK };
    if (this.get(key.pk, key.sk)) return false;
    this.put({ ...key, seenAt: new Date(nowMs).toISOString(), [TTL_ATTRIBUTE]: Math.ceil(nowMs / 1000) + NONCE_TTL_SECONDS });
    return true;
  }

  async throttleRequest(upstreamId: string, limit: number, nowMs: number): Promise<ThrottleResult> {
    const minute = Math.floor(nowMs / 60_000);
    const key = { pk: throttleKey(upstreamId, minute), sk: THROTTLE_SK };
    const before = this.get(key.pk, key.sk);
    const count = Number(before?.['requests'] ?? 0) + 1;
    this.update(key, { requests: count, [TTL_ATTRIBUTE]: before?.[TTL_ATTRIBUTE] ?? (minute + 2) * 60 });
    if (count <= limit) return { allowed: true };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
  }
}

/** As the DynamoDB implementation's default. */
const NONCE_TTL_SECONDS = 600;

const SEND_CLAIM_ATTRIBUTES = ['sendLeaseUntil', 'sendLeaseRevision', 'sendLeaseToken'];

/** A META item as getMeta reads it. */
function metaOf(item: Item): RecordMeta {
  return sharedMetaOf(copy(item));
}

/** ADD of strings to a string set (made when missing). */
function union(set: unknown, values: readonly string[]): Set<string> {
  return new Set([...(set instanceof Set ? (set as Set<string>) : []), ...values]);
}

/** The scan segment a partition falls in (a parallel scan reads each item in exactly one segment). */
function segmentOf(pk: string, totalSegments: number): number {
  let hash = 0;
  for (let i = 0; i < pk.length; i++) hash = (hash * 31 + pk.charCodeAt(i)) >>> 0;
  return hash % totalSegments;
}

export function inMemorySyncState(): InMemorySyncState {
  return new InMemorySyncState();
}

/**
 * `state` with some methods replaced, the others its own: how a test makes one operation fail
 * (`overriding(state, { markRouted: () => Promise.reject(throttled) })`) or race another.
 */
export function overriding<T extends Partial<SyncState>>(state: T, overrides: Partial<T>): T {
  return new Proxy(state, {
    get(target, name, receiver) {
      if (Object.hasOwn(overrides, name)) return overrides[name as keyof T];
      const value: unknown = Reflect.get(target, name, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
