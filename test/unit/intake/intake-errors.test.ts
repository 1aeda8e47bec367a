/**
 * Error paths real servers cannot easily produce: throttling, partial SendMessageBatch failure,
 * a ConditionalCheckFailed race. AWS clients are mocked; the pipeline's behaviour on real servers
 * is proven in test/integration.
 */
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processIntakeBatch, type IntakeDeps } from '../../../functions/intake/intake.js';
import { acceptRevision, appendEvents } from '../../../functions/shared/state/repository.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { commitment } from '../../support/records.js';

const ddbMock = mockClient(DynamoDBDocumentClient);
const sqsMock = mockClient(SQSClient);
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const sqs = new SQSClient({ region: 'us-east-1' });
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const lanes = { provincial: 'q/provincial', municipal: 'q/municipal', publicColumn: 'q/public', district: 'q/district' };
const deps: IntakeDeps = { ddb, sqs, logger: silent, config: { tableName: 'state', laneQueueUrls: lanes } };

const awsError = (name: string) => Object.assign(new Error(`${name} (simulated)`), { name });

function message(id: string, record: Record<string, unknown>): SQSRecord {
  return { messageId: id, body: JSON.stringify(record), messageAttributes: {} } as unknown as SQSRecord;
}

beforeEach(() => {
  ddbMock.reset();
  sqsMock.reset();
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(PutCommand).resolves({});
  ddbMock.on(GetCommand).resolves({});
  ddbMock.on(BatchWriteCommand).resolves({});
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
});

describe('intake under AWS errors', () => {
  it('reports only the throttled record as a batch item failure', async () => {
    ddbMock.on(UpdateCommand).callsFake((input: { ExpressionAttributeValues?: Record<string, unknown> }) => {
      if (input.ExpressionAttributeValues?.[':id'] === 'THROTTLED') throw awsError('ProvisionedThroughputExceededException');
      return {};
    });
    const result = await processIntakeBatch([message('m1', commitment({ recordId: 'THROTTLED' })), message('m2', commitment({ recordId: 'FINE' }))], deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(result.outcomes.get('m2')).toBe('routed');
  });

  it('fails only the records whose lane messages SQS keeps refusing, and does not mark them routed', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string; MessageBody: string }> }) => ({
      Successful: [],
      Failed: input.Entries.filter((e) => e.MessageBody.includes('"recordId":"REFUSED"')).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    }));
    const result = await processIntakeBatch([message('m1', commitment({ recordId: 'REFUSED' })), message('m2', commitment({ recordId: 'FINE' }))], { ...deps, config: { ...deps.config } });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    const routedMarks = ddbMock.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.UpdateExpression).startsWith('SET routedRevision'));
    expect(routedMarks.map((c) => c.args[0].input.Key)).toEqual([{ pk: 'REC#commitment#hrbxq-approval#FINE', sk: 'META' }]);
  });

  it('fails a record whose quarantine write fails, so invalid input is never acked unsaved', async () => {
    ddbMock.on(PutCommand).rejects(awsError('InternalServerError'));
    const result = await processIntakeBatch([{ messageId: 'bad', body: '{ not json', messageAttributes: {} } as unknown as SQSRecord], deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
  });

  it('still acks processed records when history events cannot be written', async () => {
    ddbMock.on(BatchWriteCommand).rejects(awsError('InternalServerError'));
    const errors: string[] = [];
    const result = await processIntakeBatch([message('m1', commitment())], { ...deps, logger: { ...silent, error: (m: string) => errors.push(m) } });
    expect(result.batchItemFailures).toEqual([]);
    expect(errors).toEqual(['history events could not be written']);
  });
});

describe('acceptRevision races', () => {
  const store = { ddb, tableName: 'state' };
  const record = commitment({ revision: 3 }) as unknown as CreditRecord;
  const options = { contentHash: 'h3', now: '2026-03-02T01:30:00.000Z', correlationId: 'c' };

  it('retries its guard when the stored revision it lost to turns out older (a racing writer)', async () => {
    ddbMock
      .on(UpdateCommand)
      .rejectsOnce(awsError('ConditionalCheckFailedException'))
      .resolves({ Attributes: { routedTo: new Set(['provincial']) } });
    ddbMock.on(GetCommand).resolvesOnce({ Item: { revision: 2, contentHash: 'h2', routedTo: new Set(['provincial']) } });
    await expect(acceptRevision(store, record, options)).resolves.toEqual({ kind: 'accepted', routedTo: ['provincial'] });
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('classifies a lost guard by what is stored', async () => {
    ddbMock.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddbMock.on(GetCommand).resolves({ Item: { revision: 5, contentHash: 'h5' } });
    await expect(acceptRevision(store, record, options)).resolves.toEqual({ kind: 'superseded', storedRevision: 5 });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'other' } });
    await expect(acceptRevision(store, record, options)).resolves.toEqual({ kind: 'conflict', storedHash: 'other' });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'h3', routedRevision: 3 } });
    await expect(acceptRevision(store, record, options)).resolves.toEqual({ kind: 'duplicate' });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'h3', routedRevision: 2, routedTo: new Set(['municipal']) } });
    await expect(acceptRevision(store, record, options)).resolves.toEqual({ kind: 'unrouted', routedTo: ['municipal'] });
  });

  it('lets throttling propagate (the caller retries the message)', async () => {
    ddbMock.on(UpdateCommand).rejects(awsError('ThrottlingException'));
    await expect(acceptRevision(store, record, options)).rejects.toThrow('ThrottlingException');
  });
});

describe('appendEvents', () => {
  it('retries what DynamoDB leaves unprocessed', async () => {
    const store = { ddb, tableName: 'state' };
    ddbMock
      .on(BatchWriteCommand)
      .callsFakeOnce((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: { state: input.RequestItems['state']!.slice(0, 2) } }))
      .resolves({});
    const ref = { recordType: 'commitment' as const, source: 's', recordId: 'r' };
    const events = Array.from({ length: 5 }, () => ({ ref, type: 'accepted' as const, at: '2026-01-01T00:00:00.000Z', correlationId: 'c' }));
    await appendEvents(store, events, async () => {});
    const calls = ddbMock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => (c.args[0].input.RequestItems!['state'] ?? []).length)).toEqual([5, 2]);
  });
});
