/** Part of intake's bundle alone (bench/bundles.bench.ts): record validation — the precompiled validators, the schema index, the rules. */
import { validateRecordText } from '../../../functions/shared/records/validate.js';

export const handler = (): unknown => validateRecordText;
