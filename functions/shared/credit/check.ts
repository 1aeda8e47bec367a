/**
 * The credit check's answer (GET /v1/subjects/{code}/credit, `credex subject`): who is asked
 * about, read from the code given, and what is answered, from the subject's profile. The answer
 * holds no identity number: a natural person's code is masked (first 6, last 4), a responsible
 * person's companies are named by USCC. docs/credit-check.md describes every field.
 */
import type { CreditPolicy } from '../../../topology/credit-policy.js';
import { explainResidentId, explainUscc, isResidentId, isUscc, maskResidentId } from '../records/identifiers.js';
import { subjectDigest, subjectOf } from '../records/subject.js';
import { eligibilityOf, type EligibilityReason } from './eligibility.js';
import { creditProfile, type CreditProfile } from './profile.js';
import type { CreditContribution, Eligibility } from './types.js';

/** Identity document types a natural person may be asked about by (the contract's idType). */
export const ID_TYPES = ['身份证', '护照号', '港澳居民来往内地通行证', '台湾居民来往大陆通行证', '外国人永久居留身份证'] as const;

export interface CheckedSubject {
  category: 'organisation' | 'naturalPerson';
  /** The code as the answer shows it: a USCC as it is, an identity number masked. */
  code: string;
  digest: string;
}

export type SubjectLookup = { ok: true; subject: CheckedSubject } | { ok: false; message: string };

/**
 * The subject a code names: a USCC (an organisation or individual business) when `idType` is not
 * given, else a natural person's identity document of that type (a 身份证 number checked by its
 * check character). Codes are taken as given after trimming and upper-casing.
 */
export function subjectForCode(rawCode: string, idType?: string): SubjectLookup {
  const code = rawCode.trim().toUpperCase();
  if (idType === undefined) {
    if (isUscc(code))
      return { ok: true, subject: { category: 'organisation', code, digest: subjectDigest({ category: 'organisations', key: `uscc:${code}` }) } };
    const why = explainUscc(code) ?? 'not a Unified Social Credit Code';
    const looksLikeId = /^\d{17}[\dX]$/.test(code) && isResidentId(code);
    return { ok: false, message: looksLikeId ? `${why}; for a natural person's identity number pass idType=身份证` : why };
  }
  if (!(ID_TYPES as readonly string[]).includes(idType)) return { ok: false, message: `idType must be one of ${ID_TYPES.join(', ')}` };
  if (idType === '身份证' && !isResidentId(code)) return { ok: false, message: explainResidentId(code) ?? 'not a resident identity card number' };
  if (!/^[0-9A-Z()-]{5,64}$/.test(code))
    return { ok: false, message: 'an identity document number is 5 to 64 digits, capital letters, parentheses or hyphens' };
  const subject = subjectOf({ category: '自然人', idType, idNumber: code })!;
  return {
    ok: true,
    subject: { category: 'naturalPerson', code: idType === '身份证' ? maskResidentId(code) : maskOther(code), digest: subjectDigest(subject) },
  };
}

/** Another document's number, masked like an identity card's: its first 2 and last 2 characters. */
function maskOther(code: string): string {
  return code.length <= 4 ? '*'.repeat(code.length) : `${code.slice(0, 2)}${'*'.repeat(code.length - 4)}${code.slice(-2)}`;
}

export interface CreditAnswer {
  subject: Omit<CheckedSubject, 'digest'>;
  asOf: string;
  eligibility: Eligibility;
  reasons: EligibilityReason[];
  points: { black: number; blackBand: string; red: number; redBand: string };
  counts: {
    openBreaches: CreditProfile['openBreaches'];
    repairedBreaches: number;
    falseCommitments: number;
    commitments: CreditProfile['commitmentCounts'];
  };
  /** Black points carried as the responsible person of companies (a natural person only). */
  asResponsiblePerson: CreditProfile['asResponsiblePerson'];
}

/** The profile and answer of a subject as of a day, from its contributions. */
export function creditAnswer(
  subject: CheckedSubject,
  contributions: readonly CreditContribution[],
  asOf: string,
  policy: CreditPolicy,
): { profile: CreditProfile; answer: CreditAnswer } {
  const profile = creditProfile(contributions, asOf, policy);
  const { eligibility, reasons } = eligibilityOf(profile, policy);
  const { digest: _digest, ...shown } = subject;
  return {
    profile,
    answer: {
      subject: shown,
      asOf,
      eligibility,
      reasons,
      points: { black: profile.points.black, blackBand: profile.points.blackBand, red: profile.points.red, redBand: profile.points.redBand },
      counts: {
        openBreaches: profile.openBreaches,
        repairedBreaches: profile.repairedBreaches,
        falseCommitments: profile.falseCommitments.filter((f) => f.clearedOn === undefined).length,
        commitments: profile.commitmentCounts,
      },
      asResponsiblePerson: profile.asResponsiblePerson,
    },
  };
}
