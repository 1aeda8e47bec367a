/**
 * The deliver function's paths on the in-memory sync state, with a fake adapter and endpoint (SQS
 * mocked for visibility changes): a revision is delivered and recorded after a 200, a superseded or
 * already delivered one is skipped without a request, a 503 leaves it failed and retried later, a
 * refusal is final.
 */
import { createHash } from 'node:crypto';
import { ChangeMessageVisibilityBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { entryLine, type EvidenceEntry } from '../../../functions/shared/evidence/format.js';
import { canonicalJson } from '../../../functions/shared/records/content-hash.js';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processDeliverBatch, type DeliverDeps } from '../../../functions/deliver/deliver.js';
import type { Adapter } from '../../../functions/deliver/adapters/types.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { inMemorySyncState, overriding, type InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { breach, commitment, repair } from '../../support/records.js';

const sqsMock = mockClient(SQSClient);
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const ref = (recordId: string) => ({ recordType: 'commitment' as const, source: 'hrbxq-approval', recordId });

/** The municipal contract's shape, reduced: one request a record; the endpoint's status decides, `REFUSE` in a record id is refused. */
const adapter: Adapter = {
  destination: 'municipal',
  signatureAlgorithm: 'HMAC-SHA256',
  maxBatchSize: 1,
  buildRequests: (deliveries) =>
    deliveries.map((d) => ({
      method: 'PUT' as const,
      path: `/records/${d.record.recordId}`,
      body: JSON.stringify({ id: d.record.recordId, revision: d.record.revision }),
      keys: [d.idempotencyKey],
    })),
  interpret: (request, response) =>
    request.keys.map((key) =>
      request.path.includes('REFUSE')
        ? { key, outcome: 'rejected' as const, reason: `HTTP ${response.status}: field xkxm not in the code table` }
        : { key, outcome: 'delivered' as const, receipt: `R-${request.path.split('/').pop()}` },
    ),
};

let state: InMemorySyncState;
let requests: Array<{ url: string; idempotencyKey: string | null }>;
let status: number;
let deps: DeliverDeps;

function lane(recordId: string, revision = 1, receiveCount = 1): SQSRecord {
  return {
    messageId: `m-${recordId}-${revision}`,
    receiptHandle: `r-${recordId}-${revision}`,
    body: JSON.stringify({
      ...ref(recordId),
      revision,
      destination: 'municipal',
      action: 'upsert',
      correlationId: `c-${recordId}`,
      routedAt: '2026-03-02T01:00:00.000Z',
    }),
    attributes: { ApproximateReceiveCount: String(receiveCount) },
    messageAttributes: {},
  } as unknown as SQSRecord;
}

/** Intake's part: the revision accepted and routed to the municipal lane. */
async function accepted(recordId: string, revision = 1): Promise<void> {
  const record = commitment({ recordId, revision }) as unknown as CreditRecord;
  await state.acceptRevision(record, {
    contentHash: `h${revision}`,
    now: '2026-03-02T01:00:00.000Z',
    correlationId: `c-${recordId}`,
    claim: { destinations: ['municipal'], leaseUntil: '2026-03-02T01:02:00.000Z', token: 'intake' },
  });
  await state.markRouted(ref(recordId), revision, '2026-03-02T01:00:01.000Z');
}

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(ChangeMessageVisibilityBatchCommand).resolves({ Successful: [], Failed: [] });
  state = inMemorySyncState();
  requests = [];
  status = 200;
  deps = {
    state,
    sqs: new SQSClient({ region: 'us-east-1' }),
    adapter,
    credentials: { get: async () => ({ appKey: 'k', secret: 's' }), refresh: async () => ({ appKey: 'k', secret: 's' }) },
    config: {
      tableName: 'state',
      destination: 'municipal',
      endpointUrl: 'http://municipal.test',
      queueUrl: 'q/municipal',
      lane: { rateLimitPerSecond: 1000, sendTimeoutSeconds: 1, maxConcurrency: 1 },
    },
    logger: silent,
    fetch: (async (url: string, init: RequestInit) => {
      requests.push({ url, idempotencyKey: new Headers(init.headers).get('idempotency-key') });
      return new Response(status === 200 ? '{"code":0}' : 'unavailable', { status });
    }) as typeof fetch,
    now: () => new Date('2026-03-02T01:05:00.000Z'),
    today: () => '2026-03-02',
    random: () => 0.5,
  };
});

