/**
 * Deliver benchmark: processDeliverBatch per record, over in-memory stand-ins — the sync state
 * (the in-memory SyncState) and the SQS client (bench/fakes.ts) and the destination's endpoint (a
 * `fetch` answering per docs/endpoints.md, bench/fake-endpoints.ts): no servers, no network.
 *
 * The state is seeded by the real intake (processIntakeBatch on the same stand-ins), and the lane
 * messages are the ones intake sent to the lane's queue, batched as the lane's event source does
 * (topology/topology.ts: provincial 10, municipal 5). Every pass starts from that seeded state
 * (a snapshot), so every pass delivers the same revisions for the first time.
 *
 * Scenarios:
 * - provincial, commitments only: one dataType, so a batch of 10 messages is one HTTP request;
 * - provincial, mixed: the lane as intake's valid mix fills it (per 10: 6 commitments, 3 breaches,
 *   1 repair), so a batch is one request per dataType present;
 * - municipal, mixed: one request per record (201 created);
 * - both lanes with every request answered 503 (transient: failed state, history event and a
 *   visibility change per message; the circuit breaker after 3 failed requests);
 * - provincial, mixed, answered 200 on the second receive, after a 503 on the first.
 *
 * Per record: CPU time (main thread, all threads, wall; the part inside the fakes apart), the
 * sync-state operations (SyncState calls; DynamoDB requests and capacity units are not estimated),
 * SQS requests, HTTP requests, bytes sent and received, and the rate limiter's waits. Then the time
 * of deliver's own stages (mapping with SM4 field encryption, signing, reading the stored record).
 *
 * Ours against the common way: provincial and municipal, mixed types, at batch sizes 10 and 100,
 * each run beside a baseline (bench/baseline/deliver.ts: Powertools BatchProcessor, the record read
 * from the message body — bench/baseline/intake.ts sends it whole —, one signed request a record
 * with the same adapter, a PutItem of the state a record) in the same interleaved rounds, on a
 * PutItem-only table of its own (bench/baseline/table.ts); a last pair of tables gives ours / baseline.
 *
 *   node_modules/.bin/tsx bench/deliver.bench.ts           full run (about 30 s), writes bench/results/deliver-<date>.json, appends deliver.md
 *   node_modules/.bin/tsx bench/deliver.bench.ts --quick   short rounds, prints only
 *   … --only <text>      only the scenarios whose name contains the text; --no-baseline   ours only (both print only)
 */
import { drift, environment, recordResults, unsteadyWarning } from './environment.js';
import { randomBytes, randomUUID } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { adapters } from '../functions/deliver/adapters/index.js';
import type { Delivery } from '../functions/deliver/adapters/types.js';
import { idempotencyKey, processDeliverBatch, type DeliverDeps, type DeliverMetrics, type DeliverOutcome } from '../functions/deliver/deliver.js';
import { processIntakeBatch, type IntakeDeps, type LaneMessage } from '../functions/intake/intake.js';
import type { CreditRecord } from '../functions/shared/records/types.js';
import { validateRecord } from '../functions/shared/records/validate.js';
import { createCredentialsProvider, memorySecretSource } from '../functions/shared/signing/credentials.js';
import { signRequest } from '../functions/shared/signing/sign.js';
import { STATUS_INDEX_PK } from '../topology/table.js';
import { destinations, type DestinationId } from '../topology/topology.js';
import { createBaselineDeliver } from './baseline/deliver.js';
import { createBaselineIntake } from './baseline/intake.js';
import { cpuCompareTable, metricsTable, pairCpu, type MetricRow } from './compare.js';
import { FakeEndpoint, emptyEndpointStats, type EndpointAnswer, type EndpointStats } from './fake-endpoints.js';
import { BaselineTable } from './baseline/table.js';
import { CountedState, FakeSqs, emptyStateStats, emptySqsStats, type StateStats, type SqsStats } from './fakes.js';
import { inMemorySyncState } from '../test/support/in-memory-sync-state.js';
import { unpackRecord } from '../functions/shared/state/record-compression.js';
import { benchCase, measureInterleaved, median, referenceCase, summarise, type Throughput } from './harness.js';
import { breachRecord, commitmentRecord, repairRecord, seedBreachId, seedLicensingItems } from './records.js';
import { cpuCells, cpuHead, fmt, operationsText, per, toMarkdown, toText, us1, type CpuFigures, type Table } from './report.js';

const quick = process.argv.includes('--quick');
/** `--only <text>`: run only the scenarios whose name contains the text (for profiling); prints only. */
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;
/** `--no-baseline`: only ours (for a profiler); prints only. */
const withBaseline = !process.argv.includes('--no-baseline');
const ROUNDS = quick ? { warmupMs: 200, roundMs: 150, rounds: 2 } : { warmupMs: 600, roundMs: 400, rounds: 7 };
const STAGE_ROUNDS = quick ? { warmupMs: 50, roundMs: 50, rounds: 2 } : { warmupMs: 150, roundMs: 150, rounds: 5 };
/** Records through intake per scenario (each gives one lane message per lane). */
const RECORDS = quick ? 60 : 300;
/** Breaches routed before the records, for the repairs to refer to. */
const SEED_BREACHES = 20;
const TABLE = 'credex-sync-state';
/** The day intake decides publication on and deliver states it for (the pools' records have fixed dates: all within their publication then). */
const BENCH_DAY = '2026-03-02';
const BREAKER_THRESHOLD = 3;
type Lane = 'provincial' | 'municipal';
const LANE_URLS: Record<DestinationId, string> = {
  provincial: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-provincial',
  municipal: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-municipal',
  publicColumn: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-publicColumn',
  district: 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-lane-district',
};
const ENDPOINT_URLS: Record<Lane, string> = {
  provincial: 'https://credit.example-hlj.invalid',
  municipal: 'https://credit.example-harbin.invalid',
};

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

// ---------------------------------------------------------------- records (as intake.bench.ts builds them)

