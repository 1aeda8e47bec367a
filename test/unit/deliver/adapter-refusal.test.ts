import { SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { processDeliverBatch } from '../../../functions/deliver/deliver.js';
import type { Adapter } from '../../../functions/deliver/adapters/types.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { inMemorySyncState } from '../../support/in-memory-sync-state.js';
import { commitment } from '../../support/records.js';

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
    body: JSON.stringify({
      recordType: 'commitment',
      source: 'hrbxq-approval',
      recordId,
      revision: 1,
      destination: 'municipal',
      action: 'upsert',
      correlationId: 'c',
      routedAt: '',
    }),
    attributes: { ApproximateReceiveCount: '1' },
    messageAttributes: {},
  }) as unknown as SQSRecord;

it('rejects, with the reason, a record its adapter cannot express, and still delivers the others', async () => {
  const state = inMemorySyncState();
  for (const recordId of ['GOOD', 'BAD']) {
    await state.acceptRevision(commitment({ recordId }) as unknown as CreditRecord, {
      contentHash: recordId,
      now: '2026-03-02T01:00:00.000Z',
      correlationId: 'c',
      claim: { destinations: ['municipal'], leaseUntil: '2026-03-02T01:02:00.000Z', token: 't' },
    });
  }
  const fetched: string[] = [];
  const result = await processDeliverBatch([lane('GOOD'), lane('BAD')], {
    state,
    sqs: new SQSClient({ region: 'us-east-1' }),
    adapter,
    credentials: { get: async () => ({ appKey: 'k', secret: 's' }) as never, refresh: async () => ({ appKey: 'k', secret: 's' }) as never },
    config: {
      tableName: 't',
      destination: 'municipal',
      endpointUrl: 'http://sim',
      queueUrl: 'q',
      lane: { rateLimitPerSecond: 100, sendTimeoutSeconds: 1, maxConcurrency: 1 },
    },
    logger: { info: () => {}, warn: () => {}, error: () => {} },
    fetch: (async (url: string) => {
      fetched.push(url);
      return new Response('{}', { status: 200 });
    }) as typeof fetch,
  });
  expect(Object.fromEntries(result.outcomes)).toEqual({ 'm-GOOD': 'delivered', 'm-BAD': 'rejected' });
  expect(result.batchItemFailures).toEqual([]);
  expect(fetched).toEqual(['http://sim/x']);
  const ref = (recordId: string) => ({ recordType: 'commitment' as const, source: 'hrbxq-approval', recordId });
  expect(await state.getDestinationState(ref('BAD'), 'municipal')).toMatchObject({
    revision: 1,
    status: 'rejected',
    lastError: expect.stringMatching(/cannot send this record: no wire form/),
  });
  expect(await state.getDestinationState(ref('GOOD'), 'municipal')).toMatchObject({ revision: 1, status: 'delivered' });
});
