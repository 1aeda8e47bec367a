/**
 * The licensing-item list in the table: one ITEM#<item code> item per code, held by the one
 * licensingItem record that first wrote it (`recordPk`) and replaced only by that record's same or
 * newer revisions.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LicensingItemEntry, LicensingItemWrite } from '../../credit/types.js';
import { licensingItemEntryOf, licensingItemItem } from '../credit-items.js';
import { LICENSING_ITEM_SK, licensingItemPk, recordPk } from '../keys.js';
import { isConditionalCheckFailed, type DynamoTable } from './table.js';

/** No item under this code yet, or this record's own of this revision or an older one. */
const SAME_RECORD_NOT_NEWER = 'attribute_not_exists(pk) OR (recordPk = :recordPk AND revision <= :rev)';

/**
 * Keeps an item of the list under its code. When the guard refuses, the stored item says why: the
 * same record holds a newer revision (stale), or another record holds the code (codeTaken). Both
 * are for good (items are never deleted, the holder never changes, revisions only rise), so the
 * read after the failed write cannot see anything else.
 */
export async function putLicensingItem(table: DynamoTable, entry: LicensingItemEntry): Promise<LicensingItemWrite> {
  try {
    await table.ddb.send(
      new PutCommand({
        TableName: table.tableName,
        Item: licensingItemItem(entry),
        ConditionExpression: SAME_RECORD_NOT_NEWER,
        ExpressionAttributeValues: { ':recordPk': recordPk(entry.ref), ':rev': entry.revision },
      }),
    );
    return 'stored';
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
  const stored = await table.ddb.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: licensingItemPk(entry.itemCode), sk: LICENSING_ITEM_SK }, ConsistentRead: true }),
  );
  return stored.Item && stored.Item['recordPk'] !== recordPk(entry.ref) ? 'codeTaken' : 'stale';
}

/** The item of the list under `itemCode` (consistent read); undefined when no record holds it. */
export async function getLicensingItem(table: DynamoTable, itemCode: string): Promise<LicensingItemEntry | undefined> {
  const result = await table.ddb.send(
    new GetCommand({ TableName: table.tableName, Key: { pk: licensingItemPk(itemCode), sk: LICENSING_ITEM_SK }, ConsistentRead: true }),
  );
  return result.Item ? licensingItemEntryOf(result.Item) : undefined;
}