type Kind = 'commitment' | 'breach' | 'repair';
/** intake.bench.ts's valid pattern: per 10 messages 6 commitments, 3 breaches, 1 repair. */
const MIXED: readonly Kind[] = ['commitment', 'breach', 'commitment', 'commitment', 'repair', 'commitment', 'breach', 'commitment', 'breach', 'commitment'];
const COMMITMENTS_ONLY: readonly Kind[] = ['commitment'];

const RUN_TAG = Date.now().toString(36).toUpperCase();
let serial = 0;

function recordText(kind: Kind, i: number): string {
  const base = kind === 'commitment' ? commitmentRecord(i) : kind === 'breach' ? breachRecord(i) : repairRecord(i, SEED_BREACHES, 'set-later');
  const record = { ...base, recordId: `${kind.slice(0, 3).toUpperCase()}-${RUN_TAG}-${String(++serial).padStart(8, '0')}`, revision: 1 };
  const result = validateRecord(record);
  if (!result.valid) throw new Error(`${kind} ${i} is invalid: ${JSON.stringify(result.errors)}`);
  return JSON.stringify(record);
}

// ---------------------------------------------------------------- SQS events

function sqsRecord(body: string, queueName: string, receiveCount: number, attributes: Record<string, string>): SQSRecord {
  const sent = String(Date.now());
  return {
    messageId: randomUUID(),
    receiptHandle: `AQEB${randomUUID()}`,
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: sent,
      SenderId: 'AROAEXAMPLE:credex-intake',
      ApproximateFirstReceiveTimestamp: sent,
    },
    messageAttributes: Object.fromEntries(
      Object.entries(attributes).map(([k, v]) => [k, { stringValue: v, dataType: 'String', stringListValues: [], binaryListValues: [] }]),
    ),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws-cn:sqs:cn-north-1:000000000000:${queueName}`,
    awsRegion: 'cn-north-1',
  };
}

// ---------------------------------------------------------------- scenarios and cases

interface Scenario {
  name: string;
  lane: Lane;
  records: 'commitments' | 'mixed';
  answer: EndpointAnswer;
  /** The messages come back a second time (receive count 2) after a 503 recorded them failed. */
  retry?: boolean;
  /** Messages a batch, when not the lane's event-source batch size. */
  batchSize?: number;
  /** Run beside the baseline (bench/baseline/deliver.ts) in the same rounds. */
  compare?: boolean;
}

const batchSizeOf = (lane: Lane): number => destinations[lane].lane.batchSize;

const sizeOf = (s: Scenario): number => s.batchSize ?? batchSizeOf(s.lane);

const SCENARIOS: readonly Scenario[] = [
  { name: `provincial ×${batchSizeOf('provincial')}, commitments only, 200`, lane: 'provincial', records: 'commitments', answer: 'ok' },
  { name: `provincial ×${batchSizeOf('provincial')}, mixed types, 200`, lane: 'provincial', records: 'mixed', answer: 'ok', compare: true },
  { name: `municipal ×${batchSizeOf('municipal')}, mixed types, 201`, lane: 'municipal', records: 'mixed', answer: 'ok' },
  { name: `provincial ×${batchSizeOf('provincial')}, mixed types, all 503`, lane: 'provincial', records: 'mixed', answer: 'unavailable' },
  { name: `municipal ×${batchSizeOf('municipal')}, mixed types, all 503`, lane: 'municipal', records: 'mixed', answer: 'unavailable' },
  { name: `provincial ×${batchSizeOf('provincial')}, mixed types, 200 after a 503`, lane: 'provincial', records: 'mixed', answer: 'ok', retry: true },
  // ours against the baseline, at batch sizes 10 and 100 (the provincial lane's own, 100, is above)
  { name: 'provincial ×10, mixed types, 200', lane: 'provincial', records: 'mixed', answer: 'ok', batchSize: 10, compare: true },
  { name: 'municipal ×10, mixed types, 201', lane: 'municipal', records: 'mixed', answer: 'ok', batchSize: 10, compare: true },
  { name: 'municipal ×100, mixed types, 201', lane: 'municipal', records: 'mixed', answer: 'ok', batchSize: 100, compare: true },
];

interface Counters {
  /** Ours: SyncState calls; the baseline: its table's PutItems. */
  state: StateStats;
  sqs: SqsStats;
  http: EndpointStats;
  sleepMs: number;
  sleeps: number;
  metrics: Record<string, number>;
}

const emptyCounters = (): Counters => ({ state: emptyStateStats(), sqs: emptySqsStats(), http: emptyEndpointStats(), sleepMs: 0, sleeps: 0, metrics: {} });

interface RoundResult {
  records: number;
  wallMs: number;
  threadCpuMs: number;
  processCpuMs: number;
  fakeMs: number;
}

/** `ours`: processDeliverBatch; `baseline`: bench/baseline/deliver.ts, the common way. */
type Impl = 'ours' | 'baseline';

interface Case {
  name: string;
  scenario: Scenario;
  impl: Impl;
  /** The state the pass starts from and what it holds after: ours the in-memory sync state, the baseline its table. */
  store: { stats: StateStats; reset(): void; destinationItems(lane: Lane): Array<Record<string, unknown>>; revisions(): string[] };
  sqs: FakeSqs;
  endpoint: FakeEndpoint;
  /** One batch through the implementation. */
  process: (batch: SQSRecord[]) => Promise<{ outcomes: Map<string, string>; failures: number }>;
  batches: SQSRecord[][];
  /** HTTP requests one pass makes, from the batches' record types and the breaker. */
  expectedRequests: number;
  records: number;
  waited: { ms: number; calls: number };
  metrics: Record<string, number>;
  /** Records per second of wall time, from the warm-up: sizes the rounds. */
  rate: number;
  rounds: RoundResult[];
  counted: Counters;
  outcomes: Record<string, number>;
}

const noopLogger = { info: () => {}, warn: () => {}, error: () => {} };
const expectedOutcome = (s: Scenario): DeliverOutcome => (s.answer === 'ok' ? 'delivered' : 'failed');

async function makeCase(scenario: Scenario, impl: Impl): Promise<Case> {
  const lane = scenario.lane;
  const name = `${scenario.name}${impl === 'baseline' ? ', baseline' : ''}`;
  const memory = inMemorySyncState();
  await seedLicensingItems(memory);
  const counted = new CountedState(memory);
  const table = new BaselineTable(TABLE);
  const sqs = new FakeSqs();
  const today = () => BENCH_DAY;
  const intake: IntakeDeps = {
    state: counted.state,
    sqs: sqs as unknown as SQSClient,
    config: { tableName: TABLE, laneQueueUrls: LANE_URLS },
    logger: noopLogger,
    today,
  };
  // the baseline's lane messages come from the baseline's intake (the whole record in the body)
  const baselineIntake = createBaselineIntake({ ...intake, ddb: table as unknown as DynamoDBDocumentClient });
  const runIntake = async (bodies: string[]): Promise<void> => {
    for (let i = 0; i < bodies.length; i += 10) {
      const batch = bodies.slice(i, i + 10).map((b) => sqsRecord(b, 'credex-intake', 1, {}));
      const result = impl === 'ours' ? await processIntakeBatch(batch, intake) : await baselineIntake(batch);
      const notRouted = [...result.outcomes.values()].filter((o) => o !== 'routed');
      if (notRouted.length) throw new Error(`${name}: intake did not route everything: ${notRouted.join(', ')}`);
    }
  };

  // the breaches the repairs refer to, then the records; only the records' lane messages are kept
  if (scenario.records === 'mixed')
    await runIntake(Array.from({ length: SEED_BREACHES }, (_, k) => JSON.stringify({ ...breachRecord(k), recordId: seedBreachId(k), revision: 1 })));
  sqs.clear();
  const pattern = scenario.records === 'mixed' ? MIXED : COMMITMENTS_ONLY;
  await runIntake(Array.from({ length: RECORDS }, (_, i) => recordText(pattern[i % pattern.length]!, i)));
  const laneMessages = sqs.sent.filter((m) => m.queueUrl === LANE_URLS[lane]);
  if (laneMessages.length !== RECORDS) throw new Error(`${name}: ${laneMessages.length} lane messages for ${RECORDS} records`);
  sqs.clear();

  const credentials = { appKey: `credex-${lane}`, secret: randomBytes(24).toString('base64'), fieldKey: randomBytes(16).toString('hex') };
  const adapter = adapters[lane];
  const endpoint = new FakeEndpoint({
    destination: lane,
    baseUrl: ENDPOINT_URLS[lane],
    algorithm: adapter.signatureAlgorithm,
    appKey: credentials.appKey,
    secret: credentials.secret,
  });
  const waited = { ms: 0, calls: 0 };
  const metrics: Record<string, number> = {};
  const countingMetrics: DeliverMetrics = {
    count: (name, value) => {
      metrics[name] = (metrics[name] ?? 0) + value;
    },
    latency: () => {
      metrics['latency'] = (metrics['latency'] ?? 0) + 1;
    },
  };
  // a warm Lambda: loaded on the first invocation, cached for 5 minutes
  const credentialsSource = createCredentialsProvider({ source: memorySecretSource({ [`credex/${lane}`]: credentials }), secretName: `credex/${lane}` });
  const deps: DeliverDeps = {
    state: counted.state,
    sqs: sqs as unknown as SQSClient,
    adapter,
    credentials: credentialsSource,
    config: {
      tableName: TABLE,
      destination: lane,
      endpointUrl: ENDPOINT_URLS[lane],
      queueUrl: LANE_URLS[lane],
      lane: destinations[lane].lane,
      breakerThreshold: BREAKER_THRESHOLD,
    },
    logger: noopLogger,
    metrics: countingMetrics,
    fetch: endpoint.fetch,
    today,
    // the lane's rate limit: counted, not waited for (it is wall time, not CPU)
    sleep: async (ms) => {
      waited.ms += ms;
      waited.calls++;
    },
  };

  // a repair goes only once its breach is delivered at the lane: the seeded breaches were, earlier
  if (scenario.records === 'mixed' && impl === 'ours') {
    for (let k = 0; k < SEED_BREACHES; k++) {
      const ref = { recordType: 'breach' as const, source: String(breachRecord(k)['source']), recordId: seedBreachId(k) };
      await memory.recordDestinationOutcome(ref, lane, { revision: 1, status: 'delivered', now: new Date().toISOString() });
    }
  }

  const size = sizeOf(scenario);
  const toBatches = (receiveCount: number): SQSRecord[][] => {
    const batches: SQSRecord[][] = [];
    for (let i = 0; i < laneMessages.length; i += size) {
      batches.push(laneMessages.slice(i, i + size).map((m) => sqsRecord(m.body, `credex-lane-${lane}`, receiveCount, m.attributes)));
    }
    return batches;
  };

  if (scenario.retry) {
    // the first receive meets an outage: every record is left 'failed' (untimed)
    endpoint.answer = 'unavailable';
    for (const batch of toBatches(1)) {
      const result = await processDeliverBatch(batch, deps);
      if (result.batchItemFailures.length !== batch.length) throw new Error(`${name}: the outage pass did not fail every message`);
    }
    endpoint.answer = 'ok';
    sqs.clear();
  }
  const batches = toBatches(scenario.retry ? 2 : 1);
  endpoint.answer = scenario.answer;

  const requestsOf = (batch: SQSRecord[]): number => {
    // the baseline: one request a record
    if (impl === 'baseline') return batch.length;
    const groups = lane === 'provincial' ? new Set(batch.map((m) => (JSON.parse(m.body) as LaneMessage).recordType)).size : batch.length;
    return scenario.answer === 'ok' ? groups : Math.min(groups, BREAKER_THRESHOLD);
  };
  let processBatch: Case['process'];
  if (impl === 'ours') {
    processBatch = async (batch) => {
      const result = await processDeliverBatch(batch, deps);
      return { outcomes: result.outcomes, failures: result.batchItemFailures.length };
    };
  } else {
    const baseline = createBaselineDeliver({
      ddb: table as unknown as DynamoDBDocumentClient,
      adapter,
      credentials: credentialsSource,
      config: { tableName: TABLE, destination: lane, endpointUrl: ENDPOINT_URLS[lane], sendTimeoutSeconds: destinations[lane].lane.sendTimeoutSeconds },
      logger: noopLogger,
      fetch: endpoint.fetch,
    });
    processBatch = async (batch) => {
      const result = await baseline(batch);
      return { outcomes: result.outcomes, failures: result.response.batchItemFailures.length };
    };
  }
  // the lane's records' destination items (not the seeded breaches': delivered before the run)
  const mine = (key: string, lane: Lane): boolean => key.endsWith(`DEST#${lane}`) && !key.includes('BRH-SEED-');
  let store: Case['store'];
  if (impl === 'ours') {
    const seeded = memory.snapshot();
    store = {
      get stats() {
        return counted.stats;
      },
      reset: () => memory.restore(seeded),
      destinationItems: (l) => memory.items().filter((item) => mine(`${item.pk}#${item.sk}`, l)),
      revisions: () =>
        memory
          .items()
          .filter((item) => item.sk.startsWith('REV#'))
          .map((item) => unpackRecord(item) ?? ''),
    };
  } else {
    const seeded = table.snapshot();
    store = {
      get stats() {
        return table.stats;
      },
      reset: () => table.restore(seeded),
      destinationItems: (l) => [...table.items].filter(([key]) => mine(key, l)).map(([, item]) => ({ ...item })),
      revisions: () => [],
    };
  }
  return {
    name,
    scenario,
    impl,
    store,
    sqs,
    endpoint,
    process: processBatch,
    batches,
    expectedRequests: batches.reduce((n, b) => n + requestsOf(b), 0),
    records: laneMessages.length,
    waited,
    metrics,
    rate: 0,
    rounds: [],
    counted: emptyCounters(),
    outcomes: {},
  };
}

