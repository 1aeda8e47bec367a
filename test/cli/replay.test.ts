/**
 * credex status, replay, resync and redeliver against the real local runtime: the municipal
 * endpoint goes down, its records fill the lane's DLQ, and the operator puts it right.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { jest } from '@jest/globals';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { listAudit } from '../../cli/operations/audit.js';
import { replayLane } from '../../cli/operations/replay.js';
import type { StatusReport } from '../../cli/operations/status.js';
import type { LaneMessage } from '../../functions/shared/queue/lane-message.js';
import { destinationSk, recordPk, type RecordRef } from '../../functions/shared/state/keys.js';
import type { StateStore } from '../../functions/shared/state/repository.js';
import { breach, commitment } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

jest.setTimeout(180_000);

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const commitments = [1, 2, 3].map((n) =>
  commitment({ recordId: `CLI-CN-2026-00000${n}` }, { commitmentCode: `2301092026030200010${n}`, publicationType: '不可公开' }),
);
const breaches = [1, 2].map((n) => breach({ recordId: `CLI-SX-2026-00000${n}` }, { decisionNumber: `哈新市监罚〔2026〕10${n}号`, brokenCommitmentCode: `2301092026030200010${n}` }));
const all = [...commitments, ...breaches];
const refOf = (r: Record<string, unknown>): RecordRef => ({ recordType: r['recordType'] as RecordRef['recordType'], source: String(r['source']), recordId: String(r['recordId']) });

let h: CliHarness;
let store: StateStore;

async function destinationState(record: Record<string, unknown>, destination: string): Promise<{ status?: string; revision?: number }> {
  const { Item } = await h.runtime.clients.doc.send(new GetCommand({ TableName: h.runtime.tableName, Key: { pk: recordPk(refOf(record)), sk: destinationSk(destination) }, ConsistentRead: true }));
  return (Item ?? {}) as { status?: string; revision?: number };
}

async function allDelivered(records: ReadonlyArray<Record<string, unknown>>, destination: string, revision = 1): Promise<true | undefined> {
  const states = await Promise.all(records.map((r) => destinationState(r, destination)));
  return states.every((s) => s.status === 'delivered' && s.revision === revision) ? true : undefined;
}

/** Every message of a queue, by id, without taking them (visibility 0). */
async function peek(sqs: SQSClient, queueUrl: string): Promise<Map<string, LaneMessage>> {
  const seen = new Map<string, LaneMessage>();
  for (let round = 0, empty = 0; round < 30 && empty < 3; round++) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: 0 }));
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) seen.set(m.MessageId!, JSON.parse(m.Body!) as LaneMessage);
  }
  return seen;
}

const municipal = () => h.runtime.simulators.simulators.municipal;
const dlqUrl = () => h.runtime.queues.lanes.municipal.dlqUrl;
const queueUrl = () => h.runtime.queues.lanes.municipal.url;
const municipalSource = () => h.runtime.eventSources.find((s) => s.functionName.endsWith('deliver-municipal'))!;

beforeAll(async () => {
  h = await startCliHarness();
  store = { ddb: h.runtime.clients.doc, tableName: h.runtime.tableName };
  municipal().setFaults({ outage: true });
  await h.submit(all);
  await waitFor('the municipal DLQ to hold every record', async () => ((await h.depth(dlqUrl())) === all.length ? true : undefined), 90_000);
  await waitFor('provincial deliveries', () => allDelivered(all, 'provincial'));
});

afterAll(() => h?.stop());

