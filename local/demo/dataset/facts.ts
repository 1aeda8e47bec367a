/**
 * The dataset's facts (DemoFacts): what the generated records add up to — populations, commitments
 * kept and broken, breaches by tier, repairs, the awkward cases — counted from the records
 * themselves, for the demo's summary and the tests.
 */
import { publicationOf } from '../../../functions/shared/records/publication.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { DEPARTMENTS, LICENSING_ITEMS } from '../catalogue.js';
import type { Breach, Commitment, Entity, Json } from './model.js';
import type { DemoFacts, Severity } from './types.js';

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
  };
}
