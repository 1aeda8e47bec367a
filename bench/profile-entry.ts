/**
 * The workload bench/profile.ts profiles: validateRecord (or validateRecordText) over one pool for
 * a few seconds, after a warm-up. Prints the name of the pool's top-level ajv function.
 *
 *   node profile-entry.mjs <commitment|breach> <valid|invalid> <record|text> <seconds>
 */
import { performance } from 'node:perf_hooks';
import * as compiled from '../functions/shared/records/generated/validators.js';
import { validateRecord, validateRecordText } from '../functions/shared/records/validate.js';
import { invalidBreach, invalidCommitment, validBreach, validCommitment, type Json } from './records.js';

const [type = 'commitment', validity = 'valid', input = 'record', seconds = '4'] = process.argv.slice(2);
const make: Record<string, (i: number) => Json> = {
  'commitment valid': validCommitment,
  'commitment invalid': (i) => invalidCommitment(i).record,
  'breach valid': validBreach,
  'breach invalid': (i) => invalidBreach(i).record,
};
const builder = make[`${type} ${validity}`];
if (!builder) throw new Error(`unknown pool ${type} ${validity}`);
const records = Array.from({ length: 1000 }, (_, i) => builder(i));
const texts = records.map((r) => JSON.stringify(r));

let acc = 0;
function loop(ms: number): number {
  const start = performance.now();
  let n = 0;
  while (performance.now() - start < ms) {
    if (input === 'text') for (const t of texts) acc += validateRecordText(t).errors.length;
    else for (const r of records) acc += validateRecord(r).errors.length;
    n += records.length;
  }
  return (n / (performance.now() - start)) * 1000;
}
loop(1000);
const rate = loop(Number(seconds) * 1000);
const root = (compiled as unknown as Record<string, { name: string }>)[type]!.name;
process.stdout.write(`${JSON.stringify({ ajvRoot: root, recordsPerSecond: Math.round(rate), sink: acc % 7 })}\n`);
