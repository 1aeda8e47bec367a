/**
 * The operators' audit trail in the table: AUDIT#<YYYY-MM> partitions, one item per action keyed
 * `<startedAt>#<id>`, written (running) before the action starts and completed after.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { auditPk, auditSk } from '../keys.js';
import type { AuditEntry, AuditResult } from '../types.js';
import { NO_ITEM, queryPages, type DynamoTable } from './table.js';

export async function createAuditEntry(table: DynamoTable, entry: AuditEntry): Promise<void> {
  await table.ddb.send(
    new PutCommand({
      TableName: table.tableName,
      Item: { pk: auditPk(entry.startedAt), sk: auditSk(entry.startedAt, entry.id), ...entry },
      ConditionExpression: NO_ITEM,
    }),
  );
}

export async function completeAuditEntry(table: DynamoTable, entry: Pick<AuditEntry, 'id' | 'startedAt'>, result: AuditResult): Promise<void> {
  const { status, finishedAt, counts, error } = result;
  await table.ddb.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: auditPk(entry.startedAt), sk: auditSk(entry.startedAt, entry.id) },
      UpdateExpression: `SET #status = :status, finishedAt = :at, counts = :counts${error ? ', #error = :error' : ''}`,
      ExpressionAttributeNames: { '#status': 'status', ...(error && { '#error': 'error' }) },
      ExpressionAttributeValues: { ':status': status, ':at': finishedAt, ':counts': counts, ...(error && { ':error': error }) },
    }),
  );
}

/** Entries of one month started at or after `since`, newest first, a page at a time. */
export async function* listAuditEntries(table: DynamoTable, month: string, since: string): AsyncGenerator<AuditEntry> {
  const pages = queryPages(table, {
    KeyConditionExpression: 'pk = :pk AND sk >= :since',
    ExpressionAttributeValues: { ':pk': `AUDIT#${month}`, ':since': since },
    ScanIndexForward: false,
  });
  for await (const page of pages) {
    for (const item of page.Items ?? []) {
      const { pk: _pk, sk: _sk, ...entry } = item;
      yield entry as AuditEntry;
    }
  }
}
