/**
 * The ingest API measured end to end on this machine: signed requests sent with fetch over HTTP to
 * the local ingest server (local/ingest-server.ts → handleIngestRequest, the Lambda's code), backed
 * by DynamoDB Local (nonces, throttle counters) and fauxqs (the intake queue), all started here.
 *
 *   (a) sequential single-record requests: latency percentiles and requests/s
 *   (b) single-record requests, 10 in flight: records/s and latency percentiles
 *   (c) batches of 100 records, one at a time: records/s and latency per request
 *
 * Records: valid commitments (bench/records.ts) of source hrbxq-approval, pushed with the app key of
 * the approval system (topology/upstreams.ts), signed with HMAC-SM3. Every answer must be 200 with all
 * records accepted, and the intake queue must hold every record at the end.
 *
 *   node_modules/.bin/tsx bench/ingest.bench.ts            full run (under a minute), writes bench/results/ingest-<date>.json, appends ingest.md
 *   node_modules/.bin/tsx bench/ingest.bench.ts --quick    a smoke run, nothing written
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { IngestDeps, UpstreamSecrets } from '../functions/ingest/ingest.js';
import { dynamoSyncState } from '../functions/shared/state/dynamo/index.js';
import { signRequest } from '../functions/shared/signing/sign.js';
import { upstreams, type UpstreamId } from '../topology/upstreams.js';
import { createSyncStateTable, localAwsConfig } from '../local/emulators/clients.js';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/emulators/dynamodb-local.js';
import { startSqs, type LocalSqs } from '../local/emulators/sqs.js';
import { startIngestServer, type IngestServer } from '../local/ingest-server.js';
import { environment, recordResults } from './environment.js';
import { validCommitment, type Json } from './records.js';
import { fmt, latencySummary, toMarkdown, toText, type Table } from './report.js';
import { closedLoop } from './harness.js';

const quick = process.argv.includes('--quick');

const UPSTREAM: UpstreamId = 'hrbxq-approval-system';
const upstream = upstreams[UPSTREAM];
const SOURCE = upstream.sources[0];
const CREDENTIALS = { appKey: upstream.appKey, secret: 'bench-secret-of-hrbxq-approval' };
const TABLE = 'credex-bench-ingest';
const QUEUE = 'credex-bench-intake';

const SCENARIOS = {
  warmup: { requests: quick ? 10 : 30, concurrency: 1, batch: 1 },
  sequential: { requests: quick ? 30 : 300, concurrency: 1, batch: 1 },
  concurrent: { requests: quick ? 100 : 1000, concurrency: 10, batch: 1 },
  batches: { requests: quick ? 5 : 30, concurrency: 1, batch: 100 },
} as const;
type ScenarioName = keyof typeof SCENARIOS;

const log = (message: string): void => console.error(`[ingest bench] ${message}`);

// ---------------------------------------------------------------- requests

let nextRecord = 0;

/** The next distinct valid commitment, of the upstream's source. */
function record(): Json {
  const i = nextRecord++;
  return { ...validCommitment(i), source: SOURCE, recordId: `CMT-BENCH-${String(i + 1).padStart(7, '0')}` };
}

interface Outcome {
  ms: number;
  ok: boolean;
  status: number;
  error?: string;
}

