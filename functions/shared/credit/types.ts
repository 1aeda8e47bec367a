/**
 * The credit profile's items, as the state keeps them (docs/credit-check.md): what one accepted
 * record contributes to one subject's or one responsible person's profile. Written by intake once
 * per accepted revision (a newer revision replaces an older one's contribution, never the other
 * way round), read back whole by the credit check in one query, and folded by ./profile.ts.
 *
 * No personal data: a contribution names records, dates, tiers, units and companies, never an
 * identity number or a natural person's name; the subject is the table key's digest.
 */
import type { RecordRef } from '../state/keys.js';
import type { Operation } from '../records/types.js';

/** The subject itself, or the responsible person (legal representative) of the company that is the subject. */
export type ContributionRole = 'subject' | 'responsiblePerson';

/** Where a record came from: the district's own systems, or the provincial platform's feed. */
export type Origin = 'district' | 'province';

export interface BreachFact {
  kind: 'breach';
  severity: '轻微' | '一般' | '严重';
  decisionNumber: string;
  decisionDate: string;
  authority: string;
  /** The district's black points (the record's own, or its tier's, assigned on receipt). */
  blackPoints: number;
  /** The commitment it breaks: a breach that follows a false-commitment verification names that commitment. */
  brokenCommitmentCode?: string;
}

export interface RepairFact {
  kind: 'repair';
  /** The breach it repairs. */
  breach: RecordRef;
  outcome: '同意' | '不同意' | '不予受理';
  decisionDate: string;
}

export interface CommitmentFact {
  kind: 'commitment';
  commitmentCode: string;
  commitmentDate: string;
  commitmentType: string;
  /** The accepting unit (the department that granted the licence). */
  acceptingUnit: string;
  /** The day the conditions must be met by (from the licensing item's time limit). */
  deadline?: string;
  itemCode?: string;
  /** Fulfilment determined on the commitment itself (the older way, before verification records). */
  fulfilmentStatus?: string;
  fulfilmentDate?: string;
}

export interface VerificationFact {
  kind: 'verification';
  commitmentCode: string;
  verificationDate: string;
  result: '全部履行' | '部分履行' | '全部未履行' | '虚假承诺';
  method: string;
  determiningUnit: string;
  rectificationDeadline?: string;
}

export type ContributionFact = BreachFact | RepairFact | CommitmentFact | VerificationFact;

export interface CreditContribution {
  /** The record that contributes. */
  ref: RecordRef;
  revision: number;
  /** A withdrawn (retracted) record contributes nothing: its effect is taken back. */
  operation: Operation;
  role: ContributionRole;
  origin: Origin;
  /** For a responsible person: the company (its USCC and name) the record is about. */
  company?: { uscc: string; name: string };
  fact: ContributionFact;
}

/** One subject's contribution to write: the digest of its identity (subjectDigest) and what the record adds. */
export interface SubjectContribution {
  subjectDigest: string;
  contribution: CreditContribution;
}

// ---------------------------------------------------------------- commitment deadlines

/** A commitment's deadline, as `credex overdue` and the sweep's metric read it. */
export interface CommitmentDue {
  commitmentCode: string;
  ref: RecordRef;
  revision: number;
  /** The last day to meet the conditions; overdue from the day after. */
  deadline: string;
  commitmentDate: string;
  /** The department that accepted the commitment (the licensing item's department when known). */
  department: string;
  itemCode?: string;
  /** Set when the commitment was withdrawn: nothing is due. */
  withdrawn?: boolean;
}

export interface CommitmentVerified {
  commitmentCode: string;
  /** The verification record. */
  ref: RecordRef;
  verificationDate: string;
  result: VerificationFact['result'];
  /** A withdrawn verification no longer counts: the commitment is unverified again unless another one counts. */
  withdrawn: boolean;
}

// ---------------------------------------------------------------- the credit check log

export type Eligibility = 'eligible' | 'eligibleWithConditions' | 'notEligible';

/** One credit check, as the log keeps it (no identity number: the subject's masked code and digest). */
export interface CreditCheckEntry {
  id: string;
  at: string;
  /** The upstream that asked. */
  upstream: string;
  /** The subject asked about: its code masked for a natural person, its digest. */
  subject: { category: 'organisation' | 'naturalPerson'; code: string; digest: string };
  eligibility: Eligibility;
  /** The rules behind the answer (one per reason). */
  rules: string[];
  blackPoints: number;
  redPoints: number;
  requestId?: string;
}

// ---------------------------------------------------------------- the licensing-item list

/** An item of the licensing-item list as the state keeps it, under its item code. */
export interface LicensingItemEntry {
  itemCode: string;
  /** The licensingItem record that holds the code. */
  ref: RecordRef;
  revision: number;
  /** A withdrawn item is off the list. */
  operation: Operation;
  itemName: string;
  department: string;
  departmentUscc: string;
  commitmentTimeLimitDays: number;
  allowedCommitmentTypes: readonly string[];
  validFrom: string;
  validTo: string;
}

/** What became of a list write: stored; older than the stored revision; or the code belongs to another record. */
export type LicensingItemWrite = 'stored' | 'stale' | 'codeTaken';
