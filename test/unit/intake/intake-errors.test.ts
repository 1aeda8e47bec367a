/**
 * Error paths real servers cannot easily produce: throttling, partial SendMessageBatch failure, a
 * quarantine or history write that fails. The sync state is the in-memory one, made to fail where a
 * test says (overriding); SQS is mocked. The pipeline's behaviour on real servers is proven in
 * test/integration.
 */
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processIntakeBatch, type IntakeDeps } from '../../../functions/intake/intake.js';
import { inMemorySyncState, overriding, type InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { commitment, licensingItemEntry } from '../../support/records.js';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1' });
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const lanes = { provincial: 'q/provincial', municipal: 'q/municipal', publicColumn: 'q/public', district: 'q/district' };
let state: InMemorySyncState;
let deps: IntakeDeps;

const awsError = (name: string) => Object.assign(new Error(`${name} (simulated)`), { name });
const ref = (recordId: string) => ({ recordType: 'commitment' as const, source: 'hrbxq-approval', recordId });

function message(id: string, record: Record<string, unknown>): SQSRecord {
  return { messageId: id, body: JSON.stringify(record), messageAttributes: {} } as unknown as SQSRecord;
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  state = inMemorySyncState();
  // the commitment fixture's licensing item is on the list (intake checks every licensing commitment against it)
  void state.putLicensingItem(licensingItemEntry());
  deps = { state, sqs, logger: silent, config: { tableName: 'state', laneQueueUrls: lanes } };
});

describe('intake under AWS errors', () => {
  it('reports only the throttled record as a batch item failure', async () => {
    const throttling = overriding(state, {
      acceptRevision: (record, options) =>
        record.recordId === 'THROTTLED' ? Promise.reject(awsError('ProvisionedThroughputExceededException')) : state.acceptRevision(record, options),
    });
    const result = await processIntakeBatch([message('m1', commitment({ recordId: 'THROTTLED' })), message('m2', commitment({ recordId: 'FINE' }))], {
      ...deps,
      state: throttling,
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(result.outcomes.get('m2')).toBe('routed');
    expect(await state.getMeta(ref('THROTTLED'))).toBeUndefined();
  });

  it('fails only the records whose lane messages SQS keeps refusing, does not mark them routed, and releases their claim', async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string; MessageBody: string }> }) => ({
      Successful: [],
      Failed: input.Entries.filter((e) => e.MessageBody.includes('"recordId":"REFUSED"')).map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false })),
    }));
    const result = await processIntakeBatch([message('m1', commitment({ recordId: 'REFUSED' })), message('m2', commitment({ recordId: 'FINE' }))], deps);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    expect(await state.getMeta(ref('FINE'))).toMatchObject({ revision: 1, routedRevision: 1 });
    const refused = await state.getMeta(ref('REFUSED'));
    expect(refused).toMatchObject({ revision: 1 });
    expect(refused?.routedRevision).toBeUndefined();
    // the claim is released: the message's next delivery routes at once
    expect(refused?.routingLeaseUntil).toBeUndefined();
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const retried = await processIntakeBatch([message('m1', commitment({ recordId: 'REFUSED' }))], deps);
    expect(retried.outcomes.get('m1')).toBe('routed');
  });

  it('fails a record whose quarantine write fails, so invalid input is never acked unsaved', async () => {
    const failing = overriding(state, { quarantine: () => Promise.reject(awsError('InternalServerError')) });
    const result = await processIntakeBatch([{ messageId: 'bad', body: '{ not json', messageAttributes: {} } as unknown as SQSRecord], {
      ...deps,
      state: failing,
    });
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
  });

  it('still acks processed records when history events cannot be written', async () => {
    const failing = overriding(state, { appendEvents: () => Promise.reject(awsError('InternalServerError')) });
    const errors: string[] = [];
    const result = await processIntakeBatch([message('m1', commitment())], {
      ...deps,
      state: failing,
      logger: { ...silent, error: (m: string) => errors.push(m) },
    });
    expect(result.batchItemFailures).toEqual([]);
    expect(errors).toEqual(['history events could not be written']);
  });

  it("fails a record that could not be marked routed; its retry routes it once the claim's lease ran out", async () => {
    const failing = overriding(state, { markRouted: () => Promise.reject(awsError('ProvisionedThroughputExceededException')) });
    const first = await processIntakeBatch([message('m1', commitment({ recordId: 'MARK' }))], { ...deps, state: failing });
    expect(first.batchItemFailures).toEqual([{ itemIdentifier: 'm1' }]);
    // the lease of its claim runs out before SQS brings the message back
    const later = await processIntakeBatch([message('m1', commitment({ recordId: 'MARK' }))], { ...deps, now: () => new Date(Date.now() + 10 * 60_000) });
    expect(later.outcomes.get('m1')).toBe('routed');
    expect(await state.getMeta(ref('MARK'))).toMatchObject({ routedRevision: 1 });
  });
});
