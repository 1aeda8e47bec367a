/**
 * The generator's fixed plan: populations at scale 1 and the shares kept at every scale, the gaps
 * that keep resent and delayed submissions out of the batch they follow, and the record sources the
 * demo's records come from. No randomness here.
 */
import { FEED } from '../../../topology/names.js';

/** Populations at scale 1 and the shares the generator keeps at every scale. */
export const PLAN = {
  enterprises: 108,
  individualBusinesses: 6,
  naturalPersons: 2,
  /** Enterprises that made a second commitment (another item). */
  secondCommitmentShare: 0.2,
  /** The reform reported 98 % of commitments kept. */
  breachRate: 0.02,
  tierShares: { 严重: 0.2, 一般: 0.4 }, // the rest 轻微
  /** Violations found at verification and not punished (首违不罚), of commitments, at least one. */
  firstOffenceShare: 0.008,
  /** Other penalties of the district (not about a commitment), mostly 轻微 — dishonesty is mostly minor. */
  otherPenalties: 7,
  otherTierShares: { 严重: 0.1, 一般: 0.34 }, // the rest 轻微; at least one of each
  /** 轻微 penalties the department decided to publish: one at scale 1, its publication ending today. */
  publishedMinorShare: 0.25,
  repairShare: 0.6, // of breaches, rounded up
  refusedRepairShare: 0.2, // of repairs past their minimum period: 不同意
  inboundBreaches: 4,
  invalid: 6, // one of each reason at scale 1, never fewer
  fulfilmentShare: 0.95, // of kept commitments old enough to be verified
  cancellations: 2,
  withdrawals: 1,
  duplicateShare: 0.07, // of first submissions
  outOfOrderShare: 0.07,
  /** Commitment types other than 审批替代型, as shares of enterprise commitments. */
  typeShares: { 容缺受理型: 0.08, 证明事项型: 0.03, 其他: 0.01 },
  publicationShares: { 特定范围内公开: 0.06, 不可公开: 0.02 },
  /** How far back commitments go (days before today), and the youngest. */
  commitmentWindowDays: [20, 900] as const,
} as const;

/**
 * A resent or delayed submission lands at least this many positions after the one it follows, so a
 * runner that sends in order never puts the two in one intake batch.
 */
export const MIN_GAP = 10;
export const MAX_EXTRA_GAP = 50;

/** The provincial breach feed's source (topology/names.ts). */
export const FEED_SOURCE = FEED.source;
export const SOURCES = {
  approval: 'hrbxq-approval',
  enforcement: 'hrbxq-enforcement',
  repair: 'hrb-credit-repair',
  /** Not in topology/topology.ts: the housing bureau's own system, never registered. */
  unregistered: 'hrbxq-housing',
} as const;
