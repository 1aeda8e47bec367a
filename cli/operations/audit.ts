/**
 * The audit trail of operator actions: every replay, resync, redeliver and quarantine release
 * writes one entry — who (the caller's identity), when, what, with which filter, and what it
 * did. The entry is written before the action starts (status `running`) and completed after, so
 * an action that crashed or was killed still leaves its trace.
 *
 * Items: pk `AUDIT#<YYYY-MM>`, sk `<started ISO time>#<id>`: listing walks months newest first.
 */
import { randomUUID } from 'node:crypto';
import type { AuditAction, AuditEntry, AuditStatus, SyncState } from '../../functions/shared/state/sync-state.js';

export type { AuditAction, AuditEntry, AuditStatus } from '../../functions/shared/state/sync-state.js';

export interface OpenAudit {
  entry: AuditEntry;
  /** Records the result; safe to call once. */
  finish(status: Exclude<AuditStatus, 'running'>, counts: Record<string, number>, error?: string): Promise<AuditEntry>;
}

export async function openAudit(
  state: Pick<SyncState, 'createAuditEntry' | 'completeAuditEntry'>,
  facts: Pick<AuditEntry, 'action' | 'by' | 'target' | 'request'>,
  now: () => Date = () => new Date(),
): Promise<OpenAudit> {
  const startedAt = now().toISOString();
  const entry: AuditEntry = { id: randomUUID(), ...facts, startedAt, status: 'running', counts: {} };
  await state.createAuditEntry(entry);
  return {
    entry,
    async finish(status, counts, error) {
      const finishedAt = now().toISOString();
      await state.completeAuditEntry(entry, { status, finishedAt, counts, ...(error !== undefined && { error }) });
      return { ...entry, status, finishedAt, counts, ...(error && { error }) };
    },
  };
}

/** Audit entries, newest first, from now back to `since` (default: 90 days), at most `limit`. */
export async function listAudit(
  state: Pick<SyncState, 'listAuditEntries'>,
  options: { since?: string; limit?: number; action?: AuditAction } = {},
  now: () => Date = () => new Date(),
): Promise<AuditEntry[]> {
  const until = now();
  const since = options.since ?? new Date(until.getTime() - 90 * 86_400_000).toISOString();
  const limit = options.limit ?? 100;
  const entries: AuditEntry[] = [];
  if (limit <= 0) return entries;
  for (const month of monthsBetween(since, until.toISOString())) {
    for await (const entry of state.listAuditEntries(month, since)) {
      if (!options.action || entry.action === options.action) entries.push(entry);
      if (entries.length >= limit) return entries;
    }
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
