/**
 * A subject's credit profile for operators (`credex subject`): the credit check's own answer
 * (functions/shared/credit/check.ts — the same fold, rules and policy as GET
 * /v1/subjects/{code}/credit) and the profile it was read from. One query of the subject's
 * partition; nothing is written (an operator's look is not a credit check, and is not logged as one).
 *
 * No identity number: the subject is named by the code as the answer shows it (a natural person's
 * masked), the digest is never shown, and every string is masked again on the way out.
 */
import { creditAnswer, type CheckedSubject, type CreditAnswer } from '../../functions/shared/credit/check.js';
import type { CreditProfile } from '../../functions/shared/credit/profile.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import type { CreditPolicy } from '../../topology/credit-policy.js';
import { topology } from '../../topology/topology.js';
import { maskPersonalData } from './inspect.js';

/** The `--json` document: the credit check's answer, then the profile behind it. */
export interface SubjectReport extends CreditAnswer {
  /** How many contributions (records) the profile was folded from; 0: nothing on record. */
  contributions: number;
  profile: CreditProfile;
}

export async function readSubject(
  state: Pick<SyncState, 'getCreditContributions'>,
  subject: CheckedSubject,
  asOf: string,
  policy: CreditPolicy = topology.credit,
): Promise<SubjectReport> {
  const contributions = await state.getCreditContributions(subject.digest);
  const { profile, answer } = creditAnswer(subject, contributions, asOf, policy);
  return maskPersonalData({ ...answer, contributions: contributions.length, profile });
}
