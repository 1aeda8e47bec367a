/**
 * The local runtime end to end, against what its own servers sustain, in the same run:
 *
 *   (1) raw SQS: messages sent (SendMessageBatch of 10), then received and deleted (ReceiveMessage
 *       of 10 + DeleteMessageBatch), 4 clients in parallel — message cycles per second;
 *   (2) raw DynamoDB: PutItem of ~1 KB items, 8 in flight — puts per second;
 *   (3) the pipeline: records sent to the intake queue (commitments and breaches of registered
 *       sources, each routed to 2 or 3 lanes), timed until every destination outcome is recorded
 *       as delivered — records/s and destination outcomes/s, and the requests each record cost
 *       (counted by middleware on the runtime's own clients).
 *
 * The efficiency is the pipeline's records/s over what the servers would allow if nothing but the
 * pipeline's own SQS message cycles and DynamoDB writes mattered:
 *   bound = min(raw SQS cycles/s ÷ messages per record, raw puts/s ÷ writes per record).
 * The endpoints' rate limits are lifted (×1000) so the pipeline, not the simulated government
 * platforms, is measured; faults are off; timeouts are AWS's (time scale 1).
 *
 *   node_modules/.bin/tsx bench/local.bench.ts            full run (about 2 minutes), writes bench/results/local-<date>.json, appends local.md
 *   node_modules/.bin/tsx bench/local.bench.ts --quick    a smoke run, nothing written
 *   … --dynamodb dynamodb-local                           AWS's DynamoDB Local (Java) instead of dynalite
 */
import { performance } from 'node:perf_hooks';
import { CreateQueueCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { MiddlewareStack } from '@smithy/types';
import { planRoutes } from '../functions/intake/routing.js';
import { beijingDate } from '../functions/shared/records/dates.js';
import type { CreditRecord } from '../functions/shared/records/types.js';
import { dynamoSyncState } from '../functions/shared/state/dynamo/index.js';
import { DESTINATION_IDS, topology, type DestinationId, type Topology } from '../topology/topology.js';
import { localAwsConfig } from '../local/emulators/clients.js';
import { startRuntime, type Runtime } from '../local/runtime/runtime.js';
import { environment, recordResults } from './environment.js';
import { BENCH_LICENSING_ITEMS, breachRecord, commitmentRecord, type Json } from './records.js';
import { fmt, toMarkdown, toText, type Table } from './report.js';

const quick = process.argv.includes('--quick');
const dynamodb = process.argv.includes('--dynamodb') ? (process.argv[process.argv.indexOf('--dynamodb') + 1] as 'dynalite' | 'dynamodb-local') : 'dynalite';
const RECORDS = quick ? 150 : 1500;
const RAW_MESSAGES = quick ? 500 : 5000;
const RAW_PUTS = quick ? 500 : 5000;

const log = (message: string): void => console.error(`[local bench] ${message}`);

/** Counts every request a client sends, by command name. */
class RequestCounter {
  readonly counts = new Map<string, number>();
  attach(client: { middlewareStack: MiddlewareStack<object, object> }): void {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const name = String((context as { commandName?: string }).commandName ?? 'unknown');
        this.counts.set(name, (this.counts.get(name) ?? 0) + 1);
        return next(args);
      },
      { step: 'initialize', name: 'credexBenchCounter' },
    );
  }
  snapshot(): Map<string, number> {
    return new Map(this.counts);
  }
  since(before: Map<string, number>): Record<string, number> {
    const delta: Record<string, number> = {};
    for (const [name, n] of this.counts) if (n - (before.get(name) ?? 0) > 0) delta[name] = n - (before.get(name) ?? 0);
    return delta;
  }
}

/** The topology with every endpoint's rate limit lifted: the pipeline is measured, not the platforms. */
function unlimited(): Topology {
  const destinations = Object.fromEntries(
    Object.entries(topology.destinations).map(([id, d]) => [id, { ...d, lane: { ...d.lane, rateLimitPerSecond: d.lane.rateLimitPerSecond * 1000 } }]),
  ) as Topology['destinations'];
  return { ...topology, destinations };
}

async function inParallel(workers: number, next: () => Promise<boolean>): Promise<void> {
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (await next());
    }),
  );
}

async function rawSqs(sqs: SQSClient): Promise<{ sendPerSecond: number; receiveDeletePerSecond: number; cyclePerSecond: number }> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'credex-bench-raw' }));
  const body = JSON.stringify({
    recordType: 'commitment',
    source: 'hrbxq-approval',
    recordId: 'CMT-2026-000001',
    revision: 1,
    destination: 'provincial',
    action: 'upsert',
    correlationId: 'c'.repeat(36),
    routedAt: new Date().toISOString(),
  });
  let sent = 0;
  const sendStart = performance.now();
  await inParallel(4, async () => {
    if (sent >= RAW_MESSAGES) return false;
    sent += 10;
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: Array.from({ length: 10 }, (_, i) => ({ Id: String(i), MessageBody: body })) }));
    return true;
  });
  const sendSeconds = (performance.now() - sendStart) / 1000;
  let received = 0;
  let empty = 0;
  const receiveStart = performance.now();
  await inParallel(4, async () => {
    if (received >= sent || empty > 20) return false;
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) {
      empty++;
      return true;
    }
    received += Messages.length;
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
    return true;
  });
  const receiveSeconds = (performance.now() - receiveStart) / 1000;
  if (received < sent) throw new Error(`raw SQS: received ${received} of ${sent}`);
  return { sendPerSecond: sent / sendSeconds, receiveDeletePerSecond: received / receiveSeconds, cyclePerSecond: sent / (sendSeconds + receiveSeconds) };
}

