/**
 * The sync-state repository: every read and write of the sync-state table. Each function takes
 * the DynamoDB document client (and table name) as a parameter — a unit test passes a mock, an
 * integration test a client of a real server.
 *
 * Revision guards are condition expressions, never read-then-write: a write that loses a race
 * fails its condition, and only then is the stored item read, to say why.
 * Only operations that dynalite and DynamoDB Local both support are used (no transactions).
 */
import { gunzipSync, gzipSync } from 'node:zlib';
import { createHash, randomUUID } from 'node:crypto';
import { BatchWriteCommand, DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { CreditRecord } from '../records/types.js';
import type { ValidationIssue } from '../records/validate.js';
import {
  CURSOR,
  ENFORCEMENT_PREFIX,
  META,
  cursorPk,
  destinationSk,
  destinationStatusKey,
  enforcementSk,
  eventSk,
  expiryPk,
  expirySk,
  quarantinePk,
  recordPk,
  revisionSk,
  subjectPk,
  waitPrefix,
  waitSk,
  type RecordRef,
} from './keys.js';
import { STATUS_INDEX, STATUS_INDEX_PK, STATUS_INDEX_SK } from '../../../topology/table.js';

export interface StateStore {
  ddb: DynamoDBDocumentClient;
  tableName: string;
}

export const isConditionalCheckFailed = (err: unknown): boolean => (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

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

/**
 * Stores `record` as the latest revision if it is newer than the stored one. The guard is the
 * condition `revision < :rev` on the META item; the canonical record is written to its own
 * immutable REV item, so META stays small and cheap to update.
 */
export async function acceptRevision(store: StateStore, record: CreditRecord, options: AcceptOptions): Promise<AcceptOutcome> {
  const ref = refOf(record);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const claim = options.claim;
      const claimSet = claim ? ', routingRevision = :rev, routingLeaseUntil = :lease, routingClaim = :token' : '';
      const claimAdd = claim?.destinations.length ? ' ADD routedTo :dests' : '';
      const result = await store.ddb.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: { pk: recordPk(ref), sk: META },
          UpdateExpression: `SET #type = :type, #source = :source, #id = :id, #rev = :rev, #hash = :hash, #op = :op, #at = :now, #cid = :cid, #first = if_not_exists(#first, :now)${claimSet}${claimAdd}`,
          ConditionExpression: 'attribute_not_exists(pk) OR #rev < :rev',
          ExpressionAttributeNames: {
            '#type': 'recordType',
            '#source': 'source',
            '#id': 'recordId',
            '#rev': 'revision',
            '#hash': 'contentHash',
            '#op': 'operation',
            '#at': 'acceptedAt',
            '#cid': 'correlationId',
            '#first': 'firstAcceptedAt',
          },
          ExpressionAttributeValues: {
            ':type': record.recordType,
            ':source': record.source,
            ':id': record.recordId,
            ':rev': record.revision,
            ':hash': options.contentHash,
            ':op': record.operation,
            ':now': options.now,
            ':cid': options.correlationId,
            ...(claim && { ':lease': claim.leaseUntil, ':token': claim.token }),
            ...(claim?.destinations.length && { ':dests': new Set(claim.destinations) }),
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      await putRevision(store, record, options);
      return { kind: 'accepted', routedTo: setToList(result.Attributes?.['routedTo']) };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const stored = await getMeta(store, ref);
    if (!stored) continue; // deleted in between: try again
    if (stored.revision > record.revision) return { kind: 'superseded', storedRevision: stored.revision };
    if (stored.revision === record.revision) {
      if (stored.contentHash !== options.contentHash) return { kind: 'conflict', storedHash: stored.contentHash };
      if ((stored.routedRevision ?? 0) >= record.revision) return { kind: 'duplicate' };
      await putRevision(store, record, options); // the crash may have come before this write
      return { kind: 'unrouted', routedTo: stored.routedTo };
    }
    // stored is older again: another writer raced us between the two calls; retry the guard
  }
  throw new Error(`could not settle revision ${record.revision} of ${recordPk(ref)} after 3 attempts`);
}

/** Writes the immutable REV item once; a second write of the same revision is a no-op. */
async function putRevision(store: StateStore, record: CreditRecord, options: AcceptOptions): Promise<void> {
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: {
          pk: recordPk(refOf(record)),
          sk: revisionSk(record.revision),
          revision: record.revision,
          contentHash: options.contentHash,
          record: JSON.stringify(record),
          acceptedAt: options.now,
        },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

export type ClaimOutcome =
  /** This invocation may route the revision; its destinations are recorded in `routedTo`. */
  | { kind: 'claimed' }
  /** A newer revision was accepted since: do not route this one. */
  | { kind: 'superseded'; storedRevision: number }
  /** Already routed, or another invocation is routing it right now (its lease has not expired). */
  | { kind: 'duplicate' };

/**
 * Claims the right to route `revision` and records where it will go, before anything is sent.
 * One conditional write on META decides, against every concurrent writer of the same record:
 * - the revision must still be the latest (`revision = :rev`): an older one is never routed;
 * - it must not be routed yet, nor claimed by another invocation whose lease (`leaseUntil`) is
 *   still running — so two copies of one message, in one batch or in two Lambdas, route once;
 * - the destinations are added to `routedTo` first, so a newer revision accepted after this point
 *   sees them (and withdraws where its routes no longer go), even if this invocation then crashes.
 * A crashed claim expires with its lease; the message's redelivery claims again.
 */
export async function claimRouting(
  store: StateStore,
  ref: RecordRef,
  revision: number,
  destinations: readonly string[],
  options: { now: string; leaseUntil: string; token: string },
): Promise<ClaimOutcome> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: `SET routingRevision = :rev, routingLeaseUntil = :lease, routingClaim = :token${destinations.length ? ' ADD routedTo :dests' : ''}`,
        ConditionExpression:
          'revision = :rev AND (attribute_not_exists(routedRevision) OR routedRevision < :rev) AND ' +
          '(attribute_not_exists(routingLeaseUntil) OR routingRevision < :rev OR routingLeaseUntil < :now)',
        ExpressionAttributeValues: {
          ':rev': revision,
          ':lease': options.leaseUntil,
          ':now': options.now,
          ':token': options.token,
          ...(destinations.length && { ':dests': new Set(destinations) }),
        },
      }),
    );
    return { kind: 'claimed' };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const stored = await getMeta(store, ref);
  if (stored && stored.revision > revision) return { kind: 'superseded', storedRevision: stored.revision };
  return { kind: 'duplicate' };
}

