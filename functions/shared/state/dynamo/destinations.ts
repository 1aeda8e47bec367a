/**
 * A record's delivery state at each destination in the table: its DEST#<destination> item (the
 * outcome, forward-only; the send claim; the publication stated and its end) and the operators'
 * status index over those items (`gsi1pk = DEST#<destination>#<status>`, `gsi1sk = <updatedAt>#<pk>`).
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STATUS_INDEX, STATUS_INDEX_PK, STATUS_INDEX_SK } from '../../../../topology/table.js';
import { DESTINATION_PREFIX, destinationSk, destinationStatusKey, recordPk, type RecordRef } from '../keys.js';
import { DESTINATION_LAST_EVENT, destinationHistoryEntry, lastEventReplaced } from '../record-state.js';
import { appendEvents } from './history.js';
import {
  FINAL_RANK,
  STATUS_RANK,
  type ClaimLease,
  type DestinationOutcome,
  type DestinationState,
  type DestinationStatus,
  type DestinationStatusEntry,
  type SendClaim,
  type UnpublishOutcome,
} from '../types.js';
import { isConditionalCheckFailed, queryAll, queryCount, queryPages, type DynamoTable } from './table.js';

// an item claimSend created holds no outcome yet: no revision attribute (`#rev`: revision)

/** No outcome yet, or one of an older revision, or a lower, not final, status of the same revision. */
const OUTCOME_MOVES_FORWARD = '(attribute_not_exists(#rev) OR #rev < :rev OR (#rev = :rev AND statusRank <= :rank AND statusRank < :final))';
/** An operator's redeliver: any outcome of the same revision may be replaced, never a newer revision's. */
const OUTCOME_REOPENS = '(attribute_not_exists(#rev) OR #rev <= :rev)';
/** The send claim on the item is the caller's. */
const SEND_CLAIM_HELD = 'sendLeaseToken = :token';
/** No send claim on the item, or the caller's. */
const NO_OTHER_SEND_CLAIM = `(attribute_not_exists(sendLeaseToken) OR ${SEND_CLAIM_HELD})`;
/** No newer revision's send has started. */
const NO_NEWER_SEND = '(attribute_not_exists(sentRevision) OR sentRevision <= :rev)';
/** No send in flight but the caller's own (none, or its lease ran out). */
const NO_LIVE_SEND_CLAIM = '(attribute_not_exists(sendLeaseUntil) OR sendLeaseUntil < :now OR sendLeaseToken = :token)';
/** The same revision's outcome, and the caller's send claim. */
const CLAIMED_REVISION = `#rev = :rev AND ${SEND_CLAIM_HELD}`;

const SEND_CLAIM_ATTRIBUTES = ['sendLeaseUntil', 'sendLeaseRevision', 'sendLeaseToken'];

/**
 * Records what happened at one destination. Moves only forward: a newer revision replaces an
 * older one; within the same revision the status only rises, and delivered/rejected are final —
 * so a late "failed" never overwrites "delivered" of the same or a newer revision.
 * Returns false when the outcome was stale and not written.
 */
export async function recordDestinationOutcome(table: DynamoTable, ref: RecordRef, destination: string, outcome: DestinationOutcome): Promise<boolean> {
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
  const sets = [
    '#rev = :rev',
    '#status = :status',
    'statusRank = :rank',
    'updatedAt = :now',
    `${STATUS_INDEX_PK} = :gsipk`,
    `${STATUS_INDEX_SK} = :gsisk`,
    'destination = :dest',
  ];
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
  if (outcome.event) {
    // the event this outcome is, in the same write (one item fewer per delivery)
    sets.push('#last = :event');
    values[':event'] = destinationHistoryEntry({ ...outcome, event: outcome.event });
  }
  const removes = [
    ...(outcome.claimToken === undefined ? [] : SEND_CLAIM_ATTRIBUTES),
    // a new publication state replaces the old one whole
    ...(outcome.publication ? ['publicationEndedAt', 'unpublishError', ...(outcome.publication.until === undefined ? ['publishedUntil'] : [])] : []),
  ];
  try {
    const result = await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        // the outcome of a claimed send ends it: the claim goes with it, if it is still this one's
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: `${reopen ? OUTCOME_REOPENS : OUTCOME_MOVES_FORWARD}${outcome.claimToken === undefined ? '' : reopen ? ` AND ${SEND_CLAIM_HELD}` : ` AND ${NO_OTHER_SEND_CLAIM}`}`,
        ExpressionAttributeNames: { '#rev': 'revision', '#status': 'status', ...(outcome.event && { '#last': DESTINATION_LAST_EVENT }) },
        ExpressionAttributeValues: values,
        ...(outcome.event && { ReturnValues: 'UPDATED_OLD' }),
      }),
    );
    // the event it replaced becomes an item of its own (history only: a crash in between loses it, not the outcome)
    const replaced = result.Attributes?.[DESTINATION_LAST_EVENT] as Record<string, unknown> | undefined;
    if (replaced) await appendEvents(table, [lastEventReplaced(ref, destination, replaced)]);
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/**
 * Claims the right to send `revision` of a record to a destination now, as the holder of `token`.
 * Sends to one destination are serialised per record and only move forward: none starts while
 * another send is in flight (until its lease ends — the holder's outcome or releaseSend frees it),
 * and none starts once a newer revision's has started. Checking the stored revision before sending is not enough: two
 * invocations holding two revisions could both pass it and reach the endpoint in either order.
 */