describe('deliver on the in-memory sync state', () => {
  it('delivers a routed revision and records it delivered after a 200: receipt, history, the send claim ended', async () => {
    await accepted('D-1');
    const result = await processDeliverBatch([lane('D-1')], deps);
    expect(result).toEqual({ batchItemFailures: [], outcomes: new Map([['m-D-1-1', 'delivered']]) });
    expect(requests).toEqual([{ url: 'http://municipal.test/records/D-1', idempotencyKey: 'commitment:hrbxq-approval:D-1:1:municipal' }]);
    const item = (await state.getDestinationState(ref('D-1'), 'municipal')) as unknown as Record<string, unknown>;
    expect(item).toMatchObject({
      revision: 1,
      status: 'delivered',
      receipt: 'R-D-1',
      attempts: 1,
      correlationId: 'c-D-1',
      updatedAt: '2026-03-02T01:05:00.000Z',
      sentRevision: 1,
    });
    expect(item['sendLeaseToken']).toBeUndefined();
    const events = (await state.readRecordState(ref('D-1'))).events;
    expect(events).toEqual([
      expect.objectContaining({ type: 'delivered', revision: 1, detail: expect.objectContaining({ destination: 'municipal', receipt: 'R-D-1' }) }),
    ]);
    expect(await state.countByDestinationStatus('municipal', 'delivered')).toBe(1);
    expect(sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand)).toHaveLength(0);
  });

  it('skips a revision already delivered there (a duplicate) without a request', async () => {
    await accepted('D-2');
    await processDeliverBatch([lane('D-2')], deps);
    requests.length = 0;
    const again = await processDeliverBatch([lane('D-2')], deps);
    expect(again.outcomes.get('m-D-2-1')).toBe('duplicate');
    expect(requests).toEqual([]);
  });

  it('skips a revision a newer one superseded, without a request', async () => {
    await accepted('S-1', 1);
    await accepted('S-1', 2);
    const result = await processDeliverBatch([lane('S-1', 1)], deps);
    expect(result.outcomes.get('m-S-1-1')).toBe('superseded');
    expect(requests).toEqual([]);
    expect(await state.getDestinationState(ref('S-1'), 'municipal')).toBeUndefined();
    expect((await state.readRecordState(ref('S-1'))).events).toEqual([
      expect.objectContaining({ type: 'superseded', revision: 1, detail: { destination: 'municipal', storedRevision: 2 } }),
    ]);
  });

  it('records a 503 as failed, frees the send and asks SQS to retry later; the next receive delivers', async () => {
    await accepted('F-1');
    status = 503;
    const failed = await processDeliverBatch([lane('F-1')], deps);
    expect(failed.batchItemFailures).toEqual([{ itemIdentifier: 'm-F-1-1' }]);
    expect(await state.getDestinationState(ref('F-1'), 'municipal')).toMatchObject({
      revision: 1,
      status: 'failed',
      lastError: 'HTTP 503 unavailable',
      attempts: 1,
    });
    const [visibility] = sqsMock.commandCalls(ChangeMessageVisibilityBatchCommand);
    expect(visibility!.args[0].input).toMatchObject({
      QueueUrl: 'q/municipal',
      Entries: [expect.objectContaining({ ReceiptHandle: 'r-F-1-1', VisibilityTimeout: expect.any(Number) })],
    });
    status = 200;
    const retried = await processDeliverBatch([lane('F-1', 1, 2)], deps);
    expect(retried.outcomes.get('m-F-1-1')).toBe('delivered');
    expect(await state.getDestinationState(ref('F-1'), 'municipal')).toMatchObject({ status: 'delivered', attempts: 2, lastError: 'HTTP 503 unavailable' });
  });

  it('records a refusal as final: rejected, with the reason, never sent again', async () => {
    await accepted('REFUSE-1');
    const result = await processDeliverBatch([lane('REFUSE-1')], deps);
    expect(result).toEqual({ batchItemFailures: [], outcomes: new Map([['m-REFUSE-1-1', 'rejected']]) });
    expect(await state.getDestinationState(ref('REFUSE-1'), 'municipal')).toMatchObject({
      status: 'rejected',
      lastError: 'HTTP 200: field xkxm not in the code table',
    });
    requests.length = 0;
    expect((await processDeliverBatch([lane('REFUSE-1')], deps)).outcomes.get('m-REFUSE-1-1')).toBe('duplicate');
    expect(requests).toEqual([]);
  });
});