async function rawPuts(doc: DynamoDBDocumentClient, tableName: string): Promise<number> {
  const payload = 'x'.repeat(900);
  let n = 0;
  const start = performance.now();
  await inParallel(8, async () => {
    if (n >= RAW_PUTS) return false;
    const i = n++;
    await doc.send(new PutCommand({ TableName: tableName, Item: { pk: `BENCH#${i % 97}`, sk: `ITEM#${i}`, payload } }));
    return true;
  });
  return RAW_PUTS / ((performance.now() - start) / 1000);
}

/** The bench's records: 70 % commitments (public ones go to 3 lanes, others to 2), 30 % breaches (2 lanes). */
function pipelineRecords(): { records: Json[]; expected: Record<DestinationId, number> } {
  const records = Array.from({ length: RECORDS }, (_, i) => {
    const record = i % 10 < 7 ? commitmentRecord(i) : breachRecord(i);
    return { ...record, recordId: `${String(record['recordId'])}-L${i}`, revision: 1 } as Json;
  });
  const expected = Object.fromEntries(DESTINATION_IDS.map((d) => [d, 0])) as Record<DestinationId, number>;
  for (const r of records) {
    const direction = topology.sources[String(r['source'])]!.direction;
    for (const entry of planRoutes(r as unknown as CreditRecord, { direction, routedBefore: [], today: beijingDate(new Date()) }))
      expected[entry.destination]++;
  }
  return { records, expected };
}

/** The licensing items the commitments name, sent through intake as their approval system would, before the timed run. */
async function seedList(runtime: Runtime, monitor: DynamoDBDocumentClient): Promise<void> {
  await runtime.clients.sqs.send(
    new SendMessageBatchCommand({
      QueueUrl: runtime.queues.intake.url,
      Entries: BENCH_LICENSING_ITEMS.map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })),
    }),
  );
  const list = dynamoSyncState({ ddb: monitor, tableName: runtime.tableName });
  const listed = async () => (await Promise.all(BENCH_LICENSING_ITEMS.map((r) => list.getLicensingItem(String(r['recordId']))))).every(Boolean);
  for (const deadline = performance.now() + 60_000; !(await listed());) {
    if (performance.now() > deadline) throw new Error('the licensing items were not on the list within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

const countDelivered = (doc: DynamoDBDocumentClient, tableName: string, destination: DestinationId): Promise<number> =>
  dynamoSyncState({ ddb: doc, tableName }).countByDestinationStatus(destination, 'delivered');

async function pipeline(runtime: Runtime, counters: { sqs: RequestCounter; ddb: RequestCounter }, monitor: DynamoDBDocumentClient) {
  const { records, expected } = pipelineRecords();
  const outcomes = Object.values(expected).reduce((a, b) => a + b, 0);
  await seedList(runtime, monitor);
  const sqsBefore = counters.sqs.snapshot();
  const ddbBefore = counters.ddb.snapshot();
  const start = performance.now();
  for (let i = 0; i < records.length; i += 10) {
    const chunk = records.slice(i, i + 10);
    await runtime.clients.sqs.send(
      new SendMessageBatchCommand({ QueueUrl: runtime.queues.intake.url, Entries: chunk.map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })) }),
    );
  }
  const submitSeconds = (performance.now() - start) / 1000;
  let delivered = 0;
  for (let lastChange = performance.now(); delivered < outcomes;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = (await Promise.all(DESTINATION_IDS.map((d) => countDelivered(monitor, runtime.tableName, d)))).reduce((a, b) => a + b, 0);
    if (now !== delivered) lastChange = performance.now();
    delivered = now;
    if (performance.now() - lastChange > 30_000) throw new Error(`pipeline stalled at ${delivered} of ${outcomes} destination outcomes`);
  }
  const seconds = (performance.now() - start) / 1000;
  const sqs = counters.sqs.since(sqsBefore);
  const ddb = counters.ddb.since(ddbBefore);
  const lanesPerRecord = outcomes / records.length;
  return {
    records: records.length,
    outcomes,
    lanesPerRecord,
    submitSeconds,
    seconds,
    recordsPerSecond: records.length / seconds,
    outcomesPerSecond: outcomes / seconds,
    sqsRequests: sqs,
    ddbRequests: ddb,
  };
}

/** DynamoDB requests that write (each BatchWriteItem counted once: it is one request to the server). */
const WRITE_COMMANDS = ['PutItemCommand', 'UpdateItemCommand', 'BatchWriteItemCommand', 'DeleteItemCommand'];
const total = (counts: Record<string, number>, names?: readonly string[]) =>
  Object.entries(counts).reduce((n, [name, c]) => n + (!names || names.includes(name) ? c : 0), 0);

