/**
 * The string formats the record schemas use. The precompiled validators import this object
 * (see scripts/generate-validators.ts), so the same functions run at build time and in Lambda.
 */
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { isResidentId, isUscc } from './identifiers.js';

export const formats = {
  date: fullFormats.date,
  'date-time': fullFormats['date-time'],
  uscc: isUscc,
  'resident-id': (value: string) => isResidentId(value),
};