describe('sending concurrently', () => {
  /** A fetch that answers each request a few event-loop turns later, logging when each starts and ends. */
  function loggingFetch(log: string[], inFlight: { now: number; max: number }, slow?: string): typeof fetch {
    return (async (url: string) => {
      const id = String(url).split('/').pop();
      inFlight.now++;
      inFlight.max = Math.max(inFlight.max, inFlight.now);
      log.push(`start ${id}`);
      for (let i = 0; i < (id === slow ? 30 : 3); i++) await new Promise((resolve) => setImmediate(resolve));
      inFlight.now--;
      log.push(`end ${id}`);
      return new Response('{"code":0}', { status: 200 });
    }) as typeof fetch;
  }

  it('has several requests of a batch in flight at once, growing from one as the endpoint answers', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `C-${i}`);
    for (const id of ids) await accepted(id);
    const log: string[] = [];
    const inFlight = { now: 0, max: 0 };
    // the rate limiter's waits resolve at once: what is in flight depends on the answers alone, not on timers
    const result = await processDeliverBatch(
      ids.map((id) => lane(id)),
      { ...deps, fetch: loggingFetch(log, inFlight), sleep: async () => {} },
    );
    expect([...result.outcomes.values()]).toEqual(ids.map(() => 'delivered'));
    expect(log.filter((l) => l.startsWith('start'))).toHaveLength(8);
    // slow start: the first request alone, then more at once
    expect(log.slice(0, 2)).toEqual(['start C-0', 'end C-0']);
    expect(inFlight.max).toBeGreaterThan(1);
  });

  it('sends two requests of one record one after the other, in the order built, never at once', async () => {
    const { send } = await import('../../../functions/deliver/send.js');
    const record = (revision: number) => commitment({ recordId: 'SAME', revision }) as unknown as CreditRecord;
    const pendingOf = (revision: number, other = 'SAME') => ({
      message: lane(other, revision),
      lane: JSON.parse(lane(other, revision).body),
      ref: ref(other),
      attempts: 1,
      delivery: {
        record: { ...record(revision), recordId: other },
        action: 'upsert' as const,
        idempotencyKey: `commitment:hrbxq-approval:${other}:${revision}:municipal`,
      },
    });
    const sameRecordAdapter: Adapter = {
      ...adapter,
      buildRequests: (deliveries) =>
        deliveries.map((d) => ({ method: 'PUT' as const, path: `/records/${d.record.recordId}-${d.record.revision}`, keys: [d.idempotencyKey] })),
    };
    const log: string[] = [];
    const inFlight = { now: 0, max: 0 };
    const results = await send(
      [pendingOf(1, 'OTHER-A'), pendingOf(1, 'OTHER-B'), pendingOf(1), pendingOf(2), pendingOf(1, 'OTHER-C')],
      // revision 1 answers slowly: without the order kept, revision 2 would start while it is out
      { ...deps, adapter: sameRecordAdapter, fetch: loggingFetch(log, inFlight, 'SAME-1'), sleep: async () => {} },
      { count: () => {}, latency: () => {} },
      Date.now() + 60_000,
    );
    expect([...results.values()].map((r) => r.outcome)).toEqual(['delivered', 'delivered', 'delivered', 'delivered', 'delivered']);
    expect(inFlight.max).toBeGreaterThan(1);
    // revision 2 starts only once revision 1 has answered
    expect(log.indexOf('start SAME-2')).toBeGreaterThan(log.indexOf('end SAME-1'));
    // …while the other records went on meanwhile
    expect(log.indexOf('start OTHER-C')).toBeLessThan(log.indexOf('end SAME-1'));
  });
});

