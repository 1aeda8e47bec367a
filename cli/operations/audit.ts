/**
 * The audit trail of operator actions: every replay, resync, redeliver and quarantine release
 * writes one entry — who (the caller's identity), when, what, with which filter, and what it
 * did. The entry is written before the action starts (status `running`) and completed after, so
 * an action that crashed or was killed still leaves its trace.
 *
 * Items: pk `AUDIT#<YYYY-MM>`, sk `<started ISO time>#<id>`: listing walks months newest first.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { auditPk } from '../../functions/shared/state/keys.js';
import type { StateStore } from '../../functions/shared/state/repository.js';

export type AuditAction = 'replay' | 'resync' | 'redeliver' | 'quarantine-release';
export type AuditStatus = 'running' | 'completed' | 'interrupted' | 'failed';

export interface AuditEntry {
  id: string;
  action: AuditAction;
  /** The caller's identity: an IAM ARN, or user@host on the local runtime. */
  by: string;
  startedAt: string;
  finishedAt?: string;
  status: AuditStatus;
  /** Where it acted: the stack (or local runtime) it resolved. */
  target: string;
  /** What it was asked: lane, destination, record, filter, limit, rate… */
  request: Record<string, unknown>;
  /** What it did: moved, matched, skipped, enqueued, failed… */
  counts: Record<string, number>;
  /** Why it stopped, when it did not complete. */
  error?: string;
}

export interface OpenAudit {
  entry: AuditEntry;
  /** Records the result; safe to call once. */
  finish(status: Exclude<AuditStatus, 'running'>, counts: Record<string, number>, error?: string): Promise<AuditEntry>;
}

export async function openAudit(
  store: StateStore,
  facts: Pick<AuditEntry, 'action' | 'by' | 'target' | 'request'>,
  now: () => Date = () => new Date(),
): Promise<OpenAudit> {
  const startedAt = now().toISOString();
  const entry: AuditEntry = { id: randomUUID(), ...facts, startedAt, status: 'running', counts: {} };
  const key = { pk: auditPk(startedAt), sk: `${startedAt}#${entry.id}` };
  await store.ddb.send(new PutCommand({ TableName: store.tableName, Item: { ...key, ...entry }, ConditionExpression: 'attribute_not_exists(pk)' }));
  return {
    entry,
    async finish(status, counts, error) {
      const finishedAt = now().toISOString();
      await store.ddb.send(
        new UpdateCommand({
          TableName: store.tableName,
          Key: key,
          UpdateExpression: `SET #status = :status, finishedAt = :at, counts = :counts${error ? ', #error = :error' : ''}`,
          ExpressionAttributeNames: { '#status': 'status', ...(error && { '#error': 'error' }) },
          ExpressionAttributeValues: { ':status': status, ':at': finishedAt, ':counts': counts, ...(error && { ':error': error }) },
        }),
      );
      return { ...entry, status, finishedAt, counts, ...(error && { error }) };
    },
  };
}

/** Audit entries, newest first, from now back to `since` (default: 90 days), at most `limit`. */
export async function listAudit(store: StateStore, options: { since?: string; limit?: number; action?: AuditAction } = {}, now: () => Date = () => new Date()): Promise<AuditEntry[]> {
  const until = now();
  const since = options.since ?? new Date(until.getTime() - 90 * 86_400_000).toISOString();
  const limit = options.limit ?? 100;
  const entries: AuditEntry[] = [];
  if (limit <= 0) return entries;
  for (const month of monthsBetween(since, until.toISOString())) {
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await store.ddb.send(
        new QueryCommand({
          TableName: store.tableName,
          KeyConditionExpression: 'pk = :pk AND sk >= :since',
          ExpressionAttributeValues: { ':pk': `AUDIT#${month}`, ':since': since },
          ScanIndexForward: false,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const { pk: _pk, sk: _sk, ...entry } = item;
        if (!options.action || entry['action'] === options.action) entries.push(entry as AuditEntry);
        if (entries.length >= limit) return entries;
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return entries;
}

/** YYYY-MM of every month from `until` back to `since`, newest first. */
export function monthsBetween(since: string, until: string): string[] {
  const months: string[] = [];
  let year = Number(until.slice(0, 4));
  let month = Number(until.slice(5, 7));
  const stop = since.slice(0, 7);
  for (;;) {
    const label = `${year}-${String(month).padStart(2, '0')}`;
    if (label < stop) break;
    months.push(label);
    if (--month === 0) {
      month = 12;
      year--;
    }
  }
  return months;
}

/**
 * Finishes an audit entry after the result was shown: a failure to write it is a warning (the
 * action happened; the entry stays `running`), never a reason to report the action as failed.
 */
export async function finishAudit(
  audit: OpenAudit | undefined,
  status: Exclude<AuditStatus, 'running'>,
  counts: Record<string, number>,
  io: { stderr: { write(s: string): unknown } },
  error?: string,
): Promise<void> {
  if (!audit) return;
  try {
    await audit.finish(status, counts, error);
  } catch (err) {
    io.stderr.write(`credex: warning: audit entry ${audit.entry.id} could not be completed (${(err as Error).message}); it stays "running"\n`);
  }
}
