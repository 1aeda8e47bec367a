/**
 * The publication expiry schedule in the table: EXPIRY#<YYYY-MM> partitions (the month of the
 * last day of publication), sorted by `<until>#<record pk>`.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { expiryPk, expirySk, type RecordRef } from '../keys.js';
import type { ExpiryEntry } from '../types.js';
import { setToList } from '../record-state.js';
import { queryAll, type DynamoTable } from './table.js';

/**
 * Schedules the end of a revision's publication: the expiry sweep reads it after `until`. One item
 * per (until, record): a newer revision with another end adds its own; the sweep drops entries
 * whose record's latest revision no longer ends then.
 */
export async function scheduleExpiry(table: DynamoTable, ref: RecordRef, revision: number, until: string): Promise<void> {
  await table.ddb.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { pk: expiryPk(until), sk: expirySk(until, ref), ...ref, revision, until },
    }),
  );
}

/** Entries of the month `month` (YYYY-MM) whose publication ended before `day`, oldest first, at most `limit`. */
export async function listExpired(table: DynamoTable, month: string, day: string, limit: number): Promise<ExpiryEntry[]> {
  const items = await queryAll(
    table,
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
export async function markExpiryEnqueued(
  table: DynamoTable,
  entry: Pick<ExpiryEntry, 'ref' | 'until'>,
  destinations: readonly string[],
  now: string,
): Promise<void> {
  if (destinations.length === 0) return;
  await table.ddb.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: expiryPk(entry.until), sk: expirySk(entry.until, entry.ref) },
      UpdateExpression: 'ADD enqueued :dests SET sweptAt = :now',
      ExpressionAttributeValues: { ':dests': new Set(destinations), ':now': now },
    }),
  );
}

/** Removes an entry whose publication has ended everywhere (or no longer ends then). */
export async function removeExpiry(table: DynamoTable, entry: Pick<ExpiryEntry, 'ref' | 'until'>): Promise<void> {
  await table.ddb.send(new DeleteCommand({ TableName: table.tableName, Key: { pk: expiryPk(entry.until), sk: expirySk(entry.until, entry.ref) } }));
}
