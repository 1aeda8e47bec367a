/**
 * Billed Lambda time per record on each outbound lane, at the endpoint latency the topology assumes
 * (EXPECTED_REQUEST_SECONDS), against the destination simulators over HTTP: the deliver function
 * as it is (requests of a batch concurrent, at the invocation's share of the lane's rate limit,
 * the lane's plan from topology/topology.ts) beside the same code run as it was before
 * (`sequential`: one request in flight, the earlier plan — municipal batches of 5 over 3
 * invocations, public column batches of 10 over 5, provincial 10 invocations), in the same run.
 *
 * Public commitments (3 lanes each) go through the real intake into the in-memory sync state; each
 * lane's messages are then delivered as its event source hands them out — batches of the lane's
 * batch size, at most its maxConcurrency invocations at once, each invocation timed from start to
 * end (what Lambda bills, less the SDK's round trips to DynamoDB and SQS, which the in-memory
 * state and fake SQS do not have). Every record must end delivered, else the bench fails.
 * A second scenario hands out one record per invocation (a trickle: records arriving one by one).
 *
 * Run: `tsx bench/lanes.bench.ts` (about a minute); `--quick` for a smoke run (nothing written).
 */
import { performance } from 'node:perf_hooks';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { adapters } from '../functions/deliver/adapters/index.js';
import { processDeliverBatch } from '../functions/deliver/deliver.js';
import { processIntakeBatch } from '../functions/intake/intake.js';
import { createCredentialsProvider, memorySecretSource } from '../functions/shared/signing/credentials.js';
import { startSimulators } from '../local/simulators/index.js';
import { EXPECTED_REQUEST_SECONDS, destinations, type DestinationId, type LaneSettings } from '../topology/topology.js';
import { destinationCredentials } from '../test/support/destination-credentials.js';
import { inMemorySyncState } from '../test/support/in-memory-sync-state.js';
import { environment, recordResults } from './environment.js';
import { FakeSqs } from './fakes.js';
import { commitmentRecord, seedLicensingItems } from './records.js';
import { toMarkdown, toText, type Table } from './report.js';

const quick = process.argv.includes('--quick');
const RECORDS = quick ? 12 : 60;
const TRICKLE = quick ? 3 : 10;
const LANES = ['municipal', 'publicColumn', 'provincial'] as const satisfies readonly DestinationId[];
const LATENCY_MS = EXPECTED_REQUEST_SECONDS * 1000;
const TABLE = 'bench-lanes';
const LANE_URLS = Object.fromEntries(LANES.map((d) => [d, `https://sqs.local/lane-${d}`])) as Record<DestinationId, string>;

/** The plan before requests went concurrently: one invocation per request in flight at the expected latency. */
const SEQUENTIAL: Record<(typeof LANES)[number], Partial<LaneSettings>> = {
  municipal: { batchSize: 5, maxConcurrency: 3, maxInFlight: 1 },
  publicColumn: { batchSize: 10, maxConcurrency: 5, maxInFlight: 1 },
  provincial: { maxConcurrency: 10, maxInFlight: 1 },
};

const log = (message: string) => console.log(`[lanes bench] ${message}`);

interface Run {
  lane: string;
  variant: 'concurrent' | 'sequential';
  scenario: 'backlog' | 'trickle';
  records: number;
  invocations: number;
  requests: number;
  billedMs: number;
  wallSeconds: number;
}

