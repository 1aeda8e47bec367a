/**
 * Rules between two records, which no schema can state: a repair must be about the breach it names,
 * decided by that breach's authority (谁认定、谁修复, NDRC Order 2025 No. 36), and a first-offence
 * exemption must be a subject's first violation. Pure: the caller reads the other records.
 * Messages never quote identity numbers.
 */
import type { ValidationIssue } from './validate.js';
import type { CreditRecord } from './types.js';
import { sameSubject } from './subject.js';

type Data = Record<string, unknown>;

/** The breach a repair names: `breachSource` when given (it differs from the repair's own source), else the repair's source. */
export function breachRefOf(repair: Pick<CreditRecord, 'source' | 'data'>): { recordType: 'breach'; source: string; recordId: string } {
  const breachSource = typeof repair.data['breachSource'] === 'string' ? repair.data['breachSource'] : repair.source;
  return { recordType: 'breach', source: breachSource, recordId: String(repair.data['breachRecordId']) };
}
const str = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/**
 * What in `repair` disagrees with the breach it repairs (the breach's latest accepted revision):
 * the deciding authority, the decision number and date, the tier, the party — or the breach was
 * retracted. Empty when they agree.
 */
export function repairMismatches(repair: CreditRecord, breach: CreditRecord): ValidationIssue[] {
  const rule = 'repairMatchesBreach';
  const r = repair.data;
  const b = breach.data;
  const about = `breach ${breach.source}/${breach.recordId}`;
  if (breach.operation === 'withdraw') {
    return [{ path: '/data/breachRecordId', rule, message: `${about} was withdrawn (retracted as wrong): there is no dishonesty record left to repair` }];
  }
  const issues: ValidationIssue[] = [];
  if (r['handlingUnitUscc'] !== b['authorityUscc']) {
    issues.push({
      path: '/data/handlingUnitUscc',
      rule,
      message: `谁认定、谁修复: the repair is decided by the authority that decided the breach, ${str(b['authority'])} (${str(b['authorityUscc'])}); found ${str(r['handlingUnit'])} (${str(r['handlingUnitUscc'])}) — Credit China is where the party applies, not who decides`,
    });
  }
  const same: Array<[string, string, string]> = [
    ['breachDecisionNumber', 'decisionNumber', 'decision number'],
    ['breachDecisionDate', 'decisionDate', 'decision date'],
    ['severity', 'severity', 'tier'],
  ];
  for (const [mine, theirs, what] of same) {
    if (r[mine] !== b[theirs])
      issues.push({ path: `/data/${mine}`, rule, message: `must be the ${what} of ${about}, ${str(b[theirs])}; found ${str(r[mine])}` });
  }
  if (!sameSubject((r as Data)['party'], (b as Data)['party'])) {
    issues.push({ path: '/data/party', rule, message: `must be the party of ${about} (the same USCC, registration number or identity document)` });
  }
  return issues;
}

/** A decision in a subject's enforcement history, as the first-offence check reads it. */
export interface PriorDecision {
  /** `recordType/source/recordId` */
  record: string;
  recordType: string;
  operation: string;
  decisionNumber: string;
  decisionDate: string;
  ground?: string;
}

/** Non-penalty grounds that still mean a violation happened (无过错不罚: no fault, so none). */
const VIOLATION_GROUNDS = new Set(['首违不罚', '轻微不罚']);

/**
 * Why a first-offence exemption (首违不罚: 初次违法, Administrative Penalty Law art. 33) is not a
 * first violation: the subject's other decisions on or before its date — a penalty (breach), or a
 * decision not to punish a violation. Retracted records do not count. Empty when it is a first one.
 */
export function notAFirstViolation(candidate: { record: string; decisionDate: string }, history: readonly PriorDecision[]): string[] {
  return history
    .filter((d) => d.record !== candidate.record && d.operation !== 'withdraw' && d.decisionDate <= candidate.decisionDate)
    .filter((d) => d.recordType === 'breach' || (d.recordType === 'nonPenalty' && VIOLATION_GROUNDS.has(d.ground ?? '')))
    .sort((a, b) => (a.decisionDate < b.decisionDate ? -1 : a.decisionDate > b.decisionDate ? 1 : 0))
    .map((d) =>
      d.recordType === 'breach'
        ? `not a first violation: the subject was penalised before (${d.decisionNumber}, ${d.decisionDate})`
        : `not a first violation: the subject had a violation not punished before (${d.ground}, ${d.decisionNumber}, ${d.decisionDate})`,
    );
}
