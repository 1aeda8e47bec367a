/**
 * What an accepted record contributes to credit profiles (docs/credit-check.md): a breach, repair,
 * commitment or verification contributes to its subject's profile, and a breach also to the
 * responsible person's — the legal representative named on it — with the company it is about.
 * Licensing items and non-penalty decisions contribute nothing (a decision not to punish is not
 * dishonesty information). Pure: the caller writes what this returns.
 */
import { breachRefOf } from '../records/cross-record.js';
import { isSeverityTier } from '../records/publication.js';
import { subjectDigest, subjectOf } from '../records/subject.js';
import type { CreditRecord } from '../records/types.js';
import { refOf } from '../state/types.js';
import type { ContributionFact, CreditContribution, Origin, SubjectContribution, VerificationFact } from './types.js';

type Data = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** The fact a record states, or undefined for a record type no profile counts. */
function factOf(record: CreditRecord): ContributionFact | undefined {
  const d = record.data as Data;
  switch (record.recordType) {
    case 'breach': {
      if (!isSeverityTier(d['severity'])) return undefined;
      return {
        kind: 'breach',
        severity: d['severity'],
        decisionNumber: String(d['decisionNumber']),
        decisionDate: String(d['decisionDate']),
        authority: String(d['authority']),
        blackPoints: typeof d['blackPoints'] === 'number' ? d['blackPoints'] : 0,
        ...(text(d['brokenCommitmentCode']) !== undefined && { brokenCommitmentCode: String(d['brokenCommitmentCode']) }),
      };
    }
    case 'repair':
      return {
        kind: 'repair',
        breach: breachRefOf(record),
        outcome: d['outcome'] as '同意' | '不同意' | '不予受理',
        decisionDate: String(d['decisionDate']),
      };
    case 'commitment': {
      const item = (d['licensingItem'] ?? undefined) as Data | undefined;
      return {
        kind: 'commitment',
        commitmentCode: String(d['commitmentCode']),
        commitmentDate: String(d['commitmentDate']),
        commitmentType: String(d['commitmentType']),
        acceptingUnit: String(d['acceptingUnit']),
        ...(text(d['fulfilmentDeadline']) !== undefined && { deadline: String(d['fulfilmentDeadline']) }),
        ...(item && text(item['itemCode']) !== undefined && { itemCode: String(item['itemCode']) }),
        ...(text(d['fulfilmentStatus']) !== undefined && { fulfilmentStatus: String(d['fulfilmentStatus']) }),
        ...(text(d['fulfilmentDeterminationDate']) !== undefined && { fulfilmentDate: String(d['fulfilmentDeterminationDate']) }),
      };
    }
    case 'verification':
      return {
        kind: 'verification',
        commitmentCode: String(d['commitmentCode']),
        verificationDate: String(d['verificationDate']),
        result: d['result'] as VerificationFact['result'],
        method: String(d['method']),
        determiningUnit: String(d['determiningUnit']),
        ...(text(d['rectificationDeadline']) !== undefined && { rectificationDeadline: String(d['rectificationDeadline']) }),
      };
    default:
      return undefined;
  }
}

/**
 * The contributions of one accepted revision: to its subject's profile and, for a breach of a
 * company (or individual business) that names its legal representative's identity document, to
 * that person's profile as its responsible person. `origin`: where the record came from.
 */
export function contributionsOf(record: CreditRecord, origin: Origin): SubjectContribution[] {
  const fact = factOf(record);
  const party = (record.data as Data)['party'];
  const subject = subjectOf(party);
  if (fact === undefined || subject === undefined) return [];
  const base = { ref: refOf(record), revision: record.revision, operation: record.operation, origin, fact };
  const contributions: SubjectContribution[] = [{ subjectDigest: subjectDigest(subject), contribution: { ...base, role: 'subject' } }];
  const person = fact.kind === 'breach' || fact.kind === 'repair' ? responsiblePersonOf(party) : undefined;
  if (person !== undefined) {
    const p = party as Data;
    const company = { uscc: text(p['uscc']) ?? text(p['registrationNumber']) ?? '', name: String(p['name']) };
    contributions.push({ subjectDigest: person, contribution: { ...base, role: 'responsiblePerson', company } satisfies CreditContribution });
  }
  return contributions;
}

/** The digest of the legal representative's identity, for a party that is not itself a natural person. */
export function responsiblePersonOf(party: unknown): string | undefined {
  if (party === null || typeof party !== 'object') return undefined;
  const p = party as Data;
  if (p['category'] === '自然人') return undefined;
  const idType = text(p['legalRepIdType']);
  const idNumber = text(p['legalRepIdNumber']);
  if (idType === undefined || idNumber === undefined) return undefined;
  const person = subjectOf({ category: '自然人', idType, idNumber });
  return person === undefined ? undefined : subjectDigest(person);
}
