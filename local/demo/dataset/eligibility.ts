/**
 * The credit check as the demo expects it (topology/credit-policy.ts, docs/credit-check.md), over
 * the dataset's accepted records and by their dates: what the exchange's credit profile should say of
 * a subject on a day, which commitments it should flag, and a responsible person's points. The
 * dataset's own expectation — the facts state what it gives — not the exchange's code.
 *
 * On a day D a subject is notEligible with an open 严重 breach from any platform (decided on or
 * before D, not withdrawn, no repair granted on or before D), with a false commitment (a
 * verification 虚假承诺 on or before D) whose follow-up breach (brokenCommitmentCode) is not repaired
 * by D, or with black points in the policy's notEligible band; eligibleWithConditions with an open
 * 一般 breach, a commitment found not kept (a verification 全部未履行 on or before D) or black
 * points in the conditions band; eligible otherwise. Black points count from the
 * event's date to the same day the policy's months later, unless repaired first: a breach's own
 * blackPoints or its tier's, a verification 全部未履行 the policy's, a verification 虚假承诺 the
 * policy's until its follow-up breach is repaired. Red points: a verification 全部履行, likewise.
 */
import { BLACK_BANDS, creditPolicy, type CreditPolicy } from '../../../topology/credit-policy.js';
import { addMonths } from '../calendar.js';
import type { Json } from './model.js';
import type { Eligibility, Severity } from './types.js';

/** The commitment types of 告知承诺 itself, which intake flags when their subject is not eligible (a credit-repair commitment never is). */
const NOTIFY_AND_COMMIT = new Set(['审批替代型', '容缺受理型', '证明事项型']);

interface BreachFact {
  subject: string;
  party: Json;
  ref: string;
  severity: Severity;
  decisionDate: string;
  points: number;
  brokenCommitmentCode?: string;
}

interface VerificationFact {
  subject: string;
  commitmentCode: string;
  date: string;
  result: string;
}

/** A subject's key: an organisation's USCC, a natural person's identity document. */
export function subjectKey(party: unknown): string | undefined {
  const p = party as Json | undefined;
  if (!p) return undefined;
  if (p['category'] === '自然人') return `person:${String(p['idType'])}:${String(p['idNumber'])}`;
  return typeof p['uscc'] === 'string' ? `org:${p['uscc']}` : undefined;
}

/** The key of a party's legal representative as a natural person, when the party names his identity document. */
export function responsiblePersonKey(party: unknown): string | undefined {
  const p = party as Json | undefined;
  if (!p || p['category'] === '自然人' || typeof p['legalRepIdNumber'] !== 'string') return undefined;
  return `person:${String(p['legalRepIdType'])}:${p['legalRepIdNumber']}`;
}

export class CreditModel {
  private readonly breaches: BreachFact[] = [];
  private readonly verifications: VerificationFact[] = [];
  /** Breach ref → the day its repair was granted (the earliest). */
  private readonly granted = new Map<string, string>();
  /** Every commitment (its first accepted revision: a revision 1 may arrive after its revision 2): code, subject party, date, type. */
  readonly commitments: Array<{ code: string; party: Json; date: string; type: string; source: string }> = [];

  /** `records`: every accepted record revision; the newest revision of each counts. */
  constructor(
    records: readonly Json[],
    private readonly policy: CreditPolicy = creditPolicy,
  ) {
    const latest = new Map<string, Json>();
    for (const r of records) {
      const key = `${String(r['recordType'])}/${String(r['source'])}/${String(r['recordId'])}`;
      const held = latest.get(key);
      if (!held || (held['revision'] as number) < (r['revision'] as number)) latest.set(key, r);
      if (r['recordType'] === 'commitment' && !held) {
        const d = r['data'] as Json;
        const c = { code: String(d['commitmentCode']), party: d['party'] as Json, date: String(d['commitmentDate']), type: String(d['commitmentType']) };
        this.commitments.push({ ...c, source: String(r['source']) });
      }
    }
    for (const r of latest.values()) {
      if (r['operation'] === 'withdraw') continue;
      const d = r['data'] as Json;
      const subject = subjectKey(d['party']);
      if (r['recordType'] === 'breach' && subject) {
        const severity = d['severity'] as Severity;
        const points = typeof d['blackPoints'] === 'number' ? d['blackPoints'] : policy.black.bySeverity[severity];
        this.breaches.push({
          subject,
          party: d['party'] as Json,
          ref: `${String(r['source'])}/${String(r['recordId'])}`,
          severity,
          decisionDate: String(d['decisionDate']),
          points,
          ...(typeof d['brokenCommitmentCode'] === 'string' && { brokenCommitmentCode: d['brokenCommitmentCode'] }),
        });
      } else if (r['recordType'] === 'verification' && subject) {
        this.verifications.push({ subject, commitmentCode: String(d['commitmentCode']), date: String(d['verificationDate']), result: String(d['result']) });
      } else if (r['recordType'] === 'repair' && d['outcome'] === '同意') {
        const ref = `${String(d['breachSource'])}/${String(d['breachRecordId'])}`;
        const day = String(d['decisionDate']);
        const held = this.granted.get(ref);
        if (!held || day < held) this.granted.set(ref, day);
      }
    }
  }