async function main(): Promise<void> {
  const credentials = destinationCredentials('credex');
  const sims = await startSimulators({ credentials, seed: 11, faults: { latencyMs: LATENCY_MS } });
  const state = inMemorySyncState();
  await seedLicensingItems(state);
  const intakeSqs = new FakeSqs();
  const silent = { info: () => {}, warn: () => {}, error: () => {} };
  try {
    // the lane messages of RECORDS public commitments, as intake sends them
    const records = Array.from({ length: RECORDS + TRICKLE }, (_, i) => ({ ...commitmentRecord(i), recordId: `LANES-${i}` }));
    for (let i = 0; i < records.length; i += 10) {
      const result = await processIntakeBatch(
        records
          .slice(i, i + 10)
          .map((r, j) => ({ messageId: `in-${i + j}`, body: JSON.stringify(r), messageAttributes: {}, attributes: {} }) as unknown as SQSRecord),
        { state, sqs: intakeSqs as unknown as SQSClient, logger: silent, config: { tableName: TABLE, laneQueueUrls: LANE_URLS } },
      );
      if (result.batchItemFailures.length > 0 || [...result.outcomes.values()].some((o) => o !== 'routed'))
        throw new Error(`intake did not route every record: ${JSON.stringify([...result.outcomes.values()])}`);
    }
    const seeded = state.snapshot();
    const runs: Run[] = [];
    for (const lane of LANES) {
      const messages = intakeSqs.sent.filter((m) => m.queueUrl === LANE_URLS[lane]).map((m, i) => laneRecord(m.body, i));
      // the public column takes only what is still published on the day: not quite every commitment
      if (messages.length < records.length * 0.8) throw new Error(`${lane}: ${messages.length} lane messages for ${records.length} records`);
      for (const scenario of ['backlog', 'trickle'] as const) {
        const batch = scenario === 'backlog' ? messages.slice(0, -TRICKLE) : messages.slice(-TRICKLE);
        for (const variant of ['sequential', 'concurrent'] as const) {
          state.restore(seeded);
          sims.reset();
          sims.simulators[lane].setFaults({ latencyMs: LATENCY_MS });
          const settings: LaneSettings = { ...destinations[lane].lane, ...(variant === 'sequential' && SEQUENTIAL[lane]) };
          log(`${lane}, ${scenario}, ${variant}: ${batch.length} records`);
          runs.push(await deliverAll(lane, scenario, variant, batch, settings));
        }
      }
    }
    report(runs);
  } finally {
    await sims.stop();
  }

  /** Delivers `messages` as the lane's event source would; every invocation timed. */
  async function deliverAll(
    lane: (typeof LANES)[number],
    scenario: Run['scenario'],
    variant: Run['variant'],
    messages: readonly SQSRecord[],
    settings: LaneSettings,
  ): Promise<Run> {
    const size = scenario === 'trickle' ? 1 : settings.batchSize;
    const batches: SQSRecord[][] = [];
    for (let i = 0; i < messages.length; i += size) batches.push(messages.slice(i, i + size));
    const deps = {
      state,
      sqs: new FakeSqs() as unknown as SQSClient,
      adapter: adapters[lane],
      credentials: createCredentialsProvider({ source: memorySecretSource({ [lane]: JSON.stringify(credentials[lane]) }), secretName: lane }),
      config: { tableName: TABLE, destination: lane, endpointUrl: sims.urls[lane], queueUrl: LANE_URLS[lane], lane: settings },
      logger: silent,
    };
    let billedMs = 0;
    const started = performance.now();
    const workers = scenario === 'trickle' ? 1 : settings.maxConcurrency;
    await Promise.all(
      Array.from({ length: workers }, async () => {
        for (let next = batches.shift(); next; next = batches.shift()) {
          const t0 = performance.now();
          const result = await processDeliverBatch(next, deps);
          billedMs += Math.ceil(performance.now() - t0); // Lambda bills each invocation by the millisecond
          const failed = [...result.outcomes.entries()].filter(([, o]) => o !== 'delivered');
          if (failed.length > 0) throw new Error(`${lane} ${variant}: not delivered: ${JSON.stringify(failed.slice(0, 3))}`);
        }
      }),
    );
    return {
      lane,
      variant,
      scenario,
      records: messages.length,
      invocations: Math.ceil(messages.length / size),
      requests: sims.simulators[lane].store.requests.length,
      billedMs,
      wallSeconds: (performance.now() - started) / 1000,
    };
  }
}

function laneRecord(body: string, i: number): SQSRecord {
  return {
    messageId: `lane-${i}`,
    receiptHandle: `rh-${i}`,
    body,
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  } as unknown as SQSRecord;
}

function report(runs: readonly Run[]): void {
  const perRecord = (r: Run) => r.billedMs / r.records;
  const pair = (r: Run) => runs.find((o) => o.lane === r.lane && o.scenario === r.scenario && o.variant === 'sequential')!;
  const table: Table = {
    title: `Billed time per record, endpoint latency ${LATENCY_MS} ms (the simulators): the lane's messages of ${RECORDS + TRICKLE} public commitments, all queued (backlog) but the last ${TRICKLE}, handed out one at a time (trickle)`,
    head: [
      'lane',
      'scenario',
      'sends',
      'records',
      'invocations',
      'HTTP requests',
      'billed ms/record',
      'ratio to sequential',
      'records/s',
      'GB-s per million records (256 MB)',
    ],
    right: [3, 4, 5, 6, 7, 8, 9],
    rows: runs.map((r) => [
      r.lane,
      r.scenario,
      r.variant,
      String(r.records),
      String(r.invocations),
      String(r.requests),
      perRecord(r).toFixed(0),
      r.variant === 'concurrent' ? `${(perRecord(r) / perRecord(pair(r))).toFixed(2)}×` : '',
      (r.records / r.wallSeconds).toFixed(1),
      ((perRecord(r) / 1000) * 0.25 * 1e6).toFixed(0),
    ]),
    note:
      'billed = Σ invocation durations (each rounded up to 1 ms) ÷ records; the sync state in memory and SQS faked, so the ' +
      'DynamoDB and SQS round trips (~8 ms each on Lambda, a few per invocation) are not in it. sequential: the same code with one ' +
      'request in flight and the earlier plan (municipal batches of 5 over 3 invocations, public column batches of 10 over 5, provincial 10 invocations); ' +
      'concurrent: the lane as topology/topology.ts declares it.',
  };
  console.log(`\n${toText(table)}\n`);
  if (quick) return;
  const env = environment(['functions', 'topology', 'bench/lanes.bench.ts']);
  recordResults({
    name: 'lanes',
    intro:
      '# Lanes: billed time per record at the expected endpoint latency\n\nRecorded by `bench/lanes.bench.ts` (see bench/README.md): the deliver function against the destination simulators over HTTP, each answering after the latency topology/topology.ts assumes.\n',
    env,
    machine: `${String(env['cpu'])}, ${String(env['cores'])} cores, Node ${String(env['node'])}, commit ${String(env['commit'])}${env['uncommittedChanges'] ? ' (uncommitted changes)' : ''}`,
    json: { latencyMs: LATENCY_MS, runs },
    lines: [toMarkdown(table), ''],
  });
}

await main();
