/**
 * Repairs waiting for their breach in the table: WAIT#<destination>#<repair pk> items under the
 * breach's partition (the breach need not be known yet).
 */
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { recordPk, waitPrefix, waitSk, type RecordRef } from '../keys.js';
import type { RepairWait } from '../types.js';
import { isConditionalCheckFailed, queryAll, type DynamoTable } from './table.js';

/** The wait is of this revision or an older one (a newer one, registered since, stays). */
const NO_NEWER_WAIT = 'revision <= :rev';

/**
 * Registers a repair that waits at `destination` for its breach, under the breach's partition (the
 * breach need not be known yet): the deliver function that delivers the breach there sends the
 * repair on at once. Written before the breach's state is read, so a breach delivered in between
 * is seen by one side or the other.
 */
export async function registerRepairWait(table: DynamoTable, breach: RecordRef, destination: string, wait: RepairWait): Promise<void> {
  await table.ddb.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { pk: recordPk(breach), sk: waitSk(destination, wait.repair), ...wait.repair, revision: wait.revision, since: wait.since },
    }),
  );
}

/** The repairs waiting at `destination` for this breach. */
export async function listRepairWaits(table: DynamoTable, breach: RecordRef, destination: string): Promise<RepairWait[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': recordPk(breach), ':prefix': waitPrefix(destination) },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    repair: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
    revision: Number(item['revision']),
    since: String(item['since']),
  }));
}

/** Forgets waits once their repairs were sent on (a wait of a newer revision, registered since, stays). */
export async function removeRepairWaits(table: DynamoTable, breach: RecordRef, destination: string, waits: readonly RepairWait[]): Promise<void> {
  await Promise.all(
    waits.map(async (wait) => {
      try {
        await table.ddb.send(
          new DeleteCommand({
            TableName: table.tableName,
            Key: { pk: recordPk(breach), sk: waitSk(destination, wait.repair) },
            ConditionExpression: NO_NEWER_WAIT,
            ExpressionAttributeValues: { ':rev': wait.revision },
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err;
      }
    }),
  );
}
