/**
 * `credex subject`: the profile read from the in-memory state the pipeline's contributions seed,
 * the answer the credit check would give, its rendering — and no identity number anywhere.
 */
import { Readable } from 'node:stream';
import { run } from '../../../cli/main.js';
import { formatSubject } from '../../../cli/commands/subject.js';
import { readSubject } from '../../../cli/operations/subject.js';
import { creditAnswer, subjectForCode, type CheckedSubject } from '../../../functions/shared/credit/check.js';
import { maskResidentId } from '../../../functions/shared/records/identifiers.js';
import { topology } from '../../../topology/topology.js';
import { breach, COMPANY_USCC, commitment, repair, uscc } from '../../support/records.js';
import { APPROVAL, asRecord, codeNo, ITEM, MARKET, OTHER_COMPANY, PERSON, PERSON_ID, PERSON_NAME, seededState, verification } from './credit-fixtures.js';

const TODAY = '2026-11-28';
const subject = (code: string, idType?: string): CheckedSubject => {
  const lookup = subjectForCode(code, idType);
  if (!lookup.ok) throw new Error(lookup.message);
  return lookup.subject;
};

/**
 * A natural person who made a false commitment (C1, verified 虚假承诺), punished by a 严重 breach
 * that names it, and who is the legal representative of OTHER_COMPANY, which has an open 一般
 * breach; and the builders' company, whose 一般 breach was repaired on 2026-10-12 and whose
 * commitment C2 is past its deadline without a verification.
 */
const RECORDS = [
  asRecord(commitment({ recordId: 'CMT-1' }, { commitmentCode: codeNo(1), party: PERSON, ...ITEM(), fulfilmentDeadline: '2026-06-02' })),
  asRecord(verification({ recordId: 'VER-1' }, { commitmentCode: codeNo(1), party: PERSON, verificationDate: '2026-06-01', result: '虚假承诺' })),
  asRecord(
    breach(
      { recordId: 'BR-1' },
      { party: PERSON, severity: '严重', blackPoints: 20, decisionNumber: '哈新市监罚〔2026〕61号', brokenCommitmentCode: codeNo(1), authority: MARKET },
    ),
  ),
  asRecord(
    breach(
      { recordId: 'BR-2', occurredAt: '2026-07-01T10:00:00+08:00' },
      {
        party: { ...OTHER_COMPANY, legalRepresentative: PERSON_NAME, legalRepIdType: '身份证', legalRepIdNumber: PERSON_ID },
        decisionNumber: '哈新市监罚〔2026〕70号',
        decisionDate: '2026-07-01',
        brokenCommitmentCode: undefined,
      },
    ),
  ),
  asRecord(commitment({ recordId: 'CMT-2' }, { commitmentCode: codeNo(2), ...ITEM(), fulfilmentDeadline: '2026-06-02' })),
  asRecord(breach({}, { brokenCommitmentCode: undefined })),
  asRecord(repair()),
];

