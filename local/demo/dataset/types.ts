/**
 * The demo dataset's public types and constants: what a submission, the dataset and its facts look
 * like, the options that fix a dataset, and the kinds of invalid submission it contains. Re-exported
 * unchanged by local/demo/dataset.ts, which importers use.
 */
import type { SeverityTier } from '../../../functions/shared/records/publication.js';

export const DEFAULT_TODAY = '2026-11-28';

export type Channel = 'ingest' | 'queue' | 'feed';
export type Expectation = 'accepted' | 'invalid' | 'duplicate' | 'superseded';
export type Severity = SeverityTier;
export type VerificationResult = '全部履行' | '部分履行' | '全部未履行' | '虚假承诺';
export const VERIFICATION_RESULTS: readonly VerificationResult[] = ['全部履行', '部分履行', '全部未履行', '虚假承诺'];

/**
 * The phase a submission belongs to. A runner sends the waves in turn and starts a wave only once
 * every submission of the one before is accounted for (accepted, quarantined, duplicate or
 * superseded — pulled from the feed too): the intake queue is consumed by several invocations at
 * once and the feed is pulled on a timer, so order within a wave is no promise across records.
 *
 *  1. the licensing-item list: every commitment naming an item is checked against it;
 *  2. everything else, in time order with the awkward cases slotted in;
 *  3. what must be checked against a record of wave 2 that travels another way: the commitment of
 *     the ineligible subject (scenario a), made after the province's breach, which is pulled from the
 *     feed — only once that breach is accepted is the commitment's subject notEligible.
 */
export type Wave = 1 | 2 | 3;
export const WAVES: readonly Wave[] = [1, 2, 3];

