/**
 * Validation benchmark (`npm run bench`; not part of `npm test`).
 *
 * 1. Throughput on one core: records/s through validateRecord for valid and invalid commitment
 *    and breach records (pools of distinct, realistic records), the same through
 *    validateRecordText (JSON text → result, what intake does per message), and the time of each
 *    stage measured alone over the same pool: JSON.parse, normaliseRecord, the compiled ajv
 *    validator, the cross-field rules; the rest of validateRecord (dispatch, ajv errors → issues,
 *    titles, the result object) is the difference.
 * 2. Start-up in fresh processes: compiling the schemas at run time vs loading the precompiled
 *    validators (see bench/startup.ts).
 * 3. Writes bench/results/validate-<date>.json and appends to bench/results/validate.md.
 *
 *   npm run bench                 full run (about 1.5 minutes), writes the results
 *   npm run bench -- --quick      short rounds, prints only (a smoke test of the bench itself)
 */
import { drift, environment, recordResults, unsteadyWarning } from './environment.js';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import * as compiled from '../functions/shared/records/generated/validators.js';
import { schemaIndex } from '../functions/shared/records/generated/schema-index.js';
import { normaliseRecord } from '../functions/shared/records/normalise.js';
import { applyRules } from '../functions/shared/records/rules.js';
import { validateRecord, validateRecordText } from '../functions/shared/records/validate.js';
import { benchCase, measureInterleaved, median, referenceCase, sinkValue, type RoundOptions, type Throughput } from './harness.js';
import { invalidBreach, invalidCommitment, validBreach, validCommitment, type Json } from './records.js';
import { fmt, toMarkdown, toText, type Table } from './report.js';
import { measureStartup, type StartupResults } from './startup.js';

const TARGET_VALID_COMMITMENTS_PER_SECOND = 250_000;
const POOL_SIZE = 1000;

const quick = process.argv.includes('--quick');
const MAIN: RoundOptions = quick ? { warmupMs: 200, roundMs: 250, rounds: 3 } : { warmupMs: 700, roundMs: 1000, rounds: 5 };
/** Rounds of the stages timed alone (interleaved with the validateRecord rounds; only the lengths apply). */
const STAGE: RoundOptions = quick ? { warmupMs: 100, roundMs: 150, rounds: 3 } : { warmupMs: 150, roundMs: 300, rounds: 5 };
const STARTUP_RUNS = quick ? 3 : 9;

type CompiledValidator = (data: unknown) => boolean;
const validators = compiled as unknown as Record<'commitment' | 'breach', CompiledValidator>;

// ---------------------------------------------------------------- pools

interface Scenario {
  name: string;
  type: 'commitment' | 'breach';
  expectValid: boolean;
  records: Json[];
  texts: string[];
  /** Mean errors per record reported by validateRecord (0 for the valid pools). */
  errorsPerRecord: number;
  /** Defects in the pool and how many records carry each. */
  defects: Record<string, number>;
}

function scenario(name: string, type: Scenario['type'], expectValid: boolean, make: (i: number) => { record: Json; defect?: string }): Scenario {
  const records: Json[] = [];
  const defects: Record<string, number> = {};
  for (let i = 0; i < POOL_SIZE; i++) {
    const { record, defect } = make(i);
    records.push(record);
    if (defect) defects[defect] = (defects[defect] ?? 0) + 1;
  }
  // Honesty check: every record is judged as intended, and the valid pools need no normalisation
  // (a clean record is the common case; normalisation changes would add copies to the figures).
  let errors = 0;
  for (const [i, record] of records.entries()) {
    const result = validateRecord(record);
    if (result.valid !== expectValid) {
      throw new Error(`${name}: record ${i} judged ${result.valid ? 'valid' : 'invalid'}: ${JSON.stringify(result.errors)}`);
    }
    if (result.normalised.length > 0) throw new Error(`${name}: record ${i} needed normalisation: ${JSON.stringify(result.normalised)}`);
    errors += result.errors.length;
  }
  return { name, type, expectValid, records, texts: records.map((r) => JSON.stringify(r)), errorsPerRecord: errors / records.length, defects };
}

// ---------------------------------------------------------------- measurements

interface StageTimes {
  jsonParse: Throughput;
  normalise: Throughput;
  ajv: Throughput;
  rules: Throughput;
}

