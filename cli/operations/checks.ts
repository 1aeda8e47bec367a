/**
 * The credit-check log (`credex checks`): every GET /v1/subjects/{code}/credit the ingest answered,
 * one month at a time (the UTC month of the check), newest first — when, which upstream asked,
 * about whom (the code as the answer showed it: a natural person's masked), what was answered and
 * by which rules. The subject's digest is kept in the log but never shown.
 */
import type { CreditCheckEntry, Eligibility } from '../../functions/shared/credit/types.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { maskPersonalData } from './inspect.js';

export const DEFAULT_CHECKS_LIMIT = 100;

export interface CheckLogEntry {
  at: string;
  upstream: string;
  subject: { category: CreditCheckEntry['subject']['category']; code: string };
  eligibility: Eligibility;
  rules: string[];
  blackPoints: number;
  redPoints: number;
  id: string;
  requestId: string | null;
}

/** The `--json` document. */
export interface ChecksReport {
  /** YYYY-MM, the UTC month of the checks listed. */
  month: string;
  listed: number;
  limit: number;
  /** Newest first. */
  checks: CheckLogEntry[];
}

/** The current UTC month (the log's partition of a check made now). */
export function currentMonth(now: Date): string {
  return now.toISOString().slice(0, 7);
}

export async function readChecks(state: Pick<SyncState, 'listCreditChecks'>, options: { month: string; limit?: number }): Promise<ChecksReport> {
  const limit = options.limit ?? DEFAULT_CHECKS_LIMIT;
  const entries = await state.listCreditChecks(options.month, { limit });
  const checks = [...entries]
    .sort((a, b) => cmp(b.at, a.at) || cmp(b.id, a.id))
    .slice(0, limit)
    .map((e): CheckLogEntry => ({
      at: e.at,
      upstream: e.upstream,
      subject: { category: e.subject.category, code: e.subject.code },
      eligibility: e.eligibility,
      rules: [...e.rules],
      blackPoints: e.blackPoints,
      redPoints: e.redPoints,
      id: e.id,
      requestId: e.requestId ?? null,
    }));
  return maskPersonalData({ month: options.month, listed: checks.length, limit, checks });
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
