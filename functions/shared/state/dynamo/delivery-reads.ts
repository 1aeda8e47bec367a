/**
 * Deliver's one read per batch: for every lane message, its record's META, its DEST#<destination>
 * item and the REV# item of the revision it names, in consistent BatchGetItem requests (100 keys
 * each; a key two messages share is read once), retrying what DynamoDB leaves unprocessed.
 */
import { BatchGetCommand } from '@aws-sdk/lib-dynamodb';
import { META, destinationSk, recordPk, revisionSk } from '../keys.js';
import { deliveryViewOf } from '../record-state.js';
import type { DeliveryRead, DeliveryView } from '../types.js';
import { defaultSleep } from './history.js';
import type { DynamoTable } from './table.js';

const BATCH_GET_LIMIT = 100;
const UNPROCESSED_RETRIES = 5;

type Key = { pk: string; sk: string };
const keyOf = (key: Key) => `${key.pk}\n${key.sk}`;

export async function readForDelivery(table: DynamoTable, reads: readonly DeliveryRead[], sleep = defaultSleep): Promise<DeliveryView[]> {
  const wanted = reads.map((read) => {
    const pk = recordPk(read.ref);
    return [META, destinationSk(read.destination), revisionSk(read.revision)].map((sk) => ({ pk, sk }));
  });
  const keys = [...new Map(wanted.flat().map((key) => [keyOf(key), key])).values()];
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += BATCH_GET_LIMIT) {
    let pending = keys.slice(i, i + BATCH_GET_LIMIT);
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > UNPROCESSED_RETRIES) throw new Error(`${pending.length} items still unread after ${UNPROCESSED_RETRIES} retries`);
      if (attempt > 0) await sleep(25 * 2 ** attempt);
      const result = await table.ddb.send(new BatchGetCommand({ RequestItems: { [table.tableName]: { Keys: pending, ConsistentRead: true } } }));
      for (const item of result.Responses?.[table.tableName] ?? []) found.set(keyOf(item as Key), item);
      pending = (result.UnprocessedKeys?.[table.tableName]?.Keys ?? []) as Key[];
    }
  }
  return wanted.map(([meta, state, revision]) => deliveryViewOf(found.get(keyOf(meta!)), found.get(keyOf(state!)), found.get(keyOf(revision!))));
}