describe('reads and failures that concern one message, not its batch', () => {
  const breachRef = { recordType: 'breach' as const, source: 'hrbxq-enforcement', recordId: 'HRBNA-SX-2026-000045' };
  const repairRef = { recordType: 'repair' as const, source: 'hrb-credit-repair', recordId: 'HRBNA-XF-2026-000007' };
  const laneOf = (r: typeof breachRef | typeof repairRef, id: string): SQSRecord =>
    ({
      messageId: id,
      receiptHandle: `rh-${id}`,
      body: JSON.stringify({ ...r, revision: 1, destination: 'municipal', action: 'upsert', correlationId: id, routedAt: '2026-03-02T01:00:00.000Z' }),
      attributes: { ApproximateReceiveCount: '1' },
      messageAttributes: {},
    }) as unknown as SQSRecord;
  const acceptedAs = async (record: Record<string, unknown>) => {
    await state.acceptRevision(record as unknown as CreditRecord, {
      contentHash: 'h',
      now: '2026-03-02T01:00:00.000Z',
      correlationId: 'c',
      claim: { destinations: ['municipal'], leaseUntil: '2026-03-02T01:02:00.000Z', token: 'intake' },
    });
    await state.markRouted(
      { recordType: record['recordType'], source: record['source'], recordId: record['recordId'] } as never,
      1,
      '2026-03-02T01:00:01.000Z',
    );
  };

  it('holds a repair until its breach is delivered here, then lets it go (the breaches of a batch read together)', async () => {
    await acceptedAs(breach());
    await acceptedAs(repair());
    const first = await processDeliverBatch([laneOf(repairRef, 'rp-1')], deps);
    expect(first.outcomes.get('rp-1')).toBe('failed');
    expect(await state.getDestinationState(repairRef, 'municipal')).toMatchObject({ status: 'waiting' });
    expect(requests).toEqual([]);
    expect((await processDeliverBatch([laneOf(breachRef, 'br-1')], deps)).outcomes.get('br-1')).toBe('delivered');
    expect((await processDeliverBatch([laneOf(repairRef, 'rp-2')], deps)).outcomes.get('rp-2')).toBe('delivered');
    expect(requests.map((r) => r.url)).toEqual(['http://municipal.test/records/HRBNA-SX-2026-000045', 'http://municipal.test/records/HRBNA-XF-2026-000007']);
  });

  it('fails only the message whose stored revision cannot be read', async () => {
    await accepted('OK-1');
    await accepted('BAD-1');
    // a revision written by a later version of the exchange, with a coding this one does not know
    const unreadable = overriding(state, {
      readForDelivery: async (reads) =>
        (await state.readForDelivery(reads)).map((view, i) =>
          reads[i]!.ref.recordId === 'BAD-1' ? { ...view, record: undefined, unreadable: 'stored record coded as "zstd;dict=9"' } : view,
        ),
    });
    const result = await processDeliverBatch([lane('OK-1'), lane('BAD-1')], { ...deps, state: unreadable });
    expect(result.outcomes).toEqual(
      new Map([
        ['m-OK-1-1', 'delivered'],
        ['m-BAD-1-1', 'failed'],
      ]),
    );
  });

  it('stops at an open circuit without waiting for the rate limit first', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `CB-${i}`);
    for (const id of ids) await accepted(id);
    status = 503;
    const slept: number[] = [];
    const result = await processDeliverBatch(
      ids.map((id) => lane(id)),
      {
        ...deps,
        config: { ...deps.config, lane: { rateLimitPerSecond: 2, sendTimeoutSeconds: 1, maxConcurrency: 1 } },
        sleep: async (ms) => {
          slept.push(ms);
        },
      },
    );
    expect(result.batchItemFailures).toHaveLength(8);
    expect(requests).toHaveLength(3);
    // two waits (before the second and the third request), none for the five never sent
    expect(slept).toHaveLength(2);
  });
});

describe('a failing endpoint and the circuit', () => {
  it('tries first, on the next receive, the records the open circuit left unsent: every record gets its failure recorded', async () => {
    const ids = Array.from({ length: 5 }, (_, i) => `F-${i}`);
    for (const id of ids) await accepted(id);
    status = 503;
    const first = await processDeliverBatch(
      ids.map((id) => lane(id)),
      deps,
    );
    expect(first.batchItemFailures).toHaveLength(5);
    expect(requests.map((r) => r.url.split('/').pop())).toEqual(['F-0', 'F-1', 'F-2']);
    requests.length = 0;
    // the queue hands them out again in the same order
    await processDeliverBatch(
      ids.map((id) => lane(id, 1, 2)),
      deps,
    );
    expect(requests.map((r) => r.url.split('/').pop())).toEqual(['F-3', 'F-4', 'F-0']);
    const states = await Promise.all(ids.map((id) => state.getDestinationState(ref(id), 'municipal')));
    expect(states.map((s) => s?.status)).toEqual(['failed', 'failed', 'failed', 'failed', 'failed']);
  });

  it("keeps a record's messages in their order when putting the untried first", async () => {
    const { sendingOrder } = await import('../../../functions/deliver/deliver.js');
    const pending = (id: string, revision: number, failedHere: boolean) =>
      ({ message: lane(id, revision), ref: ref(id), failedHere }) as unknown as Parameters<typeof sendingOrder>[1][number];
    const claimed = [pending('B', 2, false), pending('A', 1, true), pending('B', 1, true), pending('C', 1, false)];
    const messages = [claimed[2]!.message, claimed[1]!.message, claimed[0]!.message, claimed[3]!.message];
    // B has an untried revision: both its messages go before A, revision 1 first (its message came first)
    expect(sendingOrder(messages, claimed).map((p) => p.message.messageId)).toEqual(['m-B-1', 'm-B-2', 'm-C-1', 'm-A-1']);
  });
});