  private repairedBy(b: BreachFact, day: string): boolean {
    const granted = this.granted.get(b.ref);
    return granted !== undefined && granted <= day;
  }

  private counting(event: string, day: string, months: number): boolean {
    return event <= day && day <= addMonths(event, months);
  }

  /** Whether the false commitment `v` is cleared on `day`: its follow-up breach repaired by then. */
  private cleared(v: VerificationFact, day: string): boolean {
    return this.breaches.some((b) => b.subject === v.subject && b.brokenCommitmentCode === v.commitmentCode && this.repairedBy(b, day));
  }

  /** Black points of a subject counting on `day`. */
  blackPoints(subject: string, day: string): number {
    const { black } = this.policy;
    const fromBreaches = this.breaches
      .filter((b) => b.subject === subject && this.counting(b.decisionDate, day, black.countMonths) && !this.repairedBy(b, day))
      .reduce((n, b) => n + b.points, 0);
    const fromVerifications = this.verifications
      .filter((v) => v.subject === subject && this.counting(v.date, day, black.countMonths))
      .reduce(
        (n, v) => n + (v.result === '虚假承诺' && !this.cleared(v, day) ? black.falseCommitment : v.result === '全部未履行' ? black.brokenCommitment : 0),
        0,
      );
    return fromBreaches + fromVerifications;
  }

  /** Red points of a subject counting on `day`. */
  redPoints(subject: string, day: string): number {
    const { red } = this.policy;
    return (
      this.verifications.filter((v) => v.subject === subject && v.result === '全部履行' && this.counting(v.date, day, red.countMonths)).length *
      red.keptCommitment
    );
  }

  /** Black points a natural person carries on `day` as the legal representative of the companies whose breaches name him. */
  responsiblePersonPoints(person: string, day: string): number {
    const { black } = this.policy;
    const points = this.breaches
      .filter((b) => responsiblePersonKey(b.party) === person && this.counting(b.decisionDate, day, black.countMonths) && !this.repairedBy(b, day))
      .reduce((n, b) => n + b.points, 0);
    return points * black.responsiblePersonShare;
  }

  /** What the credit check says of a subject on `day`. */
  eligibility(subject: string, day: string): Eligibility {
    const openSerious = this.breaches.some((b) => b.subject === subject && b.severity === '严重' && b.decisionDate <= day && !this.repairedBy(b, day));
    const falseCommitment = this.verifications.some((v) => v.subject === subject && v.result === '虚假承诺' && v.date <= day && !this.cleared(v, day));
    const points = this.blackPoints(subject, day);
    const band = BLACK_BANDS.indexOf(this.policy.blackBands.filter((b) => b.from <= points).at(-1)?.band ?? '无');
    const { conditionsFromBand, notEligibleFromBand } = this.policy.eligibility;
    if (openSerious || falseCommitment || band >= BLACK_BANDS.indexOf(notEligibleFromBand)) return 'notEligible';
    const openGeneral = this.breaches.some((b) => b.subject === subject && b.severity === '一般' && b.decisionDate <= day && !this.repairedBy(b, day));
    const notKept = this.verifications.some((v) => v.subject === subject && v.result === '全部未履行' && v.date <= day);
    return openGeneral || notKept || band >= BLACK_BANDS.indexOf(conditionsFromBand) ? 'eligibleWithConditions' : 'eligible';
  }

  /** The commitments, of every type and source, whose subject was notEligible on the commitment date: intake flags them. */
  flagged(): Array<{ code: string; type: string }> {
    return this.commitments
      .filter((c) => NOTIFY_AND_COMMIT.has(c.type) && this.eligibility(subjectKey(c.party) ?? '', c.date) === 'notEligible')
      .map(({ code, type }) => ({ code, type }));
  }
}
