/**
 * The evidence sealer on a real SQS-compatible server (fauxqs) and a real directory: entries sent
 * by the outbox are sealed once, in arrival order; a sealer that dies after writing its window but
 * before deleting the messages loses nothing and seals nothing twice; a message not in the entry
 * format is never deleted (it reaches the DLQ after its receives); a backlog becomes several windows.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetQueueAttributesCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { verifyLog } from '../../functions/shared/evidence/chain.js';
import { sqsEvidenceOutbox } from '../../functions/shared/evidence/outbox.js';
import { localSigner, type EvidenceSigner } from '../../functions/shared/evidence/signer.js';
import { fileEvidenceStore, type EvidenceStore } from '../../functions/shared/evidence/store.js';
import { sealPending, type SealDeps } from '../../functions/seal/seal.js';
import { sendEntry } from '../support/evidence.js';
import { freshQueue, testServers } from './servers.js';

const silent = { info: () => {}, warn: () => {}, error: () => {} };
let sqs: SQSClient;
let dir: string;
let store: EvidenceStore;
let signer: EvidenceSigner;
let queueUrl: string;
let dlqUrl: string;

const deps = (overrides: Partial<SealDeps> = {}): SealDeps => ({
  sqs,
  store,
  signer,
  config: { stage: 'test', queueUrl, maxEntriesPerWindow: 1000, lookbackWindows: 10 },
  logger: silent,
  metrics: { count: () => {} },
  remainingMs: () => 60_000,
  ...overrides,
});
const sealedIds = async (): Promise<string[]> => {
  const ids: string[] = [];
  const v = await verifyLog(
    store,
    { spki: await signer.publicKey(), keyId: signer.keyId },
    {
      visit: (w) => ids.push(...w.entries.map((l) => (JSON.parse(l) as { id: string }).id)),
    },
  );
  expect(v.ok).toBe(true);
  return ids;
};
const depth = async (url: string) => {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'] }),
  );
  return Number(Attributes['ApproximateNumberOfMessages']) + Number(Attributes['ApproximateNumberOfMessagesNotVisible']);
};

beforeEach(async () => {
  sqs = testServers().sqs;
  dir = mkdtempSync(join(tmpdir(), 'credex-seal-'));
  store = fileEvidenceStore(join(dir, 'evidence'));
  signer = localSigner(join(dir, 'key.json'));
  dlqUrl = await freshQueue('evidence-dlq');
  const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  queueUrl = await freshQueue('evidence', {
    VisibilityTimeout: '1',
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes['QueueArn'], maxReceiveCount: 2 }),
  });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('the evidence sealer', () => {
  it('seals what the outboxes sent, once, and empties the queue', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => sendEntry(i));
    for (let i = 0; i < 25; i += 5) {
      const outbox = sqsEvidenceOutbox(sqs, queueUrl);
      for (const e of entries.slice(i, i + 5)) outbox.add(e);
      await outbox.flush();
    }
    const result = await sealPending(deps());
    expect(result).toMatchObject({ windows: 1, entries: 25, duplicates: 0, refused: 0, head: 0 });
    expect((await sealedIds()).sort()).toEqual(entries.map((e) => e.id).sort());
    expect(await depth(queueUrl)).toBe(0);
    expect(await sealPending(deps())).toMatchObject({ windows: 0, entries: 0, head: 0 });
  });

  it('loses nothing and seals nothing twice when it dies between its window and the deletes', async () => {
    const outbox = sqsEvidenceOutbox(sqs, queueUrl);
    const entries = Array.from({ length: 6 }, (_, i) => sendEntry(i));
    for (const e of entries) outbox.add(e);
    await outbox.flush();
    // the crash: the window and head are written, the delete never happens
    const dying = {
      ...sqs,
      send: (command: { constructor: { name: string } }) => {
        if (command.constructor.name === 'DeleteMessageBatchCommand') return Promise.reject(new Error('the sealer died'));
        return sqs.send(command as never);
      },
    } as unknown as SQSClient;
    await expect(sealPending(deps({ sqs: dying }))).rejects.toThrow('the sealer died');
    expect((await sealedIds()).length).toBe(6);
    // new evidence arrives meanwhile; the message of the dead run comes back after its visibility timeout
    const later = sendEntry(10);
    outbox.add(later);
    await outbox.flush();
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await depth(queueUrl)) > 0) {
      await sealPending(deps());
      if ((await depth(queueUrl)) > 0) await new Promise((r) => setTimeout(r, 200));
    }
    const sealed = await sealedIds();
    expect(sealed.sort()).toEqual([...entries, later].map((e) => e.id).sort());
    expect(new Set(sealed).size).toBe(sealed.length);
    expect(await depth(queueUrl)).toBe(0);
  });

  it('never deletes a message not in the entry format: it moves to the DLQ after its receives', async () => {
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: '{"format":"credex-evidence-entries/1","entries":["{\\"v\\":1}"]}' }));
    const outbox = sqsEvidenceOutbox(sqs, queueUrl);
    outbox.add(sendEntry(1));
    await outbox.flush();
    const first = await sealPending(deps());
    expect(first).toMatchObject({ entries: 1, refused: 1 });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (await depth(dlqUrl)) === 0) {
      await sealPending(deps());
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await depth(dlqUrl)).toBe(1);
    expect((await sealedIds()).length).toBe(1);
  });

  it('seals a backlog larger than a window as several windows in one run', async () => {
    // one entry a message: a window stops taking messages once it holds 25 entries (it may end a receive over)
    const outbox = sqsEvidenceOutbox(sqs, queueUrl);
    for (let i = 0; i < 60; i++) {
      outbox.add(sendEntry(i));
      await outbox.flush();
    }
    const result = await sealPending(deps({ config: { stage: 'test', queueUrl, maxEntriesPerWindow: 25, lookbackWindows: 10 } }));
    expect(result.entries).toBe(60);
    expect(result.windows).toBeGreaterThanOrEqual(2);
    expect(new Set(await sealedIds()).size).toBe(60);
  });
});
