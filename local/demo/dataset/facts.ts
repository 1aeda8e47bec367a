/**
 * The dataset's facts (DemoFacts): what the generated records add up to — populations, commitments
 * kept and broken, breaches by tier, repairs, the awkward cases, the licensing-item list,
 * verifications, what is overdue and what the credit check should say of the scenario subjects —
 * counted from the records themselves, for the demo's summary and the tests. No identity number: a
 * responsible person is a label.
 */
import { publicationOf } from '../../../functions/shared/records/publication.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { DEPARTMENTS, LICENSING_ITEMS, inForce } from '../catalogue.js';
import { deadlineOf } from './commitments.js';
import { CreditModel, responsiblePersonKey, subjectKey } from './eligibility.js';
import type { Breach, Commitment, Entity, Json, Pending, ScenarioRecords } from './model.js';
import { VERIFICATION_RESULTS, WAVES, type DemoFacts, type DemoScenarios, type Severity, type VerificationResult, type Wave } from './types.js';

/** What each generator made (its records or its count), gathered by the assembler. */
export interface Made {
  today: string;
  entities: Entity[];
  commitments: Commitment[];
  broken: Breach[];
  others: Breach[];
  exemptions: Json[];
  fulfilmentUpdates: number;
  cancellations: number;
  withdrawals: number;
  repairs: number;
  repairCommitments: number;
  inbound: number;
  invalid: number;
  duplicates: number;
  outOfOrder: number;
  submissions: number;
  licensingItemsPushed: number;
  /** Every submission's record as queued, with its expectation and wave. */
  pending: readonly Pending[];
  scenarios: ScenarioRecords;
  submissionsByWave: Record<Wave, number>;
}

export function countFacts(made: Made): DemoFacts {
  const { entities, commitments, broken, others, exemptions } = made;
  const breaches = [...broken, ...others];
  const bySeverity: Record<Severity, number> = { 轻微: 0, 一般: 0, 严重: 0 };
  for (const b of breaches) bySeverity[b.severity]++;
  const count = (kind: Entity['kind']): number => entities.filter((e) => e.kind === kind).length;
  const latest = commitments.map((c) => c.revisions.at(-1)!).filter((r) => r['operation'] !== 'withdraw');
  const status = (r: Json) => (r['data'] as Json)['fulfilmentStatus'];
  const verified = latest.filter((r) => status(r) !== undefined);
  const kept = verified.filter((r) => status(r) === '全部履行').length;
  // what the sweep ends the next day: outbound publications whose last day is today
  const endingToday = [...latest, ...breaches.map((b) => b.record)].filter((r) => publicationOf(r as unknown as CreditRecord).until === made.today).length;
  return {
    licensingItems: LICENSING_ITEMS.length,
    departments: DEPARTMENTS.length,
    enterprises: count('enterprise') + count('individual'),
    commitments: commitments.length,
    brokenCommitments: broken.length,
    breaches: breaches.length,
    breachesBySeverity: bySeverity,
    publishedMinorBreaches: others.filter((b) => (b.record['data'] as Json)['publicationRequested'] === true).length,
    publicationsEndingToday: endingToday,
    nonPenalties: exemptions.length,
    firstOffenceExemptions: exemptions.length,
    repairs: made.repairs,
    inboundBreaches: made.inbound,
    invalid: made.invalid,
    duplicates: made.duplicates,
    outOfOrder: made.outOfOrder,
    verified: verified.length,
    commitmentKeepingRate: verified.length === 0 ? 1 : kept / verified.length,
    individualBusinesses: count('individual'),
    naturalPersons: count('person'),
    repairCommitments: made.repairCommitments,
    fulfilmentUpdates: made.fulfilmentUpdates,
    cancellations: made.cancellations,
    withdrawals: made.withdrawals,
    submissions: made.submissions,
    breachRate: broken.length / commitments.length,
    ...creditFacts(made),
  };
}

const dataOf = (record: Json): Json => record['data'] as Json;
const usccOf = (party: unknown): string => String((party as Json)['uscc']);

/** The list, the verifications, what is overdue, and the credit check's scenarios. */
function creditFacts(
  made: Made,
): Pick<
  DemoFacts,
  | 'licensingItemsPushed'
  | 'licensingItemsInForce'
  | 'submissionsByWave'
  | 'verifications'
  | 'verificationsByResult'
  | 'overdueCommitments'
  | 'notYetDueCommitments'
  | 'flaggedCommitments'
  | 'refusedForLicensingItem'
  | 'scenarios'
