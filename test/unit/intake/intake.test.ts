/**
 * The intake's success paths on the in-memory sync state (SQS mocked): a new record is accepted
 * and routed to its lanes, a copy of a routed revision is acked as a duplicate, an older revision
 * is superseded, the same revision with other content and invalid input are quarantined, a
 * withdrawal goes where the record went.
 */
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processIntakeBatch, type IntakeDeps, type LaneMessage } from '../../../functions/intake/intake.js';
import { inMemorySyncState, type InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { commitment, licensingItemEntry, withFulfilmentDeadline } from '../../support/records.js';

const sqsMock = mockClient(SQSClient);
const lanes = { provincial: 'q/provincial', municipal: 'q/municipal', publicColumn: 'q/public', district: 'q/district' };
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const TODAY = '2026-03-02';
let state: InMemorySyncState;
let deps: IntakeDeps;
let serial = 0;

const ref = (recordId: string) => ({ recordType: 'commitment' as const, source: 'hrbxq-approval', recordId });
function message(record: Record<string, unknown>, messageId = `m-${++serial}`): SQSRecord {
  return {
    messageId,
    body: JSON.stringify(record),
    messageAttributes: { correlationId: { stringValue: `c-${messageId}`, dataType: 'String' } },
    attributes: { SentTimestamp: '1772413200000' },
  } as unknown as SQSRecord;
}

/** The lane messages sent since the last call, as `destination:action:revision`. */
function sent(): string[] {
  const out = sqsMock.commandCalls(SendMessageBatchCommand).flatMap((c) =>
    (c.args[0].input.Entries ?? []).map((e) => {
      const lane = JSON.parse(e.MessageBody!) as LaneMessage;
      expect(lanes[lane.destination as keyof typeof lanes]).toBe(c.args[0].input.QueueUrl);
      return `${lane.destination}:${lane.action}:${lane.revision}`;
    }),
  );
  sqsMock.resetHistory();
  return out.sort();
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  state = inMemorySyncState();
  // the commitment fixture's licensing item is on the list (intake checks every licensing commitment against it)
  void state.putLicensingItem(licensingItemEntry());
  deps = {
    state,
    sqs: new SQSClient({ region: 'us-east-1' }),
    logger: silent,
    config: { tableName: 'state', laneQueueUrls: lanes },
    today: () => TODAY,
    now: () => new Date('2026-03-02T01:00:00.000Z'),
  };
});

