/**
 * A subject's credit profile, folded from its contributions (./contributions.ts) as of a day: its
 * breaches (open or repaired, from the district or the province), false commitments and whether
 * they are cleared, its commitments kept, broken and unverified, and its red and black points with
 * their history — and, for a person, the black points carried as the responsible person of
 * companies. docs/credit-check.md states every rule; topology/credit-policy.ts the numbers.
 *
 * Order-safe by construction: the state keeps one contribution per record (its latest accepted
 * revision), so the fold sees each record once whatever order they came in; a withdrawn record
 * counts for nothing, and a repair that came before its breach still repairs it. Pure.
 */
import type { BlackBand, CreditPolicy, RedBand } from '../../../topology/credit-policy.js';
import { addMonths } from '../records/dates.js';
import { earliestRepair, tierBounds, type SeverityTier } from '../records/publication.js';
import { recordPk, type RecordRef } from '../state/keys.js';
import type { BreachFact, CommitmentFact, CreditContribution, Origin, RepairFact, VerificationFact } from './types.js';

export interface BreachStanding {
  record: RecordRef;
  origin: Origin;
  severity: SeverityTier;
  decisionNumber: string;
  decisionDate: string;
  authority: string;
  blackPoints: number;
  /** open: not repaired as of the profile's day; repaired: an approved repair decided by then. */
  status: 'open' | 'repaired';
  repairedOn?: string;
  repair?: RecordRef;
  /** The first day a repair may be granted (the tier's minimum period over). */
  repairableFrom: string;
  /** The last day of the tier's maximum publication period. */
  publicationMaxEnd: string;
  brokenCommitmentCode?: string;
}

export type CommitmentStatus = 'kept' | 'partlyKept' | 'notKept' | 'false' | 'unverified';

export interface CommitmentStanding {
  record: RecordRef;
  commitmentCode: string;
  commitmentDate: string;
  commitmentType: string;
  acceptingUnit: string;
  deadline?: string;
  itemCode?: string;
  status: CommitmentStatus;
  /** Unverified and its deadline before the profile's day. */
  overdue: boolean;
  verifiedOn?: string;
  /** The verification that decided the status (absent when the commitment itself states it). */
  verification?: RecordRef;
  rectificationDeadline?: string;
}

export interface FalseCommitment {
  commitmentCode: string;
  verification: RecordRef;
  verifiedOn: string;
  determiningUnit: string;
  origin: Origin;
  /** The follow-up breach (brokenCommitmentCode = this commitment), when it is here. */
  followUpBreach?: RecordRef;
  /** Cleared: its follow-up breach was repaired (信用修复), on that day. */
  clearedOn?: string;
}

export interface PointsEvent {
  date: string;
  colour: 'black' | 'red';
  /** Positive when given, negative when taken back (a repair) or when they stop counting. */
  points: number;
  why: 'breach' | 'falseCommitment' | 'brokenCommitment' | 'keptCommitment' | 'repaired' | 'expired';
  record: RecordRef;
  /** The company, for points carried as its responsible person. */
  company?: { uscc: string; name: string };
}

export interface CreditProfile {
  /** The day the profile is for (YYYY-MM-DD). */
  asOf: string;
  /** The subject's own breaches (decided by the profile's day), newest first. */
  breaches: BreachStanding[];
  openBreaches: { byTier: Record<SeverityTier, number>; byOrigin: Record<Origin, number> };
  repairedBreaches: number;
  falseCommitments: FalseCommitment[];
  commitments: CommitmentStanding[];
  commitmentCounts: Record<CommitmentStatus, number> & { overdue: number };
  points: {
    /** Black points counting on the profile's day: the subject's own and, for a person, those carried for companies. */
    black: number;
    red: number;
    blackBand: BlackBand;
    redBand: RedBand;
    /** Every points event up to the profile's day, oldest first. */
    history: PointsEvent[];
  };
  /** Black points carried as the responsible person (legal representative) of companies, per company. */
  asResponsiblePerson: Array<{ company: { uscc: string; name: string }; blackPoints: number; openBreaches: number }>;
}

const byDate =
  <T>(dateOf: (x: T) => string) =>
  (a: T, b: T) =>
    dateOf(a) < dateOf(b) ? -1 : dateOf(a) > dateOf(b) ? 1 : 0;

/** The band a total falls in: the last band whose `from` it reaches. */
function bandOf<B extends string>(bands: ReadonlyArray<{ band: B; from: number }>, points: number): B {
  let found = bands[0]!.band;
  for (const b of bands) if (points >= b.from) found = b.band;
  return found;
}

