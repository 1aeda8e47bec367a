/**
 * The district's credit policy, declared once next to the topology: the red/black points scheme
 * (红黑榜积分制) and the thresholds of the credit check (告知承诺 eligibility). Intake gives a breach
 * from the province the black points of its tier; the credit profile (functions/shared/credit)
 * counts every subject's and every responsible person's points by these rules; the credit check and
 * `credex subject` say what they mean. docs/credit-check.md explains each rule and its source.
 *
 * EVERY NUMBER HERE IS ILLUSTRATIVE. No published Heilongjiang or Harbin New Area points table was
 * found (docs/credit-check.md, "What a province must confirm"): the district sets its own here,
 * and one change here changes intake, the check and the operator views alike.
 */
import type { SeverityTier } from '../functions/shared/records/publication.js';

export interface CreditPolicy {
  black: {
    /** Black points a breach of each tier gives (a breach may carry its own `blackPoints`, which win). */
    bySeverity: Readonly<Record<SeverityTier, number>>;
    /** Black points a verification that found a false commitment (虚假承诺) gives, on top of its follow-up breach's. */
    falseCommitment: number;
    /** Black points a verification that found a commitment not kept (全部未履行) gives. */
    brokenCommitment: number;
    /** The responsible person (legal representative) of a company carries this share of its black points (1 = all). */
    responsiblePersonShare: number;
    /** Months black points count from the event's date, unless repaired first (信用积分修复). */
    countMonths: number;
  };
  red: {
    /** Red points a commitment verified kept in full (全部履行) gives. */
    keptCommitment: number;
    /** Months red points count from the verification date. */
    countMonths: number;
  };
  /** Bands by points counting now: the lowest `from` a total reaches names its band. */
  blackBands: ReadonlyArray<{ band: BlackBand; from: number }>;
  redBands: ReadonlyArray<{ band: RedBand; from: number }>;
  /** The black band from which 告知承诺 needs conditions (higher thresholds), and from which it is refused. */
  eligibility: { conditionsFromBand: BlackBand; notEligibleFromBand: BlackBand };
}

/** 无 none; 关注 watch; 警示 warning (raised market-access thresholds); 惩戒 punished. */
export type BlackBand = '无' | '关注' | '警示' | '惩戒';
/** 无 none; 守信 trustworthy; 优秀 excellent (priority for incentive policies). */
export type RedBand = '无' | '守信' | '优秀';

export const BLACK_BANDS: readonly BlackBand[] = ['无', '关注', '警示', '惩戒'];
export const RED_BANDS: readonly RedBand[] = ['无', '守信', '优秀'];

export const creditPolicy: CreditPolicy = {
  black: { bySeverity: { 轻微: 1, 一般: 5, 严重: 20 }, falseCommitment: 10, brokenCommitment: 3, responsiblePersonShare: 1, countMonths: 36 },
  red: { keptCommitment: 2, countMonths: 24 },
  blackBands: [
    { band: '无', from: 0 },
    { band: '关注', from: 1 },
    { band: '警示', from: 10 },
    { band: '惩戒', from: 40 },
  ],
  redBands: [
    { band: '无', from: 0 },
    { band: '守信', from: 2 },
    { band: '优秀', from: 10 },
  ],
  eligibility: { conditionsFromBand: '警示', notEligibleFromBand: '惩戒' },
};
