/**
 * The local SQS event source (local/runtime/event-source.ts) against a real SQS server (fauxqs):
 * the Lambda rules it reproduces — batching and its window, ReportBatchItemFailures, whole-batch
 * failures (thrown, timed out, invalid response), maximum concurrency, stop() losing nothing — and
 * the queue's own redrive to the DLQ. Each test fails if its rule breaks.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import type { handler as deliverHandler } from '../../functions/deliver/handler.js';
import type { handler as intakeHandler } from '../../functions/intake/handler.js';
import { SqsEventSource, failedItems, type EventSourceOptions, type InvocationReport } from '../../local/runtime/event-source.js';
import { freshQueue, testServers, uniqueName } from './servers.js';

// the real Lambda handlers fit the event source's handler type
type Fits<T> = T extends EventSourceOptions['handler'] ? true : never;
const _handlersFit: [Fits<typeof deliverHandler>, Fits<typeof intakeHandler>] = [true, true];

/** Marks every body sent, so a test can tell if one ever reached a log line. */
const BODY_MARK = 'secret-body';

let sqs: SQSClient;
const sources: SqsEventSource[] = [];
/** Every line every source logged. */
const logLines: string[] = [];

beforeAll(() => {
  sqs = testServers().sqs;
});
afterEach(async () => {
  await Promise.all(sources.splice(0).map((s) => s.stop()));
});

type Consumer = EventSourceOptions['consumer'];
const defaults: Consumer = { batchSize: 10, maxBatchingWindowSeconds: 0, maxConcurrency: 1, timeoutSeconds: 5 };

function eventSource(queueUrl: string, handler: EventSourceOptions['handler'], consumer: Partial<Consumer> = {}, extra: Partial<EventSourceOptions> = {}) {
  const reports: InvocationReport[] = [];
  const lines: string[] = [];
  const source = new SqsEventSource({
    sqs,
    queueUrl,
    functionName: 'credex-test',
    consumer: { ...defaults, ...consumer },
    handler,
    onInvocation: (report) => reports.push(report),
    log: (line) => {
      lines.push(line);
      logLines.push(line);
    },
    ...extra,
  });
  sources.push(source);
  return { source, reports, lines };
}

/** Sends `count` messages (bodies `{"n":i,...}`) and returns their bodies in order. */
async function send(queueUrl: string, count: number): Promise<string[]> {
  const bodies = Array.from({ length: count }, (_, n) => JSON.stringify({ n, note: `${BODY_MARK}-${randomUUID()}` }));
  for (let i = 0; i < count; i += 10) {
    const { Failed = [] } = await sqs.send(
      new SendMessageBatchCommand({ QueueUrl: queueUrl, Entries: bodies.slice(i, i + 10).map((MessageBody, j) => ({ Id: String(i + j), MessageBody })) }),
    );
    expect(Failed).toEqual([]);
  }
  return bodies;
}

const n = (record: SQSRecord): number => (JSON.parse(record.body) as { n: number }).n;
const receiveCount = (record: SQSRecord): number => Number(record.attributes.ApproximateReceiveCount);

async function counts(queueUrl: string): Promise<{ visible: number; inFlight: number }> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return { visible: Number(Attributes.ApproximateNumberOfMessages), inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible) };
}

async function waitFor(what: string, condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await sleep(25);
  }
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

async function queueArn(queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  return Attributes!.QueueArn!;
}

