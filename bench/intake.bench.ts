/**
 * Intake benchmark: processIntakeBatch per record, over the in-memory sync state and a fake of the
 * SQS client (bench/fakes.ts: no servers, no network, no SDK middleware).
 *
 * Scenarios (fresh records in every batch, so every valid record is accepted, routed and marked):
 * - valid ×10 and valid ×100: per 10 messages 6 public commitments (3 lanes), 3 breaches and
 *   1 repair of a breach routed earlier (2 lanes each);
 * - mixed ×10: 3 commitments, 2 breaches, 1 repair, 2 invalid records (quarantined), 1 duplicate
 *   of a routed revision and 1 revision older than the stored one. The records the duplicate and
 *   the older revision refer to go through intake before the round, untimed and uncounted.
 *
 * Each scenario runs with a no-op logger and with a Powertools Logger writing its JSON to a null
 * stream (what the Lambda runs, minus the write to stdout). Per record it reports CPU time
 * (main thread and all threads), wall time, the part spent inside the fakes, the sync-state
 * operations (SyncState calls), SQS requests and lane messages. DynamoDB requests and capacity
 * units are not estimated: the state is the in-memory SyncState, not a DynamoDB emulator.
 *
 * Beside every case, in the same interleaved rounds, the same batches go through a baseline doing
 * the same work the common way (bench/baseline/intake.ts: Powertools BatchProcessor, a PutItem of
 * the whole record, one SendMessage per destination with the record in the body, a history
 * PutItem), on a PutItem-only table of its own (bench/baseline/table.ts); a last pair of tables
 * gives ours / baseline.
 *
 *   node_modules/.bin/tsx bench/intake.bench.ts            full run (about 45 s), writes bench/results/intake-<date>.json, appends intake.md
 *   node_modules/.bin/tsx bench/intake.bench.ts --quick    short rounds, prints only
 *   … --only <text>      only the cases whose name contains the text; --no-baseline   ours only (both print only)
 */
import { drift, environment, recordResults, unsteadyWarning } from './environment.js';
import { randomUUID } from 'node:crypto';
import { Console } from 'node:console';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { Logger } from '@aws-lambda-powertools/logger';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { processIntakeBatch, type IntakeDeps, type IntakeOutcome, type LaneMessage } from '../functions/intake/intake.js';
import { validateRecord } from '../functions/shared/records/validate.js';
import type { DestinationId } from '../topology/topology.js';
import { createBaselineIntake, type BaselineIntakeOutcome, type BaselineLaneMessage } from './baseline/intake.js';
import { BaselineTable } from './baseline/table.js';
import { CountedState, FakeSqs, emptyStateStats, emptySqsStats, type StateStats, type SqsStats } from './fakes.js';
import { inMemorySyncState, type InMemorySyncState } from '../test/support/in-memory-sync-state.js';
import { median, referenceCase, summarise, type Throughput } from './harness.js';
import {
  BREACH_SOURCES,
  COMMITMENT_SOURCES,
  breachRecord,
  commitmentRecord,
  invalidBreach,
  invalidCommitment,
  repairRecord,
  seedBreachId,
  type Json,
  seedLicensingItems,
} from './records.js';
import { cpuCompareTable, metricsTable, pairCpu, type MetricRow } from './compare.js';
import { cpuCells, cpuHead, fmt, operationsText, per, toMarkdown, toText, type CpuFigures, type Table } from './report.js';
import type { StructuredLogger } from '../functions/shared/logger.js';

const quick = process.argv.includes('--quick');
/** `--only <text>`: run only the cases whose name contains the text (for profiling); prints only. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
/** `--no-baseline`: only ours (for a profiler); prints only. */
const withBaseline = !process.argv.includes('--no-baseline');
const ROUNDS = quick ? { warmupMs: 300, roundMs: 200, rounds: 2 } : { warmupMs: 800, roundMs: 700, rounds: 7 };
const POOL_SIZE = 300;
/** Breaches routed before each round, for the repairs to refer to. */
const SEED_BREACHES = 20;
const TABLE = 'credex-sync-state';
/**
 * The day routing decides publication on: the pools' records have fixed dates, and on this day
 * every commitment is within its publication period (so it goes to the public column too).
 */
const BENCH_DAY = '2026-03-02';
const LANE_URLS: Record<DestinationId, string> = {
  provincial: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-provincial',
  municipal: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-municipal',
  publicColumn: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-publicColumn',
  district: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-district',
};
const URL_LANE = new Map(Object.entries(LANE_URLS).map(([lane, url]) => [url, lane as DestinationId]));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------- records

type Kind = 'commitment' | 'breach' | 'repair';