/** Why an invalid submission is invalid: one kind of defect each. */
export const INVALID_REASONS = ['uscc-check', 'missing-field', 'malformed-json', 'unknown-source', 'date-order', 'licensing-item'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

/**
 * How the intake quarantines each kind of invalid submission: its quarantine reason and, for a
 * record refused by a rule, the rule its errors name. 'licensing-item': a schema-valid commitment
 * whose item is not on the list in force on its commitment date, or does not allow its type — only
 * the list (wave 1) refuses it.
 */
export const QUARANTINE_OF: Readonly<Record<InvalidReason, { reason: 'invalid' | 'malformed' | 'unknownSource'; rule?: string }>> = {
  'uscc-check': { reason: 'invalid', rule: 'format:uscc' },
  'missing-field': { reason: 'invalid', rule: 'required' },
  'malformed-json': { reason: 'malformed' },
  'unknown-source': { reason: 'unknownSource' },
  'date-order': { reason: 'invalid', rule: 'dateOrder' },
  'licensing-item': { reason: 'invalid', rule: 'licensingItem' },
};

export interface DemoSubmission {
  /** Position in submission order, from 1 (out-of-order revisions appear in the wrong order here on purpose). */
  seq: number;
  /**
   * How it enters: 'ingest' = signed HTTP push by the upstream in `upstreamId` (allowed for that
   * source and record type by topology/upstreams.ts); 'queue' = sent straight to the intake queue (a
   * department system with AWS access: sources or record types no upstream may push, and malformed
   * text); 'feed' = served by the provincial breach feed and pulled (source hlj-credit-platform).
   */
  channel: Channel;
  upstreamId?: string;
  /** The exact body text to submit (JSON of the record, or deliberately malformed text). */
  body: string;
  /** The record object, when body is JSON of one (its own copy: JSON.parse(body)). */
  record?: Record<string, unknown>;
  /** What the pipeline should do with it. */
  expect: Expectation;
  /** For invalid ones: which defect (INVALID_REASONS). */
  reason?: InvalidReason;
  /**
   * The phase it is sent in (Wave): a runner waits for a wave to settle before the next. The demo
   * dataset always states it; a hand-made submission without it belongs to wave 2.
   */
  wave?: Wave;
}

export interface DemoFacts {
  licensingItems: number;
  departments: number;
  /** Market entities with commitments: enterprises and individual businesses. */
  enterprises: number;
  /** Commitments made for licensing items (the reform's commitments); credit-repair commitments are counted apart. */
  commitments: number;
  /** Broken and penalised commitments (a breach names each). */
  brokenCommitments: number;
  /** Penalties the district shares (source hrbxq-enforcement): broken commitments and other violations. */
  breaches: number;
  breachesBySeverity: Record<Severity, number>;
  /** 轻微 breaches the department decided to publish (the others are shared, not published). */
  publishedMinorBreaches: number;
  /** Publications whose last day is the dataset's today: the next day the expiry sweep ends them. */
  publicationsEndingToday: number;
  /** Non-penalty decisions (不予行政处罚): kept, never shared. */
  nonPenalties: number;
  /** Of them, first-offence exemptions (首违不罚). */
  firstOffenceExemptions: number;
  repairs: number;
  inboundBreaches: number;
  invalid: number;
  duplicates: number;
  /** Older revisions submitted after a newer one of the same record (expect 'superseded'). */
  outOfOrder: number;
  /** Commitments whose fulfilment was determined (verified): kept or broken. */
  verified: number;
  /** Kept ÷ verified, 0..1 (the reform reported 98 %). */
  commitmentKeepingRate: number;
  /** Beyond the brief's list: */
  individualBusinesses: number;
  naturalPersons: number;
  /** 信用修复型 commitments made to obtain an approved repair (source hrb-credit-repair). */
  repairCommitments: number;
  /** Commitments that got a revision stating their fulfilment (kept or not). */
  fulfilmentUpdates: number;
  /** Licences cancelled at the holder's request: a status change (an upsert), off the public column. */
  cancellations: number;
  /** Commitments retracted as entered in error (operation withdraw). */
  withdrawals: number;
  submissions: number;
  /** brokenCommitments / commitments (above 2 % at small scale, where each tier still appears once). */
  breachRate: number;
  // ---- the licensing-item list, verifications and the credit check
  /** licensingItem records pushed (wave 1): the whole list, one per catalogue item. */
  licensingItemsPushed: number;
  /** Of them, the items in force on the dataset's today (the others were taken off the list). */
  licensingItemsInForce: number;
  /** Submissions per wave (Wave). */
  submissionsByWave: Record<Wave, number>;
  /** Verification records (承诺核查, source hrbxq-approval), by result. */
  verifications: number;
  verificationsByResult: Record<VerificationResult, number>;
  /**
   * Commitments that name an item, are not withdrawn and were never verified, whose fulfilment
   * deadline (commitmentDate + the item's commitmentTimeLimitDays) is before the dataset's today:
   * what `credex overdue` lists on that day.
   */
  overdueCommitments: number;
  /** Never verified, the deadline today or later: not due yet. */
  notYetDueCommitments: number;
  /**
   * Codes of the commitments intake flags (accepted, not refused): 告知承诺 commitments whose subject
   * was notEligible on the commitment date, by the records' dates — the ineligible subject's
   * (scenario a). A credit-repair commitment (信用修复型) made while the 严重 breach it leads out of is
   * still open is not flagged: it is the way out, not a licence.
   */
  flaggedCommitments: string[];
  /** Commitments refused for their licensing item (INVALID_REASONS 'licensing-item'; counted in invalid too). */
  refusedForLicensingItem: number;
  /** The subjects the credit check must show, by scenario. */
  scenarios: DemoScenarios;
}

export type Eligibility = 'eligible' | 'eligibleWithConditions' | 'notEligible';

/**
 * The scenarios of the credit check, found by tests and the summary. Only organisations' codes,
 * record ids and commitment codes: a person appears by a label, never by a name or identity number.
 */
export interface DemoScenarios {
  /**
   * (a) A district company with an unrepaired 严重 breach pulled from the province, which later
   * made a commitment (wave 3): notEligible on that day, the commitment flagged.
   */
  ineligible: {
    uscc: string;
    feedBreachRecordId: string;
    breachDecisionDate: string;
    commitmentCode: string;
    commitmentRecordId: string;
    commitmentDate: string;
    eligibility: Eligibility;
  };
  /**
   * (b) A 严重 penalty of the district (not about a commitment) decided over a year ago and
   * repaired (outcome 同意): notEligible until the repair, eligible again today with no black points
   * counting. Absent only when no company's commitments were old enough (a tiny scale).
   */
  repaired?: {
    uscc: string;
    breachRecordId: string;
    severity: Severity;
    breachDecisionDate: string;
    repairRecordId: string;
    repairDecisionDate: string;
    eligibility: Eligibility;
    /** Black points counting today (the repaired breach's no longer do). */
    blackPoints: number;
  };
  /** (c) Red points: subjects with a commitment verified kept (全部履行), and the one with most. */
  redPoints: { subjects: number; example: { uscc: string; keptCommitments: number; redPoints: number } };
  /**
   * (d) A responsible person: the legal representative (the same identity document) of two
   * companies that both have breaches, neither repaired: his black points add up across them.
   */
  responsiblePerson: { label: string; companies: string[]; breachRecordIds: string[]; blackPoints: number };
  /**
   * A false commitment (verification 虚假承诺) followed by its breach (brokenCommitmentCode),
   * not repaired: the subject is notEligible until that breach is.
   */
  falseCommitment: { uscc: string; commitmentCode: string; verificationRecordId: string; breachRecordId: string; eligibility: Eligibility };
  /** (e) Commitments refused for their item: not in force on the commitment date, or not allowing the type. */
  refused: Array<{ recordId: string; commitmentCode: string; itemCode: string; why: 'notInForce' | 'typeNotAllowed' }>;
}

export interface DemoDataset {
  seed: number;
  scale: number;
  today: string;
  submissions: DemoSubmission[];
  facts: DemoFacts;
}

export interface DemoOptions {
  seed: number;
  /** Multiplies enterprises, commitments and everything proportional to them (default 1). */
  scale?: number;
  /**
   * The day the dataset is generated for, YYYY-MM-DD (default 2026-11-28), 2026-02-01 or later (the
   * list's last change is an item taken off at the end of 2025): every decision lies before it.
   */
  today?: string;
}
