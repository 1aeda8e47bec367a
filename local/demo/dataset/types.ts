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

/** Why an invalid submission is invalid: one kind of defect each. */
export const INVALID_REASONS = ['uscc-check', 'missing-field', 'malformed-json', 'unknown-source', 'date-order'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

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
  /** The day the dataset is generated for, YYYY-MM-DD (default 2026-11-28): every decision lies before it. */
  today?: string;
}
