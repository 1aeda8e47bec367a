import { creditPolicy } from '../../../topology/credit-policy.js';
import { contributionsOf, responsiblePersonOf } from '../../../functions/shared/credit/contributions.js';
import { eligibilityOf } from '../../../functions/shared/credit/eligibility.js';
import { creditProfile } from '../../../functions/shared/credit/profile.js';
import type { CreditContribution, Origin } from '../../../functions/shared/credit/types.js';
import { subjectDigest, subjectOf } from '../../../functions/shared/records/subject.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { breach, commitment, COMPANY_USCC, repair, residentId, uscc } from '../../support/records.js';

const asRecord = (r: Record<string, unknown>) => r as unknown as CreditRecord;
const COMPANY = subjectDigest(subjectOf({ category: '法人及非法人组织', uscc: COMPANY_USCC })!);
const REP_ID = residentId('230103', '19800101', '123');
const party = (code = COMPANY_USCC, name = '哈尔滨新区松北餐饮管理有限公司') => ({
  name,
  category: '法人及非法人组织',
  uscc: code,
  legalRepresentative: '王建国',
  legalRepIdType: '身份证',
  legalRepIdNumber: REP_ID,
});

/** The contributions a set of records makes, keyed as the state keeps them: the latest revision per record and role. */
function contributions(records: Array<{ record: Record<string, unknown>; origin?: Origin }>, digest: string): CreditContribution[] {
  const kept = new Map<string, CreditContribution>();
  for (const { record, origin } of records) {
    for (const c of contributionsOf(asRecord(record), origin ?? 'district')) {
      if (c.subjectDigest !== digest) continue;
      const key = `${c.contribution.role}#${c.contribution.ref.recordType}#${c.contribution.ref.source}#${c.contribution.ref.recordId}`;
      const prior = kept.get(key);
      if (!prior || prior.revision <= c.contribution.revision) kept.set(key, c.contribution);
    }
  }
  return [...kept.values()];
}

const serious = (over: Record<string, unknown> = {}) =>
  breach({ recordId: 'PROV-SX-1', source: 'hlj-credit-platform', ...over }, { severity: '严重', blackPoints: 20, decisionDate: '2026-01-10', party: party() });
const approvedRepair = (over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) =>
  repair(
    { recordId: 'XF-1', ...over },
    {
      breachRecordId: 'PROV-SX-1',
      breachSource: 'hlj-credit-platform',
      severity: '严重',
      party: party(),
      outcome: '同意',
      decisionDate: '2027-02-01',
      ...data,
    },
  );
const verification = (result: string, over: Record<string, unknown> = {}, data: Record<string, unknown> = {}) => ({
  schemaVersion: '2.0',
  recordType: 'verification',
  recordId: 'HC-1',
  revision: 1,
  operation: 'upsert',
  source: 'hrbxq-approval',
  occurredAt: '2026-06-01T10:00:00+08:00',
  data: {
    commitmentCode: '23010920260302000123',
    party: party(),
    verificationDate: '2026-06-01',
    method: '现场核查',
    result,
    findings: '现场核查情况',
    determiningUnit: '哈尔滨新区市场监督管理局',
    determiningUnitUscc: uscc('11230100MB012345'),
    ...data,
  },
  ...over,
});

