/**
 * Deliver's one read per batch: for every lane message, its record's META, its DEST#<destination>
 * item and the REV# item of the revision it names, in consistent BatchGetItem requests (100 keys
 * each; a key two messages share is read once), retrying what DynamoDB leaves unprocessed. A read
 * that names no revision (a repair's breach: its latest) gets its REV# item in a second round, once
 * its META says which.
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
  const pk = reads.map((read) => recordPk(read.ref));
  const first = await batchGet(
    table,
    reads.flatMap((read, i) => [
      { pk: pk[i]!, sk: META },
      { pk: pk[i]!, sk: destinationSk(read.destination) },
      ...(read.revision === undefined ? [] : [{ pk: pk[i]!, sk: revisionSk(read.revision) }]),
    ]),
    sleep,
  );
  const revisionOf = reads.map((read, i) => read.revision ?? (first.get(keyOf({ pk: pk[i]!, sk: META }))?.['revision'] as number | undefined));
  const latest = await batchGet(
    table,
    reads.flatMap((read, i) => (read.revision === undefined && revisionOf[i] !== undefined ? [{ pk: pk[i]!, sk: revisionSk(revisionOf[i]!) }] : [])),
    sleep,
  );
  const found = (key: Key) => first.get(keyOf(key)) ?? latest.get(keyOf(key));
  return reads.map((read, i) =>
    deliveryViewOf(
      found({ pk: pk[i]!, sk: META }),
      found({ pk: pk[i]!, sk: destinationSk(read.destination) }),
      revisionOf[i] === undefined ? undefined : found({ pk: pk[i]!, sk: revisionSk(revisionOf[i]!) }),
    ),
  );
}

/** The items of `keys` that exist, by keyOf (each key read once, 100 a request). */
async function batchGet(table: DynamoTable, wanted: readonly Key[], sleep: (ms: number) => Promise<void>): Promise<Map<string, Record<string, unknown>>> {
  const keys = [...new Map(wanted.map((key) => [keyOf(key), key])).values()];
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
  return found;
}
