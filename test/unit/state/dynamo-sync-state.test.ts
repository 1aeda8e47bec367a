/**
 * The DynamoDB SyncState's own recoveries, which a real server does not produce on demand: a lost
 * guard whose stored revision turns out older (a racing writer), throttling, what BatchWriteItem
 * leaves unprocessed, and a commitment deadline's writes interleaved with its verifications'. The
 * client is mocked; test/integration/sync-state.test.ts runs the contract on DynamoDB Local.
 */
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { dynamoSyncState } from '../../../functions/shared/state/dynamo/index.js';
import { commitment } from '../../support/records.js';

const ddbMock = mockClient(DynamoDBDocumentClient);
const state = dynamoSyncState({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: 'state', sleep: async () => {} });
const awsError = (name: string) => Object.assign(new Error(`${name} (simulated)`), { name });

beforeEach(() => {
  ddbMock.reset();
  ddbMock.on(PutCommand).resolves({});
});

describe('acceptRevision races', () => {
  const record = commitment({ revision: 3 }) as unknown as CreditRecord;
  const options = { contentHash: 'h3', now: '2026-03-02T01:30:00.000Z', correlationId: 'c' };

  it('retries its guard when the stored revision it lost to turns out older (a racing writer)', async () => {
    ddbMock
      .on(UpdateCommand)
      .rejectsOnce(awsError('ConditionalCheckFailedException'))
      .resolves({ Attributes: { routedTo: new Set(['provincial']) } });
    ddbMock.on(GetCommand).resolvesOnce({ Item: { revision: 2, contentHash: 'h2', routedTo: new Set(['provincial']) } });
    await expect(state.acceptRevision(record, options)).resolves.toEqual({ kind: 'accepted', routedTo: ['provincial'] });
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(2);
  });

  it('classifies a lost guard by what is stored', async () => {
    ddbMock.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddbMock.on(GetCommand).resolves({ Item: { revision: 5, contentHash: 'h5' } });
    await expect(state.acceptRevision(record, options)).resolves.toEqual({ kind: 'superseded', storedRevision: 5 });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'other' } });
    await expect(state.acceptRevision(record, options)).resolves.toEqual({ kind: 'conflict', storedHash: 'other' });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'h3', routedRevision: 3 } });
    await expect(state.acceptRevision(record, options)).resolves.toEqual({ kind: 'duplicate' });
    ddbMock.on(GetCommand).resolves({ Item: { revision: 3, contentHash: 'h3', routedRevision: 2, routedTo: new Set(['municipal']) } });
    await expect(state.acceptRevision(record, options)).resolves.toEqual({ kind: 'unrouted', routedTo: ['municipal'] });
  });

  it('gives up after three lost guards that each turn out older, and lets throttling propagate (the caller retries the message)', async () => {
    ddbMock.on(UpdateCommand).rejects(awsError('ConditionalCheckFailedException'));
    ddbMock.on(GetCommand).resolves({ Item: { revision: 2, contentHash: 'h2' } });
    await expect(state.acceptRevision(record, options)).rejects.toThrow('after 3 attempts');
    ddbMock.on(UpdateCommand).rejects(awsError('ThrottlingException'));
    await expect(state.acceptRevision(record, options)).rejects.toThrow('ThrottlingException');
  });
});

describe('appendEvents', () => {
  const ref = { recordType: 'commitment' as const, source: 's', recordId: 'r' };
  const events = (n: number) => Array.from({ length: n }, () => ({ ref, type: 'accepted' as const, at: '2026-01-01T00:00:00.000Z', correlationId: 'c' }));

  it('retries what DynamoDB leaves unprocessed', async () => {
    ddbMock
      .on(BatchWriteCommand)
      .callsFakeOnce((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: { state: input.RequestItems['state']!.slice(0, 2) } }))
      .resolves({});
    await state.appendEvents(events(5));
    const calls = ddbMock.commandCalls(BatchWriteCommand);
    expect(calls.map((c) => (c.args[0].input.RequestItems!['state'] ?? []).length)).toEqual([5, 2]);
  });

  it('writes 25 a request, and gives up on what stays unprocessed', async () => {
    ddbMock.on(BatchWriteCommand).resolves({});
    await state.appendEvents(events(60));
    expect(ddbMock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems!['state']!.length)).toEqual([25, 25, 10]);
    ddbMock.reset();
    ddbMock.on(BatchWriteCommand).callsFake((input: { RequestItems: Record<string, unknown[]> }) => ({ UnprocessedItems: input.RequestItems }));
    await expect(state.appendEvents(events(3))).rejects.toThrow('3 history events still unprocessed after 5 retries');
  });
});