describe('credex status', () => {
  test('shows the DLQ, what failed and what was delivered; --check fails while a DLQ holds messages', async () => {
    const report = await h.credexJson<StatusReport>(['status']);
    const lane = (d: string) => report.lanes.find((l) => l.destination === d)!;
    expect(lane('municipal')).toMatchObject({ delivered: 0, failing: all.length, dlq: { depth: all.length, sampled: false } });
    expect(lane('municipal').dlq.oldestAgeSeconds).toBeGreaterThanOrEqual(0);
    expect(lane('provincial')).toMatchObject({ delivered: all.length, failing: 0, rejected: 0, dlq: { depth: 0 } });
    expect(report.healthy).toBe(false);
    expect(report.attention.join('\n')).toContain('credex replay --lane municipal');
    // the JSON shape scripts rely on
    expect(Object.keys(report)).toEqual(['generatedAt', 'target', 'intake', 'quarantine', 'lanes', 'healthy', 'attention']);
    expect(Object.keys(lane('municipal'))).toEqual(['destination', 'delivered', 'rejected', 'failing', 'queued', 'inFlight', 'dlq']);

    const human = await h.credex(['status', '--check']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/municipal\s+0\s+0\s+5\s+0\s+0\s+5 \(oldest/);
  });
});

describe('credex replay', () => {
  test('--dry-run lists what matches and changes nothing', async () => {
    const before = await peek(h.runtime.clients.sqs, dlqUrl());
    const out = await h.credexJson<{ matched: number; moved: number; messages: Array<{ recordId: string }>; auditId?: string }>(['replay', '--lane', 'municipal', '--filter', 'recordType=breach', '--dry-run']);
    expect(out.matched).toBe(2);
    expect(out.moved).toBe(0);
    expect(out.auditId).toBeUndefined();
    expect(out.messages.map((m) => m.recordId).sort()).toEqual(['CLI-SX-2026-000001', 'CLI-SX-2026-000002']);
    // the same messages, all visible again, none in the lane's queue, no audit entry
    const after = await peek(h.runtime.clients.sqs, dlqUrl());
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    expect(await h.depth(queueUrl())).toBe(0);
    expect(await listAudit(store)).toEqual([]);
  });

  test('moves exactly the matching messages, which are then delivered; the rest stay in the DLQ', async () => {
    municipal().setFaults({});
    const out = await h.credex(['replay', '--lane', 'municipal', '--filter', 'recordType=breach']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('moved 2 of 5 messages');
    await waitFor('the breaches delivered to municipal', () => allDelivered(breaches, 'municipal'));

    const left = [...(await peek(h.runtime.clients.sqs, dlqUrl())).values()];
    expect(left.map((m) => m.recordId).sort()).toEqual(commitments.map((c) => String(c['recordId'])).sort());
    for (const c of commitments) expect(await destinationState(c, 'municipal')).toMatchObject({ status: 'failed' });

    const [entry] = await listAudit(store);
    expect(entry).toMatchObject({ action: 'replay', status: 'completed', request: { lane: 'municipal', filter: 'recordType=breach' }, counts: { moved: 2, kept: 3, failed: 0 } });
    expect(entry!.by).toMatch(/\(local\)$/);
  });

  test('a crash between sending and deleting loses nothing: the next replay finishes and each record is delivered once', async () => {
    // the process "dies" at its first delete from the DLQ: the batch was sent, not deleted
    const crashing = new Proxy(h.runtime.clients.sqs, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: unknown) => {
          if (command instanceof DeleteMessageBatchCommand) return Promise.reject(new Error('simulated crash'));
          return target.send(command as never);
        };
      },
    });
    await expect(
      replayLane({ sqs: crashing, store }, { queueUrl: queueUrl(), dlqUrl: dlqUrl() }, { lane: 'municipal', filter: {}, holdSeconds: 2, requestedBy: 'test' }),
    ).rejects.toThrow('simulated crash');
    await waitFor('the sent copies delivered', () => allDelivered(commitments, 'municipal'));
    // the originals are still in the DLQ, visible again once the crashed run's hold ended
    await waitFor('the originals back in the DLQ', async () => ((await peek(h.runtime.clients.sqs, dlqUrl())).size === 3 ? true : undefined), 20_000);

    const requestsBefore = municipal().store.requests.length;
    const out = await h.credex(['replay', '--lane', 'municipal']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('moved 3 of 3 messages');
    await waitFor('the municipal queue and DLQ drained', async () => ((await h.depth(queueUrl())) + (await h.depth(dlqUrl())) === 0 ? true : undefined));
    // the second copies were skipped as duplicates: the endpoint saw no new request for them
    expect(municipal().store.requests.length).toBe(requestsBefore);
    await expect(allDelivered(all, 'municipal')).resolves.toBe(true);
    expect(municipal().store.records.size).toBe(all.length);
  });
});

