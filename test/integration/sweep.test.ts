/**
 * The expiry sweep on real servers (DynamoDB Local, fauxqs) with the real intake and deliver
 * functions and the destination simulators: a publication past its last day ends by itself where it
 * was published, and nowhere else; the sweep is idempotent, resumable and bounded per run.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DeleteMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { adapters } from '../../functions/deliver/adapters/index.js';
import { processDeliverBatch, type DeliverDeps } from '../../functions/deliver/deliver.js';
import { processIntakeBatch, type IntakeDeps } from '../../functions/intake/intake.js';
import { createCredentialsProvider, memorySecretSource } from '../../functions/shared/signing/credentials.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { EXPIRY_SWEEP_CURSOR } from '../../functions/shared/state/keys.js';
import { sweepExpiredPublications, type SweepDeps } from '../../functions/sweep/sweep.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { startSimulators, type Simulators } from '../../local/simulators/index.js';
import { breach, commitment } from '../support/records.js';
import { destinationCredentials } from '../support/destination-credentials.js';
import { receiveRecords } from './sqs-events.js';
import { freshQueue, freshTable, testServers } from './servers.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
const credentials = destinationCredentials('sweep');
/** The day records are delivered; the breach below (一般, decided 2026-06-10) is published until 2027-06-10. */
const DELIVERED_ON = '2026-12-01';
const LAST_DAY = '2027-06-10';
const DAY_AFTER = '2027-06-11';

let sims: Simulators;
let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let tableName: string;
let store: SyncState;
let lanes: Record<DestinationId, string>;
let intake: IntakeDeps;