interface ScenarioResult {
  name: string;
  poolSize: number;
  meanRecordBytes: number;
  errorsPerRecord: number;
  defects: Record<string, number>;
  validateRecord: Throughput;
  validateRecordText: Throughput;
  stages: StageTimes;
  /** µs/record: validateRecord minus the three stages measured alone (dispatch, error building, result). */
  otherUs: number;
}

interface Measurements {
  results: ScenarioResult[];
  /** The reference workload, timed in every round: its spread is the machine's drift. */
  reference: Throughput;
}

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

const countResult = (result: { valid: boolean; errors: unknown[] }): number => (result.valid ? 1 : 0) + result.errors.length;

function measureAll(scenarios: Scenario[]): Measurements {
  const get = (m: Map<string, Throughput>, name: string): Throughput => {
    const t = m.get(name);
    if (!t) throw new Error(`no measurement ${name}`);
    return t;
  };
  // validateRecord and the stages alone share one interleaved group, so that a slow phase of the
  // machine cannot fall on one and not the other (the split compares them round by round).
  const stage = { roundMs: STAGE.roundMs, warmupMs: STAGE.warmupMs };
  const cases = scenarios.flatMap((s) => {
    const validate = validators[s.type];
    const ruleRefs = schemaIndex.rules[s.type] ?? [];
    return [
      benchCase(s.name, s.records, (r) => countResult(validateRecord(r))),
      benchCase(`${s.name}|jsonParse`, s.texts, (t) => (JSON.parse(t) === null ? 0 : 1), stage),
      benchCase(`${s.name}|normalise`, s.records, (r) => normaliseRecord(r).changes.length + 1, stage),
      benchCase(`${s.name}|ajv`, s.records, (r) => (validate(r) ? 1 : 0), stage),
      benchCase(`${s.name}|rules`, s.records, (r) => applyRules(r['data'] as Json, ruleRefs).length + 1, stage),
    ];
  });
  const textCases = scenarios.map((s) => benchCase(`${s.name}|text`, s.texts, (t) => countResult(validateRecordText(t))));
  log(`  validateRecord, validateRecordText (${MAIN.roundMs} ms rounds) and the stages alone (${STAGE.roundMs} ms rounds): ${MAIN.rounds} interleaved rounds`);
  const whole = measureInterleaved([...cases, ...textCases, referenceCase(stage)], MAIN);
  const results = scenarios.map((s): ScenarioResult => {
    const st: StageTimes = {
      jsonParse: get(whole, `${s.name}|jsonParse`),
      normalise: get(whole, `${s.name}|normalise`),
      ajv: get(whole, `${s.name}|ajv`),
      rules: get(whole, `${s.name}|rules`),
    };
    const w = get(whole, s.name);
    // the rest, round by round (each round's figures were taken within seconds of each other)
    const us = (t: Throughput, r: number): number => 1e6 / t.perRound[r]!;
    const rest = w.perRound.map((_, r) => us(w, r) - us(st.normalise, r) - us(st.ajv, r) - us(st.rules, r));
    return {
      name: s.name,
      poolSize: s.records.length,
      meanRecordBytes: s.texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / s.texts.length,
      errorsPerRecord: s.errorsPerRecord,
      defects: s.defects,
      validateRecord: w,
      validateRecordText: get(whole, `${s.name}|text`),
      stages: st,
      otherUs: median(rest),
    };
  });
  return { results, reference: get(whole, 'reference') };
}

// ---------------------------------------------------------------- tables

function throughputTable(results: ScenarioResult[], reference: Measurements['reference']): Table {
  const rows = results.flatMap((r) =>
    (
      [
        ['validateRecord', r.validateRecord],
        ['validateRecordText', r.validateRecordText],
      ] as const
    ).map(([what, t]) => [r.name, what, fmt.rate(t.median), fmt.rate(t.min), fmt.rate(t.max), fmt.us(t.usPerItem), fmt.rate(t.medianCpu)]),
  );
  return {
    title: `Throughput, one core (pool of ${POOL_SIZE} distinct records; ${MAIN.rounds} interleaved rounds × ≥${MAIN.roundMs} ms after ${MAIN.warmupMs} ms warm-up)`,
    head: ['records', 'call', 'median rec/s', 'min rec/s', 'max rec/s', 'µs/record', 'rec/CPU-s†'],
    rows,
    right: [2, 3, 4, 5, 6],
    note:
      'validateRecordText = UTF-8 size check + JSON.parse + validateRecord, from the message text. ' +
      '† median records per second of main-thread CPU time (process.threadCpuUsage): not lowered when other processes take the core. ' +
      `Machine drift (a fixed reference workload timed in every round): ±${drift(reference)}; its median, ` +
      `${fmt.rate(reference.median)} passes/s (FNV-1a over 2 KiB), compares this machine's speed with another's.`,
  };
}

