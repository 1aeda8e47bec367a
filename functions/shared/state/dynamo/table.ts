/**
 * What every part of the DynamoDB implementation shares: the table (a document client and its
 * name), the one error a guard raises, and Query helpers that follow LastEvaluatedKey.
 */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput, type QueryCommandOutput } from '@aws-sdk/lib-dynamodb';

export interface DynamoTable {
  ddb: DynamoDBDocumentClient;
  tableName: string;
}

/** A write's condition failed: the guard refused it. */
export const isConditionalCheckFailed = (err: unknown): boolean => (err as { name?: string } | null)?.name === 'ConditionalCheckFailedException';

/** The condition of a write that only creates: no item with its key yet. */
export const NO_ITEM = 'attribute_not_exists(pk)';

export type QueryInput = Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey'>;

/** Every page a Query returns, following LastEvaluatedKey. */
export async function* queryPages(table: DynamoTable, input: QueryInput): AsyncGenerator<QueryCommandOutput> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.ddb.send(new QueryCommand({ TableName: table.tableName, ...input, ExclusiveStartKey: startKey }));
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** How many items a Query matches (Select COUNT: no items are returned, every matched one is read). */
export async function queryCount(table: DynamoTable, input: Omit<QueryInput, 'Select'>): Promise<number> {
  let count = 0;
  for await (const page of queryPages(table, { ...input, Select: 'COUNT' })) count += page.Count ?? 0;
  return count;
}

/** Every item a Query matches, page after page (at most `limit`). */
export async function queryAll(table: DynamoTable, input: Omit<QueryInput, 'Limit'>, limit?: number): Promise<Array<Record<string, unknown>>> {
  const items: Array<Record<string, unknown>> = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await table.ddb.send(
      new QueryCommand({ TableName: table.tableName, ...input, ExclusiveStartKey: startKey, ...(limit !== undefined && { Limit: limit - items.length }) }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey && (limit === undefined || items.length < limit));
  return items;
}
