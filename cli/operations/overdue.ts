/**
 * Commitments past their deadline without a verification (`credex overdue`), from the overdue
 * index the pipeline keeps (SyncState.listOverdueCommitments): a commitment is overdue from the day
 * after its deadline, until a verification counts or it is withdrawn. Grouped by department (the
 * licensing item's department, else the accepting unit), most overdue first.
 */
import type { CommitmentDue } from '../../functions/shared/credit/types.js';
import type { RecordRef } from '../../functions/shared/state/keys.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { maskPersonalData } from './inspect.js';

export const DEFAULT_OVERDUE_LIMIT = 1000;

export interface OverdueCommitment {
  commitmentCode: string;
  record: RecordRef;
  commitmentDate: string;
  deadline: string;
  /** Days since the deadline: 1 on the day after it. */
  daysOverdue: number;
  itemCode: string | null;
}

export interface OverdueDepartment {
  department: string;
  /** Overdue commitments of the department listed here. */
  count: number;
  /** Earliest deadline first. */
  commitments: OverdueCommitment[];
}

/** The `--json` document. */
export interface OverdueReport {
  /** The day counted on: a commitment whose deadline is before it is overdue. */
  today: string;
  /** The department asked for (--department), or null for all. */
  department: string | null;
  /** Every overdue commitment (of the department, when one is asked for). */
  total: number;
  /** How many are listed below (at most the limit). */
  listed: number;
  limit: number;
  /** Most overdue commitments first; ties by name. */
  departments: OverdueDepartment[];
}

/** Whole days from `from` to `to` (YYYY-MM-DD). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / 86_400_000);
}

export async function readOverdue(
  state: Pick<SyncState, 'listOverdueCommitments' | 'countOverdueCommitments'>,
  options: { today: string; department?: string; limit?: number },
): Promise<OverdueReport> {
  const { today } = options;
  const limit = options.limit ?? DEFAULT_OVERDUE_LIMIT;
  // the index holds open commitments only; the checks below keep this view right whatever it answers
  const overdue = (due: CommitmentDue) => due.withdrawn !== true && due.deadline < today;
  let listed: CommitmentDue[];
  let total: number;
  if (options.department !== undefined) {
    // the index is by deadline, not department: read every overdue commitment, keep the department's
    const all = (await state.listOverdueCommitments(today)).filter((d) => overdue(d) && d.department === options.department);
    total = all.length;
    listed = all.slice(0, limit);
  } else {
    listed = (await state.listOverdueCommitments(today, { limit })).filter(overdue).slice(0, limit);
    total = listed.length < limit ? listed.length : await state.countOverdueCommitments(today);
  }
  return maskPersonalData({
    today,
    department: options.department ?? null,
    total,
    listed: listed.length,
    limit,
    departments: groupByDepartment(listed, today),
  });
}

export function groupByDepartment(list: readonly CommitmentDue[], today: string): OverdueDepartment[] {
  const byName = new Map<string, OverdueCommitment[]>();
  const ordered = [...list].sort((a, b) => cmp(a.deadline, b.deadline) || cmp(a.commitmentCode, b.commitmentCode));
  for (const d of ordered) {
    const entry: OverdueCommitment = {
      commitmentCode: d.commitmentCode,
      record: d.ref,
      commitmentDate: d.commitmentDate,
      deadline: d.deadline,
      daysOverdue: daysBetween(d.deadline, today),
      itemCode: d.itemCode ?? null,
    };
    byName.set(d.department, [...(byName.get(d.department) ?? []), entry]);
  }
  return [...byName]
    .map(([department, commitments]) => ({ department, count: commitments.length, commitments }))
    .sort((a, b) => b.count - a.count || cmp(a.department, b.department));
}

/** Code-point order, the same on every machine. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