export async function claimSend(table: DynamoTable, ref: RecordRef, destination: string, revision: number, options: ClaimLease): Promise<SendClaim> {
  const key = { pk: recordPk(ref), sk: destinationSk(destination) };
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: key,
        UpdateExpression: 'SET sentRevision = :rev, sendLeaseUntil = :until, sendLeaseRevision = :rev, sendLeaseToken = :token',
        // only the claim's own holder renews it: a second copy of the same message (SQS delivers at
        // least once) waits like any other sender, so one release can never free a send in flight
        ConditionExpression: `${NO_NEWER_SEND} AND ${NO_LIVE_SEND_CLAIM}`,
        ExpressionAttributeValues: { ':rev': revision, ':until': options.leaseUntil, ':now': options.now, ':token': options.token },
      }),
    );
    return { kind: 'claimed' };
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const { Item } = await table.ddb.send(new GetCommand({ TableName: table.tableName, Key: key, ConsistentRead: true }));
  const sent = Number(Item?.['sentRevision'] ?? 0);
  if (sent > revision) return { kind: 'superseded', sentRevision: sent };
  return { kind: 'busy', revision: Number(Item?.['sendLeaseRevision'] ?? sent), leaseUntil: String(Item?.['sendLeaseUntil'] ?? options.now) };
}

/** Gives a claim up without an outcome (the send never happened): only the holder's own claim goes. */
export async function releaseSend(table: DynamoTable, ref: RecordRef, destination: string, token: string): Promise<void> {
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        UpdateExpression: `REMOVE ${SEND_CLAIM_ATTRIBUTES.join(', ')}`,
        ConditionExpression: SEND_CLAIM_HELD,
        ExpressionAttributeValues: { ':token': token },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/**
 * Records the outcome of an end of publication (the sweep's `unpublish`) at one destination: the
 * revision stays delivered (still shared); `publicationEndedAt` says when its publication ended,
 * or `unpublishError` why it has not. Only the claim's holder writes, and only on that revision.
 * Returns false when the condition failed (a newer revision's send, or another claim).
 */
export async function recordUnpublishOutcome(table: DynamoTable, ref: RecordRef, destination: string, outcome: UnpublishOutcome): Promise<boolean> {
  const ended = outcome.status === 'delivered';
  const removeClaim = `REMOVE ${SEND_CLAIM_ATTRIBUTES.join(', ')}`;
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: recordPk(ref), sk: destinationSk(destination) },
        UpdateExpression: ended
          ? `SET publicationEndedAt = :now, published = :false, updatedAt = :now${outcome.receipt ? ', unpublishReceipt = :receipt' : ''} REMOVE unpublishError, ${SEND_CLAIM_ATTRIBUTES.join(', ')}`
          : `SET unpublishError = :error, updatedAt = :now ${removeClaim}`,
        ConditionExpression: CLAIMED_REVISION,
        ExpressionAttributeNames: { '#rev': 'revision' },
        ExpressionAttributeValues: {
          ':rev': outcome.revision,
          ':token': outcome.claimToken,
          ':now': outcome.now,
          ...(ended
            ? { ':false': false, ...(outcome.receipt && { ':receipt': outcome.receipt }) }
            : { ':error': `${outcome.status}: ${outcome.error ?? 'no reason given'}` }),
        },
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** A record's delivery state at one destination (consistent read). */
export async function getDestinationState(table: DynamoTable, ref: RecordRef, destination: string): Promise<DestinationState | undefined> {
  const result = await table.ddb.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: recordPk(ref), sk: destinationSk(destination) }, ConsistentRead: true }),
  );
  return result.Item as DestinationState | undefined;
}

/** The destination states of a record (one Query of its DEST# items). */
export async function listDestinationStates(table: DynamoTable, ref: RecordRef): Promise<DestinationState[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :dest)',
    ExpressionAttributeValues: { ':pk': recordPk(ref), ':dest': DESTINATION_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => ({ ...(item as unknown as DestinationState), destination: String(item['sk']).slice(DESTINATION_PREFIX.length) }));
}

/** Destination states of one destination and status, newest first (the operators' GSI). */
export async function listByDestinationStatus(
  table: DynamoTable,
  destination: string,
  status: DestinationStatus,
  options: { limit?: number } = {},
): Promise<DestinationStatusEntry[]> {
  const items = await queryAll(
    table,
    {
      IndexName: STATUS_INDEX,
      KeyConditionExpression: `${STATUS_INDEX_PK} = :key`,
      ExpressionAttributeValues: { ':key': destinationStatusKey(destination, status) },
      ScanIndexForward: false,
    },
    options.limit,
  );
  return items as DestinationStatusEntry[];
}

/** Destination states of one destination and status, oldest update first, updated at or after `since` (the operators' GSI, a page at a time). */
export async function* streamByDestinationStatus(
  table: DynamoTable,
  destination: string,
  status: DestinationStatus,
  options: { since?: string } = {},
): AsyncGenerator<DestinationStatusEntry> {
  const { since } = options;
  const pages = queryPages(table, {
    IndexName: STATUS_INDEX,
    KeyConditionExpression: `${STATUS_INDEX_PK} = :key${since ? ` AND ${STATUS_INDEX_SK} >= :since` : ''}`,
    ExpressionAttributeValues: { ':key': destinationStatusKey(destination, status), ...(since && { ':since': since }) },
  });
  for await (const page of pages) yield* (page.Items ?? []) as DestinationStatusEntry[];
}

/** How many destination states one destination and status has (Select COUNT on the operators' GSI). */
export function countByDestinationStatus(table: DynamoTable, destination: string, status: DestinationStatus): Promise<number> {
  return queryCount(table, {
    IndexName: STATUS_INDEX,
    KeyConditionExpression: `${STATUS_INDEX_PK} = :key`,
    ExpressionAttributeValues: { ':key': destinationStatusKey(destination, status) },
  });
}
