/**
 * replayLane against an in-memory SQS with SQS's visibility rules (messages returned in random
 * order, held while invisible, an in-flight limit): the cases a small real queue does not reach.
 */
import { randomUUID } from 'node:crypto';
import { jest } from '@jest/globals';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { replayLane, type ReplayOptions } from '../../../cli/operations/replay.js';
import { inMemorySyncState } from '../../support/in-memory-sync-state.js';

interface Stored {
  id: string;
  body: string;
  attributes?: Record<string, string>;
  sent: number;
  visibleAt: number;
  receipt?: string;
}

const DLQ = 'https://sqs/lane-dlq';
const LANE = 'https://sqs/lane';

class FakeSqs {
  readonly queues = new Map<string, Stored[]>([
    [DLQ, []],
    [LANE, []],
  ]);
  /** Copies sent to the lane fail again at once: they reach the DLQ with their id, as a redrive does. */
  failAgain = false;
  inFlightLimit = Number.POSITIVE_INFINITY;

  put(url: string, body: string, id: string = randomUUID(), sent = Date.now() - 60_000, attributes?: Record<string, string>): string {
    this.queues.get(url)!.push({ id, body, sent, visibleAt: 0, ...(attributes && { attributes }) });
    return id;
  }

  async send(command: object): Promise<unknown> {
    const now = Date.now();
    if (command instanceof ReceiveMessageCommand) {
      const q = this.queues.get(command.input.QueueUrl!)!;
      const inFlight = q.filter((m) => m.visibleAt > now).length;
      const visible = q.filter((m) => m.visibleAt <= now).sort(() => Math.random() - 0.5);
      const taken = visible.slice(0, Math.max(0, Math.min(command.input.MaxNumberOfMessages ?? 1, this.inFlightLimit - inFlight)));
      const Messages: Message[] = taken.map((m) => {
        m.visibleAt = now + (command.input.VisibilityTimeout ?? 30) * 1000;
        m.receipt = randomUUID();
        const MessageAttributes = m.attributes && Object.fromEntries(Object.entries(m.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]));
        return {
          MessageId: m.id,
          ReceiptHandle: m.receipt,
          Body: m.body,
          Attributes: { SentTimestamp: String(m.sent) },
          ...(MessageAttributes && { MessageAttributes }),
        };
      });
      return { Messages };
    }
    if (command instanceof SendMessageBatchCommand) {
      const Successful = command.input.Entries!.map((e) => {
        const id = this.put(command.input.QueueUrl!, e.MessageBody!, undefined, now);
        if (this.failAgain) {
          this.queues.set(
            LANE,
            this.queues.get(LANE)!.filter((m) => m.id !== id),
          );
          this.put(DLQ, e.MessageBody!, id, now);
        }
        return { Id: e.Id, MessageId: id };
      });
      return { Successful, Failed: [] };
    }
    if (command instanceof DeleteMessageBatchCommand) {
      const q = this.queues.get(command.input.QueueUrl!)!;
      const receipts = new Set(command.input.Entries!.map((e) => e.ReceiptHandle));
      this.queues.set(
        command.input.QueueUrl!,
        q.filter((m) => !receipts.has(m.receipt)),
      );
      return { Successful: command.input.Entries!.map((e) => ({ Id: e.Id })), Failed: [] };
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      for (const e of command.input.Entries!) {
        const m = this.queues.get(command.input.QueueUrl!)!.find((x) => x.receipt === e.ReceiptHandle);
        if (m) m.visibleAt = now + (e.VisibilityTimeout ?? 0) * 1000;
      }
      return { Successful: [], Failed: [] };
    }
    if (command instanceof GetQueueAttributesCommand) {
      const q = this.queues.get(command.input.QueueUrl!)!;
      return {
        Attributes: {
          ApproximateNumberOfMessages: String(q.filter((m) => m.visibleAt <= now).length),
          ApproximateNumberOfMessagesNotVisible: String(q.filter((m) => m.visibleAt > now).length),
        },
      };
    }
    throw new Error(`fake SQS: ${command.constructor.name} not supported`);
  }
}

const laneMessage = (recordType: string, n: number) =>
  JSON.stringify({
    recordType,
    source: 'hrbxq-enforcement',
    recordId: `R-${n}`,
    revision: 1,
    destination: 'municipal',
    action: 'upsert',
    correlationId: `c-${n}`,
    routedAt: '2026-11-28T00:00:00.000Z',
  });
const state = inMemorySyncState();
const replay = (sqs: FakeSqs, options: Partial<ReplayOptions> = {}) =>
  replayLane({ sqs: sqs as unknown as SQSClient, state }, { queueUrl: LANE, dlqUrl: DLQ }, { lane: 'municipal', filter: {}, requestedBy: 'test', ...options });
