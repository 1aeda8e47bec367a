import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { requestChunks, sendBatch } from '../../../functions/shared/queue/send-batch.js';

const sqsMock = mockClient(SQSClient);
const sqs = new SQSClient({ region: 'us-east-1' });
const noSleep = async () => {};
const messages = (n: number) => Array.from({ length: n }, (_, i) => ({ key: `m${i}`, body: `{"n":${i}}` }));

beforeEach(() => sqsMock.reset());

describe('sendBatch', () => {
  it('sends in chunks of 10', async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
    const result = await sendBatch(sqs, 'https://queue', messages(23), { sleep: noSleep });
    expect(result.failed.size).toBe(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand).map((c) => c.args[0].input.Entries?.length)).toEqual([10, 10, 3]);
  });

  it('retries only the entries SQS reports as failed', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .resolvesOnce({
        Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }],
        Failed: [
          { Id: '1', Code: 'InternalError', SenderFault: false },
          { Id: '2', Code: 'InternalError', SenderFault: false },
        ],
      })
      .resolves({ Successful: [], Failed: [] });
    const result = await sendBatch(sqs, 'https://queue', messages(3), { sleep: noSleep });
    expect(result.failed.size).toBe(0);
    const second = sqsMock.commandCalls(SendMessageBatchCommand)[1]!.args[0].input.Entries!;
    expect(second.map((e) => e.MessageBody)).toEqual(['{"n":1}', '{"n":2}']);
  });

  it('retries a whole request that was throttled', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .resolves({ Successful: [], Failed: [] });
    const result = await sendBatch(sqs, 'https://queue', messages(2), { sleep: noSleep });
    expect(result.failed.size).toBe(0);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(2);
  });

  it("does not retry an entry SQS refuses as the sender's fault: reported failed and refused at once", async () => {
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: '0', MessageId: 'a', MD5OfMessageBody: '' }],
      Failed: [{ Id: '1', Code: 'InvalidMessageContents', SenderFault: true, Message: 'Invalid characters found' }],
    });
    const result = await sendBatch(sqs, 'https://queue', messages(2), { sleep: noSleep });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect([...result.refused.keys()]).toEqual(['m1']);
    expect(result.failed.get('m1')).toContain('InvalidMessageContents');
    expect([...result.sent.keys()]).toEqual(['m0']);
  });

  it('does not retry a whole request that cannot succeed (a missing queue)', async () => {
    sqsMock
      .on(SendMessageBatchCommand)
      .rejects(
        Object.assign(new Error('The specified queue does not exist.'), { name: 'QueueDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 } }),
      );
    const result = await sendBatch(sqs, 'https://queue', messages(2), { sleep: noSleep });
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(1);
    expect([...result.failed.keys()]).toEqual(['m0', 'm1']);
    expect(result.refused.size).toBe(0);
  });

  it('reports the messages still failing after its retries, with the reason', async () => {
    // the entry with body n:1 fails wherever it sits in the request
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: Array<{ Id: string; MessageBody: string }> }) => ({
      Successful: [],
      Failed: input.Entries.filter((e) => e.MessageBody === '{"n":1}').map((e) => ({ Id: e.Id, Code: 'InternalError', SenderFault: false, Message: 'boom' })),
    }));
    const result = await sendBatch(sqs, 'https://queue', messages(2), { sleep: noSleep, retries: 2 });
    expect([...result.failed]).toEqual([['m1', 'InternalError: boom']]);
    expect(sqsMock.commandCalls(SendMessageBatchCommand)).toHaveLength(3);
  });
});

describe('requestChunks', () => {
  it('keeps every request within 10 messages and 256 KiB, a larger message alone', () => {
    const big = (key: string, kib: number) => ({ key, body: 'x'.repeat(kib * 1024) });
    const chunks = requestChunks([big('a', 100), big('b', 100), big('c', 100), big('d', 300), big('e', 1), ...messages(12)]);
    expect(chunks.map((c) => c.map((m) => m.key))).toEqual([
      ['a', 'b'],
      ['c'],
      ['d'],
      ['e', 'm0', 'm1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8'],
      ['m9', 'm10', 'm11'],
    ]);
  });
});
