/**
 * `credex checks` on the in-memory state's check log: one month, newest first, at most --limit;
 * the subject's digest never shown, and an identity number masked even if one were logged.
 */
import { formatChecks } from '../../../cli/commands/checks.js';
import { currentMonth, readChecks } from '../../../cli/operations/checks.js';
import type { CreditCheckEntry } from '../../../functions/shared/credit/types.js';
import { maskResidentId } from '../../../functions/shared/records/identifiers.js';
import { InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { COMPANY_USCC } from '../../support/records.js';
import { PERSON_ID } from './credit-fixtures.js';

const entry = (id: string, at: string, extra: Partial<CreditCheckEntry> = {}): CreditCheckEntry => ({
  id,
  at,
  upstream: 'hrbxq-approval-system',
  subject: { category: 'organisation', code: COMPANY_USCC, digest: `digest-of-${id}` },
  eligibility: 'eligible',
  rules: [],
  blackPoints: 0,
  redPoints: 2,
  ...extra,
});

const PERSON_CHECK = entry('c2', '2026-05-10T03:00:00.000Z', {
  upstream: 'hrb-transport-approval-system',
  subject: { category: 'naturalPerson', code: maskResidentId(PERSON_ID), digest: 'digest-of-the-person' },
  eligibility: 'notEligible',
  rules: ['seriousBreach', 'blackPoints'],
  blackPoints: 45,
  redPoints: 0,
  requestId: 'req-2',
});

async function state(): Promise<InMemorySyncState> {
  const s = new InMemorySyncState();
  // out of order, and one in the next month
  for (const e of [
    PERSON_CHECK,
    entry('c1', '2026-05-01T08:00:00.000Z'),
    entry('c4', '2026-06-01T00:00:00.000Z'),
    entry('c3', '2026-05-31T23:59:59.999Z', { eligibility: 'eligibleWithConditions', rules: ['generalBreach'], blackPoints: 5 }),
  ])
    await s.recordCreditCheck(e);
  return s;
}

describe('readChecks', () => {
  test("the month's checks, newest first, without the subject's digest", async () => {
    const report = await readChecks(await state(), { month: '2026-05' });
    expect(report).toMatchObject({ month: '2026-05', listed: 3, limit: 100 });
    expect(report.checks.map((c) => [c.id, c.at])).toEqual([
      ['c3', '2026-05-31T23:59:59.999Z'],
      ['c2', '2026-05-10T03:00:00.000Z'],
      ['c1', '2026-05-01T08:00:00.000Z'],
    ]);
    expect(report.checks[1]).toEqual({
      at: '2026-05-10T03:00:00.000Z',
      upstream: 'hrb-transport-approval-system',
      subject: { category: 'naturalPerson', code: maskResidentId(PERSON_ID) },
      eligibility: 'notEligible',
      rules: ['seriousBreach', 'blackPoints'],
      blackPoints: 45,
      redPoints: 0,
      id: 'c2',
      requestId: 'req-2',
    });
    expect(report.checks[0]!.requestId).toBeNull();
    expect(JSON.stringify(report)).not.toContain('digest');
  });

  test('--limit keeps the newest; another month has its own', async () => {
    const s = await state();
    expect((await readChecks(s, { month: '2026-05', limit: 2 })).checks.map((c) => c.id)).toEqual(['c3', 'c2']);
    expect((await readChecks(s, { month: '2026-06' })).checks.map((c) => c.id)).toEqual(['c4']);
    expect(await readChecks(s, { month: '2026-04' })).toEqual({ month: '2026-04', listed: 0, limit: 100, checks: [] });
  });

  test('an identity number that reached the log unmasked is masked on the way out', async () => {
    const s = new InMemorySyncState();
    await s.recordCreditCheck(entry('x', '2026-05-02T00:00:00.000Z', { subject: { category: 'naturalPerson', code: PERSON_ID, digest: 'd' } }));
    const report = await readChecks(s, { month: '2026-05' });
    expect(report.checks[0]!.subject.code).toBe(maskResidentId(PERSON_ID));
    expect(JSON.stringify(report) + formatChecks(report)).not.toContain(PERSON_ID);
  });

  test('the current month is the UTC month', () => {
    expect(currentMonth(new Date('2026-05-31T23:30:00.000Z'))).toBe('2026-05');
    expect(currentMonth(new Date('2026-06-01T00:00:00.000Z'))).toBe('2026-06');
  });
});

describe('formatChecks', () => {
  test('one row per check, newest first: when, upstream, subject, answer, points, rules', async () => {
    const text = formatChecks(await readChecks(await state(), { month: '2026-05' }));
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toBe('3 credit checks in 2026-05, newest first');
    expect(lines[1]).toMatch(/^at +upstream +subject +answer +black\/red +rules$/);
    expect(lines[2]).toMatch(new RegExp(`^2026-05-31T23:59:59.999Z +hrbxq-approval-system +${COMPANY_USCC} +with conditions +5/2 +generalBreach$`));
    expect(lines[3]).toContain(`${maskResidentId(PERSON_ID)} (person)`);
    expect(lines[3]).toMatch(/NOT eligible +45\/0 +seriousBreach, blackPoints$/);
    expect(text).not.toContain(PERSON_ID);
  });

  test('says when the limit cut the list, and when there is none', async () => {
    expect(formatChecks(await readChecks(await state(), { month: '2026-05', limit: 3 }))).toContain('newest first (the newest 3; there may be more: --limit)');
    expect(formatChecks(await readChecks(await state(), { month: '2026-04' }))).toBe('no credit checks in 2026-04\n');
  });
});