function stageTable(results: ScenarioResult[]): Table {
  const rows = results.map((r) => {
    const total = r.validateRecord.usPerItem;
    const cell = (us: number): string => `${fmt.us(us)} (${fmt.pct(us / total)})`;
    return [
      r.name,
      fmt.us(total),
      cell(r.stages.normalise.usPerItem),
      cell(r.stages.ajv.usPerItem),
      cell(r.stages.rules.usPerItem),
      cell(r.otherUs),
      fmt.us(r.stages.jsonParse.usPerItem),
      fmt.int(r.meanRecordBytes),
      r.errorsPerRecord.toFixed(2),
    ];
  });
  return {
    title: 'Where the time goes: µs/record (share of validateRecord), each stage timed alone over the same pool',
    head: ['records', 'validateRecord', 'normalise', 'ajv validator', 'cross-field rules', 'rest*', 'JSON.parse', 'bytes/record', 'errors/record'],
    rows,
    right: [1, 2, 3, 4, 5, 6, 7, 8],
    note:
      '* rest = validateRecord − normalise − ajv − rules, median of the per-round differences: dispatch, ajv errors → issues ' +
      '(titles, messages), result object. Each stage is timed alone in rounds interleaved with validateRecord; alone it may ' +
      'inline or cache differently, so the split is approximate (a small negative rest means "within noise").',
  };
}

function startupTable(s: StartupResults): Table {
  const v = s.variants;
  const row = (name: string, x: StartupResults['variants']['baseline']): string[] => [
    name,
    fmt.ms(x.wallMs),
    `${fmt.ms(x.wallMinMs)}–${fmt.ms(x.wallMaxMs)}`,
    fmt.ms(x.bootMs),
    fmt.ms(x.loadMs),
    fmt.ms(x.compileMs),
    fmt.ms(x.firstCallMs),
    fmt.ms(x.readyMs),
    fmt.int(x.bundleBytes),
  ];
  return {
    title: `Start-up in a fresh process (esbuild bundle, minified; median of ${v.baseline.runs} runs, interleaved), ms`,
    head: ['variant', 'process wall', 'wall min–max', 'boot + parse‡', 'module load', 'compile 4 schemas', 'first call', 'ready (since start)', 'bundle bytes'],
    rows: [
      row('empty bundle (baseline)', v.baseline),
      row('precompiled: import validate.ts + first validateRecord', v.precompiled),
      row('run time: createAjv() + getSchema ×4 + first validate', v.compileAtRuntime),
    ],
    right: [1, 2, 3, 4, 5, 6, 7, 8],
    note:
      `Ratio run-time compile / precompiled: ${fmt.ratio(startupRatio(s).wall)} process wall, ` +
      `${fmt.ratio(startupRatio(s).netWall)} net of the empty-bundle baseline, ${fmt.ratio(startupRatio(s).ready)} ready-since-start, ` +
      `${fmt.ratio(startupRatio(s).validatorWork)} for the validator work alone (load + compile + first call). ` +
      `validate.ts entry alone, minified: ${fmt.bytes(s.validateBundle.bytes)} (${fmt.bytes(s.validateBundle.gzipBytes)} gzip). ` +
      "‡ process start until the bundle's first module runs: Node's bootstrap plus parsing the bundle. " +
      'First call includes V8 compiling the (lazily parsed) validator functions it reaches. Process wall also counts spawn and exit.',
  };
}

