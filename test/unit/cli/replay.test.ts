import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { formatReplay } from '../../../cli/commands/replay.js';
import { nativeRedrive } from '../../../cli/operations/native-redrive.js';
import { describeFilter, isEmptyFilter, parseFilter, type ReplayResult } from '../../../cli/operations/replay.js';
import { Progress } from '../../../cli/progress.js';

describe('replay filters', () => {
  it('parses conditions, alternatives and times', () => {
    expect(parseFilter('recordType=breach|repair,error=HTTP 503,since=2026-11-28,until=2026-11-28T08:00:00+08:00,source=hrbxq-enforcement')).toEqual({
      recordType: ['breach', 'repair'],
      error: 'HTTP 503',
      since: '2026-11-28T00:00:00.000Z',
      until: '2026-11-28T00:00:00.000Z',
      source: ['hrbxq-enforcement'],
    });
    expect(parseFilter('recordType=breach,recordType=repair')).toEqual({ recordType: ['breach', 'repair'] });
    expect(isEmptyFilter(parseFilter(undefined))).toBe(true);
    expect(describeFilter(parseFilter('recordType=breach|repair,action=withdraw'))).toBe('recordType=breach|repair,action=withdraw');
  });

  it('rejects what it cannot read, naming the keys it knows', () => {
    expect(() => parseFilter('type=breach')).toThrow(/unknown filter key "type" \(keys: recordType, source, recordId, action, error, since, until\)/);
    expect(() => parseFilter('recordType')).toThrow(/not key=value/);
    expect(() => parseFilter('since=yesterday')).toThrow(/since=yesterday: expected a day YYYY-MM-DD/);
    expect(() => parseFilter('since=2026-02-30')).toThrow(/expected a day/);
  });
});

describe('replay report', () => {
  const result: ReplayResult = {
    lane: 'municipal',
    dryRun: true,
    scanned: 5,
    matched: 2,
    moved: 0,
    kept: 3,
    arrivedDuringReplay: 0,
    unreadable: 1,
    parked: 0,
    unscanned: 0,
    failures: [],
    interrupted: false,
    messages: [{ messageId: 'm1', recordType: 'breach', source: 'hrbxq-enforcement', recordId: 'SX-1', revision: 2, action: 'upsert' }, { messageId: 'm2' }],
  };
  it('a dry run says nothing changed and lists what would move', () => {
    const text = formatReplay(result);
    expect(text).toContain('dry run: 2 of 5 messages in the municipal DLQ would move; nothing was changed');
    expect(text).toMatch(/breach\s+hrbxq-enforcement\s+SX-1\s+2\s+upsert/);
    expect(text).toContain('(not a lane message)');
  });
  it('a replay names failures, interruption and its audit entry', () => {
    const text = formatReplay(
      { ...result, dryRun: false, moved: 1, failures: [{ messageId: 'm2', reason: 'not sent (still in the DLQ): throttled' }], interrupted: true },
      'a-1',
    );
    expect(text).toContain('moved 1 of 5 messages from the municipal DLQ back to its queue; 3 left in the DLQ');
    expect(text).toContain('m2: not sent (still in the DLQ): throttled');
    expect(text).toContain('interrupted: what moved stays moved');
    expect(text).toContain('audit entry a-1');
  });
});

describe('progress', () => {
  it('shows count, rate and ETA; plain lines at most every interval when not a terminal', () => {
    let clock = 0;
    const lines: string[] = [];
    const progress = new Progress({ write: (s: string) => lines.push(s) }, 'replay municipal', {
      unit: 'moved',
      total: 100,
      interactive: false,
      intervalMs: 1000,
      now: () => clock,
    });
    clock = 500;
    progress.advance(10);
    expect(lines).toEqual([]);
    clock = 2000;
    progress.advance(10);
    progress.note('kept', 3);
    expect(lines).toEqual(['replay municipal: 20/~100 moved · 10/s · ETA 8 s\n']);
    expect(progress.line()).toBe('replay municipal: 20/~100 moved · 3 kept · 10/s · ETA 8 s');
  });

  it('redraws one line on a terminal and clears it at the end', () => {
    let clock = 0;
    let out = '';
    const progress = new Progress({ write: (s: string) => (out += s) }, 'resync', { unit: 'enqueued', interactive: true, now: () => clock });
    clock = 200;
    progress.advance(4);
    progress.finish();
    expect(out).toBe('\r\x1b[Kresync: 4 enqueued · 20/s\r\x1b[K');
  });
});

describe('native redrive (SQS StartMessageMoveTask)', () => {
  const sqsMock = mockClient(SQSClient);
  const queues = { queueUrl: 'https://sqs/lane', dlqUrl: 'https://sqs/lane-dlq' };
  beforeEach(() => {
    sqsMock.reset();
    sqsMock.on(GetQueueAttributesCommand, { QueueUrl: queues.dlqUrl }).resolves({ Attributes: { QueueArn: 'arn:dlq' } });
    sqsMock.on(GetQueueAttributesCommand, { QueueUrl: queues.queueUrl }).resolves({ Attributes: { QueueArn: 'arn:lane' } });
    sqsMock.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
  });

  it('moves the DLQ into its lane at the given rate and follows the task to its end', async () => {
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 40, ApproximateNumberOfMessagesToMove: 100 }] })
      .resolves({ Results: [{ TaskHandle: 'task-1', Status: 'COMPLETED', ApproximateNumberOfMessagesMoved: 100, ApproximateNumberOfMessagesToMove: 100 }] });
    const seen: number[] = [];
    const result = await nativeRedrive(new SQSClient({}), queues, { ratePerSecond: 2.5, sleep: async () => {}, onProgress: (moved) => seen.push(moved) });
    expect(result).toEqual({ status: 'COMPLETED', moved: 100, toMove: 100, interrupted: false });
    expect(seen).toEqual([40, 100]);
    expect(sqsMock.commandCalls(StartMessageMoveTaskCommand)[0]!.args[0].input).toEqual({
      SourceArn: 'arn:dlq',
      DestinationArn: 'arn:lane',
      MaxNumberOfMessagesPerSecond: 3,
    });
  });

  it('Ctrl-C cancels the task; what moved stays moved', async () => {
    const interrupt = new AbortController();
    sqsMock
      .on(ListMessageMoveTasksCommand)
      .resolvesOnce({ Results: [{ TaskHandle: 'task-1', Status: 'RUNNING', ApproximateNumberOfMessagesMoved: 7 }] })
      .resolves({ Results: [{ TaskHandle: 'task-1', Status: 'CANCELLED', ApproximateNumberOfMessagesMoved: 9 }] });
    sqsMock.on(CancelMessageMoveTaskCommand).resolves({});
    interrupt.abort();
    const result = await nativeRedrive(new SQSClient({}), queues, { signal: interrupt.signal, sleep: async () => {} });
    expect(result).toMatchObject({ status: 'CANCELLED', moved: 9, interrupted: true });
    expect(sqsMock.commandCalls(CancelMessageMoveTaskCommand)[0]!.args[0].input).toEqual({ TaskHandle: 'task-1' });
  });
});
