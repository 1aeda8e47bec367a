/** A record's history in the table: EVT#<time>#<id> items under the record's partition, append-only. */
import { randomUUID } from 'node:crypto';
import { BatchWriteCommand } from '@aws-sdk/lib-dynamodb';
import { historyEventItem } from '../record-state.js';
import type { HistoryEvent } from '../types.js';
import type { DynamoTable } from './table.js';

const BATCH_WRITE_LIMIT = 25;
const UNPROCESSED_RETRIES = 5;

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Appends history events (BatchWriteItem, 25 a request), retrying what DynamoDB leaves unprocessed. */
export async function appendEvents(table: DynamoTable, events: readonly HistoryEvent[], sleep = defaultSleep): Promise<void> {
  for (let i = 0; i < events.length; i += BATCH_WRITE_LIMIT) {
    let requests = events.slice(i, i + BATCH_WRITE_LIMIT).map((e) => ({
      PutRequest: { Item: historyEventItem(e, randomUUID().slice(0, 8)) },
    }));
    for (let attempt = 0; requests.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`${requests.length} history events still unprocessed after ${UNPROCESSED_RETRIES} retries`);
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const result = await table.ddb.send(new BatchWriteCommand({ RequestItems: { [table.tableName]: requests } }));
      requests = (result.UnprocessedItems?.[table.tableName] ?? []) as typeof requests;
    }
  }
}
