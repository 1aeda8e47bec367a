/**
 * Revisions and routing in the table: the META item of a record (its latest accepted revision and
 * how far it was routed) and its immutable REV# items (the canonical record of each revision).
 *
 * Revision guards are condition expressions, never read-then-write: a write that loses a race
 * fails its condition, and only then is the stored item read, to say why.
 */
import { GetCommand, PutCommand, ScanCommand, UpdateCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import type { CreditRecord } from '../../records/types.js';
import { META, REVISION_PREFIX, recordPk, revisionSk, type RecordRef } from '../keys.js';
import { packRecord, unpackRecord } from '../record-compression.js';
import { metaOf, recordStateOf, revisionRecordOf, setToList } from '../record-state.js';
import {
  refOf,
  type AcceptOptions,
  type AcceptOutcome,
  type ClaimLease,
  type ClaimOutcome,
  type RecordItem,
  type RecordMeta,
  type RecordState,
  type RevisionScanPage,
} from '../types.js';
import { NO_ITEM, isConditionalCheckFailed, queryAll, type DynamoTable } from './table.js';

/** No META yet, or an older revision in it (`#rev`: revision). */
const NEWER_REVISION = 'attribute_not_exists(pk) OR #rev < :rev';
/** The revision is still the latest accepted. */
const LATEST_REVISION = 'revision = :rev';
/** The revision is not marked routed yet. */
const NOT_ROUTED = '(attribute_not_exists(routedRevision) OR routedRevision < :rev)';
/** No other invocation holds a live claim on routing this revision (none, one of an older revision, or one whose lease ran out). */
const NO_LIVE_ROUTING_CLAIM = '(attribute_not_exists(routingLeaseUntil) OR routingRevision < :rev OR routingLeaseUntil < :now)';
/** The routing claim is the caller's. */
const ROUTING_CLAIM_HELD = 'routingClaim = :token';

/**
 * Stores `record` as the latest revision if it is newer than the stored one. The guard is the
 * condition `revision < :rev` on the META item; the canonical record is written to its own
 * immutable REV item, so META stays small and cheap to update.
 */
export async function acceptRevision(table: DynamoTable, record: CreditRecord, options: AcceptOptions): Promise<AcceptOutcome> {
  const ref = refOf(record);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const claim = options.claim;
      const claimSet = claim ? ', routingRevision = :rev, routingLeaseUntil = :lease, routingClaim = :token' : '';
      const claimAdd = claim?.destinations.length ? ' ADD routedTo :dests' : '';
      const result = await table.ddb.send(
        new UpdateCommand({
          TableName: table.tableName,
          Key: { pk: recordPk(ref), sk: META },
          UpdateExpression: `SET #type = :type, #source = :source, #id = :id, #rev = :rev, #hash = :hash, #op = :op, #at = :now, #cid = :cid, #first = if_not_exists(#first, :now)${claimSet}${claimAdd}`,
          ConditionExpression: NEWER_REVISION,
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
      await putRevision(table, record, options);
      return { kind: 'accepted', routedTo: setToList(result.Attributes?.['routedTo']) };
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
    }
    const stored = await getMeta(table, ref);
    if (!stored) continue; // deleted in between: try again
    if (stored.revision > record.revision) return { kind: 'superseded', storedRevision: stored.revision };
    if (stored.revision === record.revision) {
      if (stored.contentHash !== options.contentHash) return { kind: 'conflict', storedHash: stored.contentHash };
      if ((stored.routedRevision ?? 0) >= record.revision) return { kind: 'duplicate' };
      await putRevision(table, record, options); // the crash may have come before this write
      return { kind: 'unrouted', routedTo: stored.routedTo };
    }
    // stored is older again: another writer raced us between the two calls; retry the guard
  }
  throw new Error(`could not settle revision ${record.revision} of ${recordPk(ref)} after 3 attempts`);
}

/** Writes the immutable REV item once; a second write of the same revision is a no-op. */
async function putRevision(table: DynamoTable, record: CreditRecord, options: AcceptOptions): Promise<void> {
  try {
    await table.ddb.send(
      new PutCommand({
        TableName: table.tableName,
        Item: {
          pk: recordPk(refOf(record)),
          sk: revisionSk(record.revision),
          revision: record.revision,
          contentHash: options.contentHash,
          ...packRecord(JSON.stringify(record)),
          acceptedAt: options.now,
        },
        ConditionExpression: NO_ITEM,
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

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
  table: DynamoTable,
  ref: RecordRef,
  revision: number,
  destinations: readonly string[],
  options: ClaimLease,
): Promise<ClaimOutcome> {
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: `SET routingRevision = :rev, routingLeaseUntil = :lease, routingClaim = :token${destinations.length ? ' ADD routedTo :dests' : ''}`,
        ConditionExpression: `${LATEST_REVISION} AND ${NOT_ROUTED} AND ${NO_LIVE_ROUTING_CLAIM}`,
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
  const stored = await getMeta(table, ref);
  if (stored && stored.revision > revision) return { kind: 'superseded', storedRevision: stored.revision };
  return { kind: 'duplicate' };
}

/**
 * Gives up a claim whose lane messages could not all be sent, so the message's next delivery can
 * route at once instead of waiting for the lease to expire. Only the holder (`token`) can release.
 */
export async function releaseRouting(table: DynamoTable, ref: RecordRef, token: string): Promise<void> {
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: 'REMOVE routingLeaseUntil, routingClaim',
        ConditionExpression: ROUTING_CLAIM_HELD,
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
export async function markRouted(table: DynamoTable, ref: RecordRef, revision: number, now: string): Promise<boolean> {
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: META },
        UpdateExpression: 'SET routedRevision = :rev, routedAt = :now REMOVE routingLeaseUntil, routingClaim',
        ConditionExpression: `${LATEST_REVISION} AND ${NOT_ROUTED}`,
        ExpressionAttributeValues: { ':rev': revision, ':now': now },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

export async function getMeta(table: DynamoTable, ref: RecordRef): Promise<RecordMeta | undefined> {
  const result = await table.ddb.send(new GetCommand({ TableName: table.tableName, Key: { pk: recordPk(ref), sk: META }, ConsistentRead: true }));
  return result.Item ? metaOf(result.Item) : undefined;
}

/** The canonical record of one accepted revision. */
export async function getRevision(table: DynamoTable, ref: RecordRef, revision: number): Promise<CreditRecord | undefined> {
  const result = await table.ddb.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: recordPk(ref), sk: revisionSk(revision) }, ConsistentRead: true }),
  );
  return revisionRecordOf(result.Item);
}

/** The latest accepted revision of a record, canonical, with its META (undefined when unknown). */
export async function getLatestRecord(table: DynamoTable, ref: RecordRef): Promise<{ meta: RecordMeta; record: CreditRecord } | undefined> {
  const meta = await getMeta(table, ref);
  if (!meta) return undefined;
  const record = await getRevision(table, ref, meta.revision);
  return record ? { meta, record } : undefined;
}

// ---------------------------------------------------------------- reading a record's partition

/** Every item of a record's partition, page after page (a consistent read: it follows writes). */
export async function readRecordItems(table: DynamoTable, ref: RecordRef): Promise<RecordItem[]> {
  return (await queryAll(table, {
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': recordPk(ref) },
    ConsistentRead: true,
  })) as RecordItem[];
}

/** Everything the table knows of one record: one Query over its partition. */
export async function readRecordState(table: DynamoTable, ref: RecordRef): Promise<RecordState> {
  return recordStateOf(await readRecordItems(table, ref));
}

// ---------------------------------------------------------------- every revision (credex stats)

/** Every REV item of the table, a Scan page at a time (projected to its key, revision and record). */
export async function* scanRevisions(
  table: DynamoTable,
  options: { segment?: number; totalSegments?: number; signal?: AbortSignal } = {},
): AsyncGenerator<RevisionScanPage> {
  const { segment = 0, totalSegments = 1, signal } = options;
  let start: Record<string, unknown> | undefined;
  do {
    signal?.throwIfAborted();
    const page: ScanCommandOutput = await table.ddb.send(
      new ScanCommand({
        TableName: table.tableName,
        FilterExpression: 'begins_with(sk, :rev)',
        ProjectionExpression: 'pk, sk, #revision, #record, recordZ, recordCoding',
        // RECORD is a DynamoDB reserved word
        ExpressionAttributeNames: { '#revision': 'revision', '#record': 'record' },
        ExpressionAttributeValues: { ':rev': REVISION_PREFIX },
        ReturnConsumedCapacity: 'TOTAL',
        ...(totalSegments > 1 && { Segment: segment, TotalSegments: totalSegments }),
        ...(start && { ExclusiveStartKey: start }),
      }),
      signal ? { abortSignal: signal } : {},
    );
    yield {
      revisions: (page.Items ?? []).map((item) => ({
        pk: String(item['pk']),
        sk: String(item['sk']),
        revision: Number(item['revision']),
        record: unpackRecord(item) ?? '',
      })),
      scanned: page.ScannedCount ?? 0,
      ...(page.ConsumedCapacity?.CapacityUnits !== undefined && { readUnits: page.ConsumedCapacity.CapacityUnits }),
    };
    start = page.LastEvaluatedKey;
  } while (start);
}