/** A record as text with its recordId and revision left open: fresh records cost one concatenation. */
interface Template {
  kind: Kind;
  parts: [string, string, string];
}

const ID_MARK = 'ID-MARK-0';
const REVISION_MARK = 987_654_321;

function template(kind: Kind, record: Json): Template {
  const result = validateRecord(record);
  if (!result.valid) throw new Error(`${kind} template is invalid: ${JSON.stringify(result.errors)}`);
  if (result.normalised.length > 0) throw new Error(`${kind} template needed normalisation: ${JSON.stringify(result.normalised)}`);
  const text = JSON.stringify({ ...record, recordId: ID_MARK, revision: REVISION_MARK });
  const [a, rest, ...more] = text.split(`"${ID_MARK}"`);
  const [b, c, ...more2] = (rest ?? '').split(String(REVISION_MARK));
  if (more.length || more2.length || a === undefined || b === undefined || c === undefined)
    throw new Error('the id or revision mark is not unique in the template');
  return { kind, parts: [a, b, c] };
}

const render = (t: Template, id: string, revision: number): string => `${t.parts[0]}"${id}"${t.parts[1]}${revision}${t.parts[2]}`;

function invalidText(i: number): string {
  const { record } = i % 2 ? invalidBreach(i) : invalidCommitment(i);
  const fixed = { ...record, source: (i % 2 ? BREACH_SOURCES : COMMITMENT_SOURCES)[i % 4], recordId: `BAD-${i}` };
  if (validateRecord(fixed).valid) throw new Error(`invalid record ${i} is valid`);
  return JSON.stringify(fixed);
}

interface Pools {
  commitment: Template[];
  breach: Template[];
  repair: Template[];
  invalid: string[];
  seedBreaches: string[];
}

function buildPools(): Pools {
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return {
    commitment: range(POOL_SIZE).map((i) => template('commitment', commitmentRecord(i))),
    breach: range(POOL_SIZE).map((i) => template('breach', breachRecord(i))),
    repair: range(POOL_SIZE / 3).map((i) => template('repair', repairRecord(i, SEED_BREACHES, ID_MARK))),
    invalid: range(POOL_SIZE / 3).map(invalidText),
    seedBreaches: range(SEED_BREACHES).map((k) => render(template('breach', breachRecord(k)), seedBreachId(k), 1)),
  };
}

// ---------------------------------------------------------------- messages and scenarios

/** What a slot of a batch holds. */
type Slot = Kind | 'invalid' | 'duplicate' | 'older';

interface Scenario {
  name: string;
  batchSize: number;
  /** The slots of 10 consecutive messages (repeated for larger batches). */
  pattern: readonly Slot[];
}

const VALID_PATTERN: readonly Slot[] = [
  'commitment',
  'breach',
  'commitment',
  'commitment',
  'repair',
  'commitment',
  'breach',
  'commitment',
  'breach',
  'commitment',
];
const MIXED_PATTERN: readonly Slot[] = ['commitment', 'invalid', 'breach', 'duplicate', 'commitment', 'repair', 'older', 'breach', 'invalid', 'commitment'];

const SCENARIOS: readonly Scenario[] = [
  { name: 'valid ×10', batchSize: 10, pattern: VALID_PATTERN },
  { name: 'valid ×100', batchSize: 100, pattern: VALID_PATTERN },
  { name: 'mixed ×10', batchSize: 10, pattern: MIXED_PATTERN },
];

const EXPECTED_OUTCOME: Record<Slot, IntakeOutcome> = {
  commitment: 'routed',
  breach: 'routed',
  repair: 'routed',
  invalid: 'quarantined',
  duplicate: 'duplicate',
  older: 'superseded',
};
/** Lane messages per routed record of each kind (public commitments: provincial, municipal, public column). */
const LANES_OF: Record<Kind, readonly DestinationId[]> = {
  commitment: ['provincial', 'municipal', 'publicColumn'],
  breach: ['provincial', 'municipal'],
  repair: ['provincial', 'municipal'],
};

let serial = 0;
const RUN_TAG = Date.now().toString(36).toUpperCase();
const freshId = (kind: string): string => `${kind.slice(0, 3).toUpperCase()}-${RUN_TAG}-${String(++serial).padStart(8, '0')}`;

const QUEUE_ARN = 'arn:aws-cn:sqs:cn-north-1:000000000000:credex-intake';

function sqsRecord(body: string): SQSRecord {
  const sent = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body,
    attributes: { ApproximateReceiveCount: '1', SentTimestamp: sent, SenderId: 'AROAEXAMPLE:credex-ingest', ApproximateFirstReceiveTimestamp: sent },
    messageAttributes: { correlationId: { stringValue: randomUUID(), dataType: 'String', stringListValues: [], binaryListValues: [] } },
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: QUEUE_ARN,
    awsRegion: 'cn-north-1',
  };
}

