/**
 * `credex overdue` on the in-memory state's overdue index: grouping by department, the day
 * boundary (a deadline of today is not overdue yet), verified and withdrawn commitments left out,
 * --department and --limit, and the rendering.
 */
import { formatOverdue } from '../../../cli/commands/overdue.js';
import { daysBetween, readOverdue } from '../../../cli/operations/overdue.js';
import type { CommitmentDue } from '../../../functions/shared/credit/types.js';
import { InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { codeNo, HEALTH, MARKET } from './credit-fixtures.js';

const TODAY = '2026-06-02';

const due = (serial: number, deadline: string, department: string, extra: Partial<CommitmentDue> = {}): CommitmentDue => ({
  commitmentCode: codeNo(serial),
  ref: { recordType: 'commitment', source: 'hrbxq-approval', recordId: `CMT-${serial}` },
  revision: 1,
  deadline,
  commitmentDate: '2026-03-02',
  department,
  itemCode: '230109001',
  ...extra,
});

/** Overdue on TODAY: 1 (1 day), 3 (13 days, health), 4 (8 days). Not: 2 (deadline today), 5 (verified), 6 (withdrawn), 7 (deadline later). */
async function state(): Promise<InMemorySyncState> {
  const s = new InMemorySyncState();
  await s.trackCommitmentDue(due(1, '2026-06-01', MARKET));
  await s.trackCommitmentDue(due(2, TODAY, MARKET));
  await s.trackCommitmentDue(due(3, '2026-05-20', HEALTH, { itemCode: undefined }));
  await s.trackCommitmentDue(due(4, '2026-05-25', MARKET));
  await s.trackCommitmentDue(due(5, '2026-05-01', MARKET));
  await s.recordCommitmentVerified({
    commitmentCode: codeNo(5),
    ref: { recordType: 'verification', source: 'hrbxq-approval', recordId: 'VER-5' },
    verificationDate: '2026-05-02',
    result: '部分履行',
    withdrawn: false,
  });
  await s.trackCommitmentDue(due(6, '2026-05-01', HEALTH, { withdrawn: true }));
  await s.trackCommitmentDue(due(7, '2026-07-01', HEALTH));
  return s;
}

describe('readOverdue', () => {
  test('grouped by department, most first; in each the earliest deadline first, with the days overdue', async () => {
    const report = await readOverdue(await state(), { today: TODAY });
    expect(report).toMatchObject({ today: TODAY, department: null, total: 3, listed: 3, limit: 1000 });
    expect(report.departments.map((d) => [d.department, d.count, d.commitments.map((c) => [c.commitmentCode, c.deadline, c.daysOverdue])])).toEqual([
      [
        MARKET,
        2,
        [
          [codeNo(4), '2026-05-25', 8],
          [codeNo(1), '2026-06-01', 1],
        ],
      ],
      [HEALTH, 1, [[codeNo(3), '2026-05-20', 13]]],
    ]);
    expect(report.departments[1]!.commitments[0]).toEqual({
      commitmentCode: codeNo(3),
      record: { recordType: 'commitment', source: 'hrbxq-approval', recordId: 'CMT-3' },
      commitmentDate: '2026-03-02',
      deadline: '2026-05-20',
      daysOverdue: 13,
      itemCode: null,
    });
  });

  test('the day boundary: a commitment whose deadline is today is overdue only from tomorrow', async () => {
    const s = await state();
    const codes = async (today: string) => (await readOverdue(s, { today })).departments.flatMap((d) => d.commitments.map((c) => c.commitmentCode));
    expect(await codes(TODAY)).not.toContain(codeNo(2));
    expect(await codes('2026-06-03')).toContain(codeNo(2));
    expect((await readOverdue(s, { today: '2026-06-03' })).departments[0]!.commitments.find((c) => c.commitmentCode === codeNo(2))!.daysOverdue).toBe(1);
    expect(await codes('2026-05-20')).toEqual([]); // commitment 3's deadline is that day
  });

  test('--department: only its commitments, all counted', async () => {
    const report = await readOverdue(await state(), { today: TODAY, department: HEALTH });
    expect(report).toMatchObject({ department: HEALTH, total: 1, listed: 1 });
    expect(report.departments.map((d) => d.department)).toEqual([HEALTH]);
    expect(await readOverdue(await state(), { today: TODAY, department: 'no such department' })).toMatchObject({ total: 0, listed: 0, departments: [] });
  });

  test('--limit: the earliest deadlines, and the total of all', async () => {
    const report = await readOverdue(await state(), { today: TODAY, limit: 2 });
    expect(report).toMatchObject({ total: 3, listed: 2, limit: 2 });
    expect(report.departments.flatMap((d) => d.commitments.map((c) => c.commitmentCode)).sort()).toEqual([codeNo(3), codeNo(4)].sort());
    expect(await readOverdue(await state(), { today: TODAY, department: MARKET, limit: 1 })).toMatchObject({ total: 2, listed: 1 });
  });

  test('days between two days', () => {
    expect(daysBetween('2026-02-28', '2026-03-01')).toBe(1);
    expect(daysBetween('2024-02-28', '2024-03-01')).toBe(2);
    expect(daysBetween('2025-12-31', '2026-06-02')).toBe(153);
  });
});

describe('formatOverdue', () => {
  test('a heading with the total, then one table per department', async () => {
    const text = formatOverdue(await readOverdue(await state(), { today: TODAY }));
    const lines = text.split('\n');
    expect(lines[0]).toBe(`3 commitments overdue on ${TODAY}`);
    expect(lines).toContain(`${MARKET}: 2`);
    expect(lines).toContain(`${HEALTH}: 1`);
    expect(text).toMatch(new RegExp(`^ {2}${codeNo(4)} +commitment/hrbxq-approval/CMT-4 +2026-03-02 +2026-05-25 +8 +230109001$`, 'm'));
    expect(text).not.toContain(codeNo(2));
  });

  test('says when only some are shown, and when none is overdue', async () => {
    expect(formatOverdue(await readOverdue(await state(), { today: TODAY, limit: 1 }))).toMatch(
      /^3 commitments overdue on 2026-06-02 \(the 1 with the earliest deadlines shown: --limit\)$/m,
    );
    expect(formatOverdue(await readOverdue(await state(), { today: '2026-05-01' }))).toBe('no commitment is overdue on 2026-05-01\n');
    expect(formatOverdue(await readOverdue(await state(), { today: TODAY, department: 'X局' }))).toBe('no commitment of X局 is overdue on 2026-06-02\n');
  });
});