describe('SqsEventSource', () => {
  test('delivers every message exactly once, in batches of at most batchSize gathered over the window (over 10 per batch)', async () => {
    const queueUrl = await freshQueue('es-all', { VisibilityTimeout: '30' });
    const bodies = await send(queueUrl, 60);
    const seen: string[] = [];
    const batchSizes: number[] = [];
    const { source } = eventSource(
      queueUrl,
      async (event) => {
        batchSizes.push(event.Records.length);
        seen.push(...event.Records.map((r) => r.body));
        return { batchItemFailures: [] };
      },
      { batchSize: 25, maxBatchingWindowSeconds: 1, maxConcurrency: 2 },
    );
    source.start();
    await waitFor('60 records handled', () => seen.length >= 60, 40000);
    await source.stop();

    expect([...seen].sort()).toEqual([...bodies].sort()); // each once: a repeat would be an extra entry
    expect(Math.max(...batchSizes)).toBeLessThanOrEqual(25);
    expect(Math.max(...batchSizes)).toBeGreaterThan(10);
    expect(Math.min(...batchSizes)).toBeGreaterThan(0);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 }); // all deleted
    expect(source.stats).toEqual({ invocations: batchSizes.length, records: 60, failedRecords: 0, errors: 0 });
  });

  test('the batching window runs from the first message and ends the gathering; a window of 0 invokes with the first receive', async () => {
    const run = async (window: number) => {
      const queueUrl = await freshQueue(`es-window-${window}`, { VisibilityTimeout: '30' });
      await send(queueUrl, 1);
      const invoked: { at: number; records: number }[] = [];
      const { source } = eventSource(queueUrl, async (event) => void invoked.push({ at: performance.now(), records: event.Records.length }), {
        maxBatchingWindowSeconds: window,
      });
      const started = performance.now();
      source.start();
      await sleep(300);
      await send(queueUrl, 1);
      await sleep(300);
      await send(queueUrl, 1);
      await waitFor('3 records handled', () => invoked.reduce((sum, i) => sum + i.records, 0) >= 3, 20000);
      return invoked.map((i) => ({ records: i.records, afterMs: i.at - started }));
    };
    const [windowed, immediate] = await Promise.all([run(1), run(0)]);
    // one batch of all three, invoked when the second since the first message had passed (not waiting for batchSize 10)
    expect(windowed.map((i) => i.records)).toEqual([3]);
    expect(windowed[0]!.afterMs).toBeGreaterThanOrEqual(950);
    // no window: the first message invoked alone, as soon as it was received (how the next two are
    // grouped depends on how busy the machine is, so only "not all in one batch" is asserted)
    expect(immediate[0]!.records).toBe(1);
    expect(immediate.length).toBeGreaterThanOrEqual(2);
  });

  test('partial batch failure: the listed records come back (receive count 2), the others are deleted', async () => {
    const queueUrl = await freshQueue('es-partial', { VisibilityTimeout: '3' });
    await send(queueUrl, 6);
    const handled: Array<{ n: number; receiveCount: number }> = [];
    const { source, reports } = eventSource(
      queueUrl,
      async (event): Promise<SQSBatchResponse> => {
        handled.push(...event.Records.map((r) => ({ n: n(r), receiveCount: receiveCount(r) })));
        // odd records fail the first time they are seen
        return { batchItemFailures: event.Records.filter((r) => n(r) % 2 === 1 && receiveCount(r) === 1).map((r) => ({ itemIdentifier: r.messageId })) };
      },
      { maxBatchingWindowSeconds: 1 },
    );
    source.start();
    await waitFor('the failed records back and handled', () => handled.filter((h) => h.receiveCount === 2).length >= 3, 30000);
    // every record deleted: one left undeleted would stay in flight, then come back
    await waitFor(
      'the queue empty',
      async () => {
        const c = await counts(queueUrl);
        return c.visible === 0 && c.inFlight === 0;
      },
      30000,
    );
    await source.stop();

    const byN = (k: number) => handled.filter((h) => h.n === k).map((h) => h.receiveCount);
    for (const k of [0, 2, 4]) expect(byN(k)).toEqual([1]);
    for (const k of [1, 3, 5]) expect(byN(k)).toEqual([1, 2]);
    expect(reports[0]).toMatchObject({ records: 6, failed: 3, timedOut: false });
    expect(reports[0]!.error).toBeUndefined();
    expect(source.stats).toMatchObject({ records: 9, failedRecords: 3, errors: 0 });
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  test('a thrown handler leaves the whole batch to come back; its error message (which may quote a body) is not logged', async () => {
    const queueUrl = await freshQueue('es-throw', { VisibilityTimeout: '1' });
    const bodies = await send(queueUrl, 3);
    const invocations: SQSRecord[][] = [];
    const { source, reports, lines } = eventSource(queueUrl, async (event) => {
      invocations.push(event.Records);
      if (invocations.length === 1) throw new TypeError(`cannot process ${event.Records[0]!.body}`);
    });
    source.start();
    await waitFor('the batch handled again', () => invocations.length >= 2, 25000);
    await source.stop();

    expect(invocations[0]!.map((r) => r.body).sort()).toEqual([...bodies].sort());
    expect(invocations[1]!.map((r) => r.body).sort()).toEqual([...bodies].sort());
    expect(invocations[1]!.map(receiveCount)).toEqual([2, 2, 2]);
    expect(reports[0]).toMatchObject({ records: 3, failed: 3, timedOut: false, error: expect.stringMatching(/^TypeError: cannot process/) });
    expect(reports[1]).toMatchObject({ records: 3, failed: 0 });
    expect(source.stats).toMatchObject({ invocations: 2, records: 6, failedRecords: 3, errors: 1 });
    expect(lines.some((l) => l.includes('TypeError'))).toBe(true);
    expect(lines.join('\n')).not.toContain(BODY_MARK);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  test('an invalid itemIdentifier (unknown, empty, null, missing) fails the whole batch', async () => {
    const variants: Array<[string, (records: SQSRecord[]) => unknown[]]> = [
      ['not a messageId of the batch', () => [{ itemIdentifier: randomUUID() }]],
      ['empty', () => [{ itemIdentifier: '' }]],
      ['null', () => [{ itemIdentifier: null }]],
      ['bad key name', (records) => [{ itemIdentifer: records[0]!.messageId }]],
    ];
    const results = await Promise.all(
      variants.map(async ([name, failures]) => {
        const queueUrl = await freshQueue('es-invalid', { VisibilityTimeout: '1' });
        await send(queueUrl, 2);
        const invocations: number[][] = [];
        const { source, reports } = eventSource(queueUrl, async (event) => {
          invocations.push(event.Records.map(receiveCount));
          // the first record reported failed properly, plus the invalid entry: nothing may be deleted
          if (invocations.length === 1)
            return { batchItemFailures: [{ itemIdentifier: event.Records[0]!.messageId }, ...failures(event.Records)] } as SQSBatchResponse;
        });
        source.start();
        await waitFor(`${name}: the batch handled again`, () => invocations.length >= 2, 25000);
        await source.stop();
        return { name, invocations, first: reports[0], queue: await counts(queueUrl) };
      }),
    );
    for (const { name, invocations, first, queue } of results) {
      expect({ name, invocations: invocations.slice(0, 2) }).toEqual({
        name,
        invocations: [
          [1, 1],
          [2, 2],
        ],
      });
      expect({ name, first }).toMatchObject({ name, first: { records: 2, failed: 2, error: expect.stringMatching(/^invalid batch response/) } });
      expect({ name, queue }).toEqual({ name, queue: { visible: 0, inFlight: 0 } });
    }
  });

  test('the response rules: undefined, null and empty lists succeed; anything malformed fails the batch', () => {
    const ids = new Set(['a', 'b']);
    expect(failedItems(undefined, ids)).toEqual({ failed: new Set() });
    expect(failedItems(null, ids)).toEqual({ failed: new Set() });
    expect(failedItems({}, ids)).toEqual({ failed: new Set() });
    expect(failedItems({ batchItemFailures: null }, ids)).toEqual({ failed: new Set() });
    expect(failedItems({ batchItemFailures: [] }, ids)).toEqual({ failed: new Set() });
    expect(failedItems({ batchItemFailures: [{ itemIdentifier: 'b' }, { itemIdentifier: 'b' }] }, ids)).toEqual({ failed: new Set(['b']) });
    for (const bad of [
      'ok',
      1,
      [],
      { batchItemFailures: 'a' },
      { batchItemFailures: [null] },
      { batchItemFailures: ['a'] },
      { batchItemFailures: [{ itemIdentifier: 1 }] },
    ]) {
      expect(failedItems(bad, ids)).toHaveProperty('invalid');
    }
  });

  test('a handler running past timeoutSeconds fails its batch: its late success deletes nothing', async () => {
    const queueUrl = await freshQueue('es-timeout', { VisibilityTimeout: '2' });
    await send(queueUrl, 1);
    const calls: Array<{ receiveCount: number; remainingMs: number }> = [];
    let running = 0;
    let peak = 0;
    const { source, reports, lines } = eventSource(
      queueUrl,
      async (event, context) => {
        running += 1;
        peak = Math.max(peak, running);
        calls.push({ receiveCount: receiveCount(event.Records[0]!), remainingMs: context.getRemainingTimeInMillis() });
        if (calls.length === 1) await sleep(2000); // past the 1 s timeout, then "succeeds"
        running -= 1;
      },
      { timeoutSeconds: 1 },
    );
    source.start();
    await waitFor('the message handled again', () => calls.length >= 2 && running === 0, 30000);
    await source.stop();

    expect(calls.map((c) => c.receiveCount)).toEqual([1, 2]);
    expect(calls[0]!.remainingMs).toBeLessThanOrEqual(1000);
    expect(calls[0]!.remainingMs).toBeGreaterThan(0);
    expect(reports[0]).toMatchObject({ records: 1, failed: 1, timedOut: true, error: 'Task timed out after 1.00 seconds' });
    expect(reports[0]!.durationMs).toBeGreaterThanOrEqual(990);
    expect(reports[1]).toMatchObject({ records: 1, failed: 0, timedOut: false });
    expect(peak).toBe(1); // the runaway kept its slot: no second invocation beside it
    expect(lines.some((l) => l.includes('Task timed out after 1.00 seconds'))).toBe(true);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  test('maxConcurrency: concurrent invocations reach it under load and never exceed it', async () => {
    const queueUrl = await freshQueue('es-concurrency', { VisibilityTimeout: '30' });
    await send(queueUrl, 24);
    let running = 0;
    let peak = 0;
    let handled = 0;
    const { source } = eventSource(
      queueUrl,
      async (event) => {
        running += 1;
        peak = Math.max(peak, running);
        await sleep(100);
        handled += event.Records.length;
        running -= 1;
      },
      { batchSize: 2, maxConcurrency: 3 },
    );
    source.start();
    await waitFor('24 records handled', () => handled >= 24, 30000);
    await source.stop();
    expect(peak).toBe(3);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  test('redrive (the queue does it): a message that keeps failing is in the DLQ after maxReceiveCount receives, and gone from the queue', async () => {
    const dlqUrl = await freshQueue('es-dlq');
    const queueUrl = await freshQueue('es-redrive', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: await queueArn(dlqUrl), maxReceiveCount: 2 }),
    });
    const [body] = await send(queueUrl, 1);
    const seen: Array<{ messageId: string; receiveCount: number }> = [];
    const { source } = eventSource(queueUrl, async (event) => {
      seen.push(...event.Records.map((r) => ({ messageId: r.messageId, receiveCount: receiveCount(r) })));
      throw new Error('always fails');
    });
    source.start();
    await waitFor('the message in the DLQ', async () => (await counts(dlqUrl)).visible === 1, 40000);
    await source.stop();

    expect(seen.map((s) => s.receiveCount)).toEqual([1, 2]);
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    expect(Messages.map((m) => [m.MessageId, m.Body])).toEqual([[seen[0]!.messageId, body]]);
  });

  test('stop() waits for an in-flight invocation and its deletes; nothing is lost', async () => {
    const queueUrl = await freshQueue('es-stop', { VisibilityTimeout: '30' });
    const sent = 7;
    await send(queueUrl, sent);
    const gate = deferred();
    const started = deferred();
    let handled = 0;
    const { source } = eventSource(
      queueUrl,
      async (event) => {
        started.resolve();
        await gate.promise;
        handled += event.Records.length;
      },
      { batchSize: 2 },
    );
    source.start();
    await started.promise;
    let stopped = false;
    const stopping = source.stop().then(() => (stopped = true));
    await sleep(300);
    expect(stopped).toBe(false); // still waiting for the invocation
    gate.resolve();
    await stopping;

    expect(handled).toBe(2);
    expect(source.stats.invocations).toBe(1);
    // the handled batch deleted, the rest visible now (the visibility timeout is 30 s): queue + handled = sent
    expect(await counts(queueUrl)).toEqual({ visible: sent - handled, inFlight: 0 });
  });

  test('stop() during a batching window puts the gathered messages back within a second, uninvoked', async () => {
    const queueUrl = await freshQueue('es-release', { VisibilityTimeout: '30' });
    await send(queueUrl, 3);
    let invocations = 0;
    const { source } = eventSource(queueUrl, async () => void (invocations += 1), { maxBatchingWindowSeconds: 60 });
    source.start();
    await waitFor('3 messages gathered', async () => (await counts(queueUrl)).inFlight === 3, 15000);
    const stopAt = performance.now();
    await source.stop();
    expect(performance.now() - stopAt).toBeLessThan(20_000); // not held for the 60 s window
    expect(invocations).toBe(0);
    // they come back within seconds, not the queue's 30 s (1 s, not 0: see the event source's
    // release), with every attribute, ready for the next consumer
    const back: unknown[] = [];
    await waitFor(
      'the 3 messages visible again',
      async () => {
        const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
        back.push(...Messages);
        return back.length >= 3;
      },
      20000,
    );
    expect(performance.now() - stopAt).toBeLessThan(25_000); // not the queue's 30 s visibility timeout
    expect(back).toHaveLength(3);
  });

  test('a failing ReceiveMessage is logged once, retried with backoff, and never crashes; polling resumes when it works again', async () => {
    const name = uniqueName('es-late');
    const queueUrl = `${testServers().sqsEndpoint}/000000000000/${name}`;
    const handled: string[] = [];
    const { source, lines } = eventSource(queueUrl, async (event) => void handled.push(...event.Records.map((r) => r.body)), { maxConcurrency: 2 });
    source.start();
    await sleep(1200); // several failed receives on each poller
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/ReceiveMessage: .*(NonExistentQueue|QueueDoesNotExist|does not exist)/i);

    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: `${BODY_MARK} late` }));
    await waitFor('the message handled', () => handled.length === 1, 25000);
    await source.stop();
    expect(lines).toHaveLength(1);
  });

  test('rejects settings Lambda would reject', () => {
    const handler = async (_event: SQSEvent) => undefined;
    const make =
      (consumer: Partial<Consumer>, extra: Partial<EventSourceOptions> = {}) =>
      () =>
        new SqsEventSource({ sqs, queueUrl: 'http://localhost/000000000000/q', functionName: 'f', consumer: { ...defaults, ...consumer }, handler, ...extra });
    expect(make({ batchSize: 25, maxBatchingWindowSeconds: 0 })).toThrow(/maxBatchingWindowSeconds of at least 1/);
    expect(make({ batchSize: 0 })).toThrow(RangeError);
    expect(make({ maxConcurrency: 0 })).toThrow(RangeError);
    expect(make({ timeoutSeconds: 0 })).toThrow(RangeError);
    expect(make({}, { idleWaitSeconds: 0.5 })).toThrow(RangeError);
    expect(make({ batchSize: 25, maxBatchingWindowSeconds: 1 })).not.toThrow();
  });

  test('no log line of any test held a message body', () => {
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.filter((l) => l.includes(BODY_MARK))).toEqual([]);
  });
});