describe('the evidence of each request', () => {
  /** An outbox that keeps what was added and when it was flushed, relative to the state's writes. */
  function recordingOutbox(failFlush = false) {
    const added: EvidenceEntry[] = [];
    const flushed: EvidenceEntry[][] = [];
    let pending: EvidenceEntry[] = [];
    return {
      added,
      flushed,
      outbox: {
        add: (e: EvidenceEntry) => {
          added.push(e);
          pending.push(e);
        },
        flush: async () => {
          if (failFlush) throw new Error('evidence queue unreachable');
          flushed.push(pending);
          pending = [];
        },
      },
    };
  }

  it('is one entry a request, with digests of the exact bodies, the status, the receipt and the record digest, flushed before the outcome is recorded', async () => {
    await accepted('E-1');
    const { added, flushed, outbox } = recordingOutbox();
    let flushedBeforeOutcome: boolean | undefined;
    deps = {
      ...deps,
      evidence: () => outbox,
      state: overriding(state, {
        recordDestinationOutcome: async (...args: Parameters<typeof state.recordDestinationOutcome>) => {
          flushedBeforeOutcome = flushed.flat().length === 1;
          return state.recordDestinationOutcome(...args);
        },
      }),
    };
    await processDeliverBatch([lane('E-1')], deps);
    expect(flushedBeforeOutcome).toBe(true);
    expect(added).toHaveLength(1);
    const entry = added[0]!;
    const body = JSON.stringify({ id: 'E-1', revision: 1 });
    const stored = commitment({ recordId: 'E-1', revision: 1 });
    expect(entry).toMatchObject({
      v: 1,
      kind: 'send',
      party: 'municipal',
      method: 'PUT',
      path: '/records/E-1',
      requestDigest: createHash('sm3').update(body).digest('hex'),
      requestBytes: Buffer.byteLength(body),
      status: 200,
      error: null,
      responseDigest: createHash('sm3').update('{"code":0}').digest('hex'),
      responseBytes: 10,
      records: [
        {
          key: 'commitment:hrbxq-approval:E-1:1:municipal',
          recordDigest: createHash('sm3').update(canonicalJson(stored)).digest('hex'),
          outcome: 'delivered',
          receipt: 'R-E-1',
        },
      ],
    });
    expect(Date.parse(entry.answeredAt!)).toBeGreaterThanOrEqual(Date.parse(entry.sentAt));
    expect(entryLine(entry)).not.toMatch(/\d{17}[\dX]/); // never an identity number
  });

  it('records a timeout as an exchange without an answer, and a 503 with its status', async () => {
    await accepted('E-2');
    await accepted('E-3');
    const { added, outbox } = recordingOutbox();
    deps = {
      ...deps,
      evidence: () => outbox,
      fetch: (async (url: string) => {
        if (url.endsWith('E-2')) throw Object.assign(new Error('timed out'), { name: 'TimeoutError' });
        return new Response('busy', { status: 503 });
      }) as typeof fetch,
    };
    await processDeliverBatch([lane('E-2'), lane('E-3')], deps);
    const byPath = new Map(added.map((e) => [e.path, e]));
    expect(byPath.get('/records/E-2')).toMatchObject({ status: null, error: 'timeout', responseDigest: null, answeredAt: null });
    expect(byPath.get('/records/E-3')).toMatchObject({
      status: 503,
      error: null,
      records: [{ key: 'commitment:hrbxq-approval:E-3:1:municipal', outcome: 'transient' }],
    });
  });

  it('keeps the refused request too when credentials are reloaded and the request sent again', async () => {
    await accepted('E-4');
    const { added, outbox } = recordingOutbox();
    let calls = 0;
    deps = { ...deps, evidence: () => outbox, fetch: (async () => new Response('{}', { status: calls++ === 0 ? 401 : 200 })) as typeof fetch };
    await processDeliverBatch([lane('E-4')], deps);
    expect(added.map((e) => e.status)).toEqual([401, 200]);
  });

  it('fails the batch, recording no outcome, when the evidence cannot be queued', async () => {
    await accepted('E-5');
    deps = { ...deps, evidence: () => recordingOutbox(true).outbox };
    await expect(processDeliverBatch([lane('E-5')], deps)).rejects.toThrow('evidence queue unreachable');
    const view = await state.readRecordState(ref('E-5'));
    expect(view.destinations.find((d) => d.destination === 'municipal')?.status).not.toBe('delivered');
  });
});