// ---------------------------------------------------------------- passes

function addInto(target: Record<string, number>, source: Record<string, number>, sign = 1): void {
  for (const [k, v] of Object.entries(source)) target[k] = (target[k] ?? 0) + sign * v;
}

/** a + sign × b, field by field (numbers and records of numbers). */
function combine<T extends object>(a: T, b: T, sign: 1 | -1): T {
  const out = structuredClone(a) as unknown as Record<string, unknown>;
  for (const [k, v] of Object.entries(b)) {
    if (typeof v === 'number') out[k] = ((out[k] as number | undefined) ?? 0) + sign * v;
    else addInto(out[k] as Record<string, number>, v as Record<string, number>, sign);
  }
  return out as unknown as T;
}

function counters(c: Case): Counters {
  return structuredClone({ state: c.store.stats, sqs: c.sqs.stats, http: c.endpoint.stats, sleepMs: c.waited.ms, sleeps: c.waited.calls, metrics: c.metrics });
}

function difference(after: Counters, before: Counters): Counters {
  return {
    state: combine(after.state, before.state, -1),
    sqs: combine(after.sqs, before.sqs, -1),
    http: combine(after.http, before.http, -1),
    sleepMs: after.sleepMs - before.sleepMs,
    sleeps: after.sleeps - before.sleeps,
    metrics: combine(after.metrics, before.metrics, -1),
  };
}