describe('credex resync and redeliver', () => {
  test('resync --status delivered sends every record again after the endpoint lost its data', async () => {
    municipal().store.clear();
    const dry = await h.credexJson<{ enqueued: number; considered: number }>(['resync', '--destination', 'municipal', '--status', 'delivered', '--dry-run']);
    expect(dry).toMatchObject({ enqueued: all.length, considered: all.length });
    expect(await h.depth(queueUrl())).toBe(0);

    const out = await h.credexJson<{ enqueued: number; auditId: string }>(['resync', '--destination', 'municipal', '--status', 'delivered']);
    expect(out.enqueued).toBe(all.length);
    await waitFor('the municipal endpoint to hold every record again', async () => (municipal().store.records.size === all.length ? true : undefined));
    const entry = (await listAudit(store, { action: 'resync' }))[0]!;
    expect(entry).toMatchObject({ id: out.auditId, status: 'completed', request: { destination: 'municipal', status: 'delivered' }, counts: { enqueued: all.length } });
  });

  test('resync respects revisions: it sends the latest revision, and an older one never overwrites a newer', async () => {
    const record = commitments[0]!;
    // revision 2 is accepted and routed, but the municipal lane is paused: the endpoint still has revision 1
    await municipalSource().stop();
    const second = { ...record, revision: 2, data: { ...(record['data'] as object), content: '本单位承诺已具备食品经营许可的全部条件（第二版）。' } };
    await h.submit([second]);
    await waitFor('revision 2 at provincial', () => allDelivered([second], 'provincial', 2));
    expect(await destinationState(record, 'municipal')).toMatchObject({ status: 'delivered', revision: 1 });

    // the record is found by its state (delivered, revision 1), but what is enqueued is revision 2
    const out = await h.credexJson<{ messages: Array<{ recordId: string; revision: number }> }>(['resync', '--destination', 'municipal', '--status', 'delivered', '--dry-run']);
    expect(out.messages.find((m) => m.recordId === record['recordId'])).toMatchObject({ revision: 2 });

    municipalSource().start();
    await waitFor('revision 2 delivered to municipal', () => allDelivered([second], 'municipal', 2));
    // a stale redeliver of revision 1 (an older credex, a message replayed late) is superseded, not sent
    const requestsBefore = municipal().store.requests.length;
    const stale: LaneMessage = { ...refOf(record), revision: 1, destination: 'municipal', action: 'upsert', correlationId: 'stale', routedAt: new Date().toISOString(), redeliver: { requestedBy: 'test', auditId: 'test' } };
    await h.runtime.clients.sqs.send(new SendMessageCommand({ QueueUrl: queueUrl(), MessageBody: JSON.stringify(stale) }));
    await waitFor('the stale message handled', async () => ((await h.depth(queueUrl())) === 0 ? true : undefined));
    expect(municipal().store.requests.length).toBe(requestsBefore);
    expect(await destinationState(record, 'municipal')).toMatchObject({ status: 'delivered', revision: 2 });
  });

  test('redeliver sends one record again to one destination, with history and an audit entry', async () => {
    const record = breaches[0]!;
    const requestsBefore = municipal().store.requests.length;
    const out = await h.credex(['redeliver', 'breach', String(record['recordId']), '--destination', 'municipal']);
    expect(out.code).toBe(0);
    expect(out.stdout).toContain('redeliver: enqueued 1 of 1 record(s)');
    await waitFor('the endpoint asked again', async () => (municipal().store.requests.length > requestsBefore ? true : undefined));
    await waitFor('the lane drained', async () => ((await h.depth(queueUrl())) === 0 ? true : undefined));
    expect(await destinationState(record, 'municipal')).toMatchObject({ status: 'delivered', revision: 1 });

    const inspect = await h.runtime.clients.doc.send(new GetCommand({ TableName: h.runtime.tableName, Key: { pk: recordPk(refOf(record)), sk: 'META' } }));
    expect(inspect.Item).toBeDefined();
    expect((await listAudit(store, { action: 'redeliver' }))[0]).toMatchObject({ status: 'completed', request: { record: `breach/hrbxq-enforcement/${String(record['recordId'])}`, destinations: ['municipal'] }, counts: { enqueued: 1 } });

    expect((await h.credex(['redeliver', 'breach', 'NO-SUCH-RECORD'])).code).toBe(3);
    expect((await h.credex(['redeliver', 'nonsense', 'X'])).code).toBe(2);
  });
});

describe('Ctrl-C', () => {
  test('the credex process stops between two messages, exits 130, and the rest stays in the DLQ', async () => {
    if (!existsSync(join(root, 'dist/cli/main.js'))) throw new Error('dist/cli/main.js is missing: run `npm run build` before this test');
    const more = [3, 4, 5, 6].map((n) => breach({ recordId: `CLI-SX-2026-00000${n}` }, { decisionNumber: `哈新市监罚〔2026〕10${n}号` }));
    municipal().setFaults({ outage: true });
    await h.submit(more);
    await waitFor('the new breaches in the DLQ', async () => ((await h.depth(dlqUrl())) === more.length ? true : undefined), 90_000);
    municipal().setFaults({});

    // the real binary, one message a second; interrupted once the first one left the DLQ
    const child = spawn(process.execPath, [join(root, 'bin/credex.js'), 'replay', '--lane', 'municipal', '--rate', '1', '--json', '--target', h.targetFile], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await waitFor('the first message moved', async () => ((await peek(h.runtime.clients.sqs, dlqUrl())).size < more.length || (await h.depth(dlqUrl())) < more.length ? true : undefined), 30_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const result = JSON.parse(stdout) as { moved: number; interrupted: boolean; auditId: string };
    expect(result.interrupted).toBe(true);
    expect(result.moved).toBeGreaterThanOrEqual(1);
    expect(result.moved).toBeLessThan(more.length);
    // nothing lost: what did not move is back in the DLQ, visible at once
    expect((await peek(h.runtime.clients.sqs, dlqUrl())).size).toBe(more.length - result.moved);
    expect((await listAudit(store, { action: 'replay' }))[0]).toMatchObject({ id: result.auditId, status: 'interrupted', counts: { moved: result.moved } });

    // running it again finishes the job
    expect((await h.credex(['replay', '--lane', 'municipal'])).code).toBe(0);
    await waitFor('every new breach delivered', () => allDelivered(more, 'municipal'));
  });
});