beforeAll(async () => {
  sims = await startSimulators({ credentials, seed: 3 });
  ddb = DynamoDBDocumentClient.from(testServers().ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = testServers().sqs;
});
afterAll(async () => sims.stop());

beforeEach(async () => {
  sims.reset();
  tableName = await freshTable('sweep');
  store = dynamoSyncState({ ddb, tableName });
  lanes = Object.fromEntries(
    await Promise.all(DESTINATION_IDS.map(async (d) => [d, await freshQueue(`lane-${d}`, { VisibilityTimeout: '30' })] as const)),
  ) as Record<DestinationId, string>;
  intake = { state: store, sqs, logger: silent, config: { tableName, laneQueueUrls: lanes }, today: () => DELIVERED_ON };
});

const sweepDeps = (today: string, maxRecordsPerRun = 100, counted: Record<string, number> = {}): SweepDeps => ({
  state: store,
  sqs,
  logger: silent,
  config: { tableName, laneQueueUrls: lanes, maxRecordsPerRun },
  today: () => today,
  metrics: { count: (name, value) => void (counted[name] = (counted[name] ?? 0) + value) },
});

/** A platform that refuses every request with 422 (the municipal contract's rejection). */
async function refusingEndpoint(): Promise<{ url: string; close: () => Promise<void> }> {
  const server = createServer((_req, res) => {
    res.writeHead(422, { 'content-type': 'application/json' }).end(JSON.stringify({ errors: [{ field: 'publication', message: '该记录不可停止公示' }] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function deliverDeps(destination: DestinationId, today: string, endpointUrl = sims.urls[destination]): DeliverDeps {
  return {
    state: store,
    sqs,
    adapter: adapters[destination],
    credentials: createCredentialsProvider({
      source: memorySecretSource({ [destination]: JSON.stringify(credentials[destination]) }),
      secretName: destination,
    }),
    config: { tableName, destination, endpointUrl, queueUrl: lanes[destination], lane: { rateLimitPerSecond: 1000, sendTimeoutSeconds: 2, maxConcurrency: 1 } },
    logger: silent,
    today: () => today,
  };
}

async function submit(...records: Array<Record<string, unknown>>): Promise<void> {
  const result = await processIntakeBatch(
    records.map((r) => ({ messageId: randomUUID(), body: JSON.stringify(r), messageAttributes: {} }) as unknown as SQSRecord),
    intake,
  );
  expect(result.batchItemFailures).toEqual([]);
}

/** Delivers everything in a lane, batch after batch, as the event source would (acking what succeeded). */
async function deliverLane(destination: DestinationId, today: string, endpointUrl?: string): Promise<string[]> {
  const outcomes: string[] = [];
  for (;;) {
    const records = await receiveRecords(sqs, lanes[destination]);
    if (records.length === 0) return outcomes;
    const result = await processDeliverBatch(records, deliverDeps(destination, today, endpointUrl));
    outcomes.push(...records.map((r) => `${(JSON.parse(r.body) as { action: string }).action}:${result.outcomes.get(r.messageId)}`));
    const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
    for (const r of records)
      if (!failed.has(r.messageId)) await sqs.send(new DeleteMessageCommand({ QueueUrl: lanes[destination], ReceiptHandle: r.receiptHandle }));
  }
}

const deliverAll = async (today: string) => Object.fromEntries(await Promise.all(DESTINATION_IDS.map(async (d) => [d, await deliverLane(d, today)] as const)));
const breachRef = (recordId: string) => ({ recordType: 'breach' as const, source: 'hrbxq-enforcement', recordId });

describe('the expiry sweep', () => {
  it('ends a publication the day after its last day, where it was published, once; the record stays shared', async () => {
    await submit(breach({ recordId: 'SW-1' }), commitment({ recordId: 'SW-C' }));
    await deliverAll(DELIVERED_ON);
    expect(sims.simulators.provincial.store.published()).toHaveLength(1);
    expect(sims.simulators.municipal.store.published()).toHaveLength(1);

    // on its last day the publication still runs
    expect(await sweepExpiredPublications(sweepDeps(LAST_DAY))).toMatchObject({ examined: 0, enqueued: 0 });

    // the day after: the end goes to both platforms that published it, nowhere else
    const first = await sweepExpiredPublications(sweepDeps(DAY_AFTER));
    expect(first).toMatchObject({ examined: 1, publications: 1, enqueued: 2, closed: 0, open: 1, more: false });
    const expired = (await store.readRecordState(breachRef('SW-1'))).events.filter((e) => e.type === 'publicationExpired');
    expect(expired).toEqual([expect.objectContaining({ revision: 1, detail: { until: LAST_DAY, destinations: ['municipal', 'provincial'] } })]);

    // a second run before the ends are delivered sends nothing again
    expect(await sweepExpiredPublications(sweepDeps(DAY_AFTER))).toMatchObject({ examined: 1, enqueued: 0, open: 1 });

    expect(await deliverAll(DAY_AFTER)).toEqual({ provincial: ['unpublish:delivered'], municipal: ['unpublish:delivered'], publicColumn: [], district: [] });
    for (const d of ['provincial', 'municipal'] as const) {
      expect(sims.simulators[d].store.published()).toEqual([]);
      // still shared: the record is there, not withdrawn
      expect([
        ...new Set(
          sims.simulators[d].store
            .list()
            .filter((r) => r.type === 'CF' || r.type === 'breach')
            .map((r) => r.operation),
        ),
      ]).toEqual(['upsert']);
    }
    const states = (await store.readRecordState(breachRef('SW-1'))).destinations;
    expect(
      states
        .filter((s) => s['publicationEndedAt'] !== undefined)
        .map((s) => s.destination)
        .sort(),
    ).toEqual(['municipal', 'provincial']);

    // the next run closes the entry; nothing is left to end
    expect(await sweepExpiredPublications(sweepDeps(DAY_AFTER))).toMatchObject({ examined: 1, enqueued: 0, closed: 1, open: 0 });
    expect(await store.listExpired('2027-06', DAY_AFTER, 10)).toEqual([]);
    expect((await store.getCursor(EXPIRY_SWEEP_CURSOR))?.value).toBe('2027-06');
  });

  it('leaves a publication a newer revision extended: its own entry ends it later', async () => {
    await submit(breach({ recordId: 'SW-2' }, { publicationEndDate: '2026-12-10' }));
    await deliverAll(DELIVERED_ON);
    await submit(breach({ recordId: 'SW-2', revision: 2 }, { publicationEndDate: '2027-03-10' }));
    await deliverAll(DELIVERED_ON);
    const early = await sweepExpiredPublications(sweepDeps('2026-12-11'));
    expect(early).toMatchObject({ examined: 1, enqueued: 0, closed: 1 });
    expect(sims.simulators.provincial.store.published()).toHaveLength(1);
    const later = await sweepExpiredPublications(sweepDeps('2027-03-11'));
    expect(later).toMatchObject({ examined: 1, enqueued: 2 });
  });

  it('never sends an end where nothing was published: a 轻微 record is shared, not published, and has no entry', async () => {
    await submit(breach({ recordId: 'SW-3' }, { severity: '轻微' }));
    await deliverAll(DELIVERED_ON);
    expect(sims.simulators.provincial.store.published()).toEqual([]);
    expect(await sweepExpiredPublications(sweepDeps('2030-01-01'))).toMatchObject({ examined: 0, enqueued: 0 });
  });

  it('counts a refused end as an error for the alarm, and closes the entry: the refusal is an answer', async () => {
    await submit(breach({ recordId: 'SW-R' }));
    await deliverAll(DELIVERED_ON);
    expect(await sweepExpiredPublications(sweepDeps(DAY_AFTER))).toMatchObject({ enqueued: 2 });
    const refusing = await refusingEndpoint();
    try {
      expect(await deliverLane('municipal', DAY_AFTER, refusing.url)).toEqual(['unpublish:rejected']);
    } finally {
      await refusing.close();
    }
    await deliverLane('provincial', DAY_AFTER);
    const counted: Record<string, number> = {};
    expect(await sweepExpiredPublications(sweepDeps(DAY_AFTER, 100, counted))).toMatchObject({ examined: 1, enqueued: 0, closed: 1, open: 0 });
    expect(counted['ExpiryErrors']).toBe(1);
    const municipal = (await store.readRecordState(breachRef('SW-R'))).destinations.find((d) => d.destination === 'municipal')!;
    // the state keeps what happened: still published there, and why the end failed
    expect(municipal).toMatchObject({ status: 'delivered', published: true, unpublishError: expect.stringContaining('rejected') });
    expect(await store.listExpired('2027-06', DAY_AFTER, 10)).toEqual([]);
  });

  it('counts an entry still open days after its last day as an error on every run, and keeps it', async () => {
    await submit(breach({ recordId: 'SW-S' }));
    await deliverAll(DELIVERED_ON);
    await sweepExpiredPublications(sweepDeps(DAY_AFTER));
    // the ends are never delivered (say, in the lanes' DLQs)
    const soon: Record<string, number> = {};
    expect(await sweepExpiredPublications(sweepDeps('2027-06-12', 100, soon))).toMatchObject({ open: 1 });
    expect(soon['ExpiryErrors'] ?? 0).toBe(0);
    const late: Record<string, number> = {};
    expect(await sweepExpiredPublications(sweepDeps('2027-06-13', 100, late))).toMatchObject({ open: 1, enqueued: 0 });
    expect(late['ExpiryErrors']).toBe(1);
    expect(await store.listExpired('2027-06', '2027-06-13', 10)).toHaveLength(1);
  });

  it("never moves its cursor past yesterday's month: an entry written just after midnight on the 1st is still found", async () => {
    // the first run of July finds nothing in June yet
    expect(await sweepExpiredPublications(sweepDeps('2027-07-01'))).toMatchObject({ examined: 0 });
    expect((await store.getCursor(EXPIRY_SWEEP_CURSOR))?.value).toBe('2027-06');
    // then an intake that read the calendar on June 30 writes an entry ending that day (一般, decided 2026-06-30)
    await submit(breach({ recordId: 'SW-M' }, { decisionDate: '2026-06-30', decisionNumber: '哈新市监罚〔2026〕330号' }));
    await deliverAll(DELIVERED_ON);
    expect(await sweepExpiredPublications(sweepDeps('2027-07-01'))).toMatchObject({ examined: 1, enqueued: 2 });
    // the day after, June is behind
    await deliverAll('2027-07-01');
    await sweepExpiredPublications(sweepDeps('2027-07-02'));
    expect((await store.getCursor(EXPIRY_SWEEP_CURSOR))?.value).toBe('2027-07');
  });

  it('handles at most maxRecordsPerRun entries a run, says it left some, and the next run goes on', async () => {
    await submit(...[1, 2, 3].map((n) => breach({ recordId: `SW-B${n}` }, { decisionNumber: `哈新市监罚〔2026〕${300 + n}号` })));
    await deliverAll(DELIVERED_ON);
    const first = await sweepExpiredPublications(sweepDeps(DAY_AFTER, 2));
    expect(first).toMatchObject({ examined: 2, publications: 2, more: true });
    const second = await sweepExpiredPublications(sweepDeps(DAY_AFTER, 2));
    // the two already sent are waiting for their deliveries; the third is sent now
    expect(second).toMatchObject({ examined: 2, publications: 1, more: true });
    await deliverAll(DAY_AFTER);
    let runs = 0;
    while ((await sweepExpiredPublications(sweepDeps(DAY_AFTER, 2))).more && runs < 5) runs++;
    expect(await store.listExpired('2027-06', DAY_AFTER, 10)).toEqual([]);
    expect(sims.simulators.municipal.store.published()).toEqual([]);
  });
});
