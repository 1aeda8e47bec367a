/**
 * The deliver function end to end on real servers: records go through the real intake into real
 * lane queues (fauxqs) and the real table (DynamoDB Local); deliver sends them over HTTP to the
 * destination simulators, which verify signatures and enforce the contracts, with faults.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSRecord } from 'aws-lambda';
import { createDeliverHandler, powertoolsDeliverMetrics } from '../../functions/deliver/compose.js';
import { powertoolsMetrics as metricsFor } from '../../functions/shared/platform.js';
import { adapters } from '../../functions/deliver/adapters/index.js';
import { processDeliverBatch, type DeliverDeps } from '../../functions/deliver/deliver.js';
import { processIntakeBatch, type IntakeDeps } from '../../functions/intake/intake.js';
import { createCredentialsProvider, memorySecretSource } from '../../functions/shared/signing/credentials.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { recordPk, revisionSk } from '../../functions/shared/state/keys.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { startSimulators, type Simulators } from '../../local/simulators/index.js';
import { captureOutput } from '../support/capture-output.js';
import { emfBlobs } from '../support/emf.js';
import { breach, commitment, repair, residentId, licensingItemEntry } from '../support/records.js';
import { receiveRecords } from './sqs-events.js';
import { freshQueue, freshTable, testServers } from './servers.js';
import { destinationCredentials } from '../support/destination-credentials.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
/** A valid USCC of another unit than the breach factory's authority. */
const OTHER_UNIT_USCC = '11230100MB0C55141N';
const credentials = destinationCredentials('credex');

let sims: Simulators;
let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let tableName: string;
let store: SyncState;
let intake: IntakeDeps;
let lanes: Record<DestinationId, string>;
let dlqs: Record<DestinationId, string>;

beforeAll(async () => {
  sims = await startSimulators({ credentials, seed: 7 });
  ddb = DynamoDBDocumentClient.from(testServers().ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = testServers().sqs;
});
afterAll(async () => sims.stop());

beforeEach(async () => {
  sims.reset();
  tableName = await freshTable('deliver');
  store = dynamoSyncState({ ddb, tableName });
  // the commitment fixture's licensing item is on the list (intake checks licensing commitments against it)
  await store.putLicensingItem(licensingItemEntry());
  dlqs = {} as Record<DestinationId, string>;
  lanes = {} as Record<DestinationId, string>;
  for (const d of DESTINATION_IDS) {
    dlqs[d] = await freshQueue(`dlq-${d}`);
    const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqs[d], AttributeNames: ['QueueArn'] }))).Attributes!['QueueArn']!;
    lanes[d] = await freshQueue(`lane-${d}`, { VisibilityTimeout: '30', RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 3 }) });
  }
  intake = { state: store, sqs, logger: silent, config: { tableName, laneQueueUrls: lanes } };
});

function deps(destination: DestinationId, overrides: Partial<DeliverDeps> = {}): DeliverDeps {
  return {
    state: store,
    sqs,
    adapter: adapters[destination],
    credentials: createCredentialsProvider({
      source: memorySecretSource({ [destination]: JSON.stringify(credentials[destination]) }),
      secretName: destination,
    }),
    config: {
      tableName,
      destination,
      endpointUrl: sims.urls[destination],
      queueUrl: lanes[destination],
      lane: { rateLimitPerSecond: 1000, sendTimeoutSeconds: 2, maxConcurrency: 1 },
      backoff: { baseSeconds: 1, maxSeconds: 1 },
    },
    logger: silent,
    random: () => 0.99,
    ...overrides,
  };
}

async function submit(...records: Array<Record<string, unknown>>): Promise<void> {
  const result = await processIntakeBatch(
    records.map((r) => ({ messageId: randomUUID(), body: JSON.stringify(r), messageAttributes: {} }) as unknown as SQSRecord),
    intake,
  );
  expect(result.batchItemFailures).toEqual([]);
}

/** What the lane's deliver function gets next, delivered like Lambda does (then acked or not). */
async function deliverOnce(destination: DestinationId, extra: Partial<DeliverDeps> = {}) {
  const records = await receiveRecords(sqs, lanes[destination]);
  const result = await processDeliverBatch(records, deps(destination, extra));
  // the event source deletes what was not reported failed
  const failed = new Set(result.batchItemFailures.map((f) => f.itemIdentifier));
  const { DeleteMessageCommand } = await import('@aws-sdk/client-sqs');
  for (const r of records)
    if (!failed.has(r.messageId)) await sqs.send(new DeleteMessageCommand({ QueueUrl: lanes[destination], ReceiptHandle: r.receiptHandle }));
  return { records, result };
}