interface Batches {
  batches: SQSRecord[][];
  /** Messages that must go through intake first (the stored state the duplicates and older revisions meet). */
  seeds: SQSRecord[];
  slots: Slot[][];
}

function buildBatches(s: Scenario, count: number, pools: Pools): Batches {
  const out: Batches = { batches: [], seeds: [], slots: [] };
  const pick = <T>(list: readonly T[]): T => list[serial % list.length]!;
  for (let b = 0; b < count; b++) {
    const batch: SQSRecord[] = [];
    const slots: Slot[] = [];
    for (let i = 0; i < s.batchSize; i++) {
      const slot = s.pattern[i % s.pattern.length]!;
      let body: string;
      switch (slot) {
        case 'commitment':
        case 'breach':
        case 'repair': {
          const t = pick(pools[slot]);
          body = render(t, freshId(slot), 1 + (serial % 3));
          break;
        }
        case 'invalid':
          body = pick(pools.invalid).replace(/"recordId":"BAD-\d+"/, `"recordId":"${freshId('bad')}"`);
          break;
        case 'duplicate': {
          // the same revision, same content, already accepted and routed
          body = render(pick(pools.commitment), freshId('dup'), 2);
          out.seeds.push(sqsRecord(body));
          break;
        }
        case 'older': {
          // revision 1 after revision 2 was accepted
          const t = pick(pools.breach);
          const id = freshId('old');
          out.seeds.push(sqsRecord(render(t, id, 2)));
          body = render(t, id, 1);
          break;
        }
      }
      batch.push(sqsRecord(body));
      slots.push(slot);
    }
    out.batches.push(batch);
    out.slots.push(slots);
  }
  return out;
}

// ---------------------------------------------------------------- loggers

const noopLogger: StructuredLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** The Lambda's Powertools Logger, its console pointed at a stream that only counts the bytes. */
function powertoolsLogger(sink: { bytes: number }): Logger {
  const logger = new Logger({ serviceName: 'credex-intake', logLevel: 'INFO' });
  const nowhere = new Writable({
    write: (chunk: Buffer | string, _encoding, done) => {
      sink.bytes += chunk.length;
      done();
    },
  });
  const console = new Console({ stdout: nowhere, stderr: nowhere });
  console.trace = (...args: unknown[]) => console.log(...args);
  (logger as unknown as { console: Console }).console = console;
  return logger;
}

// ---------------------------------------------------------------- cases and rounds

/** `ours`: processIntakeBatch; `baseline`: bench/baseline/intake.ts, the common way. */
type Impl = 'ours' | 'baseline';

interface BatchRun {
  outcomes: Map<string, string>;
  failures: number;
}

interface BenchCase {
  name: string;
  scenario: Scenario;
  loggerName: 'no-op' | 'Powertools';
  impl: Impl;
  /** Ours: the in-memory sync state, counted; the baseline: its table. */
  store: { stats: StateStats; clear(): void };
  sqs: FakeSqs;
  /** One batch through the implementation. */
  process: (batch: SQSRecord[]) => Promise<BatchRun>;
  /** Bytes the logger wrote. */
  logged: { bytes: number };
  /** Records per second of processing (wall), from the warm-up: sizes the rounds. */
  rate: number;
  rounds: RoundResult[];
  units: { state: StateStats; sqs: SqsStats; records: number; outcomes: Record<string, number>; laneMessages: Record<string, number> };
}

interface RoundResult {
  records: number;
  wallMs: number;
  threadCpuMs: number;
  processCpuMs: number;
  fakeMs: number;
  logBytes: number;
}