function sumOf(a: Counters, b: Counters): Counters {
  return {
    state: combine(a.state, b.state, 1),
    sqs: combine(a.sqs, b.sqs, 1),
    http: combine(a.http, b.http, 1),
    sleepMs: a.sleepMs + b.sleepMs,
    sleeps: a.sleeps + b.sleeps,
    metrics: combine(a.metrics, b.metrics, 1),
  };
}

const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;

/**
 * Checks one pass: outcomes, requests, visibility changes, the state left in the table — for the
 * baseline too: every message processed, none failed, one request a record, a state a record.
 */
function verify(c: Case, results: Array<Map<string, string>>, failures: number, d: Counters, deep: boolean): void {
  const s = c.scenario;
  const want = expectedOutcome(s);
  const fail = (what: string): never => {
    throw new Error(`${c.name}: ${what}`);
  };
  c.batches.forEach((batch, b) => {
    for (const m of batch) {
      const got = results[b]!.get(m.messageId);
      if (got !== want) fail(`a message ended ${String(got)}, expected ${want}`);
      c.outcomes[want] = (c.outcomes[want] ?? 0) + 1;
    }
  });
  if (failures !== (want === 'failed' ? c.records : 0)) fail(`${failures} batch item failures`);
  if (d.http.requests !== c.expectedRequests) fail(`${d.http.requests} HTTP requests, expected ${c.expectedRequests}`);
  if (d.sqs.visibilityChanges !== failures) fail(`${d.sqs.visibilityChanges} visibility changes for ${failures} failures`);
  // deliver reads and records; it never accepts, routes or quarantines
  const operations =
    c.impl === 'ours'
      ? [
          'readForDelivery',
          'claimSend',
          'releaseSend',
          'recordDestinationOutcome',
          'appendEvents',
          'registerRepairWait',
          'listRepairWaits',
          'removeRepairWaits',
        ]
      : ['PutItem'];
  const unexpected = Object.keys(d.state.calls).filter((op) => !operations.includes(op) && d.state.calls[op]);
  if (unexpected.length) fail(`unexpected state operations ${unexpected.join(', ')}`);
  // records an open circuit never sent count as CircuitOpen, not as transient failures
  const unsent = d.metrics['CircuitOpen'] ?? 0;
  const counted = want === 'delivered' ? (d.metrics['Delivered'] ?? 0) : (d.metrics['TransientFailures'] ?? 0) + unsent;
  if (c.impl === 'ours' && counted !== c.records) fail(`metrics ${JSON.stringify(d.metrics)}`);
  if (c.impl === 'baseline' && (d.state.calls['PutItem'] ?? 0) !== c.records) fail(`${d.state.calls['PutItem'] ?? 0} state writes for ${c.records} records`);
  if (!deep) return;
  if (c.endpoint.violations.length) fail(`the endpoint refused requests:\n  ${c.endpoint.violations.slice(0, 5).join('\n  ')}`);
  // every record's destination state, with its receipt or its error: recorded outcomes, not a send
  // claim's alone (an unsent record was claimed, then released: no outcome)
  const states = c.store.destinationItems(s.lane).filter((item) => item[c.impl === 'ours' ? 'statusRank' : 'status'] !== undefined);
  const wantStatus = want === 'delivered' ? 'delivered' : 'failed';
  const attempts = s.retry ? 2 : 1;
  // ... and leave no state: nothing new happened to them
  if (states.length !== c.records - unsent) fail(`${states.length} destination states for ${c.records} records (${unsent} never sent)`);
  for (const st of states) {
    if (st['status'] !== wantStatus || st['attempts'] !== attempts || st[STATUS_INDEX_PK] !== `DEST#${s.lane}#${wantStatus}`)
      fail(`destination state ${JSON.stringify(st)}`);
    if (wantStatus === 'delivered' && typeof st['receipt'] !== 'string') fail(`no receipt in ${JSON.stringify(st)}`);
    if (wantStatus === 'failed' && !/HTTP 503/.test(String(st['lastError']))) fail(`lastError of ${JSON.stringify(st)}`);
  }
  if (want === 'failed' && c.sqs.visibility.some((v) => v.queueUrl !== LANE_URLS[s.lane] || v.seconds < 1))
    fail('a visibility change on the wrong queue or of less than 1 s');
}

