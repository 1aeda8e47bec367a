/** Cursors in the table: CURSOR#<name> / CURSOR items, moved optimistically by version. */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { CURSOR, cursorPk } from '../keys.js';
import type { Cursor } from '../types.js';
import { NO_ITEM, isConditionalCheckFailed, type DynamoTable } from './table.js';

/** The cursor is still at the version the caller read. */
const AT_EXPECTED_VERSION = 'version = :expected';

export async function getCursor(table: DynamoTable, source: string): Promise<Cursor | undefined> {
  const result = await table.ddb.send(new GetCommand({ TableName: table.tableName, Key: { pk: cursorPk(source), sk: CURSOR }, ConsistentRead: true }));
  return result.Item
    ? { value: result.Item['value'] as string, version: result.Item['version'] as number, updatedAt: result.Item['updatedAt'] as string }
    : undefined;
}

/**
 * Moves a pull cursor, optimistically: only if it is still at `expectedVersion` (0 = no cursor
 * yet), so two overlapping pulls cannot both advance it. Returns false when another pull won.
 */
export async function saveCursor(table: DynamoTable, source: string, value: string, expectedVersion: number, now: string): Promise<boolean> {
  try {
    await table.ddb.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: cursorPk(source), sk: CURSOR, value, version: expectedVersion + 1, updatedAt: now },
        ConditionExpression: expectedVersion === 0 ? NO_ITEM : AT_EXPECTED_VERSION,
        ...(expectedVersion !== 0 && { ExpressionAttributeValues: { ':expected': expectedVersion } }),
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}