function makeCase(scenario: Scenario, loggerName: BenchCase['loggerName'], impl: Impl): BenchCase {
  const sqs = new FakeSqs();
  const logged = { bytes: 0 };
  const logger = loggerName === 'no-op' ? noopLogger : powertoolsLogger(logged);
  const config = { tableName: TABLE, laneQueueUrls: LANE_URLS };
  const today = () => BENCH_DAY;
  let store: BenchCase['store'];
  let processBatch: BenchCase['process'];
  if (impl === 'ours') {
    const memory: InMemorySyncState = inMemorySyncState();
    void seedLicensingItems(memory);
    const counted = new CountedState(memory);
    store = {
      get stats() {
        return counted.stats;
      },
      clear: () => {
        memory.clear();
        void seedLicensingItems(memory);
      },
    };
    const deps: IntakeDeps = { state: counted.state, sqs: sqs as unknown as SQSClient, config, logger, today };
    processBatch = async (batch) => {
      const result = await processIntakeBatch(batch, deps);
      return { outcomes: result.outcomes, failures: result.batchItemFailures.length };
    };
  } else {
    const table = new BaselineTable(TABLE);
    store = table;
    const baseline = createBaselineIntake({ ddb: table as unknown as DynamoDBDocumentClient, sqs: sqs as unknown as SQSClient, config, logger, today });
    processBatch = async (batch) => {
      const result = await baseline(batch);
      return { outcomes: result.outcomes, failures: result.response.batchItemFailures.length };
    };
  }
  return {
    name: `${scenario.name}, ${loggerName} logger${impl === 'baseline' ? ', baseline' : ''}`,
    scenario,
    loggerName,
    impl,
    store,
    sqs,
    process: processBatch,
    logged,
    rate: 0,
    rounds: [],
    units: { state: emptyStateStats(), sqs: emptySqsStats(), records: 0, outcomes: {}, laneMessages: {} },
  };
}

/** Empties the table and routes the breaches the repairs refer to, and any seeds — untimed. */
async function prepare(c: BenchCase, pools: Pools, seeds: SQSRecord[]): Promise<void> {
  c.store.clear();
  const first = [...pools.seedBreaches.map(sqsRecord), ...seeds];
  for (let i = 0; i < first.length; i += 100) {
    const result = await c.process(first.slice(i, i + 100));
    const notRouted = [...result.outcomes.values()].filter((o) => o !== 'routed');
    if (notRouted.length || result.failures) throw new Error(`${c.name}: seeding did not route everything: ${notRouted.join(', ')}`);
  }
  c.sqs.clear();
}

function addInto(target: Record<string, number>, source: Record<string, number>, sign = 1): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + sign * v;
}

/** a + sign × b, field by field (numbers and records of numbers). */
function combine<T extends StateStats | SqsStats>(a: T, b: T, sign: 1 | -1): T {
  const out = structuredClone(a) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'number') out[k] = (out[k] as number) + sign * v;
    else addInto(out[k] as Record<string, number>, v as Record<string, number>, sign);
  }
  return out as unknown as T;
}

/**
 * The baseline's outcomes: it cannot tell a duplicate from an older revision (both fail its
 * revision guard and are acked).
 */
const BASELINE_OUTCOME: Record<Slot, BaselineIntakeOutcome> = {
  commitment: 'routed',
  breach: 'routed',
  repair: 'routed',
  invalid: 'quarantined',
  duplicate: 'skipped',
  older: 'skipped',
};

/**
 * Checks every outcome and lane message against what the batch's slots call for — for the
 * baseline too: every message processed, none failed, every routed record's lane messages sent,
 * each with the record itself in the body.
 */