describe('readSubject: the credit profile and the answer of the credit check', () => {
  test('a natural person: the serious breach, the false commitment and the black points are each a reason; the code is masked', async () => {
    const state = await seededState(RECORDS);
    const report = await readSubject(state, subject(PERSON_ID, '身份证'), TODAY);

    expect(report.subject).toEqual({ category: 'naturalPerson', code: maskResidentId(PERSON_ID) });
    expect(report.asOf).toBe(TODAY);
    expect(report.contributions).toBe(4); // C1, its verification, its breach, and OTHER_COMPANY's breach as responsible person
    expect(report.eligibility).toBe('notEligible');
    expect(report.reasons.map((r) => [r.rule, r.effect])).toEqual([
      ['seriousBreach', 'notEligible'],
      ['falseCommitment', 'notEligible'],
      ['blackPoints', 'eligibleWithConditions'],
    ]);
    // 20 (the 严重 breach) + 10 (the false commitment) + 5 carried for OTHER_COMPANY's 一般 breach
    expect(report.points).toEqual({ black: 35, blackBand: '警示', red: 0, redBand: '无' });
    expect(report.asResponsiblePerson).toEqual([{ company: { uscc: OTHER_COMPANY.uscc, name: OTHER_COMPANY.name }, blackPoints: 5, openBreaches: 1 }]);
    expect(report.profile.breaches.map((b) => [b.record.recordId, b.status, b.repairableFrom])).toEqual([['BR-1', 'open', '2027-06-11']]);
    expect(report.profile.falseCommitments).toMatchObject([{ commitmentCode: codeNo(1), followUpBreach: { recordId: 'BR-1' } }]);
    expect(report.profile.commitments.map((c) => [c.commitmentCode, c.status, c.overdue])).toEqual([[codeNo(1), 'false', false]]);
    expect(report.profile.points.history.map((e) => [e.date, e.why, e.points])).toEqual([
      ['2026-06-01', 'falseCommitment', 10],
      ['2026-06-10', 'breach', 20],
      ['2026-07-01', 'breach', 5],
    ]);
  });

  test('is exactly what the credit check answers, with its profile', async () => {
    const state = await seededState(RECORDS);
    const person = subject(PERSON_ID, '身份证');
    const { answer, profile } = creditAnswer(person, await state.getCreditContributions(person.digest), TODAY, topology.credit);
    expect(await readSubject(state, person, TODAY)).toEqual({ ...answer, contributions: 4, profile });
  });

  test('--as-of: the company before its repair (an open 一般 breach: with conditions), and after it (eligible); the commitment overdue both times', async () => {
    const state = await seededState(RECORDS);
    const before = await readSubject(state, subject(COMPANY_USCC), '2026-09-01');
    expect(before.eligibility).toBe('eligibleWithConditions');
    expect(before.reasons.map((r) => r.rule)).toEqual(['generalBreach']);
    expect(before.points).toMatchObject({ black: 5, blackBand: '关注' });
    expect(before.counts.commitments).toMatchObject({ unverified: 1, overdue: 1 });

    const after = await readSubject(state, subject(COMPANY_USCC), TODAY);
    expect(after.eligibility).toBe('eligible');
    expect(after.reasons).toEqual([]);
    expect(after.points).toMatchObject({ black: 0, blackBand: '无' });
    expect(after.profile.breaches).toMatchObject([{ status: 'repaired', repairedOn: '2026-10-12' }]);
    expect(after.profile.points.history.map((e) => [e.date, e.why, e.points])).toEqual([
      ['2026-06-10', 'breach', 5],
      ['2026-10-12', 'repaired', -5],
    ]);
    expect(after.profile.commitments).toMatchObject([{ commitmentCode: codeNo(2), status: 'unverified', deadline: '2026-06-02', overdue: true }]);
  });

  test('a subject with nothing on record is eligible, and says so', async () => {
    const report = await readSubject(await seededState(RECORDS), subject(uscc('91230109MA1BCDG9')), TODAY);
    expect(report).toMatchObject({ eligibility: 'eligible', reasons: [], contributions: 0, points: { black: 0, red: 0 } });
    expect(formatSubject(report)).toContain('nothing on record for this subject');
  });
});

