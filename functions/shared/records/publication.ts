/**
 * What is published, from when and until when: the one place the exchange decides it
 * (docs/domain.md, "Sharing and publishing"). Sharing a record with the credit platforms and
 * publishing it to the public are separate decisions — NDRC Order 2025 No. 36 (信用修复管理办法)
 * art. 3 defines 终止公示 (stop publishing) and 停止共享和使用 (stop sharing and using) apart:
 * every accepted record is shared where its routes go, and only what this module says is published.
 *
 *  - a breach is published by tier, counted from its decision date: 轻微 only when the department
 *    decided it necessary (publicationRequested), at most 3 months; 一般 3 months to 1 year; 严重
 *    1 to 3 years. It runs to the maximum unless the department set an earlier end within the
 *    bounds; at the end it stops by itself (the expiry sweep). The minimum is when a repair may be
 *    applied for.
 *  - a commitment is published when its publication type is 可向社会公开, while it is in force:
 *    its licence (if any) 有效, until its validity ends (never for long-term 2099-12-31).
 *  - repairs and non-penalty decisions are never published.
 *  - a withdrawn (retracted) record is published nowhere.
 *
 * Pure: the decision depends on the record only; whether it runs on a given day is publishedOn.
 */
import { addMonths, nextDay, parseDate } from './dates.js';
import type { CreditRecord } from './types.js';

/** Publication periods by severity tier, in months from the decision date (Order 36). */
export const SEVERITY_TIERS = {
  轻微: { english: 'minor', minMonths: 0, maxMonths: 3 },
  一般: { english: 'general', minMonths: 3, maxMonths: 12 },
  严重: { english: 'serious', minMonths: 12, maxMonths: 36 },
} as const;
export type SeverityTier = keyof typeof SEVERITY_TIERS;

/** The conventional "long-term" validity: no end of publication follows from it. */
export const LONG_TERM = '2099-12-31';

export interface Publication {
  /** Whether the record is to be published at all. */
  publish: boolean;
  /** Last day of publication (inclusive); absent: no end follows from the record. */
  until?: string;
  /** Why, in a few words (history events, `credex inspect`). */
  basis: string;
}

export function isSeverityTier(value: unknown): value is SeverityTier {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_TIERS, value);
}

/**
 * The earliest and latest end of publication of a tier's record decided on `decisionDate`: the last
 * day of the minimum and of the maximum period. Periods follow the Civil Code (民法典) arts. 201–202:
 * counted from the day after the decision, a period of n months ends on the corresponding day of
 * the n-th month (its last day when there is none) — which is addMonths. Art. 203 (a last day on a
 * public holiday moves to the next working day) is not applied: it would lengthen publication.
 */
export function tierBounds(severity: SeverityTier, decisionDate: string): { minEnd: string; maxEnd: string } {
  const tier = SEVERITY_TIERS[severity];
  return { minEnd: addMonths(decisionDate, tier.minMonths), maxEnd: addMonths(decisionDate, tier.maxMonths) };
}

/**
 * The first day a repair of a tier's record decided on `decisionDate` may be granted: the day after
 * the minimum period has run its course (Order 36: "最短公示期届满后"; Civil Code art. 1259: 届满
 * includes the last day itself). 轻微 has no minimum period: from the decision date, once the
 * obligations are fulfilled.
 */
export function earliestRepair(severity: SeverityTier, decisionDate: string): string {
  return SEVERITY_TIERS[severity].minMonths === 0 ? decisionDate : nextDay(tierBounds(severity, decisionDate).minEnd);
}

type Data = Record<string, unknown>;
const NOT_PUBLISHED = (basis: string): Publication => ({ publish: false, basis });

function breachPublication(data: Data): Publication {
  const severity = data['severity'];
  const decided = parseDate(data['decisionDate']);
  if (!isSeverityTier(severity) || decided === undefined) return NOT_PUBLISHED('no tier or decision date');
  const { maxEnd } = tierBounds(severity, decided);
  const requestedEnd = parseDate(data['publicationEndDate']);
  if (severity === '轻微' && data['publicationRequested'] !== true) {
    return { publish: false, basis: 'tier 轻微: in principle not published (no publication requested)' };
  }
  const until = requestedEnd !== undefined && requestedEnd < maxEnd ? requestedEnd : maxEnd;
  const why = until === maxEnd ? 'the tier maximum' : 'the end the department set';
  return { publish: true, until, basis: `tier ${severity}: published until ${until} (${why})` };
}

function commitmentPublication(data: Data): Publication {
  if (data['publicationType'] !== '可向社会公开') return NOT_PUBLISHED(`publication type ${String(data['publicationType'])}`);
  const licence = data['licence'] as Data | undefined;
  const status = licence?.['status'];
  if (status !== undefined && status !== '有效') return NOT_PUBLISHED(`licence ${String(status)}`);
  const validTo = parseDate(data['validTo']);
  const until = validTo === undefined || validTo === LONG_TERM ? undefined : validTo;
  return {
    publish: true,
    ...(until !== undefined && { until }),
    basis: until === undefined ? '可向社会公开, in force' : `可向社会公开, in force until ${until}`,
  };
}

/** The publication decision of a record (of the revision given). */
export function publicationOf(record: Pick<CreditRecord, 'recordType' | 'operation' | 'data'>): Publication {
  if (record.operation === 'withdraw') return NOT_PUBLISHED('withdrawn');
  switch (record.recordType) {
    case 'breach':
      return breachPublication(record.data);
    case 'commitment':
      return commitmentPublication(record.data);
    default:
      return NOT_PUBLISHED(`a ${record.recordType} is never published`);
  }
}

/** Whether the publication runs on `day` (YYYY-MM-DD). */
export function publishedOn(publication: Publication, day: string): boolean {
  if (!publication.publish) return false;
  if (publication.until !== undefined && day > publication.until) return false;
  return true;
}

/** Whether a publication has come to its end by `day`: published, with an end, and `day` past it. */
export function publicationEndedBy(publication: Publication, day: string): boolean {
  return publication.publish && publication.until !== undefined && day > publication.until;
}
