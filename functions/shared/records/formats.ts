/**
 * The string formats the record schemas use. The precompiled validators import this object
 * (see scripts/generate-validators.ts), so the same functions run at build time and in Lambda.
 * Dates are checked by hand-written parsers rather than ajv-formats' regular expressions: they
 * run several times per record and were the validator's largest cost.
 */
import { isDateTime, parseDate } from './dates.js';
import { isResidentId, isUscc } from './identifiers.js';

export const formats = {
  date: (value: string) => parseDate(value) !== undefined,
  'date-time': isDateTime,
  uscc: isUscc,
  'resident-id': (value: string) => isResidentId(value),
};