function verify(c: BenchCase, built: Batches, results: BatchRun[]): void {
  const expectedLanes: Record<string, number> = {};
  const expected: Record<Slot, string> = c.impl === 'ours' ? EXPECTED_OUTCOME : BASELINE_OUTCOME;
  const routedIds = new Set<string>();
  built.batches.forEach((batch, b) => {
    const { outcomes, failures } = results[b]!;
    if (failures) throw new Error(`${c.name}: ${failures} batch item failures`);
    batch.forEach((m, i) => {
      const slot = built.slots[b]![i]!;
      const got = outcomes.get(m.messageId);
      if (got !== expected[slot]) throw new Error(`${c.name}: a ${slot} message ended ${String(got)}, expected ${expected[slot]}`);
      c.units.outcomes[got] = (c.units.outcomes[got] ?? 0) + 1;
      if (slot === 'commitment' || slot === 'breach' || slot === 'repair') {
        for (const lane of LANES_OF[slot]) expectedLanes[lane] = (expectedLanes[lane] ?? 0) + 1;
        routedIds.add((JSON.parse(m.body) as { recordId: string }).recordId);
      }
    });
  });
  const lanes: Record<string, number> = {};
  for (const m of c.sqs.sent) {
    const lane = URL_LANE.get(m.queueUrl) ?? 'unknown';
    const body = JSON.parse(m.body) as LaneMessage | BaselineLaneMessage;
    const recordId = 'record' in body ? body.record.recordId : body.recordId;
    if (body.destination !== lane || body.action !== 'upsert' || !routedIds.has(recordId) || (c.impl === 'baseline') !== 'record' in body) {
      throw new Error(`${c.name}: lane message ${m.body.slice(0, 300)} on queue ${m.queueUrl}`);
    }
    lanes[lane] = (lanes[lane] ?? 0) + 1;
  }
  if (JSON.stringify(Object.entries(lanes).sort()) !== JSON.stringify(Object.entries(expectedLanes).sort())) {
    throw new Error(`${c.name}: lane messages ${JSON.stringify(lanes)}, expected ${JSON.stringify(expectedLanes)}`);
  }
  addInto(c.units.laneMessages, lanes);
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/** One timed run over `batchCount` freshly built batches (building and seeding are not timed). */
async function timedRun(c: BenchCase, pools: Pools, batchCount: number, count: boolean): Promise<RoundResult> {
  const built = buildBatches(c.scenario, batchCount, pools);
  await prepare(c, pools, built.seeds);
  const stateBefore = structuredClone(c.store.stats);
  const sqsBefore = structuredClone(c.sqs.stats);
  const results: BatchRun[] = [];

  const loggedBefore = c.logged.bytes;
  const processCpu = process.cpuUsage();
  const threadCpu = process.threadCpuUsage();
  const start = performance.now();
  for (const batch of built.batches) results.push(await c.process(batch));
  const wallMs = performance.now() - start;
  const threadCpuMs = cpuMs(process.threadCpuUsage(threadCpu));
  const processCpuMs = cpuMs(process.cpuUsage(processCpu));

  const state = combine(c.store.stats, stateBefore, -1);
  const sqs = combine(c.sqs.stats, sqsBefore, -1);
  const records = batchCount * c.scenario.batchSize;
  verify(c, built, results);
  if (count) {
    const u = c.units;
    u.records += records;
    u.state = combine(u.state, state, 1);
    u.sqs = combine(u.sqs, sqs, 1);
  } else {
    c.units.outcomes = {};
    c.units.laneMessages = {};
  }
  c.sqs.clear();
  c.store.clear();
  return { records, wallMs, threadCpuMs, processCpuMs, fakeMs: state.fakeMs + sqs.fakeMs, logBytes: c.logged.bytes - loggedBefore };
}

async function warmUp(c: BenchCase, pools: Pools): Promise<void> {
  const started = performance.now();
  let records = 0;
  let wall = 0;
  const batches = Math.max(2, Math.ceil(200 / c.scenario.batchSize));
  while (performance.now() - started < ROUNDS.warmupMs) {
    const r = await timedRun(c, pools, batches, false);
    records += r.records;
    wall += r.wallMs;
  }
  c.rate = (records / wall) * 1000;
}

/** CpuFigures: medians over rounds, µs per record. */
interface Figures extends CpuFigures {
  name: string;
  scenario: string;
  batchSize: number;
  logger: string;
  impl: Impl;
  rounds: RoundResult[];
  logBytesPerRecord: number;
}

function figures(c: BenchCase): Figures {
  const per = (f: (r: RoundResult) => number): number[] => c.rounds.map((r) => (f(r) * 1000) / r.records);
  const thread = per((r) => r.threadCpuMs);
  return {
    name: c.name,
    scenario: c.scenario.name,
    batchSize: c.scenario.batchSize,
    logger: c.loggerName,
    impl: c.impl,
    rounds: c.rounds,
    threadCpuUs: median(thread),
    threadCpuUsMin: Math.min(...thread),
    threadCpuUsMax: Math.max(...thread),
    processCpuUs: median(per((r) => r.processCpuMs)),
    wallUs: median(per((r) => r.wallMs)),
    fakeUs: median(per((r) => r.fakeMs)),
    logBytesPerRecord: c.rounds.reduce((n, r) => n + r.logBytes, 0) / c.rounds.reduce((n, r) => n + r.records, 0),
  };
}

interface Units {
  scenario: string;
  impl: Impl;
  batchSize: number;
  records: number;
  outcomes: Record<string, number>;
  /** Ours: SyncState calls by operation; the baseline: its table's PutItems. */
  stateOperations: Record<string, number>;
  stateOperationsPerRecord: number;
  sqsRequestsPerRecord: number;
  sqsBilledRequestsPerRecord: number;
  laneMessagesPerRecord: number;
  laneMessages: Record<string, number>;
  laneMessageBytes: number;
  /** Bytes of message bodies and attributes sent to the lanes, per record. */
  laneBytesPerRecord: number;
}

function units(c: BenchCase): Units {
  const u = c.units;
  const n = u.records;
  const perRecord = (o: Record<string, number>): Record<string, number> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v / n]));
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  return {
    scenario: c.scenario.name,
    impl: c.impl,
    batchSize: c.scenario.batchSize,
    records: n,
    outcomes: u.outcomes,
    stateOperations: perRecord(u.state.calls),
    stateOperationsPerRecord: sum(u.state.calls) / n,
    sqsRequestsPerRecord: sum(u.sqs.requests) / n,
    sqsBilledRequestsPerRecord: u.sqs.billedRequests / n,
    laneMessagesPerRecord: u.sqs.messages / n,
    laneMessages: u.laneMessages,
    laneMessageBytes: u.sqs.payloadBytes / Math.max(1, u.sqs.messages),
    laneBytesPerRecord: u.sqs.payloadBytes / n,
  };
}

