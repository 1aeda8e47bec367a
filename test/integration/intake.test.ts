/**
 * The intake function against real servers: AWS's DynamoDB Local and the fauxqs SQS server,
 * started by jest's global setup. Each test gets its own table and queues.
 */
import { randomUUID } from 'node:crypto';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { DeleteMessageBatchCommand, ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Context, SQSRecord } from 'aws-lambda';
import { createIntakeHandler } from '../../functions/intake/compose.js';
import { powertoolsMetrics } from '../../functions/shared/platform.js';
import { processIntakeBatch, type IntakeConfig, type IntakeDeps, type LaneMessage } from '../../functions/intake/intake.js';
import { contentHash } from '../../functions/shared/records/content-hash.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import { refOf, type SyncState } from '../../functions/shared/state/sync-state.js';
import { DESTINATION_IDS, topology, type DestinationId } from '../../topology/topology.js';
import { freshQueue, freshTable, testServers } from './servers.js';
import { captureOutput } from '../support/capture-output.js';
import { emfBlobs } from '../support/emf.js';
import { breach, commitment, nonPenalty, repair, residentId, uscc, licensingItemEntry, withFulfilmentDeadline } from '../support/records.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let config: IntakeConfig;
let store: SyncState;
let deps: IntakeDeps;

beforeAll(() => {
  const servers = testServers();
  ddb = DynamoDBDocumentClient.from(servers.ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = servers.sqs;
});

beforeEach(async () => {
  const tableName = await freshTable('intake');
  const urls = await Promise.all(DESTINATION_IDS.map((d) => freshQueue(`lane-${d}`)));
  config = { tableName, laneQueueUrls: Object.fromEntries(DESTINATION_IDS.map((d, i) => [d, urls[i]!])), intakeDlqUrl: await freshQueue('intake-dlq') };
  store = dynamoSyncState({ ddb, tableName });
  deps = { state: store, sqs, config, logger: silent };
  // the commitment fixture's licensing item is on the list (intake checks licensing commitments against it)
  await store.putLicensingItem(licensingItemEntry());
});

function sqsMessage(body: string, messageId: string = randomUUID()): SQSRecord {
  return { messageId, body, messageAttributes: {} } as unknown as SQSRecord;
}
const asMessage = (record: Record<string, unknown>) => sqsMessage(JSON.stringify(record));

/** Everything waiting in a lane, parsed (and deleted, so the next read sees only new messages). */
async function drain(destination: DestinationId): Promise<LaneMessage[]> {
  const url = config.laneQueueUrls[destination]!;
  const out: LaneMessage[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'] }),
    );
    if (Messages.length === 0) return out;
    out.push(...Messages.map((m) => JSON.parse(m.Body!) as LaneMessage));
    await sqs.send(new DeleteMessageBatchCommand({ QueueUrl: url, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }));
  }
}

async function drainAll(): Promise<Record<DestinationId, string[]>> {
  const entries = await Promise.all(DESTINATION_IDS.map(async (d) => [d, (await drain(d)).map((m) => `${m.recordId}@${m.revision}:${m.action}`)] as const));
  return Object.fromEntries(entries) as Record<DestinationId, string[]>;
}

const today = () => new Date().toISOString().slice(0, 10);

