/**
 * The credit check log in the table: CHECK#<YYYY-MM> partitions (the UTC month of the check), one
 * item per check keyed `<at>#<id>`, written once.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditCheckEntry } from '../../credit/types.js';
import { creditCheckEntryOf, creditCheckItem } from '../credit-items.js';
import { NO_ITEM, isConditionalCheckFailed, queryAll, type DynamoTable } from './table.js';

/** Logs a credit check; a second write of the same check (`at` and `id`: a retry) changes nothing. */
export async function recordCreditCheck(table: DynamoTable, entry: CreditCheckEntry): Promise<void> {
  try {
    await table.ddb.send(new PutCommand({ TableName: table.tableName, Item: creditCheckItem(entry), ConditionExpression: NO_ITEM }));
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // logged already
  }
}

/** One month's checks (YYYY-MM), newest first, at most `limit`. */
export async function listCreditChecks(table: DynamoTable, month: string, options: { limit?: number } = {}): Promise<CreditCheckEntry[]> {
  const items = await queryAll(
    table,
    { KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `CHECK#${month}` }, ScanIndexForward: false },
    options.limit,
  );
  return items.map(creditCheckEntryOf);
}