const bodies = (sqs: FakeSqs, url: string) => sqs.queues.get(url)!.map((m) => JSON.parse(m.body) as { recordType: string });

jest.setTimeout(30_000);

test('a scan longer than the hold keeps its messages held: each is seen once, every match moved', async () => {
  const sqs = new FakeSqs();
  for (let i = 0; i < 40; i++) sqs.put(DLQ, laneMessage('commitment', i));
  for (let i = 0; i < 10; i++) sqs.put(DLQ, laneMessage('breach', 100 + i));
  // 10 matches at 4 a second take 2.5 s: more than twice the 1 s hold
  const result = await replay(sqs, { filter: { recordType: ['breach'] }, ratePerSecond: 4, holdSeconds: 1 });
  expect(result).toMatchObject({ scanned: 50, matched: 10, moved: 10, kept: 40, failures: [], unscanned: 0 });
  expect(bodies(sqs, LANE).every((b) => b.recordType === 'breach')).toBe(true);
  expect(sqs.queues.get(LANE)).toHaveLength(10);
  // the unmatched are back, visible within a second
  expect(sqs.queues.get(DLQ)!.filter((m) => m.visibleAt <= Date.now() + 1000)).toHaveLength(40);
});

test("the replay's own copies failing back into the DLQ are left there: the replay ends", async () => {
  const sqs = new FakeSqs();
  sqs.failAgain = true;
  for (let i = 0; i < 5; i++) sqs.put(DLQ, laneMessage('breach', i));
  const result = await replay(sqs);
  expect(result).toMatchObject({ moved: 5, arrivedDuringReplay: 5, interrupted: false });
  expect(sqs.queues.get(DLQ)).toHaveLength(5);
});

test('--limit moves that many; the rest stay', async () => {
  const sqs = new FakeSqs();
  for (let i = 0; i < 12; i++) sqs.put(DLQ, laneMessage('breach', i));
  const result = await replay(sqs, { limit: 3 });
  expect(result).toMatchObject({ matched: 3, moved: 3 });
  expect(sqs.queues.get(DLQ)).toHaveLength(9);
  expect(sqs.queues.get(DLQ)!.every((m) => m.visibleAt <= Date.now() + 1000)).toBe(true);
});

test('messages beyond what one client may hold in flight are reported, not silently skipped', async () => {
  const sqs = new FakeSqs();
  sqs.inFlightLimit = 20;
  for (let i = 0; i < 30; i++) sqs.put(DLQ, laneMessage('commitment', i));
  const result = await replay(sqs, { filter: { recordType: ['breach'] } });
  expect(result).toMatchObject({ scanned: 20, kept: 20, moved: 0, unscanned: 10 });
  expect(sqs.queues.get(DLQ)).toHaveLength(30);
});

test('a dry run holds nothing back and moves nothing', async () => {
  const sqs = new FakeSqs();
  for (let i = 0; i < 15; i++) sqs.put(DLQ, laneMessage(i % 3 === 0 ? 'repair' : 'breach', i));
  const result = await replay(sqs, { filter: { recordType: ['repair'] }, dryRun: true });
  expect(result).toMatchObject({ matched: 5, moved: 0, kept: 10 });
  expect(result.messages.map((m) => m.recordType)).toEqual(Array(5).fill('repair'));
  expect(sqs.queues.get(LANE)).toHaveLength(0);
  expect(sqs.queues.get(DLQ)!.every((m) => m.visibleAt <= Date.now() + 1000)).toBe(true);
});

test('the intake DLQ: records move back, the bodies kept for quarantine entries stay', async () => {
  const sqs = new FakeSqs();
  const record = (n: number) =>
    JSON.stringify({ schemaVersion: '2.0', recordType: 'breach', recordId: `R-${n}`, revision: 1, operation: 'upsert', source: 'hrbxq-enforcement', data: {} });
  for (let i = 0; i < 3; i++) sqs.put(DLQ, record(i));
  sqs.put(DLQ, 'x'.repeat(1000), undefined, undefined, { quarantineReason: 'tooLarge', correlationId: 'c' });
  const result = await replay(sqs, { lane: 'intake' });
  expect(result).toMatchObject({ scanned: 4, matched: 3, moved: 3, parked: 1, unreadable: 0 });
  expect(sqs.queues.get(DLQ)!.map((m) => m.attributes?.['quarantineReason'])).toEqual(['tooLarge']);
  await expect(replay(sqs, { lane: 'intake', filter: { error: 'HTTP 503' } })).rejects.toThrow(/error= and action= apply to lanes/);
});