/** One signed POST /v1/records with `batch` records (a single record object when 1). */
async function push(url: string, batch: number): Promise<Outcome> {
  const records = Array.from({ length: batch }, record);
  const body = Buffer.from(JSON.stringify(batch === 1 ? records[0] : { records }), 'utf8');
  const start = performance.now();
  const headers = signRequest({ method: 'POST', path: '/v1/records', body, credentials: CREDENTIALS, algorithm: 'HMAC-SM3' });
  try {
    const response = await fetch(`${url}/v1/records`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json; charset=utf-8' }, body });
    const json = (await response.json()) as { accepted?: number; rejected?: number; error?: { code: string } };
    const ms = performance.now() - start;
    const ok = response.status === 200 && json.accepted === batch && json.rejected === 0;
    return { ms, ok, status: response.status, ...(!ok && { error: json.error?.code ?? `accepted ${json.accepted}, rejected ${json.rejected}` }) };
  } catch (err) {
    return { ms: performance.now() - start, ok: false, status: 0, error: err instanceof Error ? err.message : String(err) };
  }
}

interface Run {
  scenario: ScenarioName;
  requests: number;
  concurrency: number;
  recordsPerRequest: number;
  records: number;
  wallMs: number;
  failures: number;
  failureSamples: string[];
  latenciesMs: number[];
}

async function run(url: string, scenario: ScenarioName): Promise<Run> {
  const { requests, concurrency, batch } = SCENARIOS[scenario];
  const { outcomes, wallMs } = await closedLoop(requests, concurrency, () => push(url, batch));
  const failed = outcomes.filter((o) => !o.ok);
  return {
    scenario,
    requests,
    concurrency,
    recordsPerRequest: batch,
    records: requests * batch,
    wallMs,
    failures: failed.length,
    failureSamples: [...new Set(failed.map((o) => `${o.status} ${o.error ?? ''}`))].slice(0, 5),
    latenciesMs: outcomes.map((o) => o.ms),
  };
}

function figures(r: Run) {
  return {
    scenario: r.scenario,
    requests: r.requests,
    concurrency: r.concurrency,
    recordsPerRequest: r.recordsPerRequest,
    records: r.records,
    failures: r.failures,
    failureSamples: r.failureSamples,
    wallSeconds: r.wallMs / 1000,
    requestsPerSecond: (r.requests / r.wallMs) * 1000,
    recordsPerSecond: (r.records / r.wallMs) * 1000,
    latencyMs: latencySummary(r.latenciesMs),
  };
}
type Figures = ReturnType<typeof figures>;

const LABELS: Record<ScenarioName, string> = {
  warmup: 'warm-up',
  sequential: '(a) 1 record, sequential',
  concurrent: '(b) 1 record, 10 in flight',
  batches: '(c) 100 records, sequential',
};

function table(all: Figures[]): Table {
  return {
    title: 'POST /v1/records over HTTP (fetch → node:http → handleIngestRequest → DynamoDB Local + fauxqs), latency per request',
    head: ['scenario', 'requests', 'records', 'failures', 'requests/s', 'records/s', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms'],
    right: [1, 2, 3, 4, 5, 6, 7, 8, 9],
    rows: all.map((f) => [
      LABELS[f.scenario as ScenarioName],
      fmt.int(f.requests),
      fmt.int(f.records),
      fmt.int(f.failures),
      fmt.rate(f.requestsPerSecond),
      fmt.rate(f.recordsPerSecond),
      fmt.ms(f.latencyMs.p50),
      fmt.ms(f.latencyMs.p95),
      fmt.ms(f.latencyMs.p99),
      fmt.ms(f.latencyMs.max),
    ]),
    note:
      'Latency: from signing the request to the parsed JSON answer, client side. Per request the server claims the nonce (DynamoDB PutItem), counts the throttle (UpdateItem), ' +
      'validates each record and sends it to the intake queue (SendMessageBatch, 10 per call). All processes share this machine: the client, the server, fauxqs (in this process) and DynamoDB Local (a JVM). ' +
      `The approval system's rate limit (${upstream.rateLimitPerMinute}/min) is raised for the run so the throttle counts but never refuses.`,
  };
}

// ---------------------------------------------------------------- main

async function main(): Promise<void> {
  const started = performance.now();
  const loadStart = os.loadavg()[0]!;
  const env = environment(['functions', 'local', 'topology/upstreams.ts']);
  let dynamo: DynamoDbLocal | undefined;
  let sqsServer: LocalSqs | undefined;
  let server: IngestServer | undefined;
  let ddbClient: DynamoDBClient | undefined;
  let sqs: SQSClient | undefined;
  try {
    log('starting DynamoDB Local and fauxqs…');
    [dynamo, sqsServer] = await Promise.all([startDynamoDbLocal(), startSqs()]);
    ddbClient = new DynamoDBClient(localAwsConfig(dynamo.endpoint));
    sqs = new SQSClient(localAwsConfig(sqsServer.endpoint));
    const ddb = DynamoDBDocumentClient.from(ddbClient, { marshallOptions: { removeUndefinedValues: true } });
    await createSyncStateTable(ddbClient, TABLE);
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
    if (!queueUrl) throw new Error('CreateQueue returned no QueueUrl');

    const secrets: UpstreamSecrets = {
      lookup: async (appKey) => (appKey === CREDENTIALS.appKey ? { upstreamId: UPSTREAM, secret: CREDENTIALS.secret } : undefined),
    };
    const deps: IngestDeps = {
      state: dynamoSyncState({ ddb, tableName: TABLE }),
      sqs,
      config: { tableName: TABLE, intakeQueueUrl: queueUrl, upstreams: { ...upstreams, [UPSTREAM]: { ...upstream, rateLimitPerMinute: 1_000_000 } } },
      secrets,
      logger: { info: () => {}, warn: () => {}, error: (message, ...extra) => console.error(message, ...extra) },
    };
    server = await startIngestServer({ deps });
    log(`ingest server at ${server.url}`);

    const runs: Run[] = [];
    for (const scenario of Object.keys(SCENARIOS) as ScenarioName[]) {
      log(`${LABELS[scenario]}: ${SCENARIOS[scenario].requests} requests…`);
      runs.push(await run(server.url, scenario));
    }
    const all = runs.map(figures);
    const measured = all.filter((f) => f.scenario !== 'warmup');

    const expectedMessages = runs.reduce((n, r) => n + r.records, 0);
    const attributes = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }));
    const queued = Number(attributes.Attributes?.['ApproximateNumberOfMessages'] ?? NaN);
    const failures = runs.reduce((n, r) => n + r.failures, 0);

    const loadEnd = os.loadavg()[0]!;
    const elapsed = (performance.now() - started) / 1000;
    const machine =
      `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ` +
      `${String(env['platform'])}, Node ${String(env['node'])} (V8 ${String(env['v8'])}), commit ${String(env['commit'])}` +
      (env['uncommittedChanges'] ? ' + uncommitted changes in functions/, local/ or topology/upstreams.ts' : '') +
      `; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min)`;
    const t = table(measured);
    const check = `Failed or rejected requests: ${failures}. Intake queue: ${fmt.int(queued)} messages (ApproximateNumberOfMessages), ${fmt.int(expectedMessages)} expected (${SCENARIOS.warmup.requests} warm-up requests included).`;

    console.log('');
    console.log(machine);
    console.log(`\n${toText(t)}`);
    console.log(`\n${check}`);
    for (const r of runs.filter((x) => x.failures > 0)) console.log(`  ${r.scenario}: ${r.failureSamples.join('; ')}`);
    console.log(`(bench ran ${elapsed.toFixed(0)} s)`);

    if (failures > 0 || queued !== expectedMessages) {
      process.exitCode = 1;
      console.error('FAILED: every request must be accepted and every record must reach the intake queue');
      return;
    }
    if (quick) return;

    recordResults({
      name: 'ingest',
      intro: '# Ingest benchmark results\n\nAppended by `tsx bench/ingest.bench.ts`; the JSON files beside this one hold every latency.\n',
      machine,
      env,
      load: { start: loadStart, end: loadEnd },
      json: {
        config: { scenarios: SCENARIOS, upstream: UPSTREAM, source: SOURCE, signature: 'HMAC-SM3' },
        results: all,
        latenciesMs: Object.fromEntries(runs.map((r) => [r.scenario, r.latenciesMs.map((ms) => Math.round(ms * 1000) / 1000)])),
        intakeQueue: { approximateNumberOfMessages: queued, expected: expectedMessages },
        benchSeconds: elapsed,
      },
      lines: [toMarkdown(t), '', check, '', ''],
    });
  } finally {
    await server?.stop();
    ddbClient?.destroy();
    sqs?.destroy();
    await Promise.all([sqsServer?.stop(), dynamo?.stop()]);
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
