/**
 * `credex subject`, `overdue`, `checks` and `stats`' credit figures on the real local runtime: the
 * records go through the intake queue, intake keeps the credit state (contributions, deadlines,
 * verifications) in the table, and the commands read it back — the subject's points equal the
 * points stats lists, and no identity number reaches any output.
 */
import type { ChecksReport } from '../../cli/operations/checks.js';
import type { OverdueReport } from '../../cli/operations/overdue.js';
import type { StatsReport } from '../../cli/operations/stats.js';
import type { SubjectReport } from '../../cli/operations/subject.js';
import { maskResidentId } from '../../functions/shared/records/identifiers.js';
import { breach, COMPANY_NAME, COMPANY_USCC, commitment, LICENSING_ITEM, residentId, verification } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

const PERSON_ID = residentId('230109', '19850612', '031');
const PERSON = { name: '张伟', category: '自然人', idType: '身份证', idNumber: PERSON_ID };
const code = (serial: number): string => `23010920260302${String(serial).padStart(6, '0')}`;
/** The day the figures are counted on: after every deadline below (commitment date 2026-03-02 + the item's 90 days). */
const DAY = '2026-11-28';

/**
 * On the harness's licensing list (the commitment fixture's item): the company's commitment 1,
 * verified 全部履行 (red points); the company's commitment 2, never verified (overdue); the
 * person's commitment 3, verified 虚假承诺 (black 10) and punished by a 严重 breach naming it
 * (black 20).
 */
const COMMITMENTS = [
  commitment({ recordId: 'CMT-CREDIT-1' }, { commitmentCode: code(1) }),
  commitment({ recordId: 'CMT-CREDIT-2' }, { commitmentCode: code(2) }),
  commitment({ recordId: 'CMT-CREDIT-3' }, { commitmentCode: code(3), party: PERSON }),
];
const FOLLOW_UPS = [
  verification({ recordId: 'VER-CREDIT-1' }, { commitmentCode: code(1), verificationDate: '2026-05-20' }),
  verification({ recordId: 'VER-CREDIT-3' }, { commitmentCode: code(3), party: PERSON, verificationDate: '2026-05-25', result: '虚假承诺' }),
  breach(
    { recordId: 'BR-CREDIT-3' },
    { party: PERSON, severity: '严重', blackPoints: 20, decisionNumber: '哈新市监罚〔2026〕88号', brokenCommitmentCode: code(3) },
  ),
];

let harness: CliHarness;
let stats: StatsReport;

const accepted = async (count: number): Promise<StatsReport | undefined> => {
  const r = await harness.credexJson<StatsReport>(['stats']);
  return r.scan.records >= count ? r : undefined;
};

beforeAll(async () => {
  harness = await startCliHarness();
  // the commitments first: a verification is checked against its commitment
  await harness.submit(COMMITMENTS);
  await waitFor('the commitments', () => accepted(3), 20_000);
  await harness.submit(FOLLOW_UPS);
  await waitFor('the verifications and the breach', () => accepted(6), 20_000);
  // stats counts on today (Beijing date): every deadline above has passed
  stats = await harness.credexJson<StatsReport>(['stats']);
});

afterAll(async () => {
  await harness?.stop();
});

test('every record was accepted (none quarantined)', async () => {
  expect(stats.scan.records).toBe(6);
  const quarantine = await harness.credex(['quarantine', 'list', '--days', '2']);
  expect(quarantine.stdout).not.toMatch(/CREDIT/);
});

test('credex subject: the company, eligible, its commitment 2 overdue, red points for commitment 1', async () => {
  const report = await harness.credexJson<SubjectReport>(['subject', COMPANY_USCC, '--as-of', DAY]);
  expect(report.subject).toEqual({ category: 'organisation', code: COMPANY_USCC });
  expect(report.eligibility).toBe('eligible');
  expect(report.points).toEqual({ black: 0, blackBand: '无', red: 2, redBand: '守信' });
  expect(report.profile.commitments.map((c) => [c.commitmentCode, c.status, c.deadline, c.overdue])).toEqual([
    [code(2), 'unverified', '2026-05-31', true],
    [code(1), 'kept', '2026-05-31', false],
  ]);
});