/**
 * Gives up a claim whose lane messages could not all be sent, so the message's next delivery can
 * route at once instead of waiting for the lease to expire. Only the holder (`token`) can release.
 */
export async function releaseRouting(store: StateStore, ref: RecordRef, token: string): Promise<void> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: 'REMOVE routingLeaseUntil, routingClaim',
        ConditionExpression: 'routingClaim = :token',
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * Marks `revision` routed once its lane messages are sent. Returns false when a newer revision
 * was accepted meanwhile: the newer one saw this one's destinations (claimRouting) and routes itself.
 */
export async function markRouted(store: StateStore, ref: RecordRef, revision: number, now: string): Promise<boolean> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: 'SET routedRevision = :rev, routedAt = :now REMOVE routingLeaseUntil, routingClaim',
        ConditionExpression: 'revision = :rev AND (attribute_not_exists(routedRevision) OR routedRevision < :rev)',
        ExpressionAttributeValues: { ':rev': revision, ':now': now },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

export async function getMeta(store: StateStore, ref: RecordRef): Promise<RecordMeta | undefined> {
  const result = await store.ddb.send(new GetCommand({ TableName: store.tableName, Key: { pk: recordPk(ref), sk: META }, ConsistentRead: true }));
  if (!result.Item) return undefined;
  return { ...(result.Item as Omit<RecordMeta, 'routedTo'>), routedTo: setToList(result.Item['routedTo']) };
}

/** The canonical record of one accepted revision. */
export async function getRevision(store: StateStore, ref: RecordRef, revision: number): Promise<CreditRecord | undefined> {
  const result = await store.ddb.send(new GetCommand({ TableName: store.tableName, Key: { pk: recordPk(ref), sk: revisionSk(revision) }, ConsistentRead: true }));
  return typeof result.Item?.['record'] === 'string' ? (JSON.parse(result.Item['record']) as CreditRecord) : undefined;
}

function setToList(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)].sort() : Array.isArray(value) ? (value as string[]) : [];
}

// ---------------------------------------------------------------- destinations

