/**
 * Start-up compiling the schemas at run time: createAjv() (the generator's ajv instance: strict,
 * allErrors, our formats, all four schemas added) and getSchema for the four validators, then the
 * first call of the commitment validator. The schemas are bundled in, as a Lambda would bundle them.
 */
import { loadStart } from './mark.js';
import { performance } from 'node:perf_hooks';
import { createAjv, schemaId } from '../../scripts/generate-validators.js';
import breach from '../../schemas/breach.schema.json' with { type: 'json' };
import commitment from '../../schemas/commitment.schema.json' with { type: 'json' };
import defs from '../../schemas/defs.schema.json' with { type: 'json' };
import envelope from '../../schemas/envelope.schema.json' with { type: 'json' };
import repair from '../../schemas/repair.schema.json' with { type: 'json' };
import { emit, sampleRecord } from './report.js';

const loaded = performance.now();
const record = sampleRecord();
const t0 = performance.now();
const ajv = createAjv([breach, commitment, defs, envelope, repair] as Record<string, unknown>[]);
const validators = ['envelope', 'commitment', 'breach', 'repair'].map((name) => {
  const validate = ajv.getSchema(schemaId(name));
  if (!validate) throw new Error(`no schema ${name}`);
  return validate;
});
const t1 = performance.now();
const valid = validators[1]!(record) as boolean;
const t2 = performance.now();
emit({ bootMs: loadStart, loadMs: loaded - loadStart, compileMs: t1 - t0, firstCallMs: t2 - t1, valid });
