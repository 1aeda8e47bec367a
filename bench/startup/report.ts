/** What a start-up entry prints: one JSON line on stdout, read by bench/startup.ts. */
import { performance } from 'node:perf_hooks';

export interface StartupSample {
  /** ms from process start until the entry's first import began evaluating (Node bootstrap). */
  bootMs: number;
  /** ms spent evaluating the entry's imports (the bundled modules). */
  loadMs: number;
  /** ms for the step under test (compiling the schemas; 0 for the precompiled entry). */
  compileMs: number;
  /** ms for the first validation call. */
  firstCallMs: number;
  /** ms from process start until the first validation returned. */
  readyMs: number;
  /** Whether the first call judged the sample record valid (it must). */
  valid: boolean;
}

export function emit(sample: Omit<StartupSample, 'readyMs'>): void {
  const out: StartupSample = { ...sample, readyMs: performance.now() };
  process.stdout.write(`${JSON.stringify(out)}\n`);
}

/** The sample record, passed by the parent in BENCH_SAMPLE so both entries validate the same one. */
export function sampleRecord(): unknown {
  const text = process.env['BENCH_SAMPLE'];
  if (!text) throw new Error('BENCH_SAMPLE is not set');
  return JSON.parse(text);
}