/** A record's state at one destination: `waiting` is a repair held back until its breach is delivered there. */
export const DESTINATION_STATUSES = ['pending', 'waiting', 'failed', 'rejected', 'delivered'] as const;
export type DestinationStatus = (typeof DESTINATION_STATUSES)[number];

/** Within one revision an outcome only moves up; delivered and rejected are final. */
const STATUS_RANK: Readonly<Record<DestinationStatus, number>> = { pending: 0, waiting: 1, failed: 1, rejected: 2, delivered: 2 };
const FINAL_RANK = 2;

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
}

/**
 * Records what happened at one destination. Moves only forward: a newer revision replaces an
 * older one; within the same revision the status only rises, and delivered/rejected are final —
 * so a late "failed" never overwrites "delivered" of the same or a newer revision.
 * Returns false when the outcome was stale and not written.
 */
export async function recordDestinationOutcome(store: StateStore, ref: RecordRef, destination: string, outcome: DestinationOutcome): Promise<boolean> {
  const rank = STATUS_RANK[outcome.status];
  const reopen = outcome.reopen === true && outcome.claimToken !== undefined && rank === FINAL_RANK;
  const values: Record<string, unknown> = {
    ':rev': outcome.revision,
    ':status': outcome.status,
    ':rank': rank,
    ...(!reopen && { ':final': FINAL_RANK }),
    ':now': outcome.now,
    ':gsipk': destinationStatusKey(destination, outcome.status),
    ':gsisk': `${outcome.now}#${recordPk(ref)}`,
    ':dest': destination,
    ...(outcome.claimToken !== undefined && { ':token': outcome.claimToken }),
  };
  const sets = ['#rev = :rev', '#status = :status', 'statusRank = :rank', 'updatedAt = :now', `${STATUS_INDEX_PK} = :gsipk`, `${STATUS_INDEX_SK} = :gsisk`, 'destination = :dest'];
  for (const [name, value] of [
    ['lastError', outcome.error],
    ['receipt', outcome.receipt],
    ['correlationId', outcome.correlationId],
    ['attempts', outcome.attempts],
    ['published', outcome.publication?.published],
    ['publishedUntil', outcome.publication?.until],
  ] as const) {
    if (value !== undefined) {
      sets.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
  }
  const removes = [
    ...(outcome.claimToken === undefined ? [] : ['sendLeaseUntil', 'sendLeaseRevision', 'sendLeaseToken']),
    // a new publication state replaces the old one whole
    ...(outcome.publication ? ['publicationEndedAt', 'unpublishError', ...(outcome.publication.until === undefined ? ['publishedUntil'] : [])] : []),
  ];
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        // the outcome of a claimed send ends it: the claim goes with it, if it is still this one's
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        // an item claimSend created holds no outcome yet: no revision attribute
        ConditionExpression: `${reopen ? '(attribute_not_exists(#rev) OR #rev <= :rev)' : '(attribute_not_exists(#rev) OR #rev < :rev OR (#rev = :rev AND statusRank <= :rank AND statusRank < :final))'}${outcome.claimToken === undefined ? '' : reopen ? ' AND sendLeaseToken = :token' : ' AND (attribute_not_exists(sendLeaseToken) OR sendLeaseToken = :token)'}`,
        ExpressionAttributeNames: { '#rev': 'revision', '#status': 'status' },
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

export type SendClaim =
  /** This revision may be sent now. */
  | { kind: 'claimed' }
  /** A newer revision's send has started: this one must never reach the endpoint. */
  | { kind: 'superseded'; sentRevision: number }
  /** Another send of this record is in flight until `leaseUntil`: try again after it. */
  | { kind: 'busy'; revision: number; leaseUntil: string };

/**
 * Claims the right to send `revision` of a record to a destination now, as the holder of `token`.
 * Sends to one destination are serialised per record and only move forward: none starts while
 * another send is in flight (until its lease ends — the holder's outcome or releaseSend frees it),
 * and none starts once a newer revision's has started. Checking the stored revision before sending is not enough: two
 * invocations holding two revisions could both pass it and reach the endpoint in either order.
 */
export async function claimSend(store: StateStore, ref: RecordRef, destination: string, revision: number, options: { now: string; leaseUntil: string; token: string }): Promise<SendClaim> {
  const key = { pk: recordPk(ref), sk: destinationSk(destination) };
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: key,
        UpdateExpression: 'SET sentRevision = :rev, sendLeaseUntil = :until, sendLeaseRevision = :rev, sendLeaseToken = :token',
        // only the claim's own holder renews it: a second copy of the same message (SQS delivers at
        // least once) waits like any other sender, so one release can never free a send in flight
        ConditionExpression: '(attribute_not_exists(sentRevision) OR sentRevision <= :rev) AND (attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now OR sendLeaseToken = :token)',
        ExpressionAttributeValues: { ':rev': revision, ':until': options.leaseUntil, ':now': options.now, ':token': options.token },
      }),
    );
    return { kind: 'claimed' };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const { Item } = await store.ddb.send(new GetCommand({ TableName: store.tableName, Key: key, ConsistentRead: true }));
  const sent = Number(Item?.['sentRevision'] ?? 0);
  if (sent > revision) return { kind: 'superseded', sentRevision: sent };
  return { kind: 'busy', revision: Number(Item?.['sendLeaseRevision'] ?? sent), leaseUntil: String(Item?.['sendLeaseUntil'] ?? options.now) };
}