describe('commitment deadlines: the races a real server does not produce on demand', () => {
  const due = { commitmentCode: 'CN-1', ref: { recordType: 'commitment' as const, source: 's', recordId: 'r' }, revision: 3, deadline: '2026-03-05' };
  const tracked = { ...due, commitmentDate: '2026-01-05', department: 'd' };
  const input = (i: number) => ddbMock.commandCalls(UpdateCommand)[i]!.args[0].input;
  const conditionFailed = () => awsError('ConditionalCheckFailedException');

  it('tracking: when the verification that closed the item is taken back between its two writes, it tries again, and opens the item', async () => {
    ddbMock.on(UpdateCommand).rejectsOnce(conditionFailed()).rejectsOnce(conditionFailed()).resolves({});
    ddbMock.on(GetCommand).resolves({ Item: { cmtRevision: 2 } });
    await state.trackCommitmentDue(tracked);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(3);
    expect(input(0).ConditionExpression).toContain('attribute_not_exists(verifiedBy)');
    expect(input(0).UpdateExpression).toContain('gsi1pk = :open');
    // the closing write requires a verification that counts: without one it would close an item that should be open
    expect(input(1).ConditionExpression).toContain('attribute_exists(verifiedBy)');
    expect(input(1).UpdateExpression).toContain('REMOVE');
    expect(input(2).UpdateExpression).toContain('gsi1pk = :open');
  });

  it('tracking: a stale revision (both writes refused, a newer revision stored) changes nothing and gives up at once', async () => {
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    ddbMock.on(GetCommand).resolves({ Item: { cmtRevision: 4 } });
    await state.trackCommitmentDue(tracked);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(2);
    expect(ddbMock.commandCalls(GetCommand)).toHaveLength(1);
  });

  it('tracking a withdrawn commitment: one closing write, whatever the verifications', async () => {
    ddbMock.on(UpdateCommand).resolves({});
    await state.trackCommitmentDue({ ...tracked, withdrawn: true });
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(1);
    expect(input(0).ConditionExpression).not.toContain('verifiedBy');
    expect(input(0).UpdateExpression).toMatch(/REMOVE .*gsi1pk, gsi1sk/);
  });

  it('a withdrawn verification reopens only what it left without a verification, and a refused reopen is no error', async () => {
    const verified = {
      commitmentCode: 'CN-1',
      ref: { recordType: 'verification' as const, source: 's', recordId: 'v' },
      verificationDate: '2026-02-01',
      result: '全部履行' as const,
      withdrawn: true,
    };
    ddbMock.on(UpdateCommand).resolvesOnce({ Attributes: { dueKey: '2026-03-05#CN-1', verifiedBy: new Set(['REC#verification#s#other']) } });
    await state.recordCommitmentVerified(verified);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(1);

    ddbMock.reset();
    ddbMock
      .on(UpdateCommand)
      .resolvesOnce({ Attributes: { dueKey: '2026-03-05#CN-1' } })
      .rejectsOnce(conditionFailed());
    await state.recordCommitmentVerified(verified);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(2);
    expect(input(1).ConditionExpression).toBe(
      'attribute_not_exists(verifiedBy) AND attribute_exists(dueKey) AND (attribute_not_exists(withdrawn) OR withdrawn = :false)',
    );
    expect(input(1).UpdateExpression).toBe('SET gsi1pk = :open, gsi1sk = dueKey');

    ddbMock.reset();
    ddbMock.on(UpdateCommand).resolvesOnce({ Attributes: { dueKey: '2026-03-05#CN-1', withdrawn: true } });
    await state.recordCommitmentVerified(verified);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(1);
  });
});