test('credex subject: the natural person, refused, masked; no identity number in the output, human or --json', async () => {
  const json = await harness.credex(['subject', PERSON_ID, '--id-type', '身份证', '--as-of', DAY, '--json']);
  const human = await harness.credex(['subject', PERSON_ID, '--id-type', '身份证', '--as-of', DAY]);
  expect([json.code, human.code]).toEqual([0, 0]);
  const report = JSON.parse(json.stdout) as SubjectReport;
  expect(report.subject).toEqual({ category: 'naturalPerson', code: maskResidentId(PERSON_ID) });
  expect(report.eligibility).toBe('notEligible');
  expect(report.reasons.map((r) => r.rule)).toEqual(['seriousBreach', 'falseCommitment', 'blackPoints']);
  expect(report.points).toMatchObject({ black: 30, blackBand: '警示' });
  for (const out of [json, human]) {
    expect(out.stdout + out.stderr).not.toContain(PERSON_ID);
    expect(out.stdout).not.toContain(PERSON.name);
  }
});

test('credex overdue: commitment 2 of the item’s department, from the day after its deadline', async () => {
  const onDeadline = await harness.credexJson<OverdueReport>(['overdue', '--today', '2026-05-31']);
  expect(onDeadline.total).toBe(0);
  const report = await harness.credexJson<OverdueReport>(['overdue', '--today', DAY]);
  expect(report).toMatchObject({ today: DAY, total: 1, listed: 1 });
  expect(report.departments).toEqual([
    {
      department: LICENSING_ITEM.department,
      count: 1,
      commitments: [
        {
          commitmentCode: code(2),
          record: { recordType: 'commitment', source: 'hrbxq-approval', recordId: 'CMT-CREDIT-2' },
          commitmentDate: '2026-03-02',
          deadline: '2026-05-31',
          daysOverdue: 181,
          itemCode: LICENSING_ITEM.itemCode,
        },
      ],
    },
  ]);
});

test('credex stats: verification and the lists, with the points credex subject answers', async () => {
  // the points of the day stats counted on (today): the same as the subjects' on that day
  expect(stats.verification).toMatchObject({ licensing: 3, verified: 2, unverified: 1, byResult: { 全部履行: 1, 虚假承诺: 1 } });
  const company = await harness.credexJson<SubjectReport>(['subject', COMPANY_USCC, '--as-of', stats.day]);
  const person = await harness.credexJson<SubjectReport>(['subject', PERSON_ID, '--id-type', '身份证', '--as-of', stats.day]);
  expect(stats.creditLists.black.top).toEqual([
    { category: 'naturalPersons', code: maskResidentId(PERSON_ID), name: null, points: person.points.black, band: person.points.blackBand },
  ]);
  expect(stats.creditLists.red.top).toEqual([
    { category: 'organisations', code: COMPANY_USCC, name: COMPANY_NAME, points: company.points.red, band: company.points.redBand },
  ]);
  const human = await harness.credex(['stats']);
  expect(human.stdout + JSON.stringify(stats)).not.toContain(PERSON_ID);
});

test('credex checks: the log as the table keeps it, newest first, the digest never shown', async () => {
  const entry = (id: string, at: string) => ({
    id,
    at,
    upstream: 'hrbxq-approval-system',
    subject: { category: 'naturalPerson' as const, code: maskResidentId(PERSON_ID), digest: `digest-${id}` },
    eligibility: 'notEligible' as const,
    rules: ['seriousBreach', 'falseCommitment'],
    blackPoints: 30,
    redPoints: 0,
  });
  await harness.runtime.state.recordCreditCheck(entry('check-1', '2026-05-02T01:00:00.000Z'));
  await harness.runtime.state.recordCreditCheck(entry('check-2', '2026-05-03T01:00:00.000Z'));
  const report = await harness.credexJson<ChecksReport>(['checks', '--month', '2026-05']);
  expect(report.checks.map((c) => [c.id, c.subject.code, c.eligibility])).toEqual([
    ['check-2', maskResidentId(PERSON_ID), 'notEligible'],
    ['check-1', maskResidentId(PERSON_ID), 'notEligible'],
  ]);
  const human = await harness.credex(['checks', '--month', '2026-05']);
  expect(human.stdout).toContain('2 credit checks in 2026-05, newest first');
  expect(human.stdout + JSON.stringify(report)).not.toContain('digest-');
});

test('credex checks: an empty month lists nothing, and a bad month is a usage error', async () => {
  expect(await harness.credexJson<ChecksReport>(['checks', '--month', '2020-01'])).toEqual({ month: '2020-01', listed: 0, limit: 100, checks: [] });
  const bad = await harness.credex(['checks', '--month', '2026-13']);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toContain('--month: expected a month YYYY-MM');
});