describe('the Lambda handler', () => {
  it('wires processIntakeBatch behind middy, answers with the batch item failures and publishes the batch metrics (CloudWatch EMF)', async () => {
    const handler = createIntakeHandler({
      ...deps,
      logger: new Logger({ serviceName: 'credex-intake-test', logLevel: 'SILENT' }),
      powertoolsMetrics: powertoolsMetrics('intake', { POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/test' }),
    });
    const good = asMessage(commitment({ recordId: 'H-1' }));
    let response;
    const output = await captureOutput(async () => {
      response = await handler({ Records: [good, sqsMessage('not json')] }, { functionName: 'intake', awsRequestId: 'req-1' } as Context);
    });
    expect(response).toEqual({ batchItemFailures: [] });
    expect((await drainAll()).provincial).toEqual(['H-1@1:upsert']);

    const emf = emfBlobs(output);
    expect(emf).toHaveLength(1);
    const directive = emf[0]!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('CreditExchange/test');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(emf[0]!['service']).toBe('credex-intake');
    // every outcome each batch, zeros included: the quarantine-rate alarm divides Quarantined by Received
    const names = ['Received', 'Routed', 'Duplicates', 'Superseded', 'Quarantined', 'Failed', 'CommitmentsFromIneligible'];
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual([...names].sort());
    expect(Object.fromEntries(names.map((n) => [n, emf[0]![n]]))).toEqual({
      Received: 2,
      Routed: 1,
      Duplicates: 0,
      Superseded: 0,
      Quarantined: 1,
      Failed: 0,
      CommitmentsFromIneligible: 0,
    });
  });

  it('counts a redelivered message as a duplicate', async () => {
    const handler = createIntakeHandler({
      ...deps,
      logger: new Logger({ serviceName: 'credex-intake-test', logLevel: 'SILENT' }),
      powertoolsMetrics: powertoolsMetrics('intake', {}),
    });
    const message = asMessage(commitment({ recordId: 'H-2' }));
    const context = { functionName: 'intake', awsRequestId: 'req-2' } as Context;
    await captureOutput(async () => void (await handler({ Records: [message] }, context)));
    const output = await captureOutput(async () => void (await handler({ Records: [message] }, context)));
    const [emf] = emfBlobs(output);
    expect(emf!._aws.CloudWatchMetrics[0]!.Namespace).toBe('CreditExchange');
    expect([emf!['Received'], emf!['Routed'], emf!['Duplicates']]).toEqual([1, 0, 1]);
  });
});

describe('intake on DynamoDB Local and an SQS server', () => {
  it('stores a valid record and sends a pointer to every lane its routes name', async () => {
    const record = commitment({ recordId: 'CN-1' });
    const result = await processIntakeBatch([asMessage(record)], deps);

    expect(result.batchItemFailures).toEqual([]);
    const lanes = await drainAll();
    expect(lanes).toEqual({ provincial: ['CN-1@1:upsert'], municipal: ['CN-1@1:upsert'], publicColumn: ['CN-1@1:upsert'], district: [] });
    const state = await store.readRecordState(refOf(record as unknown as CreditRecord));
    expect(state.meta).toEqual(expect.objectContaining({ revision: 1, routedRevision: 1, routedTo: ['municipal', 'provincial', 'publicColumn'] }));
    expect(state.revisions).toEqual([1]);
    expect(state.events.map((e) => e.type).sort()).toEqual(['accepted', 'routed']);
    // as sent, with the fulfilment deadline its licensing item gives (commitment date + 90 days)
    expect(await store.getRevision(refOf(record as unknown as CreditRecord), 1)).toEqual(withFulfilmentDeadline(record, '2026-05-31'));
  });

  it('quarantines invalid, malformed, oversize, mis-encoded and unknown-source input with its reasons, without failing the batch', async () => {
    const invalid = commitment({ recordId: 'BAD-USCC' }, { acceptingUnitUscc: `${uscc('11230100MB012345').slice(0, 17)}0` });
    const bodies = {
      invalid: JSON.stringify(invalid),
      malformed: '{"recordType": "commitment", "revision": }',
      tooLarge: JSON.stringify(commitment({ recordId: 'BIG' }, { remarks: 'x'.repeat(250 * 1024) })),
      encoding: JSON.stringify(commitment({ recordId: 'GBK' })).replace('哈尔滨', '\uFFFD\uFFFD\uFFFD'),
      unknownSource: JSON.stringify(commitment({ recordId: 'WHO', source: 'someone-else' })),
    };
    const messages = Object.entries(bodies).map(([reason, body]) => sqsMessage(body, `msg-${reason}`));
    const valid = asMessage(commitment({ recordId: 'GOOD' }));

    const result = await processIntakeBatch([...messages, valid], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(result.outcomes.get(valid.messageId)).toBe('routed');
    const quarantined = await store.listQuarantine(today());
    expect(quarantined.map((q) => [q.messageId, q.reason]).sort()).toEqual(
      Object.keys(bodies)
        .map((r) => [`msg-${r}`, r])
        .sort(),
    );
    for (const q of quarantined) expect(q.body).toBe(bodies[q.reason as keyof typeof bodies]); // raw body kept exactly
    const bad = quarantined.find((q) => q.reason === 'invalid')!;
    expect(bad.errors).toEqual([expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'format:uscc' })]);
    expect(quarantined.find((q) => q.reason === 'malformed')!.errors[0]!.message).toMatch(/^malformed JSON at line 1, column \d+/);
    const history = await store.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'BAD-USCC' });
    expect(history.events.map((e) => e.type)).toEqual(['invalid']);
    expect(history.meta).toBeUndefined();
    expect((await drainAll()).provincial).toEqual(['GOOD@1:upsert']);
  });

  it('acks a duplicate without routing it again', async () => {
    const body = JSON.stringify(commitment({ recordId: 'DUP' }));
    await processIntakeBatch([sqsMessage(body)], deps);
    await drainAll();

    const again = await processIntakeBatch(
      [sqsMessage(body), sqsMessage(body.replace('"occurredAt":"2026-03-02T09:30:00+08:00"', '"occurredAt":"2026-03-03T10:00:00+08:00"'))],
      deps,
    );

    expect([...again.outcomes.values()]).toEqual(['duplicate', 'duplicate']);
    expect(again.batchItemFailures).toEqual([]);
    expect(await drainAll()).toEqual({ provincial: [], municipal: [], publicColumn: [], district: [] });
  });

  it('supersedes an older revision that arrives late: nothing is sent for it', async () => {
    await processIntakeBatch([asMessage(commitment({ recordId: 'OOO', revision: 2 }, { reason: '第二版承诺事由' }))], deps);
    await drainAll();

    const late = await processIntakeBatch([asMessage(commitment({ recordId: 'OOO', revision: 1 }))], deps);

    expect([...late.outcomes.values()]).toEqual(['superseded']);
    expect(await drainAll()).toEqual({ provincial: [], municipal: [], publicColumn: [], district: [] });
    const state = await store.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'OOO' });
    expect(state.meta?.revision).toBe(2);
    expect(state.events.map((e) => e.type).sort()).toEqual(['accepted', 'routed', 'superseded']);
  });

  it('quarantines the same revision with different content and leaves the stored record untouched', async () => {
    const first = commitment({ recordId: 'CONFLICT' });
    await processIntakeBatch([asMessage(first)], deps);
    await drainAll();

    const changed = commitment({ recordId: 'CONFLICT' }, { content: '本单位承诺内容已被改写，但修订号未变。' });
    const result = await processIntakeBatch([asMessage(changed)], deps);

    expect([...result.outcomes.values()]).toEqual(['quarantined']);
    const [q] = await store.listQuarantine(today());
    expect(q).toEqual(expect.objectContaining({ reason: 'conflict', errors: [expect.objectContaining({ path: '/revision', rule: 'revisionConflict' })] }));
    expect(await store.getRevision(refOf(first as unknown as CreditRecord), 1)).toEqual(withFulfilmentDeadline(first, '2026-05-31'));
    expect(await drainAll()).toEqual({ provincial: [], municipal: [], publicColumn: [], district: [] });
  });

  it('routes on redelivery a revision accepted before a crash, exactly once', async () => {
    const record = commitment({ recordId: 'CRASH' }) as unknown as CreditRecord;
    // the intake died right after accepting: the revision is stored, nothing was routed
    await store.acceptRevision(record, { contentHash: contentHash(record), now: new Date().toISOString(), correlationId: 'first-attempt' });

    const redelivered = await processIntakeBatch([asMessage(record as unknown as Record<string, unknown>)], deps);

    expect([...redelivered.outcomes.values()]).toEqual(['routed']);
    expect((await drainAll()).provincial).toEqual(['CRASH@1:upsert']);
    const third = await processIntakeBatch([asMessage(record as unknown as Record<string, unknown>)], deps);
    expect([...third.outcomes.values()]).toEqual(['duplicate']);
  });

  it('fails only the records whose lane could not be reached, and routes them when the message returns', async () => {
    const broken = { ...config, laneQueueUrls: { ...config.laneQueueUrls, publicColumn: `${config.laneQueueUrls.publicColumn}-missing` } };
    const publicCommitment = asMessage(commitment({ recordId: 'PUB' }));
    const breachRecord = asMessage(breach({ recordId: 'BR' }));

    const result = await processIntakeBatch([publicCommitment, breachRecord], { ...deps, config: broken });

    expect(result.batchItemFailures).toEqual([{ itemIdentifier: publicCommitment.messageId }]);
    expect(result.outcomes.get(breachRecord.messageId)).toBe('routed');
    const state = await store.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'PUB' });
    expect(state.meta?.revision).toBe(1);
    expect(state.meta?.routedRevision).toBeUndefined();

    // SQS redelivers the failed message once the queue is reachable again
    const retried = await processIntakeBatch([publicCommitment], deps);
    expect(retried.batchItemFailures).toEqual([]);
    const lanes = await drainAll();
    expect(lanes.publicColumn).toEqual(['PUB@1:upsert']);
    // provincial and municipal got PUB twice (first attempt and retry): harmless, delivery is idempotent
    expect(lanes.provincial.sort()).toEqual(['BR@1:upsert', 'PUB@1:upsert', 'PUB@1:upsert']);
  });

  it('sends inbound breaches to the district, and a repair everywhere its breach went', async () => {
    const inbound = breach({ recordId: 'PROV-1', source: 'hlj-credit-platform' });
    await processIntakeBatch([asMessage(inbound)], deps);
    expect((await drainAll()).district).toEqual(['PROV-1@1:upsert']);

    // an outbound repair's own routes are provincial and municipal; district can only come from its breach
    const repairOfInbound = repair({ recordId: 'XF-PROV-1' }, { breachRecordId: 'PROV-1', breachSource: 'hlj-credit-platform' });
    const result = await processIntakeBatch([asMessage(repairOfInbound)], deps);

    expect(result.batchItemFailures).toEqual([]);
    expect(await drainAll()).toEqual({
      provincial: ['XF-PROV-1@1:upsert'],
      municipal: ['XF-PROV-1@1:upsert'],
      publicColumn: [],
      district: ['XF-PROV-1@1:upsert'],
    });
  });

  it('routes two copies of one message once, in one batch or in two concurrent invocations', async () => {
    const body = JSON.stringify(commitment({ recordId: 'TWIN' }));
    const sameBatch = await processIntakeBatch([sqsMessage(body), sqsMessage(body)], deps);
    expect([...sameBatch.outcomes.values()].sort()).toEqual(['duplicate', 'routed']);

    const body2 = JSON.stringify(commitment({ recordId: 'TWIN-2' }));
    const [a, b] = await Promise.all([processIntakeBatch([sqsMessage(body2)], deps), processIntakeBatch([sqsMessage(body2)], deps)]);
    expect([...a.outcomes.values(), ...b.outcomes.values()].sort()).toEqual(['duplicate', 'routed']);

    const lanes = await drainAll();
    expect(lanes.provincial.sort()).toEqual(['TWIN-2@1:upsert', 'TWIN@1:upsert']);
    expect(lanes.publicColumn.sort()).toEqual(['TWIN-2@1:upsert', 'TWIN@1:upsert']);
  });

  it('never leaves the public column with a revision whose successor withdrew it, however two revisions interleave', async () => {
    for (let i = 0; i < 5; i++) {
      const recordId = `RACE-${i}`;
      const first = asMessage(commitment({ recordId, revision: 1 }));
      const second = asMessage(commitment({ recordId, revision: 2 }, { publicationType: '不可公开' }));
      await processIntakeBatch(i % 2 ? [second, first] : [first, second], deps);
      const column = (await drain('publicColumn')).map((m) => `${m.revision}:${m.action}`);
      // either revision 1 never reached the column, or revision 2's withdrawal follows it
      if (column.includes('1:upsert')) expect(column).toContain('2:withdraw');
      const meta = (await store.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId })).meta!;
      expect(meta.revision).toBe(2);
      if (column.length > 0) expect(meta.routedTo).toContain('publicColumn');
    }
  });

  it('withdraws from the public column after a crash between routing a revision and marking it routed', async () => {
    const record = commitment({ recordId: 'HALF' }) as unknown as CreditRecord;
    const ref = refOf(record);
    // revision 1 was accepted and claimed for its three lanes, its messages sent, then the invocation died
    await store.acceptRevision(record, { contentHash: contentHash(record), now: new Date().toISOString(), correlationId: 'c' });
    await store.claimRouting(ref, 1, ['provincial', 'municipal', 'publicColumn'], {
      now: new Date().toISOString(),
      leaseUntil: new Date(Date.now() + 60_000).toISOString(),
      token: 'dead-invocation',
    });

    await processIntakeBatch([asMessage(commitment({ recordId: 'HALF', revision: 2 }, { publicationType: '不可公开' }))], deps);

    expect((await drainAll()).publicColumn).toEqual(['HALF@2:withdraw']);
  });

  it('withdraws a record everywhere it went', async () => {
    await processIntakeBatch([asMessage(commitment({ recordId: 'WD' }))], deps);
    await drainAll();
    await processIntakeBatch([asMessage(commitment({ recordId: 'WD', revision: 2, operation: 'withdraw' }, { publicationType: '不可公开' }))], deps);
    expect(await drainAll()).toEqual({ provincial: ['WD@2:withdraw'], municipal: ['WD@2:withdraw'], publicColumn: ['WD@2:withdraw'], district: [] });
  });

  it('never writes an identity number to the logs', async () => {
    const id = residentId('230102', '19850312', '457');
    const person = { name: '李明', category: '自然人', idType: '身份证', idNumber: id };
    const records = [
      commitment({ recordId: 'P-OK' }, { party: person }),
      commitment({ recordId: 'P-BAD' }, { party: { ...person, idNumber: `${id.slice(0, 17)}${id[17] === '1' ? '2' : '1'}` } }),
      commitment({ recordId: 'P-WRONG-FIELD' }, { party: { name: '李明', category: '个体工商户', uscc: id } }),
    ];
    const output = await captureOutput(async () => {
      const logger = new Logger({ serviceName: 'credex-intake-test', logLevel: 'DEBUG' });
      const result = await processIntakeBatch([...records.map(asMessage), sqsMessage(`{"broken": "${id}"`)], { ...deps, logger });
      expect(result.batchItemFailures).toEqual([]);
    });
    expect(output).toContain('record routed'); // the logger really wrote, at every level
    expect(output).toContain('record quarantined');
    expect(output).not.toContain(id.slice(6, 14));
    expect(output).not.toContain(id.slice(10, 17));
  });
});