> {
  const { today, commitments, scenarios: s } = made;
  const accepted = made.pending.filter((p) => p.expect === 'accepted' && p.record).map((p) => p.record!);
  const model = new CreditModel(accepted);
  const verifications = accepted.filter((r) => r['recordType'] === 'verification');
  const byResult = Object.fromEntries(VERIFICATION_RESULTS.map((r) => [r, 0])) as Record<VerificationResult, number>;
  for (const v of verifications) byResult[dataOf(v)['result'] as VerificationResult]++;
  const unverified = commitments.filter((c) => !c.withdrawn && !c.verification);
  const flagged = model.flagged();
  return {
    licensingItemsPushed: made.licensingItemsPushed,
    licensingItemsInForce: LICENSING_ITEMS.filter((i) => inForce(i, today)).length,
    submissionsByWave: Object.fromEntries(WAVES.map((w) => [w, made.submissionsByWave[w] ?? 0])) as Record<Wave, number>,
    verifications: verifications.length,
    verificationsByResult: byResult,
    overdueCommitments: unverified.filter((c) => deadlineOf(c) < today).length,
    notYetDueCommitments: unverified.filter((c) => deadlineOf(c) >= today).length,
    flaggedCommitments: flagged.map((f) => f.code),
    refusedForLicensingItem: s.refused.length,
    scenarios: scenarioFacts(made, model, verifications),
  };
}

function scenarioFacts(made: Made, model: CreditModel, verifications: Json[]): DemoScenarios {
  const { today, scenarios: s } = made;
  const subject = (party: unknown): string => subjectKey(party) ?? '';
  const { entity, breach, commitment } = s.ineligible!;
  const falseBreach = s.falseCommitment!;
  const falseCommitment = falseBreach.commitment!;

  // red points: subjects with a commitment verified kept; the example the company with most counting today
  const kept = new Map<string, { party: Json; count: number }>();
  for (const v of verifications.filter((r) => dataOf(r)['result'] === '全部履行')) {
    const party = dataOf(v)['party'] as Json;
    const held = kept.get(subject(party)) ?? { party, count: 0 };
    kept.set(subject(party), { party, count: held.count + 1 });
  }
  const companies = [...kept.values()]
    .filter((k) => k.party['category'] === '法人及非法人组织')
    .map((k) => ({ ...k, red: model.redPoints(subject(k.party), today) }));
  const example = companies.reduce((best, k) => (k.red > best.red || (k.red === best.red && k.count > best.count) ? k : best), companies[0]!);

  const person = s.responsiblePerson.map((b) => responsiblePersonKey(dataOf(b.record)['party'])).find((k) => k !== undefined) ?? '';
  const repaired = s.repaired?.repair && s.repaired;
  return {
    ineligible: {
      uscc: usccOf(entity.party),
      feedBreachRecordId: String(breach['recordId']),
      breachDecisionDate: String(dataOf(breach)['decisionDate']),
      commitmentCode: commitment.code,
      commitmentRecordId: commitment.recordId,
      commitmentDate: commitment.date,
      eligibility: model.eligibility(subject(entity.party), commitment.date),
    },
    ...(repaired && {
      repaired: {
        uscc: usccOf(dataOf(repaired.record)['party']),
        breachRecordId: String(repaired.record['recordId']),
        severity: repaired.severity,
        breachDecisionDate: repaired.decisionDate,
        repairRecordId: String(repaired.repair!['recordId']),
        repairDecisionDate: String(dataOf(repaired.repair!)['decisionDate']),
        eligibility: model.eligibility(subject(dataOf(repaired.record)['party']), today),
        blackPoints: model.blackPoints(subject(dataOf(repaired.record)['party']), today),
      },
    }),
    redPoints: {
      subjects: kept.size,
      example: { uscc: usccOf(example.party), keptCommitments: example.count, redPoints: example.red },
    },
    responsiblePerson: {
      label: '两家企业的法定代表人（示例）',
      companies: s.responsiblePerson.map((b) => usccOf(dataOf(b.record)['party'])),
      breachRecordIds: s.responsiblePerson.map((b) => String(b.record['recordId'])),
      blackPoints: model.responsiblePersonPoints(person, today),
    },
    falseCommitment: {
      uscc: usccOf(falseCommitment.entity.party),
      commitmentCode: falseCommitment.code,
      verificationRecordId: String(falseCommitment.verification!['recordId']),
      breachRecordId: String(falseBreach.record['recordId']),
      eligibility: model.eligibility(subject(falseCommitment.entity.party), today),
    },
    refused: s.refused.map(({ commitment: c, why }) => ({ recordId: c.recordId, commitmentCode: c.code, itemCode: c.item.code, why })),
  };
}
