/**
 * The reconciliation reads a DLQ's bodies without consuming them (peekBodies), on the SQS server as
 * `npm start` runs it: fauxqs persisting to its data directory. Every message must still be there
 * afterwards, visible again — fauxqs's SQLite persistence loses a message whose visibility is set
 * to 0 (docs/local-runtime.md, "State"), so there the runtime's peek releases them after 1 s.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateQueueCommand, ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from '@aws-sdk/client-sqs';
import { localAwsConfig } from '../../local/emulators/clients.js';
import { startSqs, type LocalSqs } from '../../local/emulators/sqs.js';
import { peekBodies } from '../../local/runtime/reconcile.js';

let dir: string;
let server: LocalSqs;
let sqs: SQSClient;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'credex-peek-'));
  server = await startSqs({ dataDir: dir });
  sqs = new SQSClient(localAwsConfig(server.endpoint));
});
afterAll(async () => {
  sqs?.destroy();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('a peeked DLQ on a persisting fauxqs keeps every message, visible again', async () => {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: 'peek-dlq' }));
  const bodies = Array.from({ length: 15 }, (_, i) => `{"n":${i}}`);
  for (let i = 0; i < bodies.length; i += 10) {
    await sqs.send(new SendMessageBatchCommand({ QueueUrl, Entries: bodies.slice(i, i + 10).map((b, j) => ({ Id: String(j), MessageBody: b })) }));
  }
  expect((await peekBodies(sqs, QueueUrl!, 1)).sort()).toEqual([...bodies].sort());
  // visible again within seconds: everything can be received (and is, here, for good)
  const received = new Set<string>();
  const deadline = Date.now() + 20_000;
  while (received.size < bodies.length && Date.now() < deadline) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1, VisibilityTimeout: 60 }));
    for (const m of Messages) received.add(m.Body!);
  }
  expect([...received].sort()).toEqual([...bodies].sort());
});