function startupRatio(s: StartupResults): { wall: number; netWall: number; ready: number; validatorWork: number } {
  const { baseline, precompiled, compileAtRuntime } = s.variants;
  const work = (x: typeof baseline): number => x.loadMs + x.compileMs + x.firstCallMs;
  return {
    wall: compileAtRuntime.wallMs / precompiled.wallMs,
    netWall: (compileAtRuntime.wallMs - baseline.wallMs) / Math.max(0.1, precompiled.wallMs - baseline.wallMs),
    ready: compileAtRuntime.readyMs / precompiled.readyMs,
    validatorWork: work(compileAtRuntime) / work(precompiled),
  };
}

// ---------------------------------------------------------------- main

function main(): void {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const env = environment(['functions/shared/records', 'schemas']);
  log(`validation benchmark${quick ? ' (quick: short rounds, nothing written)' : ''} on ${String(env['cpu'])}, ${String(env['node'])}`);

  log('building record pools…');
  const scenarios = [
    scenario('commitment, valid', 'commitment', true, (i) => ({ record: validCommitment(i) })),
    scenario('commitment, invalid', 'commitment', false, invalidCommitment),
    scenario('breach, valid', 'breach', true, (i) => ({ record: validBreach(i) })),
    scenario('breach, invalid', 'breach', false, invalidBreach),
  ];

  log('throughput…');
  const { results, reference } = measureAll(scenarios);

  log('start-up (fresh processes)…');
  const startup = measureStartup(scenarios[0]!.records[0], STARTUP_RUNS);

  const validCommitments = results[0]!.validateRecord.median;
  const targetMet = validCommitments >= TARGET_VALID_COMMITMENTS_PER_SECOND;
  const tables = [throughputTable(results, reference), stageTable(results), startupTable(startup)];
  const validCommitmentsCpu = results[0]!.validateRecord.medianCpu;
  const verdict =
    `Target ≥ ${fmt.rate(TARGET_VALID_COMMITMENTS_PER_SECOND)} valid commitment records/s on one core: ` +
    `${fmt.rate(validCommitments)}/s measured (${fmt.rate(validCommitmentsCpu)} per CPU-second), ` +
    `${targetMet ? 'met' : `NOT met (${fmt.pct(validCommitments / TARGET_VALID_COMMITMENTS_PER_SECOND)} of target)`}.`;
  const loadEnd = os.loadavg()[0]!;
  const load = `load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min)`;
  const machine =
    `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ` +
    `${String(env['platform'])}, Node ${String(env['node'])} (V8 ${String(env['v8'])}), commit ${String(env['commit'])}` +
    (env['uncommittedChanges'] ? ' + uncommitted changes in functions/shared/records or schemas' : '') +
    `; ${load}; reference workload ${fmt.rate(reference.median)} passes/s ` +
    '(this shared machine has phases at half speed: compare runs only at a similar reference figure)';
  const poolNote = scenarios
    .filter((s) => !s.expectValid)
    .map(
      (s) =>
        `${s.name}: ${Object.entries(s.defects)
          .map(([d, n]) => `${d} ×${n}`)
          .join(', ')}`,
    )
    .join('; ');

  console.log('');
  console.log(machine);
  for (const t of tables) console.log(`\n${toText(t)}`);
  console.log(`\nDefects in the invalid pools: ${poolNote}.`);
  console.log(`\n${verdict}`);
  const unsteady = unsteadyWarning(reference);
  const elapsed = (performance.now() - started) / 1000;
  console.log(`(bench ran ${elapsed.toFixed(0)} s; sink ${sinkValue()})`);

  if (quick) return;
  recordResults({
    name: 'validate',
    intro: '# Validation benchmark results\n\nAppended by `npm run bench` (bench/validate.bench.ts); the JSON files beside this one hold every round.\n',
    machine,
    env,
    load: { start: loadStart, end: loadEnd },
    json: {
      config: { poolSize: POOL_SIZE, main: MAIN, stage: STAGE, startupRuns: STARTUP_RUNS },
      target: {
        validCommitmentRecordsPerSecond: TARGET_VALID_COMMITMENTS_PER_SECOND,
        measured: validCommitments,
        measuredPerCpuSecond: validCommitmentsCpu,
        met: targetMet,
      },
      throughput: results,
      reference,
      startup: { ...startup, ratio: startupRatio(startup) },
      benchSeconds: elapsed,
    },
    lines: [`**${verdict}**`, '', ...unsteady, ...tables.flatMap((t) => [toMarkdown(t), '']), `Defects in the invalid pools: ${poolNote}.`, ''],
  });
}

main();