async function main(): Promise<void> {
  log(`starting the local runtime (${dynamodb}), rate limits lifted ×1000, no faults`);
  // AWS's timing (time scale 1): a function timeout of 3 s, the local default, is too tight for a busy machine
  const runtime = await startRuntime({ topology: unlimited(), dynamodb, timeScale: 1, pullIntervalSeconds: 0, logLevel: 'SILENT' });
  const counters = { sqs: new RequestCounter(), ddb: new RequestCounter() };
  counters.sqs.attach(runtime.clients.sqs as never);
  counters.ddb.attach(runtime.clients.ddb as never);
  // a client of its own for watching progress, so its queries are not counted as the pipeline's
  const monitorClient = new DynamoDBClient(localAwsConfig(runtime.endpoints.dynamodb));
  const monitor = DynamoDBDocumentClient.from(monitorClient);
  try {
    // the pipeline first, on a fresh table; then the raw figures on the same, still-running servers
    log(`pipeline: ${RECORDS} records`);
    const run = await pipeline(runtime, counters, monitor);
    for (const source of runtime.eventSources) await source.stop();
    log('raw SQS');
    const sqs = await rawSqs(runtime.clients.sqs);
    log('raw DynamoDB puts');
    const putsPerSecond = await rawPuts(runtime.clients.doc, runtime.tableName);

    const sqsMessagesPerRecord = 1 + run.lanesPerRecord;
    const writesPerRecord = total(run.ddbRequests, WRITE_COMMANDS) / run.records;
    const bound = Math.min(sqs.cyclePerSecond / sqsMessagesPerRecord, putsPerSecond / writesPerRecord);
    const efficiency = run.recordsPerSecond / bound;

    const tables: Table[] = [
      {
        title: `Raw servers (${dynamodb} + fauxqs), this run`,
        head: ['server', 'operation', 'per second'],
        right: [2],
        rows: [
          ['SQS', 'send (batches of 10, 4 clients)', fmt.rate(sqs.sendPerSecond)],
          ['SQS', 'receive + delete (batches of 10, 4 clients)', fmt.rate(sqs.receiveDeletePerSecond)],
          ['SQS', 'full message cycle (send + receive + delete)', fmt.rate(sqs.cyclePerSecond)],
          ['DynamoDB', 'PutItem ~1 KB (8 in flight)', fmt.rate(putsPerSecond)],
        ],
      },
      {
        title: `Pipeline: ${run.records} records (${fmt.us(run.lanesPerRecord)} lanes per record) until every destination outcome is delivered`,
        head: ['figure', 'value'],
        right: [1],
        rows: [
          ['elapsed (s)', fmt.ms(run.seconds)],
          ['of which submitting to intake (s)', fmt.ms(run.submitSeconds)],
          ['records/s', fmt.ms(run.recordsPerSecond)],
          ['destination outcomes/s', fmt.ms(run.outcomesPerSecond)],
          ['SQS requests per record', fmt.us(total(run.sqsRequests) / run.records)],
          ['DynamoDB requests per record', fmt.us(total(run.ddbRequests) / run.records)],
          ['DynamoDB write requests per record', fmt.us(writesPerRecord)],
          ['bound from the raw servers (records/s)', fmt.ms(bound)],
          ['efficiency (records/s ÷ bound)', fmt.pct(efficiency)],
        ],
        note: `Bound = min(SQS cycles/s ÷ ${fmt.us(sqsMessagesPerRecord)} messages per record, puts/s ÷ ${fmt.us(writesPerRecord)} writes per record). SQS requests include the event sources' polling (empty receives on idle lanes).`,
      },
      {
        title: 'Requests of the pipeline run, by operation',
        head: ['client', 'operation', 'requests', 'per record'],
        right: [2, 3],
        rows: [
          ...Object.entries(run.sqsRequests).map(([name, n]) => ['SQS', name.replace(/Command$/, ''), fmt.int(n), fmt.us(n / run.records)]),
          ...Object.entries(run.ddbRequests).map(([name, n]) => ['DynamoDB', name.replace(/Command$/, ''), fmt.int(n), fmt.us(n / run.records)]),
        ],
      },
    ];
    for (const t of tables) console.log(`\n${toText(t)}`);
    if (quick) return;
    const env = environment(['functions', 'local', 'bench']);
    recordResults({
      name: 'local',
      intro:
        '# Local end to end: the pipeline against its own servers\n\nRecorded by `bench/local.bench.ts` (see bench/README.md). Rate limits lifted, no faults, time scale 1.\n',
      env,
      machine: `${String(env['cpu'])}, ${String(env['cores'])} cores, Node ${String(env['node'])}, commit ${String(env['commit'])}${env['uncommittedChanges'] ? ' (uncommitted changes)' : ''}, ${dynamodb}`,
      json: { dynamodb, raw: { sqs, putsPerSecond }, pipeline: run, bound, efficiency },
      lines: tables.flatMap((t) => [toMarkdown(t), '']),
    });
  } finally {
    monitorClient.destroy();
    await runtime.stop();
  }
}

await main();