/** Gives a claim up without an outcome (the send never happened): only the holder's own claim goes. */
export async function releaseSend(store: StateStore, ref: RecordRef, destination: string, token: string): Promise<void> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        UpdateExpression: 'REMOVE sendLeaseUntil, sendLeaseRevision, sendLeaseToken',
        ConditionExpression: 'sendLeaseToken = :token',
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

export interface UnpublishOutcome {
  revision: number;
  status: 'delivered' | 'rejected' | 'failed';
  now: string;
  error?: string;
  receipt?: string;
  /** The claim of the unpublish send (claimSend): only its holder records the outcome. */
  claimToken: string;
}

/**
 * Records the outcome of an end of publication (the sweep's `unpublish`) at one destination: the
 * revision stays delivered (still shared); `publicationEndedAt` says when its publication ended,
 * or `unpublishError` why it has not. Only the claim's holder writes, and only on that revision.
 * Returns false when the condition failed (a newer revision's send, or another claim).
 */
export async function recordUnpublishOutcome(store: StateStore, ref: RecordRef, destination: string, outcome: UnpublishOutcome): Promise<boolean> {
  const ended = outcome.status === 'delivered';
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        UpdateExpression: ended
          ? `SET publicationEndedAt = :now, published = :false, updatedAt = :now${outcome.receipt ? ', unpublishReceipt = :receipt' : ''} REMOVE unpublishError, sendLeaseUntil, sendLeaseRevision, sendLeaseToken`
          : 'SET unpublishError = :error, updatedAt = :now REMOVE sendLeaseUntil, sendLeaseRevision, sendLeaseToken',
        ConditionExpression: '#rev = :rev AND sendLeaseToken = :token',
        ExpressionAttributeNames: { '#rev': 'revision' },
        ExpressionAttributeValues: {
          ':rev': outcome.revision,
          ':token': outcome.claimToken,
          ':now': outcome.now,
          ...(ended ? { ':false': false, ...(outcome.receipt && { ':receipt': outcome.receipt }) } : { ':error': `${outcome.status}: ${outcome.error ?? 'no reason given'}` }),
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
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

/** A record's delivery state at one destination (consistent read). */
export async function getDestinationState(store: StateStore, ref: RecordRef, destination: string): Promise<DestinationState | undefined> {
  const result = await store.ddb.send(new GetCommand({ TableName: store.tableName, Key: { pk: recordPk(ref), sk: destinationSk(destination) }, ConsistentRead: true }));
  return result.Item as DestinationState | undefined;
}

/** Destination states of one destination and status, newest first (the operators' GSI). */
export async function listByDestinationStatus(
  store: StateStore,
  destination: string,
  status: DestinationStatus,
  options: { limit?: number } = {},
): Promise<Array<Record<string, unknown> & { pk: string; revision: number; updatedAt: string }>> {
  const items = await queryAll(
    store,
    {
      IndexName: STATUS_INDEX,
      KeyConditionExpression: `${STATUS_INDEX_PK} = :key`,
      ExpressionAttributeValues: { ':key': destinationStatusKey(destination, status) },
      ScanIndexForward: false,
    },
    options.limit,
  );
  return items as Array<Record<string, unknown> & { pk: string; revision: number; updatedAt: string }>;
}

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
}

const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 5;

/** Appends history events (BatchWriteItem, 25 a request), retrying what DynamoDB leaves unprocessed. */
export async function appendEvents(store: StateStore, events: readonly HistoryEvent[], sleep = defaultSleep): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH_WRITE_LIMIT) {
    let requests = events.slice(i, i + BATCH_WRITE_LIMIT).map((e) => ({
      PutRequest: {
        Item: {
          pk: recordPk(e.ref),
          sk: eventSk(e.at, randomUUID().slice(0, 8)),
          type: e.type,
          at: e.at,
          correlationId: e.correlationId,
          ...(e.revision !== undefined && { revision: e.revision }),
          ...(e.detail && { detail: e.detail }),
        },
      },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`${requests.length} history events still unprocessed after ${UNPROCESSED_RETRIES} retries`);
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const result = await store.ddb.send(new BatchWriteCommand({ RequestItems: { [store.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[store.tableName] ?? []) as typeof requests;
    }
  }
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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

/** Bodies above this are stored gzip-compressed (a DynamoDB item holds 400 KB at most). */
const INLINE_BODY_BYTES = 64 * 1024;
/**
 * Compressed bodies above this do not fit an item: the caller keeps them elsewhere (the DLQ). The
 * rest of the 400 KB item is left to the facts and errors, which `fitted` bounds (about 60 KB).
 */
export const MAX_STORED_BODY_BYTES = 320 * 1024;
/** An identity fact (source, recordId, …) comes from the input: longer ones are cut, their length and hash kept. */
const MAX_FACT_CHARS = 256;
/** Each error's path and message, at most this many characters; at most MAX_ERRORS_KEPT errors. */
const MAX_ERROR_TEXT_CHARS = 400;
const MAX_ERRORS_KEPT = 40;

/** What was cut from a quarantined entry's facts to fit one item: each field's full length and SHA-256. */
export type CutFields = Record<string, { chars: number; sha256: string }>;

/** The first `max` characters (code points: a surrogate pair is never split) and an ellipsis. */
function cutText(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max;
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--; // the first half of a pair: leave the pair out
  return `${text.slice(0, end)}…`;
}

/**
 * The entry's facts bounded so the item always fits, whatever the input held (a 600 KB `source`, a
 * property name of a megabyte quoted in an error path): long facts cut, with their length and hash.
 */
function fitted(facts: Omit<QuarantineEntry, 'body'>): Omit<QuarantineEntry, 'body'> & { cutFields?: CutFields } {
  const cutFields: CutFields = {};
  const out: Record<string, unknown> = { ...facts };
  for (const name of ['source', 'recordType', 'recordId', 'correlationId', 'messageId', 'upstream'] as const) {
    const value = out[name];
    if (typeof value !== 'string' || value.length <= MAX_FACT_CHARS) continue;
    cutFields[name] = { chars: value.length, sha256: createHash('sha256').update(value).digest('hex') };
    out[name] = cutText(value, MAX_FACT_CHARS);
  }
  const errors = facts.errors.slice(0, MAX_ERRORS_KEPT).map((e) => ({ ...e, path: cutText(e.path, MAX_ERROR_TEXT_CHARS), message: cutText(e.message, MAX_ERROR_TEXT_CHARS) }));
  if (facts.errors.length > MAX_ERRORS_KEPT) errors.push({ path: '', rule: 'maxErrors', message: `${facts.errors.length - MAX_ERRORS_KEPT} more errors not kept` });
  out['errors'] = errors;
  return { ...(out as Omit<QuarantineEntry, 'body'>), ...(Object.keys(cutFields).length > 0 && { cutFields }) };
}

export class QuarantineBodyTooLargeError extends Error {
  constructor(readonly compressedBytes: number) {
    super(`quarantined body is ${compressedBytes} bytes even compressed; an item holds at most ${MAX_STORED_BODY_BYTES}`);
    this.name = 'QuarantineBodyTooLargeError';
  }
}

/** Keeps invalid input for operators: raw body, reason, every error. Listable by day. */
export async function quarantine(store: StateStore, entry: QuarantineEntry): Promise<{ pk: string; sk: string }> {
  const bytes = Buffer.byteLength(entry.body, 'utf8');
  let body: Record<string, unknown> = { body: entry.body };
  if (bytes > INLINE_BODY_BYTES) {
    const compressed = gzipSync(entry.body);
    if (compressed.length > MAX_STORED_BODY_BYTES) throw new QuarantineBodyTooLargeError(compressed.length);
    body = { bodyGzip: compressed };
  }
  const { body: _raw, ...raw } = entry;
  const facts = fitted(raw);
  const key = { pk: quarantinePk(entry.sentAt), sk: `${entry.sentAt}#${facts.messageId}` };
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { ...key, ...facts, ...body, bodyBytes: bytes, status: 'open' },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // a redelivery: already kept
  }
  return key;
}

export interface QuarantinedItem extends QuarantineEntry {
  status: string;
  bodyBytes: number;
}

/** One UTC day's quarantine, oldest first. `day` is YYYY-MM-DD. */
export async function listQuarantine(store: StateStore, day: string, options: { limit?: number } = {}): Promise<QuarantinedItem[]> {
  const items = await queryAll(store, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': quarantinePk(day) } }, options.limit);
  return items.map((item) => quarantinedItemOf<QuarantinedItem>(item));
}

/** A quarantine item as stored → as read: keys dropped, a gzip-compressed body inflated. */
function quarantinedItemOf<T extends QuarantinedItem>(item: Record<string, unknown>): T {
  const { pk: _pk, sk: _sk, bodyGzip, ...rest } = item;
  const body = bodyGzip ? gunzipSync(bodyGzip as Uint8Array).toString('utf8') : (rest['body'] as string);
  return { ...(rest as unknown as T), body };
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

/**
 * The entries of `day` whose key (`<sentAt>#<messageId>`) starts with `keyPrefix`, consistent, at
 * most `limit`. Keys sort as strings, so an entry whose key is exactly `keyPrefix` comes first.
 */
export async function findQuarantined(store: StateStore, day: string, keyPrefix: string, limit = 5): Promise<Array<QuarantinedItem & Partial<QuarantineRelease>>> {
  const items = await queryAll(
    store,
    { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': quarantinePk(day), ':prefix': keyPrefix }, ConsistentRead: true },
    limit,
  );
  return items.map((item) => quarantinedItemOf<QuarantinedItem & Partial<QuarantineRelease>>(item));
}

/**
 * Marks an entry released, only while it is still open (`force`: whatever its status, to record a
 * second release). False when the condition failed: another release marked it first.
 */
export async function markQuarantineReleased(store: StateStore, entry: Pick<QuarantineEntry, 'sentAt' | 'messageId'>, release: QuarantineRelease, options: { force?: boolean } = {}): Promise<boolean> {
  try {
    await store.ddb.send(
      new UpdateCommand({
        TableName: store.tableName,
        Key: { pk: quarantinePk(entry.sentAt), sk: `${entry.sentAt}#${entry.messageId}` },
        UpdateExpression: 'SET #status = :released, releasedAt = :at, releasedBy = :by, releasedMessageId = :message, auditId = :audit',
        ConditionExpression: options.force ? 'attribute_exists(pk)' : '#status = :open',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':released': 'released',
          ':at': release.releasedAt,
          ':by': release.releasedBy,
          ':message': release.releasedMessageId,
          ':audit': release.auditId,
          ...(!options.force && { ':open': 'open' }),
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

// ---------------------------------------------------------------- latest record

/** The latest accepted revision of a record, canonical, with its META (undefined when unknown). */
export async function getLatestRecord(store: StateStore, ref: RecordRef): Promise<{ meta: RecordMeta; record: CreditRecord } | undefined> {
  const meta = await getMeta(store, ref);
  if (!meta) return undefined;
  const record = await getRevision(store, ref, meta.revision);
  return record ? { meta, record } : undefined;
}

// ---------------------------------------------------------------- repairs waiting for their breach

export interface RepairWait {
  repair: RecordRef;
  revision: number;
  since: string;
}

/**
 * Registers a repair that waits at `destination` for its breach, under the breach's partition (the
 * breach need not be known yet): the deliver function that delivers the breach there sends the
 * repair on at once. Written before the breach's state is read, so a breach delivered in between
 * is seen by one side or the other.
 */
export async function registerRepairWait(store: StateStore, breach: RecordRef, destination: string, wait: RepairWait): Promise<void> {
  await store.ddb.send(
    new PutCommand({
      TableName: store.tableName,
      Item: { pk: recordPk(breach), sk: waitSk(destination, wait.repair), ...wait.repair, revision: wait.revision, since: wait.since },
    }),
  );
}

/** The repairs waiting at `destination` for this breach. */
export async function listRepairWaits(store: StateStore, breach: RecordRef, destination: string): Promise<RepairWait[]> {
  const items = await queryAll(store, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': recordPk(breach), ':prefix': waitPrefix(destination) }, ConsistentRead: true });
  return items.map((item) => ({
    repair: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
    revision: Number(item['revision']),
    since: String(item['since']),
  }));
}

/** Forgets waits once their repairs were sent on (a wait of a newer revision, registered since, stays). */
export async function removeRepairWaits(store: StateStore, breach: RecordRef, destination: string, waits: readonly RepairWait[]): Promise<void> {
  await Promise.all(
    waits.map(async (wait) => {
      try {
        await store.ddb.send(
          new DeleteCommand({
            TableName: store.tableName,
            Key: { pk: recordPk(breach), sk: waitSk(destination, wait.repair) },
            ConditionExpression: 'revision <= :rev',
            ExpressionAttributeValues: { ':rev': wait.revision },
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    }),
  );
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

/**
 * Schedules the end of a revision's publication: the expiry sweep reads it after `until`. One item
 * per (until, record): a newer revision with another end adds its own; the sweep drops entries
 * whose record's latest revision no longer ends then.
 */
export async function scheduleExpiry(store: StateStore, ref: RecordRef, revision: number, until: string): Promise<void> {
  await store.ddb.send(
    new PutCommand({
      TableName: store.tableName,
      Item: { pk: expiryPk(until), sk: expirySk(until, ref), ...ref, revision, until },
    }),
  );
}

/** Entries of the month `month` (YYYY-MM) whose publication ended before `day`, oldest first, at most `limit`. */
export async function listExpired(store: StateStore, month: string, day: string, limit: number): Promise<ExpiryEntry[]> {
  const items = await queryAll(
    store,
    { KeyConditionExpression: 'pk = :pk AND sk < :day', ExpressionAttributeValues: { ':pk': `EXPIRY#${month}`, ':day': day }, ConsistentRead: true },
    limit,
  );
  return items.map((item) => ({
    ref: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
    revision: Number(item['revision']),
    until: String(item['until']),
    enqueued: setToList(item['enqueued']),
  }));
}

/** Notes the destinations an entry's end of publication was sent to (so a later run does not send it again). */
export async function markExpiryEnqueued(store: StateStore, entry: Pick<ExpiryEntry, 'ref' | 'until'>, destinations: readonly string[], now: string): Promise<void> {
  if (destinations.length === 0) return;
  await store.ddb.send(
    new UpdateCommand({
      TableName: store.tableName,
      Key: { pk: expiryPk(entry.until), sk: expirySk(entry.until, entry.ref) },
      UpdateExpression: 'ADD enqueued :dests SET sweptAt = :now',
      ExpressionAttributeValues: { ':dests': new Set(destinations), ':now': now },
    }),
  );
}

/** Removes an entry whose publication has ended everywhere (or no longer ends then). */
export async function removeExpiry(store: StateStore, entry: Pick<ExpiryEntry, 'ref' | 'until'>): Promise<void> {
  await store.ddb.send(new DeleteCommand({ TableName: store.tableName, Key: { pk: expiryPk(entry.until), sk: expirySk(entry.until, entry.ref) } }));
}

/** The destination states of a record (one Query of its DEST# items). */
export async function listDestinationStates(store: StateStore, ref: RecordRef): Promise<DestinationState[]> {
  const items = await queryAll(store, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dest)', ExpressionAttributeValues: { ':pk': recordPk(ref), ':dest': 'DEST#' }, ConsistentRead: true });
  return items.map((item) => ({ ...(item as unknown as DestinationState), destination: String(item['sk']).slice('DEST#'.length) }));
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

/**
 * Records a decision in its subject's history (keyed by a digest of the subject, never its
 * identity number). An older revision never replaces a newer one's entry.
 */
export async function registerEnforcement(store: StateStore, subjectDigest: string, entry: EnforcementEntry): Promise<void> {
  const { ref, ...facts } = entry;
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: subjectPk(subjectDigest), sk: enforcementSk(ref), ...ref, ...facts },
        ConditionExpression: 'attribute_not_exists(pk) OR revision <= :rev',
        ExpressionAttributeValues: { ':rev': entry.revision },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** A subject's enforcement history. */
export async function listEnforcement(store: StateStore, subjectDigest: string): Promise<EnforcementEntry[]> {
  const items = await queryAll(store, { KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)', ExpressionAttributeValues: { ':pk': subjectPk(subjectDigest), ':prefix': ENFORCEMENT_PREFIX }, ConsistentRead: true });
  return items.map((item) => ({
    ref: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
    revision: Number(item['revision']),
    operation: String(item['operation']),
    decisionNumber: String(item['decisionNumber']),
    decisionDate: String(item['decisionDate']),
    ...(typeof item['ground'] === 'string' && { ground: item['ground'] }),
    ...(typeof item['severity'] === 'string' && { severity: item['severity'] }),
  }));
}

// ---------------------------------------------------------------- pull cursors

export interface Cursor {
  value: string;
  version: number;
  updatedAt: string;
}

export async function getCursor(store: StateStore, source: string): Promise<Cursor | undefined> {
  const result = await store.ddb.send(new GetCommand({ TableName: store.tableName, Key: { pk: cursorPk(source), sk: CURSOR }, ConsistentRead: true }));
  return result.Item ? { value: result.Item['value'] as string, version: result.Item['version'] as number, updatedAt: result.Item['updatedAt'] as string } : undefined;
}

/**
 * Moves a pull cursor, optimistically: only if it is still at `expectedVersion` (0 = no cursor
 * yet), so two overlapping pulls cannot both advance it. Returns false when another pull won.
 */
export async function saveCursor(store: StateStore, source: string, value: string, expectedVersion: number, now: string): Promise<boolean> {
  try {
    await store.ddb.send(
      new PutCommand({
        TableName: store.tableName,
        Item: { pk: cursorPk(source), sk: CURSOR, value, version: expectedVersion + 1, updatedAt: now },
        ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : 'version = :expected',
        ...(expectedVersion !== 0 && { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

// ---------------------------------------------------------------- reading a record's state

export interface RecordState {
  meta?: RecordMeta;
  revisions: number[];
  destinations: Array<Record<string, unknown> & { destination: string; revision: number; status: DestinationStatus }>;
  events: Array<Record<string, unknown> & { type: EventType; at: string }>;
}

/** Everything the table knows of one record: one Query over its partition. */
export async function readRecordState(store: StateStore, ref: RecordRef): Promise<RecordState> {
  const state: RecordState = { revisions: [], destinations: [], events: [] };
  const items = await queryAll(store, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': recordPk(ref) }, ConsistentRead: true });
  for (const item of items) {
    const sk = item['sk'] as string;
    if (sk === META) state.meta = { ...(item as unknown as RecordMeta), routedTo: setToList(item['routedTo']) };
    else if (sk.startsWith('REV#')) state.revisions.push(item['revision'] as number);
    else if (sk.startsWith('DEST#')) {
      // a send claimed but with no outcome yet (claimSend) is pending at the revision being sent
      const pending = item['status'] === undefined ? { status: 'pending', revision: item['sendLeaseRevision'] ?? item['sentRevision'] } : {};
      state.destinations.push({ destination: sk.slice('DEST#'.length), ...item, ...pending } as RecordState['destinations'][number]);
    }
    else if (sk.startsWith('EVT#')) state.events.push(item as RecordState['events'][number]);
  }
  return state;
}

type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every page a Query returns, following LastEvaluatedKey. */
export async function* queryPages(store: StateStore, input: QueryInput): AsyncGenerator<QueryCommandOutput> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.ddb.send(new QueryCommand({ TableName: store.tableName, ...input, ExclusiveStartKey: startKey }));
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** How many items a Query matches (Select COUNT: no items are returned, every matched one is read). */
export async function queryCount(store: StateStore, input: Omit<QueryInput, 'Select'>): Promise<number> {
  let count = 0;
  for await (const page of queryPages(store, { ...input, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}

/** Every item a Query matches, page after page (at most `limit`). */
export async function queryAll(store: StateStore, input: Omit<QueryInput, 'Limit'>, limit?: number): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await store.ddb.send(
      new QueryCommand({ TableName: store.tableName, ...input, ExclusiveStartKey: startKey, ...(limit !== undefined && { Limit: limit - items.length }) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (limit === undefined || items.length < limit));
  return items;
}