// ---------------------------------------------------------------- tables

function cpuTable(all: Figures[], reference: Throughput): Table {
  return {
    title: `CPU per record, processIntakeBatch with in-memory fakes (median of ${ROUNDS.rounds} interleaved rounds × ≥${ROUNDS.roundMs} ms after ${ROUNDS.warmupMs} ms warm-up)`,
    head: ['scenario', 'logger', ...cpuHead('intake net µs*')],
    rows: all.map((f) => [f.scenario, f.logger === 'no-op' ? 'no-op' : `Powertools (${fmt.int(f.logBytesPerRecord)} B/rec)`, ...cpuCells(f)]),
    right: [2, 3, 4, 5, 6, 7, 8],
    note:
      'CPU = main-thread CPU time (process.threadCpuUsage) over whole rounds; all threads = process.cpuUsage (adds V8 GC and compiler helper threads). ' +
      "* net = CPU − time inside the fakes (the in-memory sync state's operations and the fake SQS client's send, which stand in for DynamoDB and SQS). " +
      "Not included: the AWS SDK's client-side work per request (marshalling, JSON serialisation, SigV4 signing, HTTP, response parsing), the middy handler, and writing logs to stdout. " +
      `Machine drift (reference workload timed in every round): ±${drift(reference)}; its median ${fmt.rate(reference.median)} passes/s.`,
  };
}

function unitsTable(all: Units[]): Table {
  return {
    title: 'Sync-state operations and SQS requests per record (counted by the fakes over every timed round)',
    head: ['scenario', 'state ops/rec', 'by operation', 'SQS req/rec', 'lane msgs/rec', 'lane msgs/SQS req'],
    rows: all.map((u) => [
      `${u.scenario}`,
      per(u.stateOperationsPerRecord),
      operationsText(u.stateOperations),
      per(u.sqsRequestsPerRecord),
      per(u.laneMessagesPerRecord),
      per(u.laneMessagesPerRecord / u.sqsRequestsPerRecord),
    ]),
    right: [1, 3, 4, 5],
    note:
      'state ops = calls of the SyncState (functions/shared/state/sync-state.ts) intake makes; in DynamoDB most are one request each, acceptRevision of a new revision two (the META update and the revision item), ' +
      'appendEvents one BatchWriteItem per 25 events. DynamoDB capacity units are not estimated here (the state is in memory). ' +
      'SQS req = SendMessageBatch/SendMessage calls made by intake' +
      (all.every((u) => Math.abs(u.sqsBilledRequestsPerRecord - u.sqsRequestsPerRecord) < 1e-9)
        ? ' (each under 64 KiB of payload, so billed requests are the same). '
        : `; billed as 64 KiB chunks: ${all.map((u) => `${u.scenario} ${per(u.sqsBilledRequestsPerRecord)}`).join(', ')} per record. `) +
      "Not made by intake and not counted: the Lambda event source's ReceiveMessage and DeleteMessageBatch on the intake queue — with 10 messages a receive, " +
      'about 1 receive + 1 delete batch per 10 records = +0.2 SQS requests/record at batch size 10 and at 100 alike (a receive returns at most 10), plus empty polls when idle; ' +
      "nor the deliver functions' receives of the lane messages.",
  };
}

function sizesNote(all: Units[], baseline: Units[]): string {
  const u = all[0]!;
  const b = baseline.find((x) => x.scenario === u.scenario);
  return `Mean lane message (${u.scenario}): ${fmt.int(u.laneMessageBytes)} B (body + attributes)` + (b ? `; baseline ${fmt.int(b.laneMessageBytes)} B.` : '.');
}

// ---------------------------------------------------------------- ours against the baseline

const BASELINE_NOTE =
  'The baseline (bench/baseline/intake.ts) is the same work done the common way: Powertools BatchProcessor (SQS) + processPartialResponse; per record the same validateRecordText ' +
  '(JSON.parse and the same precompiled validators), the same source registry and routes, a PutItem of the whole record guarded by `attribute_not_exists(pk) OR revision < :rev`, ' +
  'one SendMessage per destination carrying the whole record, one history PutItem; invalid records one quarantine PutItem. Same batches, same SQS fake, same logger; its table is bench/baseline/table.ts (PutItem only). ' +
  'It does less than ours: no routing claim and no routed mark (a crash between its PutItem and its sends loses the lane messages: the redelivery fails the guard and is acked), ' +
  "no content hash (a changed record under the same revision is acked, not quarantined as a conflict), no lookup of where a repair's breach went, " +
  'no immutable revision item, one history event a record instead of two (accepted, routed), and its lane messages carry personal data.';