describe('intake on the in-memory sync state', () => {
  it('accepts a new record, sends a pointer to every lane its routes name, marks it routed and writes its history', async () => {
    const record = commitment({ recordId: 'NEW-1' });
    const result = await processIntakeBatch([message(record, 'm-new')], deps);
    expect(result).toEqual({ batchItemFailures: [], outcomes: new Map([['m-new', 'routed']]), flaggedCommitments: 0 });
    expect(sent()).toEqual(['municipal:upsert:1', 'provincial:upsert:1', 'publicColumn:upsert:1']);
    // kept as the source sent it, with the fulfilment deadline its licensing item gives (90 days)
    expect(await state.getRevision(ref('NEW-1'), 1)).toEqual(withFulfilmentDeadline(record, '2026-05-31'));
    const { meta, events } = await state.readRecordState(ref('NEW-1'));
    expect(meta).toMatchObject({
      revision: 1,
      routedRevision: 1,
      routedTo: ['municipal', 'provincial', 'publicColumn'],
      correlationId: 'c-m-new',
      acceptedAt: '2026-03-02T01:00:00.000Z',
    });
    expect(meta?.routingLeaseUntil).toBeUndefined();
    expect(events.map((e) => e.type).sort()).toEqual(['accepted', 'routed']);
    // a public commitment's publication ends: the expiry sweep will send its end
    expect(await state.listExpired('2031-03', '2031-03-31', 10)).toEqual([{ ref: ref('NEW-1'), revision: 1, until: '2031-03-01', enqueued: [] }]);
  });

  it('acks a copy of a routed revision as a duplicate and sends nothing', async () => {
    const record = commitment({ recordId: 'DUP-1' });
    await processIntakeBatch([message(record)], deps);
    sent();
    const again = await processIntakeBatch([message(record, 'm-again')], deps);
    expect(again.outcomes.get('m-again')).toBe('duplicate');
    expect(again.batchItemFailures).toEqual([]);
    expect(sent()).toEqual([]);
    expect((await state.readRecordState(ref('DUP-1'))).events.filter((e) => e.type === 'duplicate')).toHaveLength(1);
  });

  it('routes two copies of one message in one batch once', async () => {
    const record = commitment({ recordId: 'TWICE-1' });
    const result = await processIntakeBatch([message(record, 'a'), message(record, 'b')], deps);
    expect([...result.outcomes.values()].sort()).toEqual(['duplicate', 'routed']);
    expect(sent()).toEqual(['municipal:upsert:1', 'provincial:upsert:1', 'publicColumn:upsert:1']);
  });

  it('does not route a revision older than the stored one', async () => {
    await processIntakeBatch([message(commitment({ recordId: 'OLD-1', revision: 2 }))], deps);
    sent();
    const older = await processIntakeBatch([message(commitment({ recordId: 'OLD-1', revision: 1 }), 'm-old')], deps);
    expect(older.outcomes.get('m-old')).toBe('superseded');
    expect(sent()).toEqual([]);
    expect(await state.getMeta(ref('OLD-1'))).toMatchObject({ revision: 2 });
    const superseded = (await state.readRecordState(ref('OLD-1'))).events.find((e) => e.type === 'superseded');
    expect(superseded).toMatchObject({ revision: 1, detail: { storedRevision: 2 } });
  });

  it('routes a newer revision, and a withdrawal where the record went', async () => {
    await processIntakeBatch([message(commitment({ recordId: 'W-1' }))], deps);
    sent();
    await processIntakeBatch([message(commitment({ recordId: 'W-1', revision: 2 }, { reason: '变更后的承诺事由' }))], deps);
    expect(sent()).toEqual(['municipal:upsert:2', 'provincial:upsert:2', 'publicColumn:upsert:2']);
    const result = await processIntakeBatch([message(commitment({ recordId: 'W-1', revision: 3, operation: 'withdraw' }), 'm-withdraw')], deps);
    expect(result.outcomes.get('m-withdraw')).toBe('routed');
    expect(sent()).toEqual(['municipal:withdraw:3', 'provincial:withdraw:3', 'publicColumn:withdraw:3']);
  });

  it('quarantines the same revision with other content, and leaves the stored record as it was', async () => {
    const first = commitment({ recordId: 'CONF-1' });
    await processIntakeBatch([message(first)], deps);
    sent();
    const result = await processIntakeBatch([message(commitment({ recordId: 'CONF-1' }, { reason: '另一个事由' }), 'm-conflict')], deps);
    expect(result.outcomes.get('m-conflict')).toBe('quarantined');
    expect(sent()).toEqual([]);
    expect(await state.getRevision(ref('CONF-1'), 1)).toEqual(withFulfilmentDeadline(first, '2026-05-31'));
    const [entry] = await state.listQuarantine('2026-03-02');
    expect(entry).toMatchObject({
      messageId: 'm-conflict',
      reason: 'conflict',
      recordId: 'CONF-1',
      revision: 1,
      status: 'open',
      errors: [expect.objectContaining({ rule: 'revisionConflict' })],
    });
  });

  it('quarantines invalid input with every reason, and acks it', async () => {
    const result = await processIntakeBatch(
      [{ ...message({}), messageId: 'm-bad', body: '{ not json' }, message(commitment({ recordId: 'BAD-1', revision: 0 }), 'm-invalid')],
      deps,
    );
    expect(result).toEqual({
      batchItemFailures: [],
      outcomes: new Map([
        ['m-bad', 'quarantined'],
        ['m-invalid', 'quarantined'],
      ]),
      flaggedCommitments: 0,
    });
    expect(sent()).toEqual([]);
    const entries = await state.listQuarantine('2026-03-02');
    expect(entries.map((e) => [e.messageId, e.reason]).sort()).toEqual([
      ['m-bad', 'malformed'],
      ['m-invalid', 'invalid'],
    ]);
    expect(await state.getMeta(ref('BAD-1'))).toBeUndefined();
  });
});