describe('what a record legally is', () => {
  it('keeps a non-penalty decision and sends it nowhere: never shared, never published', async () => {
    const result = await processIntakeBatch([asMessage(nonPenalty({ recordId: 'NP-1' }))], deps);
    expect([...result.outcomes.values()]).toEqual(['routed']);
    expect(await drainAll()).toEqual({ provincial: [], municipal: [], publicColumn: [], district: [] });
    const state = await store.readRecordState({ recordType: 'nonPenalty', source: 'hrbxq-enforcement', recordId: 'NP-1' });
    expect(state.meta).toMatchObject({ revision: 1, routedRevision: 1, routedTo: [] });
    expect(state.events.map((e) => e.type).sort()).toEqual(['accepted', 'routed']);
  });

  it('warns when a first-offence exemption is not a first violation: the subject was penalised before', async () => {
    await processIntakeBatch([asMessage(breach({ recordId: 'FB-1' }, { decisionDate: '2026-02-10', publicationEndDate: '2026-05-10' }))], deps);
    await processIntakeBatch([asMessage(nonPenalty({ recordId: 'FN-1' }))], deps);
    const accepted = (await store.readRecordState({ recordType: 'nonPenalty', source: 'hrbxq-enforcement', recordId: 'FN-1' })).events.find(
      (e) => e.type === 'accepted',
    );
    expect(accepted?.['detail']).toEqual({ warnings: ['not a first violation: the subject was penalised before (哈新市监罚〔2026〕45号, 2026-02-10)'] });
    // another subject's first exemption carries no warning
    const other = nonPenalty(
      { recordId: 'FN-2' },
      { party: { name: '哈尔滨新区松北建筑工程有限公司', category: '法人及非法人组织', uscc: uscc('91230109MA1BCDF2') } },
    );
    await processIntakeBatch([asMessage(other)], deps);
    const clean = (await store.readRecordState({ recordType: 'nonPenalty', source: 'hrbxq-enforcement', recordId: 'FN-2' })).events.find(
      (e) => e.type === 'accepted',
    );
    expect(clean?.['detail']).toBeUndefined();
  });

  it("assigns the district's black points to a breach that arrives without them (every breach from the province), and says so", async () => {
    const inbound = breach(
      { recordId: 'IB-1', source: 'hlj-credit-platform' },
      { blackPoints: undefined, brokenCommitmentCode: undefined, severity: '严重', publicationEndDate: undefined },
    );
    await processIntakeBatch([asMessage(inbound)], deps);
    const ref = { recordType: 'breach' as const, source: 'hlj-credit-platform', recordId: 'IB-1' };
    expect((await store.getRevision(ref, 1))?.data['blackPoints']).toBe(topology.credit.black.bySeverity['严重']);
    const accepted = (await store.readRecordState(ref)).events.find((e) => e.type === 'accepted');
    expect(accepted?.['detail']).toEqual({ assignedBlackPoints: topology.credit.black.bySeverity['严重'] });
    // the same record sent again is a duplicate: the points are not content
    const again = await processIntakeBatch([asMessage(inbound)], deps);
    expect([...again.outcomes.values()]).toEqual(['duplicate']);
  });

  it("quarantines a repair that is not about its breach, or not decided by the breach's authority (谁认定、谁修复)", async () => {
    await processIntakeBatch([asMessage(breach({ recordId: 'RB-1' }))], deps);
    const wrongUnit = repair(
      { recordId: 'RX-1' },
      { breachRecordId: 'RB-1', handlingUnit: '哈尔滨市发展和改革委员会', handlingUnitUscc: '11230100MB0C55141N' },
    );
    const wrongTier = repair(
      { recordId: 'RX-2' },
      {
        breachRecordId: 'RB-1',
        severity: '轻微',
        minDisclosureEndDate: '2026-06-10',
        maxDisclosureEndDate: '2026-09-10',
        decisionDate: '2026-07-01',
        applicationDate: '2026-06-20',
      },
    );
    const result = await processIntakeBatch([asMessage(wrongUnit), asMessage(wrongTier)], deps);
    expect([...result.outcomes.values()]).toEqual(['quarantined', 'quarantined']);
    const entries = await store.listQuarantine(today());
    const rules = entries.map((e) => e.errors.map((x) => `${x.path} ${x.rule}`));
    expect(rules).toEqual(expect.arrayContaining([['/data/handlingUnitUscc repairMatchesBreach'], ['/data/severity repairMatchesBreach']]));
    expect(JSON.stringify(entries)).toContain('谁认定、谁修复');
  });

  it('schedules the end of a publication where the record goes to a destination that publishes it', async () => {
    await processIntakeBatch(
      [asMessage(breach({ recordId: 'EX-1' })), asMessage(breach({ recordId: 'EX-2' }, { severity: '轻微', decisionNumber: '哈新市监罚〔2026〕46号' }))],
      deps,
    );
    const month = await store.listExpired('2027-06', '2099-12-31', 10);
    expect(month.map((e) => [e.ref.recordId, e.until])).toEqual([['EX-1', '2027-06-10']]);
    // the 轻微 one is not published at all: nothing to end
    const minor = await store.listExpired('2026-09', '2099-12-31', 10);
    expect(minor).toEqual([]);
  });
});
