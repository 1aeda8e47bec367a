/**
 * The string formats the record schemas use. The precompiled validators import this object
 * (see scripts/generate-validators.ts), so the same functions run at build time and in Lambda.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isResidentId, isUscc } from './identifiers.js';

/** RFC 3339 section 5.6 spells the offset `Z` or `±hh:mm`; ajv-formats also takes `+08` and `+0800`. */
const RFC3339_OFFSET = /(?:Z|[+-]\d\d:\d\d)$/i;
const ajvDateTime = fullFormats['date-time'] as { validate: (value: string) => boolean };

export const formats = {
  date: fullFormats.date,
  'date-time': (value: string) => RFC3339_OFFSET.test(value) && ajvDateTime.validate(value),
  uscc: isUscc,
  'resident-id': (value: string) => isResidentId(value),
};