/** One pass over every batch from the seeded table; `timed` passes add to the round's figures. */
async function pass(c: Case, deep = false): Promise<RoundResult & { counters: Counters }> {
  c.store.reset();
  c.sqs.clear();
  c.endpoint.verify = deep;
  c.endpoint.violations.length = 0;
  const before = counters(c);
  const results: Array<Map<string, string>> = [];
  let failures = 0;

  const processCpu = process.cpuUsage();
  const threadCpu = process.threadCpuUsage();
  const start = performance.now();
  for (const batch of c.batches) {
    const result = await c.process(batch);
    results.push(result.outcomes);
    failures += result.failures;
  }
  const wallMs = performance.now() - start;
  const threadCpuMs = cpuMs(process.threadCpuUsage(threadCpu));
  const processCpuMs = cpuMs(process.cpuUsage(processCpu));

  const d = difference(counters(c), before);
  verify(c, results, failures, d, deep);
  return { records: c.records, wallMs, threadCpuMs, processCpuMs, fakeMs: d.state.fakeMs + d.sqs.fakeMs + d.http.fakeMs, counters: d };
}

async function warmUp(c: Case): Promise<void> {
  await pass(c, true); // the first pass checks everything, requests included
  const started = performance.now();
  let records = 0;
  let wall = 0;
  do {
    const r = await pass(c);
    records += r.records;
    wall += r.wallMs;
  } while (performance.now() - started < ROUNDS.warmupMs);
  c.rate = (records / wall) * 1000;
  c.outcomes = {};
}

async function round(c: Case): Promise<RoundResult> {
  const passes = Math.max(1, Math.round((c.rate * ROUNDS.roundMs) / 1000 / c.records));
  const total: RoundResult = { records: 0, wallMs: 0, threadCpuMs: 0, processCpuMs: 0, fakeMs: 0 };
  for (let i = 0; i < passes; i++) {
    const { counters: d, ...r } = await pass(c);
    for (const k of Object.keys(total) as Array<keyof RoundResult>) total[k] += r[k];
    c.counted = sumOf(c.counted, d);
  }
  return total;
}

// ---------------------------------------------------------------- figures

/** CpuFigures: medians over rounds, µs per record. */
interface Figures extends CpuFigures {
  scenario: string;
  impl: Impl;
  lane: Lane;
  batchSize: number;
  answer: EndpointAnswer;
  retry: boolean;
  rounds: RoundResult[];
}

function figures(c: Case): Figures {
  const per = (f: (r: RoundResult) => number): number[] => c.rounds.map((r) => (f(r) * 1000) / r.records);
  const thread = per((r) => r.threadCpuMs);
  return {
    scenario: c.scenario.name,
    impl: c.impl,
    lane: c.scenario.lane,
    batchSize: sizeOf(c.scenario),
    answer: c.scenario.answer,
    retry: c.scenario.retry ?? false,
    rounds: c.rounds,
    threadCpuUs: median(thread),
    threadCpuUsMin: Math.min(...thread),
    threadCpuUsMax: Math.max(...thread),
    processCpuUs: median(per((r) => r.processCpuMs)),
    wallUs: median(per((r) => r.wallMs)),
    fakeUs: median(per((r) => r.fakeMs)),
  };
}

interface Units {
  scenario: string;
  impl: Impl;
  records: number;
  outcomes: Record<string, number>;
  /** Ours: SyncState calls by operation, per record; the baseline: its table's PutItems. */
  stateOperations: Record<string, number>;
  stateOperationsPerRecord: number;
  sqsRequests: Record<string, number>;
  sqsRequestsPerRecord: number;
  httpRequestsPerRecord: number;
  recordsPerHttpRequest: number;
  httpStatuses: Record<string, number>;
  bodyBytesPerRecord: number;
  headerBytesPerRecord: number;
  responseBytesPerRecord: number;
  rateLimitWaitMsPerRecord: number;
  metrics: Record<string, number>;
}