/** The outcome recorded at a destination (a send claimed but not answered has none: no statusRank). */
const destinationState = async (
  recordId: string,
  destination: DestinationId,
  recordType: 'commitment' | 'breach' = 'commitment',
  source = recordType === 'commitment' ? 'hrbxq-approval' : 'hrbxq-enforcement',
) => (await store.readRecordState({ recordType, source, recordId })).destinations.find((d) => d.destination === destination && d['statusRank'] !== undefined);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('deliver on real queues, the real table and the endpoint simulators', () => {
  it('delivers to every destination the record was routed to, each accepting the signed request', async () => {
    await submit(commitment({ recordId: 'D-1' }), breach({ recordId: 'B-1' }));
    for (const d of ['provincial', 'municipal', 'publicColumn'] as const) {
      const { result } = await deliverOnce(d);
      expect(result.batchItemFailures).toEqual([]);
      expect([...result.outcomes.values()].every((o) => o === 'delivered')).toBe(true);
    }
    expect(
      sims.simulators.provincial.store
        .list()
        .map((r) => r.type)
        .sort(),
    ).toEqual(['CF', 'CN']);
    expect(sims.simulators.municipal.store.list()).toHaveLength(2);
    expect(sims.simulators.publicColumn.store.list()).toHaveLength(1);
    const state = await destinationState('D-1', 'provincial');
    expect(state).toEqual(expect.objectContaining({ revision: 1, status: 'delivered', attempts: 1 }));
    expect(state?.['receipt']).toEqual(expect.any(String));
    const events = (await store.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'D-1' })).events.map((e) => e.type);
    expect(events.filter((t) => t === 'delivered')).toHaveLength(3);
  });

  it('acks a superseded revision without sending it', async () => {
    await submit(commitment({ recordId: 'S-1' }));
    await submit(commitment({ recordId: 'S-1', revision: 2 }, { reason: '变更后的承诺事由' }));
    const { result } = await deliverOnce('municipal');
    expect([...result.outcomes.values()].sort()).toEqual(['delivered', 'superseded']);
    const stored = sims.simulators.municipal.store.list();
    expect(stored.map((r) => r.revision)).toEqual([2]);
  });

  it('does not send a revision already delivered again (duplicate lane message)', async () => {
    await submit(commitment({ recordId: 'DUP-1' }));
    const [message] = await receiveRecords(sqs, lanes.municipal);
    const first = await processDeliverBatch([message!], deps('municipal'));
    const second = await processDeliverBatch([message!], deps('municipal'));
    expect([...first.outcomes.values(), ...second.outcomes.values()]).toEqual(['delivered', 'duplicate']);
    expect(sims.simulators.municipal.store.requests.filter((r) => r.method === 'PUT')).toHaveLength(1);
  });

  it('retries a transient failure later and then delivers, recording the failure in between', async () => {
    await submit(breach({ recordId: 'T-1' }));
    sims.simulators.provincial.setFaults({ outage: true });
    const first = await deliverOnce('provincial');
    expect(first.result.batchItemFailures).toHaveLength(1);
    expect(await destinationState('T-1', 'provincial', 'breach')).toEqual(
      expect.objectContaining({ status: 'failed', lastError: expect.stringContaining('HTTP 503') }),
    );
    expect(await receiveRecords(sqs, lanes.provincial)).toEqual([]); // backed off: invisible for now

    sims.simulators.provincial.setFaults({});
    await sleep(1_200);
    const second = await deliverOnce('provincial');
    expect([...second.result.outcomes.values()]).toEqual(['delivered']);
    expect(await destinationState('T-1', 'provincial', 'breach')).toEqual(expect.objectContaining({ status: 'delivered', attempts: 2 }));
  });

  it('lands a message that keeps failing in the lane DLQ, with the last error kept in the state', async () => {
    await submit(breach({ recordId: 'DLQ-1' }));
    sims.simulators.municipal.setFaults({ errorRate: 1 });
    for (let i = 0; i < 3; i++) {
      await deliverOnce('municipal');
      await sleep(1_100);
    }
    expect(await receiveRecords(sqs, lanes.municipal)).toEqual([]);
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqs.municipal, MaxNumberOfMessages: 10 }));
    expect(Messages.map((m) => (JSON.parse(m.Body!) as { recordId: string }).recordId)).toEqual(['DLQ-1']);
    expect(await destinationState('DLQ-1', 'municipal', 'breach')).toEqual(
      expect.objectContaining({ status: 'failed', attempts: 3, lastError: expect.stringContaining('HTTP 500') }),
    );
  });

  it('honours Retry-After from a 429', async () => {
    await submit(breach({ recordId: 'RA-1' }));
    sims.simulators.municipal.setFaults({ tooManyRequests: { rate: 1, retryAfterSeconds: 2 } });
    await deliverOnce('municipal');
    sims.simulators.municipal.setFaults({});
    await sleep(1_200);
    expect(await receiveRecords(sqs, lanes.municipal)).toEqual([]); // 1 s of backoff would have passed; Retry-After said 2
    await sleep(1_200);
    const { result } = await deliverOnce('municipal');
    expect([...result.outcomes.values()]).toEqual(['delivered']);
  });

  it('keeps a record the destination refuses as rejected, terminal, with its reason', async () => {
    await submit(breach({ recordId: 'REJ-1' }));
    // the platform validates more strictly than the contract: simulate it by a stored date it refuses
    const ref = { recordType: 'breach' as const, source: 'hrbxq-enforcement', recordId: 'REJ-1' };
    const stored = (await store.getRevision(ref, 1))!;
    await ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: recordPk(ref),
          sk: revisionSk(1),
          revision: 1,
          record: JSON.stringify({ ...stored, data: { ...stored.data, penaltyValidUntil: '2027-02-30' } }),
        },
      }),
    );

    const { result } = await deliverOnce('provincial');

    expect([...result.outcomes.values()]).toEqual(['rejected']);
    expect(result.batchItemFailures).toEqual([]); // terminal: acked, not retried
    expect(await destinationState('REJ-1', 'provincial', 'breach')).toEqual(
      expect.objectContaining({ status: 'rejected', lastError: expect.stringContaining('E102') }),
    );
    expect((await store.readRecordState(ref)).events.map((e) => e.type)).toContain('rejected');
  });

  it('retries, never rejects, records the platform cannot decrypt (a stale field key)', async () => {
    const id = residentId('230102', '19850312', '457');
    await submit(commitment({ recordId: 'KEY-1' }, { party: { name: '李明', category: '自然人', idType: '身份证', idNumber: id } }));
    const staleKey = { ...credentials.provincial, fieldKey: randomBytes(16).toString('hex') };
    const { result } = await deliverOnce('provincial', {
      credentials: createCredentialsProvider({ source: memorySecretSource({ p: JSON.stringify(staleKey) }), secretName: 'p' }),
    });
    expect([...result.outcomes.values()]).toEqual(['failed']);
    const state = await destinationState('KEY-1', 'provincial');
    expect(state).toEqual(expect.objectContaining({ status: 'failed', lastError: expect.stringContaining('E105') }));
    expect(JSON.stringify(state)).not.toContain(id.slice(6, 14));
  });

  it('treats credentials without the field key the contract needs as transient for every record', async () => {
    await submit(breach({ recordId: 'NOKEY-1' }));
    const { fieldKey: _none, ...withoutKey } = credentials.provincial;
    const { result } = await deliverOnce('provincial', {
      credentials: createCredentialsProvider({ source: memorySecretSource({ p: JSON.stringify(withoutKey) }), secretName: 'p' }),
    });
    expect([...result.outcomes.values()]).toEqual(['failed']);
    expect(await destinationState('NOKEY-1', 'provincial', 'breach')).toEqual(
      expect.objectContaining({ status: 'failed', lastError: expect.stringContaining('no fieldKey') }),
    );
  });

  it('withdraws a record where it was delivered', async () => {
    await submit(commitment({ recordId: 'W-1' }));
    await deliverOnce('municipal');
    await submit(commitment({ recordId: 'W-1', revision: 2, operation: 'withdraw' }));
    const { result } = await deliverOnce('municipal');
    expect([...result.outcomes.values()]).toEqual(['delivered']);
    const stored = sims.simulators.municipal.store.list().map((r) => r.operation);
    expect(stored).toContain('withdraw');
    expect(sims.simulators.municipal.store.requests.map((r) => r.method)).toEqual(['PUT', 'DELETE']);
  });

  it('opens the circuit after 3 failed requests in a row and spares the endpoint the rest', async () => {
    await submit(...Array.from({ length: 6 }, (_, i) => breach({ recordId: `CB-${i}` }, { decisionNumber: `哈新市监罚〔2026〕${100 + i}号` })));
    sims.simulators.municipal.setFaults({ outage: true });
    const { result } = await deliverOnce('municipal');
    expect(result.batchItemFailures).toHaveLength(6);
    expect(sims.simulators.municipal.store.requests).toHaveLength(3);
    // the three sent keep their real cause; the three never sent have nothing new to record
    const states = await Promise.all(Array.from({ length: 6 }, (_, i) => destinationState(`CB-${i}`, 'municipal', 'breach')));
    expect(states.filter((r) => String(r?.lastError).startsWith('HTTP 503'))).toHaveLength(3);
    expect(states.filter((r) => r === undefined)).toHaveLength(3);
    expect(await receiveRecords(sqs, lanes.municipal)).toEqual([]); // all six backed off
  });

  it('refreshes its credentials once when the endpoint answers 401, then succeeds', async () => {
    await submit(breach({ recordId: 'AUTH-1' }));
    let loads = 0;
    const stale = { ...credentials.municipal, secret: 'rotated-away' };
    const source = { getSecretString: async () => JSON.stringify(loads++ === 0 ? stale : credentials.municipal) };
    const { result } = await deliverOnce('municipal', { credentials: createCredentialsProvider({ source, secretName: 'm' }) });
    expect([...result.outcomes.values()]).toEqual(['delivered']);
    expect(loads).toBe(2);
  });

  it('the Lambda handler answers with batch item failures and publishes the lane metrics (CloudWatch EMF)', async () => {
    await submit(breach({ recordId: 'H-1' }));
    const records = await receiveRecords(sqs, lanes.municipal);
    const powertoolsMetrics = metricsFor('deliver', { POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/test' }, { lane: 'municipal' });
    const handler = createDeliverHandler({
      ...deps('municipal'),
      logger: new Logger({ serviceName: 'credex-deliver', logLevel: 'SILENT' }),
      powertoolsMetrics,
      metrics: powertoolsDeliverMetrics(powertoolsMetrics),
    });
    let response;
    const output = await captureOutput(async () => {
      response = await handler({ Records: records }, {
        functionName: 'deliver-municipal',
        awsRequestId: 'req-1',
        getRemainingTimeInMillis: () => 60_000,
      } as Context);
    });
    expect(response).toEqual({ batchItemFailures: [] });
    const emf = emfBlobs(output);
    expect(emf).toHaveLength(1);
    expect(emf[0]!['lane']).toBe('municipal');
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Namespace).toBe('CreditExchange/test');
    expect(emf[0]!['Delivered']).toBe(1);
    expect(emf[0]!._aws.CloudWatchMetrics[0]!.Metrics.map((m) => m.Name).sort()).toEqual(['Delivered', 'EndpointLatency']);
  });

  it('writes no identity number or secret to the logs', async () => {
    const id = residentId('230102', '19850312', '457');
    await submit(commitment({ recordId: 'LOG-1' }, { party: { name: '李明', category: '自然人', idType: '身份证', idNumber: id } }));
    const output = await captureOutput(async () => {
      const logger = new Logger({ serviceName: 'credex-deliver-test', logLevel: 'DEBUG' });
      for (const d of ['provincial', 'municipal', 'publicColumn'] as const) await deliverOnce(d, { logger });
      sims.simulators.municipal.setFaults({ errorRate: 1 });
      await submit(commitment({ recordId: 'LOG-1', revision: 2 }, { party: { name: '李明', category: '自然人', idType: '身份证', idNumber: id } }));
      await deliverOnce('municipal', { logger });
    });
    expect(output).not.toContain(id.slice(6, 14));
    for (const d of DESTINATION_IDS) expect(output).not.toContain(credentials[d].secret);
  });

  describe('ordering: a repair follows its breach, sends of one record go one at a time and only forward', () => {
    const REPAIR_SOURCE = 'hrb-credit-repair';
    const BREACH_SOURCE = 'hrbxq-enforcement';
    const repairRef = (recordId: string) => ({ recordType: 'repair' as const, source: REPAIR_SOURCE, recordId });
    const breachRef = (recordId: string) => ({ recordType: 'breach' as const, source: BREACH_SOURCE, recordId });
    const commitmentRef = (recordId: string) => ({ recordType: 'commitment' as const, source: 'hrbxq-approval', recordId });
    const stateAt = async (ref: { recordType: 'commitment' | 'breach' | 'repair'; source: string; recordId: string }, destination: DestinationId) =>
      (await store.readRecordState(ref)).destinations.find((d) => d.destination === destination && d['statusRank'] !== undefined);

    /** The lane's visible messages, by `recordType:recordId:revision` (they stay in flight until deleted). */
    async function laneMessages(destination: DestinationId): Promise<Map<string, SQSRecord>> {
      const byKey = new Map<string, SQSRecord>();
      for (const r of await receiveRecords(sqs, lanes[destination])) {
        const body = JSON.parse(r.body) as { recordType: string; recordId: string; revision: number };
        byKey.set(`${body.recordType}:${body.recordId}:${body.revision}`, r);
      }
      return byKey;
    }
    /** Idempotency keys of every request the destination received. */
    const sentKeys = (destination: DestinationId) => sims.simulators[destination].store.requests.flatMap((r) => r.keys);

    it('holds a repair back until its breach is delivered at the destination, then delivers it after the breach', async () => {
      await submit(breach({ recordId: 'OB-1' }), repair({ recordId: 'OR-1' }, { breachRecordId: 'OB-1', breachSource: BREACH_SOURCE }));
      expect((await store.getMeta(breachRef('OB-1')))?.routedTo).toContain('municipal');
      const messages = await laneMessages('municipal');
      const breachMessage = messages.get('breach:OB-1:1')!;
      const repairMessage = messages.get('repair:OR-1:1')!;
      expect(breachMessage).toBeDefined();
      expect(repairMessage).toBeDefined();

      // the breach is not delivered here yet: the repair waits, nothing reaches the endpoint
      const early = await processDeliverBatch([repairMessage], deps('municipal'));
      expect(early.batchItemFailures).toEqual([{ itemIdentifier: repairMessage.messageId }]);
      expect(early.outcomes.get(repairMessage.messageId)).toBe('failed');
      expect(sims.simulators.municipal.store.requests).toEqual([]);
      // the state says why: waiting for the breach, and the history says so once
      expect(await stateAt(repairRef('OR-1'), 'municipal')).toMatchObject({
        status: 'waiting',
        lastError: 'waiting for its breach hrbxq-enforcement/OB-1 to be delivered to municipal first (not sent there yet)',
      });
      expect((await store.readRecordState(repairRef('OR-1'))).events.filter((e) => e.type === 'waiting')).toHaveLength(1);

      // the breach goes; its delivery sends the waiting repair on at once (a fresh lane message)
      const breachDelivery = await processDeliverBatch([breachMessage], deps('municipal'));
      expect([...breachDelivery.outcomes.values()]).toEqual(['delivered']);
      expect(await stateAt(breachRef('OB-1'), 'municipal')).toEqual(expect.objectContaining({ status: 'delivered' }));
      const woken = [...(await laneMessages('municipal')).values()].filter(
        (m) => m.messageId !== repairMessage.messageId && m.messageId !== breachMessage.messageId,
      );
      expect(woken.map((m) => JSON.parse(m.body) as { recordType: string; recordId: string; action: string })).toEqual([
        expect.objectContaining({ recordType: 'repair', recordId: 'OR-1', action: 'upsert' }),
      ]);
      const retried = await processDeliverBatch([woken[0]!], deps('municipal'));
      expect(retried.batchItemFailures).toEqual([]);
      expect([...retried.outcomes.values()]).toEqual(['delivered']);
      expect(await stateAt(repairRef('OR-1'), 'municipal')).toEqual(expect.objectContaining({ revision: 1, status: 'delivered' }));

      // the endpoint applied the breach first, then the repair
      const municipal = sims.simulators.municipal.store;
      expect(municipal.list().map((r) => r.type)).toEqual(['breach', 'repair']);
      expect(municipal.requests.map((r) => r.keys)).toEqual([[`breach:${BREACH_SOURCE}:OB-1:1:municipal`], [`repair:${REPAIR_SOURCE}:OR-1:1:municipal`]]);
      const [appliedBreach, appliedRepair] = municipal.list();
      expect(appliedBreach!.receipt < appliedRepair!.receipt).toBe(true);
      // the original message, when it comes back, is a duplicate
      const late = await processDeliverBatch([repairMessage], deps('municipal'));
      expect([...late.outcomes.values()]).toEqual(['duplicate']);
    });

    it("forgets a repair's wait once the repair goes on its own (its breach delivered before the wake could see it)", async () => {
      await submit(breach({ recordId: 'WB-1' }), repair({ recordId: 'WR-1' }, { breachRecordId: 'WB-1', breachSource: BREACH_SOURCE }));
      const messages = await laneMessages('municipal');
      await processDeliverBatch([messages.get('breach:WB-1:1')!], deps('municipal'));
      // a wait an earlier receive of the repair registered, after the breach's wake had looked
      await store.registerRepairWait(breachRef('WB-1'), 'municipal', { repair: repairRef('WR-1'), revision: 1, since: new Date().toISOString() });
      const again = messages.get('repair:WR-1:1')!;
      const result = await processDeliverBatch([{ ...again, attributes: { ...again.attributes, ApproximateReceiveCount: '2' } }], deps('municipal'));
      expect([...result.outcomes.values()]).toEqual(['delivered']);
      expect(await store.listRepairWaits(breachRef('WB-1'), 'municipal')).toEqual([]);
    });

    it('holds a repair whose breach the exchange has not received yet, and sends it on once the breach arrives and is delivered', async () => {
      await submit(repair({ recordId: 'ER-1' }, { breachRecordId: 'EB-1', breachSource: BREACH_SOURCE }));
      const early = await deliverOnce('provincial');
      expect([...early.result.outcomes.values()]).toEqual(['failed']);
      expect(sentKeys('provincial')).toEqual([]);
      expect(await stateAt(repairRef('ER-1'), 'provincial')).toMatchObject({
        status: 'waiting',
        lastError: expect.stringContaining('the exchange has not received it yet'),
      });

      await submit(breach({ recordId: 'EB-1' }));
      const breachDelivery = await deliverOnce('provincial');
      expect(breachDelivery.records.map((r) => (JSON.parse(r.body) as { recordType: string }).recordType)).toEqual(['breach']);
      // the breach's delivery sent the repair on: the next batch delivers it
      const repairDelivery = await deliverOnce('provincial');
      expect(repairDelivery.records.map((r) => (JSON.parse(r.body) as { recordType: string }).recordType)).toEqual(['repair']);
      expect([...repairDelivery.result.outcomes.values()]).toEqual(['delivered']);
      expect(sentKeys('provincial')).toEqual([`breach:${BREACH_SOURCE}:EB-1:1:provincial`, `repair:${REPAIR_SOURCE}:ER-1:1:provincial`]);
    });

    it("rejects at each destination a repair not decided by its breach's authority, when the breach comes after it", async () => {
      await submit(
        repair(
          { recordId: 'AR-1' },
          { breachRecordId: 'AB-1', breachSource: BREACH_SOURCE, handlingUnit: '哈尔滨市发展和改革委员会', handlingUnitUscc: OTHER_UNIT_USCC },
        ),
      );
      await deliverOnce('provincial'); // waits: the breach is unknown
      await submit(breach({ recordId: 'AB-1' }));
      await deliverOnce('provincial'); // the breach, which wakes the repair
      const { result } = await deliverOnce('provincial');
      expect([...result.outcomes.values()]).toEqual(['rejected']);
      expect(await stateAt(repairRef('AR-1'), 'provincial')).toMatchObject({ status: 'rejected', lastError: expect.stringContaining('谁认定、谁修复') });
      expect(sentKeys('provincial')).not.toContain(`repair:${REPAIR_SOURCE}:AR-1:1:provincial`);
    });

    it('holds back a repair from its breach’s own source too (no breachSource: the repair’s source)', async () => {
      const ownRepair = repair({ recordId: 'SR-1', source: BREACH_SOURCE }, { breachRecordId: 'SB-1' });
      delete (ownRepair['data'] as Record<string, unknown>)['breachSource'];
      await submit(breach({ recordId: 'SB-1' }), ownRepair);
      const messages = await laneMessages('municipal');
      const repairMessage = messages.get('repair:SR-1:1')!;
      expect(repairMessage).toBeDefined();
      const early = await processDeliverBatch([repairMessage], deps('municipal'));
      expect(early.batchItemFailures).toEqual([{ itemIdentifier: repairMessage.messageId }]);
      expect(sims.simulators.municipal.store.requests).toEqual([]);
    });

    it('rejects, without sending it, a repair whose breach the destination rejected', async () => {
      await submit(breach({ recordId: 'RB-1' }));
      // the provincial platform refuses this breach (a date it does not accept)
      const stored = (await store.getRevision(breachRef('RB-1'), 1))!;
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: recordPk(breachRef('RB-1')),
            sk: revisionSk(1),
            revision: 1,
            record: JSON.stringify({ ...stored, data: { ...stored.data, penaltyValidUntil: '2027-02-30' } }),
          },
        }),
      );
      const first = await deliverOnce('provincial');
      expect([...first.result.outcomes.values()]).toEqual(['rejected']);
      expect(await stateAt(breachRef('RB-1'), 'provincial')).toEqual(expect.objectContaining({ status: 'rejected' }));
      const requestsBefore = sims.simulators.provincial.store.requests.length;

      await submit(repair({ recordId: 'RR-1' }, { breachRecordId: 'RB-1', breachSource: BREACH_SOURCE }));
      const { records, result } = await deliverOnce('provincial');
      expect(records).toHaveLength(1);
      expect(result.outcomes.get(records[0]!.messageId)).toBe('rejected');
      expect(result.batchItemFailures).toEqual([]); // terminal: acked, not retried
      expect(sims.simulators.provincial.store.requests).toHaveLength(requestsBefore);
      expect(sentKeys('provincial')).not.toContain(`repair:${REPAIR_SOURCE}:RR-1:1:provincial`);
      const state = await stateAt(repairRef('RR-1'), 'provincial');
      expect(state).toEqual(expect.objectContaining({ revision: 1, status: 'rejected', lastError: expect.stringContaining('RB-1') }));
      const rejected = (await store.readRecordState(repairRef('RR-1'))).events.find((e) => e.type === 'rejected');
      expect(JSON.stringify(rejected)).toContain('RB-1');
      expect(await receiveRecords(sqs, lanes.provincial)).toEqual([]); // acked: gone from the lane
    });

    it('rejects, never sends, a repair at a destination its breach was never shared with: nothing to repair there', async () => {
      // the breach went to the provincial platform only
      const provincialOnly = {
        ...intake,
        config: { ...intake.config, routes: { outbound: [{ destination: 'provincial' as const, recordTypes: ['breach' as const] }], inbound: [] } },
      };
      const routed = await processIntakeBatch(
        [{ messageId: randomUUID(), body: JSON.stringify(breach({ recordId: 'NB-1' })), messageAttributes: {} } as unknown as SQSRecord],
        provincialOnly,
      );
      expect(routed.batchItemFailures).toEqual([]);
      expect((await store.getMeta(breachRef('NB-1')))?.routedTo).toEqual(['provincial']);
      await submit(repair({ recordId: 'NR-1' }, { breachRecordId: 'NB-1', breachSource: BREACH_SOURCE }));

      const { records, result } = await deliverOnce('municipal');
      expect(records.map((r) => (JSON.parse(r.body) as { recordType: string }).recordType)).toEqual(['repair']);
      expect(result.batchItemFailures).toEqual([]);
      expect([...result.outcomes.values()]).toEqual(['rejected']);
      expect(sims.simulators.municipal.store.requests).toEqual([]);
      expect(await stateAt(repairRef('NR-1'), 'municipal')).toEqual(
        expect.objectContaining({ status: 'rejected', lastError: expect.stringContaining('is not shared with municipal') }),
      );
    });

    it("never sends an older revision once a newer revision's send has started (claim, not just the stored revision)", async () => {
      await submit(commitment({ recordId: 'SUP-1' }));
      const [revision1] = await receiveRecords(sqs, lanes.municipal);
      expect(revision1).toBeDefined();
      // this invocation resolves revision 1 (the newest then); before it claims the send, revision 2
      // is accepted and another invocation delivers it
      let interleaved = false;
      const racing: SyncState = {
        ...store,
        claimSend: async (...args) => {
          if (!interleaved) {
            interleaved = true;
            await submit(commitment({ recordId: 'SUP-1', revision: 2 }, { reason: '变更后的承诺事由' }));
            const [revision2] = await receiveRecords(sqs, lanes.municipal);
            const other = await processDeliverBatch([revision2!], deps('municipal'));
            expect([...other.outcomes.values()]).toEqual(['delivered']);
          }
          return store.claimSend(...args);
        },
      };

      const result = await processDeliverBatch([revision1!], deps('municipal', { state: racing }));

      expect(interleaved).toBe(true);
      expect(result.outcomes.get(revision1!.messageId)).toBe('superseded');
      expect(result.batchItemFailures).toEqual([]);
      expect(sentKeys('municipal')).toEqual(['commitment:hrbxq-approval:SUP-1:2:municipal']);
      expect(sims.simulators.municipal.store.list().map((r) => r.revision)).toEqual([2]);
      expect(await stateAt(commitmentRef('SUP-1'), 'municipal')).toEqual(expect.objectContaining({ revision: 2, status: 'delivered' }));
      const superseded = (await store.readRecordState(commitmentRef('SUP-1'))).events.filter((e) => e.type === 'superseded');
      expect(superseded).toEqual([expect.objectContaining({ revision: 1, detail: expect.objectContaining({ destination: 'municipal', sentRevision: 2 }) })]);
    });

    it("holds a revision back while another revision's send lease is live, until the lease ends", async () => {
      await submit(commitment({ recordId: 'LEASE-1' }));
      await submit(commitment({ recordId: 'LEASE-1', revision: 2 }, { reason: '变更后的承诺事由' }));
      const messages = await laneMessages('municipal');
      const revision2 = messages.get('commitment:LEASE-1:2')!;
      expect(revision2).toBeDefined();
      // another invocation is sending revision 1 for the next 2 s
      const leaseUntil = new Date(Date.now() + 2_000).toISOString();
      expect(
        await store.claimSend(commitmentRef('LEASE-1'), 'municipal', 1, { now: new Date().toISOString(), leaseUntil, token: 'another-invocation' }),
      ).toEqual({ kind: 'claimed' });

      const result = await processDeliverBatch([revision2], deps('municipal'));
      expect(result.batchItemFailures).toEqual([{ itemIdentifier: revision2.messageId }]);
      expect(result.outcomes.get(revision2.messageId)).toBe('failed');
      expect(sims.simulators.municipal.store.requests).toEqual([]);
      expect((await stateAt(commitmentRef('LEASE-1'), 'municipal'))?.status).toBeUndefined(); // no outcome recorded

      // it comes back when the lease ends (2 s), not after the 1 s backoff of a failure
      await sleep(1_200);
      expect(await receiveRecords(sqs, lanes.municipal)).toEqual([]);
      await sleep(1_200);
      const { records, result: later } = await deliverOnce('municipal');
      expect(records.map((r) => r.messageId)).toEqual([revision2.messageId]);
      expect([...later.outcomes.values()]).toEqual(['delivered']);
      expect(sentKeys('municipal')).toEqual(['commitment:hrbxq-approval:LEASE-1:2:municipal']);
    });
  });

  describe('publication: stated on every send to a destination that publishes, ended where it was published', () => {
    const breachRef = (recordId: string) => ({ recordType: 'breach' as const, source: 'hrbxq-enforcement', recordId });

    it('shares a 轻微 breach without publishing it; publishes a 一般 one until its last day', async () => {
      await submit(breach({ recordId: 'PM-1' }, { severity: '轻微', decisionNumber: '哈新市监罚〔2026〕71号' }), breach({ recordId: 'PG-1' }));
      await deliverOnce('provincial');
      const states = await Promise.all(['PM-1', 'PG-1'].map((id) => destinationState(id, 'provincial', 'breach')));
      expect(states).toEqual([
        expect.objectContaining({ status: 'delivered', published: false }),
        expect.objectContaining({ status: 'delivered', published: true, publishedUntil: '2027-06-10' }),
      ]);
      const provincial = sims.simulators.provincial.store;
      expect(provincial.list()).toHaveLength(2); // both shared
      expect(provincial.published().map((r) => (r.content as Record<string, unknown>)['CF_WSH'])).toEqual(['哈新市监罚〔2026〕45号']); // one published
    });

    it('ends a publication where it was published: UNPUBLISH once, the record still shared; a second end is a duplicate', async () => {
      await submit(breach({ recordId: 'PE-1' }));
      await deliverOnce('municipal');
      expect(sims.simulators.municipal.store.published()).toHaveLength(1);
      const end = {
        recordType: 'breach',
        source: 'hrbxq-enforcement',
        recordId: 'PE-1',
        revision: 1,
        destination: 'municipal',
        action: 'unpublish',
        correlationId: 'expiry-sweep:2027-06-11',
        routedAt: new Date().toISOString(),
      };
      for (let i = 0; i < 2; i++) await sqs.send(new SendMessageCommand({ QueueUrl: lanes.municipal, MessageBody: JSON.stringify(end) }));

      const after = { today: () => '2027-06-11' };
      // two copies in one batch (SQS delivers at least once): the platform takes the first, answers the second 404
      const first = await deliverOnce('municipal', after);
      expect([...first.result.outcomes.values()]).toEqual(['delivered', 'delivered']);
      expect(await destinationState('PE-1', 'municipal', 'breach')).toEqual(
        expect.objectContaining({ status: 'delivered', published: false, publicationEndedAt: expect.any(String) }),
      );
      const municipal = sims.simulators.municipal.store;
      expect(municipal.published()).toEqual([]);
      expect(municipal.current('breach:hrbxq-enforcement:PE-1:municipal')).toMatchObject({ operation: 'upsert', unpublishedAt: expect.any(String) }); // still shared
      expect(municipal.requests.map((r) => `${r.method} ${r.status}`)).toEqual(['PUT 201', 'DELETE 200', 'DELETE 404']);
      const history = (await store.readRecordState(breachRef('PE-1'))).events.filter((e) => e.type === 'delivered');
      expect(history.map((e) => (e['detail'] as { action: string }).action)).toEqual(['upsert', 'unpublish']);
      // a later copy finds the publication ended: nothing is sent
      await sqs.send(new SendMessageCommand({ QueueUrl: lanes.municipal, MessageBody: JSON.stringify(end) }));
      const later = await deliverOnce('municipal', after);
      expect([...later.result.outcomes.values()]).toEqual(['duplicate']);
      expect(municipal.requests).toHaveLength(3);
    });

    it("gives an end of publication its own idempotency key: a platform caching answers by key never answers it with the upsert's", async () => {
      await submit(breach({ recordId: 'PE-2' }));
      await deliverOnce('provincial');
      const end = {
        recordType: 'breach',
        source: 'hrbxq-enforcement',
        recordId: 'PE-2',
        revision: 1,
        destination: 'provincial',
        action: 'unpublish',
        correlationId: 'expiry-sweep:2027-06-11',
        routedAt: new Date().toISOString(),
      };
      await sqs.send(new SendMessageCommand({ QueueUrl: lanes.provincial, MessageBody: JSON.stringify(end) }));
      expect([...(await deliverOnce('provincial', { today: () => '2027-06-11' })).result.outcomes.values()]).toEqual(['delivered']);
      const key = 'breach:hrbxq-enforcement:PE-2:1:provincial';
      expect(sims.simulators.provincial.store.requests.map((r) => r.keys)).toEqual([[key], [`${key}:unpublish`]]);
      expect(sims.simulators.provincial.store.published()).toEqual([]);
    });
  });

  describe('records stored under an older contract', () => {
    it('never sends a 1.0 revision as content (its meaning changed), says why, and still lets it be withdrawn', async () => {
      await submit(breach({ recordId: 'V1-1' }));
      const ref = { recordType: 'breach' as const, source: 'hrbxq-enforcement', recordId: 'V1-1' };
      const stored = (await store.getRevision(ref, 1))!;
      // as contract 1.0 stored it: a first-offence exemption, which 2.0 never shares as a penalty
      await ddb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            pk: recordPk(ref),
            sk: revisionSk(1),
            revision: 1,
            record: JSON.stringify({ ...stored, schemaVersion: '1.0', data: { ...stored.data, firstOffenceExemption: true } }),
          },
        }),
      );

      const { result } = await deliverOnce('provincial');
      expect([...result.outcomes.values()]).toEqual(['rejected']);
      expect(await destinationState('V1-1', 'provincial', 'breach')).toEqual(
        expect.objectContaining({ status: 'rejected', lastError: expect.stringContaining('stored under record contract 1.0') }),
      );
      expect(sims.simulators.provincial.store.requests).toEqual([]);

      // its retraction carries key fields only: it goes
      const withdraw = {
        recordType: 'breach',
        source: 'hrbxq-enforcement',
        recordId: 'V1-1',
        revision: 1,
        destination: 'provincial',
        action: 'withdraw',
        correlationId: 'c',
        routedAt: new Date().toISOString(),
        redeliver: { requestedBy: 'test', auditId: 'a' },
      };
      await sqs.send(new SendMessageCommand({ QueueUrl: lanes.provincial, MessageBody: JSON.stringify(withdraw) }));
      expect([...(await deliverOnce('provincial')).result.outcomes.values()]).toEqual(['delivered']);
    });
  });
});