export function creditProfile(contributions: readonly CreditContribution[], asOf: string, policy: CreditPolicy): CreditProfile {
  const live = contributions.filter((c) => c.operation === 'upsert');
  const ofKind = <K extends CreditContribution['fact']['kind']>(kind: K, role: CreditContribution['role']) =>
    live.filter((c) => c.role === role && c.fact.kind === kind) as Array<CreditContribution & { fact: Extract<CreditContribution['fact'], { kind: K }> }>;

  const history: PointsEvent[] = [];
  const given = (
    date: string,
    colour: 'black' | 'red',
    points: number,
    why: PointsEvent['why'],
    record: RecordRef,
    months: number,
    endedOn?: string,
    endWhy?: 'repaired',
    company?: { uscc: string; name: string },
  ) => {
    if (points === 0 || date > asOf) return 0;
    const extra = company ? { company } : {};
    history.push({ date, colour, points, why, record, ...extra });
    const expires = addMonths(date, months);
    if (endedOn !== undefined && endedOn <= asOf && endedOn <= expires) {
      history.push({ date: endedOn, colour, points: -points, why: endWhy ?? 'repaired', record, ...extra });
      return 0;
    }
    if (expires < asOf) {
      history.push({ date: expires, colour, points: -points, why: 'expired', record, ...extra });
      return 0;
    }
    return points;
  };

  // approved repairs by the breach they repair (a withdrawn repair counts for nothing)
  const repairs = (role: CreditContribution['role']) => {
    const map = new Map<string, { on: string; ref: RecordRef }>();
    for (const r of ofKind('repair', role)) {
      const fact = r.fact as RepairFact;
      if (fact.outcome !== '同意' || fact.decisionDate > asOf) continue;
      const key = recordPk(fact.breach);
      const prior = map.get(key);
      if (!prior || fact.decisionDate < prior.on) map.set(key, { on: fact.decisionDate, ref: r.ref });
    }
    return map;
  };

  const standing = (c: CreditContribution, repaired: Map<string, { on: string; ref: RecordRef }>): BreachStanding => {
    const f = c.fact as BreachFact;
    const repair = repaired.get(recordPk(c.ref));
    return {
      record: c.ref,
      origin: c.origin,
      severity: f.severity,
      decisionNumber: f.decisionNumber,
      decisionDate: f.decisionDate,
      authority: f.authority,
      blackPoints: f.blackPoints,
      status: repair ? 'repaired' : 'open',
      ...(repair && { repairedOn: repair.on, repair: repair.ref }),
      repairableFrom: earliestRepair(f.severity, f.decisionDate),
      publicationMaxEnd: tierBounds(f.severity, f.decisionDate).maxEnd,
      ...(f.brokenCommitmentCode !== undefined && { brokenCommitmentCode: f.brokenCommitmentCode }),
    };
  };

  // the subject's own breaches
  const ownRepairs = repairs('subject');
  const breaches = ofKind('breach', 'subject')
    .filter((c) => (c.fact as BreachFact).decisionDate <= asOf)
    .map((c) => standing(c, ownRepairs))
    .sort(byDate<BreachStanding>((b) => b.decisionDate))
    .reverse();
  let black = 0;
  for (const b of breaches) black += given(b.decisionDate, 'black', b.blackPoints, 'breach', b.record, policy.black.countMonths, b.repairedOn);

  // commitments and their verifications (the latest verification decides)
  const verifications = new Map<string, CreditContribution & { fact: VerificationFact }>();
  for (const v of ofKind('verification', 'subject')) {
    if (v.fact.verificationDate > asOf) continue;
    const prior = verifications.get(v.fact.commitmentCode);
    if (
      !prior ||
      prior.fact.verificationDate < v.fact.verificationDate ||
      (prior.fact.verificationDate === v.fact.verificationDate && recordPk(prior.ref) < recordPk(v.ref))
    )
      verifications.set(v.fact.commitmentCode, v);
  }
  const statusOf: Record<VerificationFact['result'], CommitmentStatus> = { 全部履行: 'kept', 部分履行: 'partlyKept', 全部未履行: 'notKept', 虚假承诺: 'false' };
  const commitments: CommitmentStanding[] = ofKind('commitment', 'subject')
    .filter((c) => (c.fact as CommitmentFact).commitmentDate <= asOf)
    .map((c) => {
      const f = c.fact as CommitmentFact;
      const v = verifications.get(f.commitmentCode);
      const own =
        f.fulfilmentStatus !== undefined && (f.fulfilmentDate ?? f.commitmentDate) <= asOf ? (f.fulfilmentStatus as VerificationFact['result']) : undefined;
      const status: CommitmentStatus = v ? statusOf[v.fact.result] : own ? statusOf[own] : 'unverified';
      return {
        record: c.ref,
        commitmentCode: f.commitmentCode,
        commitmentDate: f.commitmentDate,
        commitmentType: f.commitmentType,
        acceptingUnit: f.acceptingUnit,
        ...(f.deadline !== undefined && { deadline: f.deadline }),
        ...(f.itemCode !== undefined && { itemCode: f.itemCode }),
        status,
        overdue: status === 'unverified' && f.deadline !== undefined && f.deadline < asOf,
        ...(v ? { verifiedOn: v.fact.verificationDate, verification: v.ref } : own && f.fulfilmentDate !== undefined ? { verifiedOn: f.fulfilmentDate } : {}),
        ...(v?.fact.rectificationDeadline !== undefined && { rectificationDeadline: v.fact.rectificationDeadline }),
      };
    })
    .sort(byDate<CommitmentStanding>((c) => c.commitmentDate))
    .reverse();

  // verifications without their commitment here still count (the commitment may be on its way)
  const falseCommitments: FalseCommitment[] = [];
  let red = 0;
  for (const v of verifications.values()) {
    const f = v.fact;
    if (f.result === '全部履行') red += given(f.verificationDate, 'red', policy.red.keptCommitment, 'keptCommitment', v.ref, policy.red.countMonths);
    if (f.result === '全部未履行')
      black += given(f.verificationDate, 'black', policy.black.brokenCommitment, 'brokenCommitment', v.ref, policy.black.countMonths);
    if (f.result === '虚假承诺') {
      const followUp = breaches.find((b) => b.brokenCommitmentCode === f.commitmentCode);
      const clearedOn = followUp?.status === 'repaired' ? followUp.repairedOn : undefined;
      falseCommitments.push({
        commitmentCode: f.commitmentCode,
        verification: v.ref,
        verifiedOn: f.verificationDate,
        determiningUnit: f.determiningUnit,
        origin: v.origin,
        ...(followUp && { followUpBreach: followUp.record }),
        ...(clearedOn !== undefined && { clearedOn }),
      });
      black += given(f.verificationDate, 'black', policy.black.falseCommitment, 'falseCommitment', v.ref, policy.black.countMonths, clearedOn);
    }
  }
  // a commitment whose own record states it was kept, with no verification record: red points too
  for (const c of commitments)
    if (c.status === 'kept' && c.verification === undefined && c.verifiedOn !== undefined)
      red += given(c.verifiedOn, 'red', policy.red.keptCommitment, 'keptCommitment', c.record, policy.red.countMonths);

  // points carried as a company's responsible person
  const carriedRepairs = repairs('responsiblePerson');
  const perCompany = new Map<string, { company: { uscc: string; name: string }; blackPoints: number; openBreaches: number }>();
  for (const c of ofKind('breach', 'responsiblePerson')) {
    const b = standing(c, carriedRepairs);
    if (b.decisionDate > asOf || c.company === undefined) continue;
    const points = Math.round(b.blackPoints * policy.black.responsiblePersonShare);
    const counted = given(b.decisionDate, 'black', points, 'breach', b.record, policy.black.countMonths, b.repairedOn, undefined, c.company);
    const entry = perCompany.get(c.company.uscc) ?? { company: c.company, blackPoints: 0, openBreaches: 0 };
    entry.blackPoints += counted;
    if (b.status === 'open') entry.openBreaches += 1;
    perCompany.set(c.company.uscc, entry);
    black += counted;
  }

  const open = breaches.filter((b) => b.status === 'open');
  const count = (status: CommitmentStatus) => commitments.filter((c) => c.status === status).length;
  history.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : b.points - a.points));
  return {
    asOf,
    breaches,
    openBreaches: {
      byTier: {
        轻微: open.filter((b) => b.severity === '轻微').length,
        一般: open.filter((b) => b.severity === '一般').length,
        严重: open.filter((b) => b.severity === '严重').length,
      },
      byOrigin: { district: open.filter((b) => b.origin === 'district').length, province: open.filter((b) => b.origin === 'province').length },
    },
    repairedBreaches: breaches.length - open.length,
    falseCommitments: falseCommitments.sort(byDate<FalseCommitment>((f) => f.verifiedOn)),
    commitments,
    commitmentCounts: {
      kept: count('kept'),
      partlyKept: count('partlyKept'),
      notKept: count('notKept'),
      false: count('false'),
      unverified: count('unverified'),
      overdue: commitments.filter((c) => c.overdue).length,
    },
    points: { black, red, blackBand: bandOf(policy.blackBands, black), redBand: bandOf(policy.redBands, red), history },
    asResponsiblePerson: [...perCompany.values()].sort((a, b) => b.blackPoints - a.blackPoints || (a.company.uscc < b.company.uscc ? -1 : 1)),
  };
}
