import { SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processDeliverBatch } from '../../../functions/deliver/deliver.js';
import type { Adapter } from '../../../functions/deliver/adapters/types.js';
import { commitment } from '../../support/records.js';

const ddbMock = mockClient(DynamoDBDocumentClient);
const ddb = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));

/** An adapter that cannot express the record with recordId BAD; the rest go in one request. */
const adapter: Adapter = {
  destination: 'municipal',
  signatureAlgorithm: 'HMAC-SHA256',
  maxBatchSize: 10,
  buildRequests: (deliveries) => {
    if (deliveries.some((d) => d.record.recordId === 'BAD')) throw new Error('no wire form for this record');
    return [{ method: 'POST', path: '/x', body: '{}', keys: deliveries.map((d) => d.idempotencyKey) }];
  },
  interpret: (request) => request.keys.map((key) => ({ key, outcome: 'delivered' as const })),
};

const lane = (recordId: string): SQSRecord =>
  ({
    messageId: `m-${recordId}`,
    receiptHandle: `r-${recordId}`,
    body: JSON.stringify({ recordType: 'commitment', source: 'hrbxq-approval', recordId, revision: 1, destination: 'municipal', action: 'upsert', correlationId: 'c', routedAt: '' }),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSRecord;

it('rejects, with the reason, a record its adapter cannot express, and still delivers the others', async () => {
  ddbMock.reset();
  ddbMock.on(GetCommand).callsFake((input: { Key: { pk: string; sk: string } }) => {
    const recordId = input.Key.pk.split('#').pop()!;
    if (input.Key.sk === 'META') return { Item: { revision: 1, routedTo: new Set(['municipal']) } };
    if (input.Key.sk.startsWith('REV#')) return { Item: { record: JSON.stringify(commitment({ recordId })) } };
    return {};
  });
  ddbMock.on(UpdateCommand).resolves({});
  ddbMock.on(BatchWriteCommand).resolves({});
  const fetched: string[] = [];
  const result = await processDeliverBatch([lane('GOOD'), lane('BAD')], {
    ddb,
    sqs: new SQSClient({ region: 'us-east-1' }),
    adapter,
    credentials: { get: async () => ({ appKey: 'k', secret: 's' }) as never, refresh: async () => ({ appKey: 'k', secret: 's' }) as never },
    config: { tableName: 't', destination: 'municipal', endpointUrl: 'http://sim', queueUrl: 'q', lane: { rateLimitPerSecond: 100, sendTimeoutSeconds: 1, maxConcurrency: 1 } },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    fetch: (async (url: string) => {
      fetched.push(url);
      return new Response('{}', { status: 200 });
    }) as typeof fetch,
  });
  expect(Object.fromEntries(result.outcomes)).toEqual({ 'm-GOOD': 'delivered', 'm-BAD': 'rejected' });
  expect(result.batchItemFailures).toEqual([]);
  expect(fetched).toEqual(['http://sim/x']);
  const rejected = ddbMock.commandCalls(UpdateCommand).find((c) => c.args[0].input.ExpressionAttributeValues?.[':status'] === 'rejected');
  expect(rejected?.args[0].input.ExpressionAttributeValues?.[':lastError']).toMatch(/cannot send this record: no wire form/);
});
