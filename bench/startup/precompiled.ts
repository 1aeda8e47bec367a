/** Start-up with the precompiled validators: import validate.ts, then the first validateRecord call. */
import { loadStart } from './mark.js';
import { performance } from 'node:perf_hooks';
import { validateRecord } from '../../functions/shared/records/validate.js';
import { emit, sampleRecord } from './report.js';

const loaded = performance.now();
const record = sampleRecord();
const t0 = performance.now();
const result = validateRecord(record);
const t1 = performance.now();
emit({ bootMs: loadStart, loadMs: loaded - loadStart, compileMs: 0, firstCallMs: t1 - t0, valid: result.valid });