function units(c: Case): Units {
  const u = c.counted;
  const n = c.outcomes[expectedOutcome(c.scenario)] ?? 0;
  if (n === 0) throw new Error(`${c.name}: nothing counted`);
  const sum = (o: Record<string, number>): number => Object.values(o).reduce((a, b) => a + b, 0);
  return {
    scenario: c.scenario.name,
    impl: c.impl,
    records: n,
    outcomes: c.outcomes,
    stateOperations: Object.fromEntries(
      Object.entries(u.state.calls)
        .filter(([, v]) => v !== 0)
        .map(([k, v]) => [k, v / n]),
    ),
    stateOperationsPerRecord: sum(u.state.calls) / n,
    sqsRequests: u.sqs.requests,
    sqsRequestsPerRecord: sum(u.sqs.requests) / n,
    httpRequestsPerRecord: u.http.requests / n,
    recordsPerHttpRequest: u.http.records / u.http.requests,
    httpStatuses: u.http.byStatus,
    bodyBytesPerRecord: u.http.bodyBytes / n,
    headerBytesPerRecord: u.http.headerBytes / n,
    responseBytesPerRecord: u.http.responseBodyBytes / n,
    rateLimitWaitMsPerRecord: u.sleepMs / n,
    metrics: u.metrics,
  };
}

// ---------------------------------------------------------------- deliver's stages, timed alone

interface Stage {
  name: string;
  /** Records one call handles (the figure is per record). */
  records: number;
  usPerRecord: number;
  usPerRecordMin: number;
  usPerRecordMax: number;
}

/** Mapping (with SM4 field encryption), signing and reading the stored record, without the fakes. */
function stages(c: Case): { stages: Stage[]; reference: Throughput } {
  const revisions = c.store.revisions();
  const records = revisions.map((text) => JSON.parse(text) as CreditRecord);
  const delivery = (record: CreditRecord, destination: Lane): Delivery => ({
    record,
    action: 'upsert',
    idempotencyKey: idempotencyKey({ recordType: record.recordType, source: record.source, recordId: record.recordId, revision: record.revision, destination }),
  });
  const tens: Delivery[][] = [];
  for (let i = 0; i + 10 <= records.length; i += 10) tens.push(records.slice(i, i + 10).map((r) => delivery(r, 'provincial')));
  const singles = records.map((r) => [delivery(r, 'municipal')]);
  const context = { fieldKey: randomBytes(16).toString('hex'), randomBytes };
  const provincialRequests = tens.flatMap((t) => adapters.provincial.buildRequests(t, context));
  const municipalRequests = singles.flatMap((s) => adapters.municipal.buildRequests(s, context));
  const credentials = { appKey: 'credex-bench', secret: randomBytes(24).toString('base64') };
  const perRecordOfProvincial = (tens.length * 10) / provincialRequests.length;
  const lengths = { roundMs: STAGE_ROUNDS.roundMs, warmupMs: STAGE_ROUNDS.warmupMs };

  const defs: Array<{ name: string; records: number; case: ReturnType<typeof benchCase> }> = [
    {
      name: 'read the stored record (JSON.parse of the REV item)',
      records: 1,
      case: benchCase('parse', revisions, (t) => (JSON.parse(t) as { revision: number }).revision, lengths),
    },
    {
      name: 'provincial mapping, 10 mixed records → their batches (SM4 of identity numbers)',
      records: 10,
      case: benchCase('provincial map', tens, (t) => adapters.provincial.buildRequests(t, context).length, lengths),
    },
    {
      name: 'municipal mapping, 1 record → 1 request',
      records: 1,
      case: benchCase('municipal map', singles, (s) => adapters.municipal.buildRequests(s, context).length, lengths),
    },
    {
      name: `HMAC-SM3 signature of a provincial batch (${perRecordOfProvincial.toFixed(1)} records a request)`,
      records: perRecordOfProvincial,
      case: benchCase(
        'sign SM3',
        provincialRequests,
        (r) => signRequest({ method: r.method, path: r.path, body: r.body, credentials, algorithm: 'HMAC-SM3' })['X-Signature'].length,
        lengths,
      ),
    },
    {
      name: 'HMAC-SHA256 signature of a municipal request (1 record)',
      records: 1,
      case: benchCase(
        'sign SHA256',
        municipalRequests,
        (r) => signRequest({ method: r.method, path: r.path, body: r.body, credentials, algorithm: 'HMAC-SHA256' })['X-Signature'].length,
        lengths,
      ),
    },
  ];
  const reference = referenceCase(lengths);
  const measured = measureInterleaved([...defs.map((d) => d.case), reference], STAGE_ROUNDS);
  return {
    stages: defs.map((d) => {
      const t = measured.get(d.case.name)!;
      const perCall = (rate: number): number => 1e6 / rate / d.records;
      return {
        name: d.name,
        records: d.records,
        usPerRecord: perCall(t.medianCpu),
        usPerRecordMin: perCall(Math.max(...t.perRoundCpu)),
        usPerRecordMax: perCall(Math.min(...t.perRoundCpu)),
      };
    }),
    reference: measured.get('reference')!,
  };
}

// ---------------------------------------------------------------- tables

function cpuTable(all: Figures[], reference: Throughput): Table {
  return {
    title: `CPU per record, processDeliverBatch with in-memory fakes (median of ${ROUNDS.rounds} interleaved rounds × ≥${ROUNDS.roundMs} ms after ${ROUNDS.warmupMs} ms warm-up)`,
    head: ['scenario', ...cpuHead('deliver net µs*')],
    rows: all.map((f) => [f.scenario, ...cpuCells(f)]),
    right: [1, 2, 3, 4, 5, 6, 7],
    note:
      'CPU = main-thread CPU time (process.threadCpuUsage) over whole rounds; all threads = process.cpuUsage (adds V8 GC and compiler helper threads). ' +
      "* net = CPU − time inside the fakes (the in-memory sync state's operations, the SQS fake's send, and the endpoint's fetch: reading the request, building the answer and its Response), which stand in for server work. " +
      "Included: deliver's own work — resolving each message, mapping (SM4 field encryption for the province), signing, reading the Response, recording outcomes and history. " +
      "Not included: the AWS SDK's client-side work per request (marshalling, serialisation, SigV4, HTTP; one request per state operation, see the next table), undici's HTTP and TLS work for the endpoint, the middy handler, Powertools metrics and logging. " +
      "The rate limiter's waits are counted, not slept (see the next table). " +
      `Machine drift (reference workload timed in every round): ±${drift(reference)}; its median ${fmt.rate(reference.median)} passes/s.`,
  };
}

