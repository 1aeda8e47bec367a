/**
 * Who a record is about — counted the same way everywhere (`credex stats`, `npm start`'s summary,
 * the first-offence check): organisations and individual businesses by USCC (an individual
 * business with the placeholder code by its registration number), natural persons by their
 * identity document. The key holds identity numbers: it is compared, or digested into a table key,
 * and never printed.
 */
import { createHash } from 'node:crypto';
import { USCC_PLACEHOLDER } from './identifiers.js';

export type SubjectCategory = 'organisations' | 'individualBusinesses' | 'naturalPersons';

export interface Subject {
  category: SubjectCategory;
  /** Identifies the subject; personal data for natural persons. */
  key: string;
}

type Party = Record<string, unknown>;
const text = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

export function subjectOf(party: unknown): Subject | undefined {
  if (party === null || typeof party !== 'object') return undefined;
  const p = party as Party;
  switch (p['category']) {
    case '自然人': {
      const id = text(p['idNumber']);
      return id === undefined ? undefined : { category: 'naturalPersons', key: `person:${text(p['idType']) ?? ''}:${id}` };
    }
    case '个体工商户': {
      const code = text(p['uscc']);
      if (code !== undefined && code !== USCC_PLACEHOLDER) return { category: 'individualBusinesses', key: `uscc:${code}` };
      const registration = text(p['registrationNumber']);
      return registration === undefined ? undefined : { category: 'individualBusinesses', key: `registration:${registration}` };
    }
    case '法人及非法人组织': {
      const code = text(p['uscc']);
      return code === undefined ? undefined : { category: 'organisations', key: `uscc:${code}` };
    }
    default:
      return undefined;
  }
}

/**
 * A digest of the subject's key for table keys (SHA-256, base64url): stable, and no identity
 * number in a key, a log line or a metric.
 */
export function subjectDigest(subject: Subject): string {
  return createHash('sha256').update(subject.key).digest('base64url');
}

/** Two parties are the same subject. */
export function sameSubject(a: unknown, b: unknown): boolean {
  const x = subjectOf(a);
  const y = subjectOf(b);
  return x !== undefined && y !== undefined && x.key === y.key;
}