function compare(cases: BenchCase[], reference: Throughput): { tables: Table[]; json: unknown } {
  const pairs = cases.flatMap((c) => {
    const twin = c.impl === 'ours' ? cases.find((b) => b.impl === 'baseline' && b.scenario === c.scenario && b.loggerName === c.loggerName) : undefined;
    return twin ? [{ ours: c, baseline: twin }] : [];
  });
  if (pairs.length === 0) return { tables: [], json: undefined };
  const logged = (c: BenchCase): string => fmt.int(figures(c).logBytesPerRecord);
  const cpuRows = pairs.map((p) => ({
    scenario: p.ours.scenario.name,
    labels: [p.ours.loggerName === 'no-op' ? 'no-op' : `Powertools (${logged(p.ours)} / ${logged(p.baseline)} B/rec)`],
    cpu: pairCpu(p.ours.rounds, p.baseline.rounds),
  }));
  const metricRows: MetricRow[] = pairs
    .filter((p) => p.ours.loggerName === 'no-op' || only)
    .flatMap((p) => {
      const [o, b] = [units(p.ours), units(p.baseline)];
      const s = p.ours.scenario.name;
      return [
        { scenario: s, metric: 'state operations', ours: o.stateOperationsPerRecord, baseline: b.stateOperationsPerRecord },
        { scenario: s, metric: 'SQS requests', ours: o.sqsRequestsPerRecord, baseline: b.sqsRequestsPerRecord },
        { scenario: s, metric: 'SQS bytes sent', ours: o.laneBytesPerRecord, baseline: b.laneBytesPerRecord, format: fmt.int },
      ];
    });
  const tables = [
    cpuCompareTable(
      `Ours ÷ baseline: CPU per record, in the same ${ROUNDS.rounds} interleaved rounds`,
      ['logger'],
      cpuRows,
      'CPU = main-thread CPU µs per record, median over rounds; the ratio is the median of the per-round ratios (each round runs ours, then the baseline, on fresh batches of the same scenario), ' +
        "with their range (Powertools: the log each writes per record, ours / baseline). net = CPU − time inside the fakes (server-side work DynamoDB and SQS would do, not the Lambda's). " +
        "Neither includes the AWS SDK's client-side CPU per request (marshalling, SigV4 signing, HTTP: the fakes take the commands as they are), so each side's state operations and SQS requests below add to its Lambda CPU. " +
        `Machine drift: ±${drift(reference)}. ${BASELINE_NOTE}`,
    ),
    metricsTable(
      'Ours ÷ baseline: state operations and SQS requests per record (no-op logger; counted by the fakes over every timed round)',
      metricRows,
      "State operations: ours' SyncState calls (as in the table above), the baseline's PutItems (each one DynamoDB request; the baseline's duplicate and older revision fail its guard). " +
        "SQS requests: intake's sends (SendMessageBatch for ours, SendMessage for the baseline); bytes sent: message bodies and attributes. " +
        "Neither counts the event source's receives and deletes on the intake queue (the same for both).",
    ),
  ];
  return { tables, json: { cpu: cpuRows, units: metricRows.map(({ format: _f, ...r }) => ({ ...r, ratio: r.baseline === 0 ? null : r.ours / r.baseline })) } };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const env = environment(['functions', 'topology/topology.ts', 'schemas']);
  log(`intake benchmark${quick ? ' (quick: short rounds, nothing written)' : ''} on ${String(env['cpu'])}, ${String(env['node'])}`);
  log('building record pools…');
  const pools = buildPools();

  // each case of ours and its baseline twin run one after the other in every round
  const loggers = ['no-op', 'Powertools'] as const;
  const cases = SCENARIOS.flatMap((s) => loggers.flatMap((l) => [makeCase(s, l, 'ours'), ...(withBaseline ? [makeCase(s, l, 'baseline')] : [])])).filter(
    (c) => !only || c.name.includes(only),
  );
  if (cases.length === 0) throw new Error(`no case matches --only ${String(only)}`);
  log('warm-up…');
  for (const c of cases) await warmUp(c, pools);
  const reference = referenceCase({ roundMs: 200, warmupMs: 200 });
  reference.run(200);
  const refRate: number[] = [];
  const refCpu: number[] = [];
  let refItems = 0;

  for (let r = 0; r < ROUNDS.rounds; r++) {
    log(`round ${r + 1}/${ROUNDS.rounds}…`);
    for (const c of cases) {
      const batches = Math.max(2, Math.ceil((c.rate * ROUNDS.roundMs) / 1000 / c.scenario.batchSize));
      c.rounds.push(await timedRun(c, pools, batches, true));
    }
    const ref = reference.run(200);
    refRate.push((ref.items / ref.elapsedMs) * 1000);
    refCpu.push((ref.items / ref.cpuMs) * 1000);
    refItems += ref.items;
  }
  const referenceThroughput = summarise(refRate, refCpu, refItems);

  const ours = cases.filter((c) => c.impl === 'ours');
  const allFigures = ours.map(figures);
  const allUnits = ours.filter((c) => c.loggerName === 'no-op' || only).map(units);
  const baselineUnits = cases.filter((c) => c.impl === 'baseline' && (c.loggerName === 'no-op' || only)).map(units);
  // the logger must not change what intake does (nor what the baseline does)
  for (const c of cases.filter((x) => x.loggerName === 'Powertools')) {
    const twin = units(c);
    const base = [...allUnits, ...baselineUnits].find((u) => u.scenario === c.scenario.name && u.impl === c.impl);
    if (!base || only) continue;
    // (scheduleExpiry may differ a little: each case draws other records from the pools, some whose
    // publication ends; so may getLicensingItem: a batch reads each item its commitments name once)
    const fixed = (u: Units): number => u.stateOperationsPerRecord - (u.stateOperations['scheduleExpiry'] ?? 0) - (u.stateOperations['getLicensingItem'] ?? 0);
    if (Math.abs(fixed(twin) - fixed(base)) > 1e-9 || Math.abs(twin.laneMessagesPerRecord - base.laneMessagesPerRecord) > 1e-9) {
      throw new Error(`${c.name}: different requests with another logger: ${JSON.stringify(twin)} vs ${JSON.stringify(base)}`);
    }
  }

  const comparison = compare(cases, referenceThroughput);
  const tables = [cpuTable(allFigures, referenceThroughput), unitsTable(allUnits), ...comparison.tables];
  const sizes = sizesNote(allUnits, baselineUnits);
  const loadEnd = os.loadavg()[0]!;
  const machine =
    `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ` +
    `${String(env['platform'])}, Node ${String(env['node'])} (V8 ${String(env['v8'])}), commit ${String(env['commit'])}` +
    (env['uncommittedChanges'] ? ' + uncommitted changes in functions/, topology/topology.ts or schemas/' : '') +
    `; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min); reference workload ${fmt.rate(referenceThroughput.median)} passes/s ` +
    '(this shared machine has phases at half speed: compare runs only at a similar reference figure)';
  const composition =
    'Batches: valid = per 10 messages 6 public commitments (3 lanes), 3 breaches and 1 repair of a breach routed before (2 lanes each), every record new; ' +
    'mixed = 3 commitments, 2 breaches, 1 repair, 2 invalid (quarantined), 1 duplicate of a routed revision, 1 revision older than the stored one. ' +
    `Record pools: ${POOL_SIZE} commitments, ${POOL_SIZE} breaches, ${POOL_SIZE / 3} repairs, ${POOL_SIZE / 3} invalid records (bench/records.ts), a fresh recordId per message.`;

  console.log('');
  console.log(machine);
  for (const t of tables) console.log(`\n${toText(t)}`);
  console.log(`\n${sizes}\n${composition}`);
  const unsteady = unsteadyWarning(referenceThroughput);
  const elapsed = (performance.now() - started) / 1000;
  console.log(`(bench ran ${elapsed.toFixed(0)} s)`);

  if (quick || only || !withBaseline) return;
  recordResults({
    name: 'intake',
    intro:
      '# Intake benchmark results\n\nAppended by `tsx bench/intake.bench.ts` (part of `npm run bench`); the JSON files beside this one hold every round.\n',
    machine,
    env,
    load: { start: loadStart, end: loadEnd },
    json: {
      config: { rounds: ROUNDS, poolSize: POOL_SIZE, seedBreaches: SEED_BREACHES, scenarios: SCENARIOS },
      cpu: allFigures,
      units: allUnits,
      baseline: { cpu: cases.filter((c) => c.impl === 'baseline').map(figures), units: baselineUnits },
      comparison: comparison.json,
      reference: referenceThroughput,
      benchSeconds: elapsed,
    },
    lines: [...unsteady, ...tables.flatMap((t) => [toMarkdown(t), '']), sizes, '', composition, ''],
  });
}

await main();