function unitsTable(all: Units[]): Table {
  return {
    title: 'Sync-state operations, requests and bytes per record (counted by the fakes over every timed round)',
    head: ['scenario', 'state ops', 'by operation', 'SQS req', 'HTTP req', 'records/HTTP req', 'body B', 'headers B', 'response B', 'rate-limit wait ms'],
    rows: all.map((u) => [
      u.scenario,
      per(u.stateOperationsPerRecord),
      operationsText(u.stateOperations),
      per(u.sqsRequestsPerRecord),
      per(u.httpRequestsPerRecord),
      per(u.recordsPerHttpRequest),
      fmt.int(u.bodyBytesPerRecord),
      fmt.int(u.headerBytesPerRecord),
      fmt.int(u.responseBytesPerRecord),
      us1(u.rateLimitWaitMsPerRecord),
    ]),
    right: [1, 3, 4, 5, 6, 7, 8, 9],
    note:
      'All figures per record (lane message). state ops = calls of the SyncState (functions/shared/state/sync-state.ts) deliver makes; in DynamoDB each is one request, ' +
      "readForDelivery one BatchGetItem per 33 messages (a second round for a repair's breach), appendEvents one BatchWriteItem per 25 events. DynamoDB capacity units are not estimated here (the state is in memory). " +
      "SQS req = ChangeMessageVisibility calls made by deliver (one per failed message); not counted: the event source's ReceiveMessage and DeleteMessageBatch on the lane queue (about 2 per batch: +0.2/record at 10 a batch, +0.4 at 5). " +
      'HTTP req: requests sent (after 3 failed requests in a row the circuit opens and the rest of the invocation is not sent). ' +
      "body B: request bodies; headers B: request line and the headers deliver sets (signature, content type, idempotency key) plus Host and Content-Length, not the HTTP client's own defaults (~100 B a request) nor TLS; response B: response bodies. " +
      "rate-limit wait: the delays the lane's token bucket handed out (rate ÷ maxConcurrency per invocation: provincial 20/s ÷ 2, municipal 5/s ÷ 2), summed — requests wait in parallel, so the billed wall time is less: bench/lanes.bench.ts measures it.",
  };
}

function stagesTable(all: Stage[], reference: Throughput): Table {
  return {
    title: `Deliver's stages alone, CPU µs per record (median of ${STAGE_ROUNDS.rounds} interleaved rounds × ≥${STAGE_ROUNDS.roundMs} ms)`,
    head: ['stage', 'CPU µs/record', 'min–max'],
    rows: all.map((s) => [s.name, us1(s.usPerRecord), `${us1(s.usPerRecordMin)}–${us1(s.usPerRecordMax)}`]),
    right: [1, 2],
    note: `Records of the mixed provincial scenario's table. Machine drift: ±${drift(reference)}.`,
  };
}

// ---------------------------------------------------------------- ours against the baseline

const BASELINE_NOTE =
  'The baseline (bench/baseline/deliver.ts) does the same delivery the common way: Powertools BatchProcessor (SQS) + processPartialResponse; per record it reads the record from the message body ' +
  '(bench/baseline/intake.ts sends the whole record), builds one request for it alone with the same adapter (mapping, SM4 for the province), signs it the same way, sends it with the same timeout ' +
  'to the same fake endpoint, reads the answer with the same adapter and writes the destination state with one unconditional PutItem (with the same status-index attributes). ' +
  "It does less than ours: no batching to the provincial endpoint; no reads (ours: the latest revision, the destination state and the stored revision, 3 items a record in one BatchGetItem per batch, and the same of a repair's breach) " +
  'so it cannot skip superseded or already delivered revisions nor hold a repair back until its breach is delivered; no send claim (ours: one conditional write a record) so two invocations can send two revisions ' +
  'in either order; no revision guard on the state (a late failure or an older revision overwrites a newer outcome); no history event; no rate limiting, circuit breaker, credential refresh or backoff; no metrics.';