describe('the credit profile', () => {
  it('counts an open 严重 breach from the province: notEligible until repaired, its black points counting', () => {
    const profile = creditProfile(contributions([{ record: serious(), origin: 'province' }], COMPANY), '2026-12-07', creditPolicy);
    expect(profile.openBreaches).toEqual({ byTier: { 轻微: 0, 一般: 0, 严重: 1 }, byOrigin: { district: 0, province: 1 } });
    expect(profile.points.black).toBe(20);
    const answer = eligibilityOf(profile, creditPolicy);
    expect(answer.eligibility).toBe('notEligible');
    expect(answer.reasons).toEqual([
      expect.objectContaining({
        rule: 'seriousBreach',
        origin: 'province',
        until: 'repaired',
        repairableFrom: '2027-01-11',
        record: expect.objectContaining({ recordId: 'PROV-SX-1' }),
      }),
      // 20 points are in the 警示 band: a reason of its own
      expect.objectContaining({ rule: 'blackPoints', effect: 'eligibleWithConditions' }),
    ]);
  });

  it('a repair makes the subject eligible again and takes the points back on its decision date', () => {
    const records = [{ record: serious(), origin: 'province' as const }, { record: approvedRepair() }];
    const before = creditProfile(contributions(records, COMPANY), '2027-01-31', creditPolicy);
    const after = creditProfile(contributions(records, COMPANY), '2027-02-01', creditPolicy);
    expect(eligibilityOf(before, creditPolicy).eligibility).toBe('notEligible');
    expect(eligibilityOf(after, creditPolicy).eligibility).toBe('eligible');
    expect(after.points.black).toBe(0);
    expect(after.repairedBreaches).toBe(1);
    expect(after.points.history.map((e) => [e.date, e.points, e.why])).toEqual([
      ['2026-01-10', 20, 'breach'],
      ['2027-02-01', -20, 'repaired'],
    ]);
  });

  it('a repair that arrives before its breach still repairs it; a refused or withdrawn repair does not', () => {
    const order1 = contributions([{ record: approvedRepair() }, { record: serious(), origin: 'province' }], COMPANY);
    expect(eligibilityOf(creditProfile(order1, '2027-03-01', creditPolicy), creditPolicy).eligibility).toBe('eligible');
    const refused = contributions(
      [{ record: serious(), origin: 'province' }, { record: approvedRepair({}, { outcome: '不同意', outcomeReason: '未履行义务' }) }],
      COMPANY,
    );
    expect(eligibilityOf(creditProfile(refused, '2027-03-01', creditPolicy), creditPolicy).eligibility).toBe('notEligible');
    const withdrawn = contributions(
      [{ record: serious(), origin: 'province' }, { record: approvedRepair() }, { record: approvedRepair({ revision: 2, operation: 'withdraw' }) }],
      COMPANY,
    );
    expect(eligibilityOf(creditProfile(withdrawn, '2027-03-01', creditPolicy), creditPolicy).eligibility).toBe('notEligible');
  });

  it('a withdrawn breach counts for nothing, whatever order its revisions came in', () => {
    const late = contributions([{ record: serious({ revision: 2, operation: 'withdraw' }) }, { record: serious() }], COMPANY);
    const profile = creditProfile(late, '2026-12-07', creditPolicy);
    expect(profile.breaches).toEqual([]);
    expect(profile.points.black).toBe(0);
  });

  it('black points stop counting after the policy months', () => {
    const c = contributions([{ record: serious() }], COMPANY);
    expect(creditProfile(c, '2029-01-10', creditPolicy).points.black).toBe(20);
    const later = creditProfile(c, '2029-01-11', creditPolicy);
    expect(later.points.black).toBe(0);
    expect(later.points.history.at(-1)).toEqual(expect.objectContaining({ date: '2029-01-10', points: -20, why: 'expired' }));
    // the breach itself still counts until repaired (Order 36 art. 3 ties 停止共享和使用 to repair)
    expect(eligibilityOf(later, creditPolicy).eligibility).toBe('notEligible');
  });

  it('an open 一般 breach gives conditions, a 轻微 one nothing', () => {
    const general = contributions([{ record: breach({}, { party: party(), severity: '一般', blackPoints: 5 }) }], COMPANY);
    expect(eligibilityOf(creditProfile(general, '2026-12-07', creditPolicy), creditPolicy)).toEqual({
      eligibility: 'eligibleWithConditions',
      reasons: [expect.objectContaining({ rule: 'generalBreach', effect: 'eligibleWithConditions' })],
    });
    const minor = contributions([{ record: breach({}, { party: party(), severity: '轻微', blackPoints: 1 }) }], COMPANY);
    expect(eligibilityOf(creditProfile(minor, '2026-12-07', creditPolicy), creditPolicy).eligibility).toBe('eligible');
  });

  it('a false commitment refuses until its follow-up breach is repaired', () => {
    const falseOne = { record: verification('虚假承诺') };
    const followUp = {
      record: breach(
        { recordId: 'SX-FALSE' },
        { party: party(), severity: '一般', blackPoints: 5, decisionDate: '2026-06-20', brokenCommitmentCode: '23010920260302000123' },
      ),
    };
    const alone = creditProfile(contributions([falseOne], COMPANY), '2026-12-07', creditPolicy);
    expect(eligibilityOf(alone, creditPolicy).reasons.map((r) => [r.rule, r.effect])).toEqual([
      ['falseCommitment', 'notEligible'],
      ['blackPoints', 'eligibleWithConditions'],
    ]);
    expect(alone.points.black).toBe(creditPolicy.black.falseCommitment);
    const repaired = {
      record: repair(
        { recordId: 'XF-FALSE' },
        { breachRecordId: 'SX-FALSE', party: party(), severity: '一般', breachDecisionDate: '2026-06-20', outcome: '同意', decisionDate: '2026-10-01' },
      ),
    };
    const cleared = creditProfile(contributions([falseOne, followUp, repaired], COMPANY), '2026-12-07', creditPolicy);
    expect(cleared.falseCommitments).toEqual([expect.objectContaining({ commitmentCode: '23010920260302000123', clearedOn: '2026-10-01' })]);
    expect(eligibilityOf(cleared, creditPolicy).eligibility).toBe('eligible');
    expect(cleared.points.black).toBe(0);
  });

  it('a kept commitment gives red points; the latest verification decides the status', () => {
    const c = commitment({}, { party: party(), fulfilmentDeadline: '2026-06-01' });
    const kept = creditProfile(contributions([{ record: c }, { record: verification('全部履行') }], COMPANY), '2026-12-07', creditPolicy);
    expect(kept.commitmentCounts).toEqual(expect.objectContaining({ kept: 1, unverified: 0, overdue: 0 }));
    expect(kept.points).toEqual(expect.objectContaining({ red: 2, redBand: '守信', black: 0 }));
    const reverified = creditProfile(
      contributions(
        [
          { record: c },
          { record: verification('全部未履行', { recordId: 'HC-0' }, { verificationDate: '2026-05-01', rectificationDeadline: '2026-05-20' }) },
          { record: verification('全部履行') },
        ],
        COMPANY,
      ),
      '2026-12-07',
      creditPolicy,
    );
    expect(reverified.commitments[0]?.status).toBe('kept');
    const unverified = creditProfile(contributions([{ record: c }], COMPANY), '2026-06-02', creditPolicy);
    expect(unverified.commitmentCounts).toEqual(expect.objectContaining({ unverified: 1, overdue: 1 }));
    expect(creditProfile(contributions([{ record: c }], COMPANY), '2026-06-01', creditPolicy).commitmentCounts.overdue).toBe(0);
  });

  it('a responsible person carries the black points of the two companies he represents', () => {
    const other = uscc('91230109MA1XYZ02');
    const records = [
      { record: breach({ recordId: 'A' }, { party: party(), severity: '一般', blackPoints: 5 }) },
      {
        record: breach(
          { recordId: 'B' },
          { party: party(other, '哈尔滨新区另一家公司'), severity: '严重', blackPoints: 20, decisionNumber: '哈新罚〔2026〕9号' },
        ),
      },
    ];
    const person = responsiblePersonOf(party())!;
    expect(responsiblePersonOf(party(other))).toBe(person);
    const profile = creditProfile(contributions(records, person), '2026-12-07', creditPolicy);
    expect(profile.points.black).toBe(25);
    expect(profile.asResponsiblePerson.map((c) => [c.company.uscc, c.blackPoints, c.openBreaches])).toEqual([
      [other, 20, 1],
      [COMPANY_USCC, 5, 1],
    ]);
    // the person's own breaches are none: the companies' breaches are theirs
    expect(profile.breaches).toEqual([]);
    expect(eligibilityOf(profile, creditPolicy)).toEqual({
      eligibility: 'eligibleWithConditions',
      reasons: [expect.objectContaining({ rule: 'blackPoints' })],
    });
    // no identity number is kept in a contribution
    expect(JSON.stringify(contributions(records, person))).not.toContain(REP_ID);
  });

  it('is the same whatever order the records come in', () => {
    const records = [
      { record: serious(), origin: 'province' as const },
      { record: approvedRepair() },
      { record: verification('全部履行') },
      { record: commitment({}, { party: party() }) },
    ];
    const forward = creditProfile(contributions(records, COMPANY), '2027-03-01', creditPolicy);
    const backward = creditProfile(contributions([...records].reverse(), COMPANY), '2027-03-01', creditPolicy);
    expect(backward).toEqual(forward);
  });
});
