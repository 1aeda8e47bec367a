/**
 * The quarantine in the table: QUAR#<UTC day> partitions, one item per (first sent, message id),
 * so a redelivered message is kept once (quarantine-item.ts shapes the item).
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { quarantinePk, quarantineSk } from '../keys.js';
import { quarantinedItemOf, quarantineItem } from '../quarantine-item.js';
import type { QuarantinedItem, QuarantineEntry, QuarantineRelease } from '../types.js';
import { NO_ITEM, isConditionalCheckFailed, queryAll, queryCount, type DynamoTable } from './table.js';

/** The entry is still open (`#status`: status). */
const STILL_OPEN = '#status = :open';
/** The entry exists, whatever its status. */
const ENTRY_EXISTS = 'attribute_exists(pk)';

/** Keeps invalid input for operators: raw body, reason, every error. Listable by day. */
export async function quarantine(table: DynamoTable, entry: QuarantineEntry): Promise<void> {
  const item = quarantineItem(entry);
  try {
    await table.ddb.send(new PutCommand({ TableName: table.tableName, Item: item, ConditionExpression: NO_ITEM }));
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // a redelivery: already kept
  }
}

/** One UTC day's quarantine, oldest first. `day` is YYYY-MM-DD. */
export async function listQuarantine(table: DynamoTable, day: string, options: { limit?: number } = {}): Promise<QuarantinedItem[]> {
  const items = await queryAll(table, { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': quarantinePk(day) } }, options.limit);
  return items.map((item) => quarantinedItemOf<QuarantinedItem>(item));
}

/**
 * The entries of `day` whose key (`<sentAt>#<messageId>`) starts with `keyPrefix`, consistent, at
 * most `limit`. Keys sort as strings, so an entry whose key is exactly `keyPrefix` comes first.
 */
export async function findQuarantined(
  table: DynamoTable,
  day: string,
  keyPrefix: string,
  limit = 5,
): Promise<Array<QuarantinedItem & Partial<QuarantineRelease>>> {
  const items = await queryAll(
    table,
    {
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': quarantinePk(day), ':prefix': keyPrefix },
      ConsistentRead: true,
    },
    limit,
  );
  return items.map((item) => quarantinedItemOf<QuarantinedItem & Partial<QuarantineRelease>>(item));
}

/**
 * Marks an entry released, only while it is still open (`force`: whatever its status, to record a
 * second release). False when the condition failed: another release marked it first.
 */
export async function markQuarantineReleased(
  table: DynamoTable,
  entry: Pick<QuarantineEntry, 'sentAt' | 'messageId'>,
  release: QuarantineRelease,
  options: { force?: boolean } = {},
): Promise<boolean> {
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: { pk: quarantinePk(entry.sentAt), sk: quarantineSk(entry.sentAt, entry.messageId) },
        UpdateExpression: 'SET #status = :released, releasedAt = :at, releasedBy = :by, releasedMessageId = :message, auditId = :audit',
        ConditionExpression: options.force ? ENTRY_EXISTS : STILL_OPEN,
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

/** Open entries of one UTC day (Select COUNT with a filter: every entry of the day is read). */
export function countOpenQuarantine(table: DynamoTable, day: string): Promise<number> {
  return queryCount(table, {
    KeyConditionExpression: 'pk = :pk',
    FilterExpression: STILL_OPEN,
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pk': quarantinePk(day), ':open': 'open' },
  });
}
