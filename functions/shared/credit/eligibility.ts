/**
 * May a subject use 告知承诺 (notify and commit) now, and why — read off its credit profile
 * (./profile.ts). The rules (docs/credit-check.md, with their sources):
 *
 *  - notEligible: an open 严重 (serious) breach from any platform — "有较严重的不良信用记录…在信用
 *    修复前不适用告知承诺制" (国办发〔2020〕42号) — until it is repaired; a false commitment (虚假承诺)
 *    found at verification, until the breach that punished it is repaired (same source); black
 *    points in the policy's refusal band (the district's scheme);
 *  - eligibleWithConditions: an open 一般 (general) breach — whether it is "较严重" is for the
 *    province to settle, so the approver is told and decides; a commitment found not kept whose
 *    points still count; black points in the policy's conditions band (raised thresholds);
 *  - eligible otherwise. 轻微 breaches are listed in the profile but are no reason.
 *
 * Every reason names its record, rule, platform and until when. Pure.
 */
import { BLACK_BANDS, type CreditPolicy } from '../../../topology/credit-policy.js';
import type { RecordRef } from '../state/keys.js';
import type { CreditProfile } from './profile.js';
import type { Eligibility, Origin } from './types.js';

export type EligibilityRule = 'seriousBreach' | 'falseCommitment' | 'blackPoints' | 'generalBreach' | 'brokenCommitment';

export interface EligibilityReason {
  rule: EligibilityRule;
  /** What this reason alone makes of the subject. */
  effect: Exclude<Eligibility, 'eligible'>;
  message: string;
  /** The record behind it (none for a points band). */
  record?: RecordRef;
  /** The platform the record came from. */
  origin?: Origin;
  /** Since when it holds. */
  since?: string;
  /** Until when: a day, or 'repaired' when it holds until the record is repaired. */
  until: string;
  /** For a breach: the first day its repair may be granted. */
  repairableFrom?: string;
  /** Where the rule comes from. */
  basis: string;
}

export interface EligibilityAnswer {
  eligibility: Eligibility;
  reasons: EligibilityReason[];
}

const GUIDELINE_42 = '国办发〔2020〕42号';
const DISTRICT_SCHEME = 'the district red/black points scheme (topology/credit-policy.ts; illustrative thresholds)';
const PLATFORM: Record<Origin, string> = { district: 'the district platform', province: 'the provincial credit platform' };

export function eligibilityOf(profile: CreditProfile, policy: CreditPolicy): EligibilityAnswer {
  const reasons: EligibilityReason[] = [];
  for (const b of profile.breaches.filter((x) => x.status === 'open' && x.severity !== '轻微')) {
    const serious = b.severity === '严重';
    reasons.push({
      rule: serious ? 'seriousBreach' : 'generalBreach',
      effect: serious ? 'notEligible' : 'eligibleWithConditions',
      message: serious
        ? `an unrepaired 严重 (serious) breach ${b.decisionNumber} of ${b.decisionDate} by ${b.authority}, from ${PLATFORM[b.origin]}: no 告知承诺 until it is repaired (repair may be granted from ${b.repairableFrom})`
        : `an unrepaired 一般 (general) breach ${b.decisionNumber} of ${b.decisionDate} by ${b.authority}, from ${PLATFORM[b.origin]}: the approver decides whether it is a 较严重 record (repair may be granted from ${b.repairableFrom})`,
      record: b.record,
      origin: b.origin,
      since: b.decisionDate,
      until: 'repaired',
      repairableFrom: b.repairableFrom,
      basis: serious ? GUIDELINE_42 : `${GUIDELINE_42} ("较严重的不良信用记录": which tiers it covers is for the province to confirm)`,
    });
  }
  for (const f of profile.falseCommitments.filter((x) => x.clearedOn === undefined)) {
    reasons.push({
      rule: 'falseCommitment',
      effect: 'notEligible',
      message: f.followUpBreach
        ? `a false commitment (${f.commitmentCode}) found by ${f.determiningUnit} on ${f.verifiedOn}: no 告知承诺 until its breach ${f.followUpBreach.recordId} is repaired`
        : `a false commitment (${f.commitmentCode}) found by ${f.determiningUnit} on ${f.verifiedOn}: no 告知承诺 until the breach that punishes it is decided and repaired (none is here yet)`,
      record: f.verification,
      origin: f.origin,
      since: f.verifiedOn,
      until: 'repaired',
      basis: GUIDELINE_42,
    });
  }
  for (const c of profile.commitments.filter((x) => x.status === 'notKept' && x.verification !== undefined)) {
    reasons.push({
      rule: 'brokenCommitment',
      effect: 'eligibleWithConditions',
      message: `commitment ${c.commitmentCode} was found not kept on ${c.verifiedOn ?? '?'}${c.rectificationDeadline ? `; rectification due by ${c.rectificationDeadline}` : ''}`,
      record: c.verification!,
      since: c.verifiedOn ?? c.commitmentDate,
      until: c.rectificationDeadline ?? 'repaired',
      basis: DISTRICT_SCHEME,
    });
  }
  const band = BLACK_BANDS.indexOf(profile.points.blackBand);
  const refusedFrom = BLACK_BANDS.indexOf(policy.eligibility.notEligibleFromBand);
  const conditionsFrom = BLACK_BANDS.indexOf(policy.eligibility.conditionsFromBand);
  if (band >= conditionsFrom) {
    const refused = band >= refusedFrom;
    reasons.push({
      rule: 'blackPoints',
      effect: refused ? 'notEligible' : 'eligibleWithConditions',
      message: `${profile.points.black} black points (band ${profile.points.blackBand}): ${refused ? 'refused' : 'raised thresholds'} under the district scheme`,
      until: 'the points stop counting or are repaired',
      basis: DISTRICT_SCHEME,
    });
  }
  const eligibility: Eligibility = reasons.some((r) => r.effect === 'notEligible') ? 'notEligible' : reasons.length > 0 ? 'eligibleWithConditions' : 'eligible';
  return { eligibility, reasons };
}