function compare(cases: Case[], reference: Throughput): { tables: Table[]; json: unknown } {
  const pairs = cases.flatMap((c) => {
    const twin = c.impl === 'ours' ? cases.find((b) => b.impl === 'baseline' && b.scenario === c.scenario) : undefined;
    return twin ? [{ ours: c, baseline: twin }] : [];
  });
  if (pairs.length === 0) return { tables: [], json: undefined };
  const cpuRows = pairs.map((p) => ({ scenario: p.ours.scenario.name, cpu: pairCpu(p.ours.rounds, p.baseline.rounds) }));
  const metricRows: MetricRow[] = pairs.flatMap((p) => {
    const [o, b] = [units(p.ours), units(p.baseline)];
    const s = p.ours.scenario.name;
    return [
      { scenario: s, metric: 'state operations', ours: o.stateOperationsPerRecord, baseline: b.stateOperationsPerRecord },
      { scenario: s, metric: 'SQS requests', ours: o.sqsRequestsPerRecord, baseline: b.sqsRequestsPerRecord },
      { scenario: s, metric: 'HTTP requests', ours: o.httpRequestsPerRecord, baseline: b.httpRequestsPerRecord },
      {
        scenario: s,
        metric: 'HTTP bytes sent',
        ours: o.bodyBytesPerRecord + o.headerBytesPerRecord,
        baseline: b.bodyBytesPerRecord + b.headerBytesPerRecord,
        format: fmt.int,
      },
    ];
  });
  const tables = [
    cpuCompareTable(
      `Ours ÷ baseline: CPU per record, in the same ${ROUNDS.rounds} interleaved rounds`,
      [],
      cpuRows,
      'CPU = main-thread CPU µs per record, median over rounds; the ratio is the median of the per-round ratios (each round runs ours, then the baseline, over the same number of lane messages of the same scenario), ' +
        "with their range. net = CPU − time inside the fakes (the state, SQS and the endpoint's fetch: server-side work, not the Lambda's). " +
        "Neither includes the AWS SDK's client-side CPU per request (marshalling, SigV4 signing, HTTP: the fakes take the commands as they are), so each side's state operations and requests below add to its Lambda CPU. " +
        `Machine drift: ±${drift(reference)}. ${BASELINE_NOTE}`,
    ),
    metricsTable(
      'Ours ÷ baseline: state operations, requests and bytes per record (counted by the fakes over every timed round)',
      metricRows,
      "State operations: ours' SyncState calls (as in the table above), the baseline's PutItems (one DynamoDB request each). SQS requests: visibility changes (none: every record is delivered). HTTP bytes sent: request bodies and the headers each sets (signature, content type, idempotency key, Host, Content-Length). " +
        "Neither counts the event source's receives and deletes on the lane queue (the same for both at the same batch size).",
    ),
  ];
  return { tables, json: { cpu: cpuRows, units: metricRows.map(({ format: _f, ...r }) => ({ ...r, ratio: r.baseline === 0 ? null : r.ours / r.baseline })) } };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const env = environment(['functions', 'topology/topology.ts', 'schemas']);
  log(`deliver benchmark${quick ? ' (quick: short rounds, nothing written)' : ''} on ${String(env['cpu'])}, ${String(env['node'])}`);
  log('seeding the tables through intake…');
  const scenarios = SCENARIOS.filter((s) => !only || s.name.includes(only));
  if (scenarios.length === 0) throw new Error(`no scenario matches --only ${String(only)}`);
  const cases: Case[] = [];
  // a scenario's baseline twin runs right after it in every round
  for (const s of scenarios) {
    cases.push(await makeCase(s, 'ours'));
    if (s.compare && withBaseline) cases.push(await makeCase(s, 'baseline'));
  }

  log('warm-up…');
  for (const c of cases) await warmUp(c);
  const reference = referenceCase({ roundMs: 200, warmupMs: 200 });
  reference.run(200);
  const refRate: number[] = [];
  const refCpu: number[] = [];
  let refItems = 0;
  for (let r = 0; r < ROUNDS.rounds; r++) {
    log(`round ${r + 1}/${ROUNDS.rounds}…`);
    for (const c of cases) c.rounds.push(await round(c));
    const ref = reference.run(200);
    refRate.push((ref.items / ref.elapsedMs) * 1000);
    refCpu.push((ref.items / ref.cpuMs) * 1000);
    refItems += ref.items;
  }
  const referenceThroughput = summarise(refRate, refCpu, refItems);

  log('stages…');
  const ours = cases.filter((c) => c.impl === 'ours');
  const stageSource = ours.find((c) => c.scenario.records === 'mixed') ?? ours[0]!;
  stageSource.store.reset();
  const { stages: stageFigures, reference: stageReference } = stages(stageSource);

  const allFigures = ours.map(figures);
  const allUnits = ours.map(units);
  const baselineCases = cases.filter((c) => c.impl === 'baseline');
  const baselineUnits = baselineCases.map(units);
  const comparison = compare(cases, referenceThroughput);
  const tables = [cpuTable(allFigures, referenceThroughput), unitsTable(allUnits), stagesTable(stageFigures, stageReference), ...comparison.tables];
  const loadEnd = os.loadavg()[0]!;
  const machine =
    `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ` +
    `${String(env['platform'])}, Node ${String(env['node'])} (V8 ${String(env['v8'])}), commit ${String(env['commit'])}` +
    (env['uncommittedChanges'] ? ' + uncommitted changes in functions/, topology/topology.ts or schemas/' : '') +
    `; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min); reference workload ${fmt.rate(referenceThroughput.median)} passes/s ` +
    '(this shared machine has phases at half speed: compare runs only at a similar reference figure)';
  const composition =
    `Lane messages: ${RECORDS} records per scenario through the real intake (public commitments from registered sources; mixed = per 10 intake messages 6 commitments, 3 breaches, 1 repair), ` +
    `the lane's messages in the order intake sent them, in batches of the lane's event-source batch size (topology/topology.ts: provincial ${destinations.provincial.lane.batchSize}, municipal ${destinations.municipal.lane.batchSize}) or, for the comparison with the baseline, of 10 and 100. ` +
    'The fake endpoint answers per docs/endpoints.md: provincial 200 with SUCCESS and a receipt per record, municipal 201 created; "all 503": every request 503 SERVICE_UNAVAILABLE without Retry-After. ' +
    '"200 after a 503": the same messages on their second receive, their destination state left failed by an outage on the first. ' +
    "Every pass starts from the seeded state; the first pass of each scenario also checks every request's signature, path and idempotency key and every destination state left in the table.";

  console.log('');
  console.log(machine);
  for (const t of tables) console.log(`\n${toText(t)}`);
  console.log(`\n${composition}`);
  const unsteady = unsteadyWarning(referenceThroughput);
  const elapsed = (performance.now() - started) / 1000;
  console.log(`(bench ran ${elapsed.toFixed(0)} s)`);

  if (quick || only || !withBaseline) return;
  recordResults({
    name: 'deliver',
    intro:
      '# Deliver benchmark results\n\nAppended by `tsx bench/deliver.bench.ts` (part of `npm run bench`); the JSON files beside this one hold every round.\n',
    machine,
    env,
    load: { start: loadStart, end: loadEnd },
    json: {
      config: {
        rounds: ROUNDS,
        stageRounds: STAGE_ROUNDS,
        records: RECORDS,
        seedBreaches: SEED_BREACHES,
        breakerThreshold: BREAKER_THRESHOLD,
        scenarios: SCENARIOS,
        lanes: { provincial: destinations.provincial.lane, municipal: destinations.municipal.lane },
      },
      cpu: allFigures,
      units: allUnits,
      stages: stageFigures,
      baseline: { cpu: baselineCases.map(figures), units: baselineUnits },
      comparison: comparison.json,
      reference: referenceThroughput,
      benchSeconds: elapsed,
    },
    lines: [...unsteady, ...tables.flatMap((t) => [toMarkdown(t), '']), composition, ''],
  });
}

await main();