describe('formatSubject: compact sections for people', () => {
  test('a natural person: the answer, every reason, breaches, false commitments, commitments, points history, companies', async () => {
    const text = formatSubject(await readSubject(await seededState(RECORDS), subject(PERSON_ID, '身份证'), TODAY));
    expect(text.split('\n')[0]).toBe(`${maskResidentId(PERSON_ID)} (natural person) as of ${TODAY}: NOT eligible for 告知承诺`);
    expect(text).toContain('  black points 35 (警示), red points 0 (无)');
    for (const title of [
      'Reasons',
      'Breaches',
      'False commitments (虚假承诺)',
      'Commitments',
      'Points history',
      'As the responsible person (legal representative) of',
    ])
      expect(text).toContain(`\n\n${title}\n`);
    expect(text).toMatch(/^ {2}- seriousBreach \(notEligible\): an unrepaired 严重 \(serious\) breach 哈新市监罚〔2026〕61号/m);
    expect(text).toContain('record breach/hrbxq-enforcement/BR-1 · since 2026-06-10 · until repaired · repairable from 2027-06-11');
    expect(text).toMatch(new RegExp(`^ {2}${OTHER_COMPANY.name} +${OTHER_COMPANY.uscc} +5 +1$`, 'm'));
  });

  test('a company after its repair: no reasons section, the breach repaired, the commitment overdue', async () => {
    const text = formatSubject(await readSubject(await seededState(RECORDS), subject(COMPANY_USCC), TODAY));
    expect(text.split('\n')[0]).toBe(`${COMPANY_USCC} (organisation or individual business) as of ${TODAY}: eligible for 告知承诺`);
    expect(text).not.toContain('Reasons');
    expect(text).toContain('repaired 2026-10-12');
    expect(text).toMatch(new RegExp(`^ {2}${codeNo(2)} .*${APPROVAL}.* 2026-06-02 +unverified, OVERDUE`, 'm'));
    expect(text).not.toContain('As the responsible person');
  });
});

describe('personal data', () => {
  test('no identity number, name or digest of a natural person in the human output or in --json', async () => {
    const person = subject(PERSON_ID, '身份证');
    const report = await readSubject(await seededState(RECORDS), person, TODAY);
    for (const output of [JSON.stringify(report), formatSubject(report)]) {
      expect(output).not.toContain(PERSON_ID);
      expect(output).not.toContain(PERSON_NAME);
      expect(output).not.toContain(person.digest);
      expect(output).toContain(maskResidentId(PERSON_ID));
    }
  });
});

describe('credex subject: usage errors (exit 2, before any exchange is asked)', () => {
  const invoke = async (...argv: string[]) => {
    let stdout = '';
    let stderr = '';
    const io = { stdin: Readable.from([]), stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, env: {} };
    const code = await run(argv, io);
    return { code, stdout, stderr };
  };

  test('a code that is not a USCC: the reason, by position', async () => {
    const { code, stdout, stderr } = await invoke('subject', 'NOT-A-CODE', '--stage', 'prod');
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toContain('error: <code>: must be 18 characters (found 10)');
  });

  test('an identity number without --id-type: says which option to give, never repeats the number', async () => {
    const { code, stderr } = await invoke('subject', PERSON_ID, '--stage', 'prod');
    expect(code).toBe(2);
    expect(stderr).toContain('give --id-type 身份证');
    expect(stderr).not.toContain(PERSON_ID);
  });

  test('a 身份证 number that fails its check character', async () => {
    const broken = `${PERSON_ID.slice(0, 17)}${PERSON_ID.endsWith('1') ? '2' : '1'}`;
    const { code, stderr } = await invoke('subject', broken, '--id-type', '身份证', '--stage', 'prod');
    expect(code).toBe(2);
    expect(stderr).toContain('check character (18th) does not match');
    expect(stderr).not.toContain(broken);
  });

  test('an unknown document type and a day that does not exist are usage errors', async () => {
    expect((await invoke('subject', PERSON_ID, '--id-type', 'passport', '--stage', 'prod')).code).toBe(2);
    const { code, stderr } = await invoke('subject', COMPANY_USCC, '--as-of', '2026-02-30', '--stage', 'prod');
    expect(code).toBe(2);
    expect(stderr).toContain('--as-of: expected a day YYYY-MM-DD; found "2026-02-30"');
  });

  test('--help documents every option and the --json shape', async () => {
    const { code, stdout } = await invoke('subject', '--help');
    expect(code).toBe(0);
    for (const text of ['--id-type <type>', '--as-of <day>', '--json', 'JSON (--json), one object:', 'asResponsiblePerson', 'history: [{date, colour'])
      expect(stdout).toContain(text);
  });
});
