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
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { observeEndpoints, olderAfterNewer, repairsBeforeBreaches } from '../e2e/support.js';
import { breach, commitment, repair } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

jest.setTimeout(600_000);

const root = join(dirname(fileURLToPath(import.meta.url)), '../..');

const commitments = [1, 2, 3].map((n) =>
  commitment({ recordId: `CLI-CN-2026-00000${n}` }, { commitmentCode: `2301092026030200010${n}`, publicationType: '不可公开' }),
);
const breaches = [1, 2].map((n) =>
  breach({ recordId: `CLI-SX-2026-00000${n}` }, { decisionNumber: `哈新市监罚〔2026〕10${n}号`, brokenCommitmentCode: `2301092026030200010${n}` }),
);
const all = [...commitments, ...breaches];
const refOf = (r: Record<string, unknown>): RecordRef => ({
  recordType: r['recordType'] as RecordRef['recordType'],
  source: String(r['source']),
  recordId: String(r['recordId']),
});

let h: CliHarness;
let store: SyncState;

async function destinationState(record: Record<string, unknown>, destination: string): Promise<{ status?: string; revision?: number }> {
  const { Item } = await h.runtime.clients.doc.send(
    new GetCommand({ TableName: h.runtime.tableName, Key: { pk: recordPk(refOf(record)), sk: destinationSk(destination) }, ConsistentRead: true }),
  );
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

/** While set, the intake function fails every batch (its table unreachable, say). */
let intakeDown = false;

beforeAll(async () => {
  h = await startCliHarness({
    wrapHandler: (name, handler) =>
      name.endsWith('-intake')
        ? async (event, context) => {
            if (intakeDown) throw new Error('the table is unreachable (test)');
            return handler(event, context);
          }
        : handler,
  });
  store = h.runtime.state;
  municipal().setFaults({ outage: true });
  await h.submit(all);
  await waitFor('the municipal DLQ to hold every record', async () => ((await h.depth(dlqUrl())) === all.length ? true : undefined), 270_000);
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
    expect(Object.keys(lane('municipal'))).toEqual(['destination', 'delivered', 'rejected', 'failing', 'waiting', 'queued', 'inFlight', 'dlq']);

    const human = await h.credex(['status', '--check']);
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/municipal\s+0\s+0\s+5\s+0\s+0\s+0\s+5 \(oldest/);
  });
});

describe('credex replay', () => {
  test('--dry-run lists what matches and changes nothing', async () => {
    const before = await peek(h.runtime.clients.sqs, dlqUrl());
    const out = await h.credexJson<{ matched: number; moved: number; messages: Array<{ recordId: string }>; auditId?: string }>([
      'replay',
      '--lane',
      'municipal',
      '--filter',
      'recordType=breach',
      '--dry-run',
    ]);
    expect(out.matched).toBe(2);
    expect(out.moved).toBe(0);
    expect(out.auditId).toBeUndefined();
    expect(out.messages.map((m) => m.recordId).sort()).toEqual(['CLI-SX-2026-000001', 'CLI-SX-2026-000002']);
    // the same messages, all visible again (within a second), none in the lane's queue, no audit entry
    const after = await waitFor('the messages visible again', async () => {
      const seen = await peek(h.runtime.clients.sqs, dlqUrl());
      return seen.size === before.size ? seen : undefined;
    });
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

    const left = [
      ...(
        await waitFor('the unmatched visible again', async () => {
          const seen = await peek(h.runtime.clients.sqs, dlqUrl());
          return seen.size === commitments.length ? seen : undefined;
        })
      ).values(),
    ];
    expect(left.map((m) => m.recordId).sort()).toEqual(commitments.map((c) => String(c['recordId'])).sort());
    for (const c of commitments) expect(await destinationState(c, 'municipal')).toMatchObject({ status: 'failed' });

    const [entry] = await listAudit(store);
    expect(entry).toMatchObject({
      action: 'replay',
      status: 'completed',
      request: { lane: 'municipal', filter: 'recordType=breach' },
      counts: { moved: 2, kept: 3, failed: 0 },
    });
    expect(entry!.by).toMatch(/\(local\)$/);
  });

  test('a failure between sending and deleting loses nothing: the next replay finishes and each record is delivered once', async () => {
    // every delete from the DLQ fails, as if the process died right after sending
    const failingDeletes = new Proxy(h.runtime.clients.sqs, {
      get(target, property, receiver) {
        if (property !== 'send') return Reflect.get(target, property, receiver);
        return (command: unknown) => {
          if (command instanceof DeleteMessageBatchCommand) return Promise.reject(Object.assign(new Error('connection reset'), { code: 'ECONNRESET' }));
          return target.send(command as never);
        };
      },
    });
    const first = await replayLane(
      { sqs: failingDeletes, state: store },
      { queueUrl: queueUrl(), dlqUrl: dlqUrl() },
      { lane: 'municipal', filter: {}, requestedBy: 'test' },
    );
    expect(first).toMatchObject({ matched: 3, moved: 0 });
    expect(first.failures.map((f) => f.reason)).toEqual(Array(3).fill(expect.stringMatching(/^sent, but not deleted from the DLQ/)));
    await waitFor('the sent copies delivered', () => allDelivered(commitments, 'municipal'));
    // the originals are still in the DLQ, visible again (released when the replay ended)
    await waitFor('the originals visible in the DLQ', async () => ((await peek(h.runtime.clients.sqs, dlqUrl())).size === 3 ? true : undefined), 30_000);

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
    expect(entry).toMatchObject({
      id: out.auditId,
      status: 'completed',
      request: { destination: 'municipal', status: 'delivered' },
      counts: { enqueued: all.length },
    });
  });

  test('resync respects revisions: it sends the latest revision, and an older one never overwrites a newer', async () => {
    const record = commitments[0]!;
    // revision 2 is accepted and routed, but the municipal lane is paused: the endpoint still has revision 1
    const applied = observeEndpoints(h.runtime.simulators);
    const second = { ...record, revision: 2, data: { ...(record['data'] as object), content: '本单位承诺已具备食品经营许可的全部条件（第二版）。' } };
    await municipalSource().stop();
    try {
      await h.submit([second]);
      await waitFor('revision 2 at provincial', () => allDelivered([second], 'provincial', 2));
      expect(await destinationState(record, 'municipal')).toMatchObject({ status: 'delivered', revision: 1 });

      // the record is found by its state (delivered, revision 1), but what is enqueued is revision 2
      const out = await h.credexJson<{ messages: Array<{ recordId: string; revision: number }> }>([
        'resync',
        '--destination',
        'municipal',
        '--status',
        'delivered',
        '--dry-run',
      ]);
      expect(out.messages.find((m) => m.recordId === record['recordId'])).toMatchObject({ revision: 2 });
      // for real: the lane now holds intake's message and the resync's, both of revision 2
      expect((await h.credexJson<{ enqueued: number }>(['resync', '--destination', 'municipal', '--status', 'delivered'])).enqueued).toBe(all.length);
    } finally {
      // started again whatever happens: the tests after this one need the lane
      municipalSource().start();
    }
    await waitFor('revision 2 delivered to municipal', () => allDelivered([second], 'municipal', 2));
    await waitFor('the lane drained', async () => ((await h.depth(queueUrl())) === 0 ? true : undefined));
    // the endpoint applied revision 2 once (the second message was a duplicate by idempotency key), never revision 1 again
    const here = applied.filter((a) => a.destination === 'municipal' && a.key.includes(String(record['recordId'])));
    expect(here.map((a) => a.revision)).toEqual([2]);
    expect(olderAfterNewer(applied)).toEqual([]);
    // a stale redeliver of revision 1 (an older credex, a message replayed late) is superseded, not sent
    const requestsBefore = municipal().store.requests.length;
    const stale: LaneMessage = {
      ...refOf(record),
      revision: 1,
      destination: 'municipal',
      action: 'upsert',
      correlationId: 'stale',
      routedAt: new Date().toISOString(),
      redeliver: { requestedBy: 'test', auditId: 'test' },
    };
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
    expect((await listAudit(store, { action: 'redeliver' }))[0]).toMatchObject({
      status: 'completed',
      request: { record: `breach/hrbxq-enforcement/${String(record['recordId'])}`, destinations: ['municipal'] },
      counts: { enqueued: 1 },
    });

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
    await waitFor('the new breaches in the DLQ', async () => ((await h.depth(dlqUrl())) === more.length ? true : undefined), 270_000);
    municipal().setFaults({});

    // the real binary, one message a second; interrupted once the first one left the DLQ
    const child = spawn(process.execPath, [join(root, 'bin/credex.js'), 'replay', '--lane', 'municipal', '--rate', '1', '--json', '--target', h.targetFile], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // the depth counts held messages too: it drops only when a message is deleted, i.e. moved
    await waitFor('the first message moved', async () => ((await h.depth(dlqUrl())) < more.length ? true : undefined), 90_000);
    child.kill('SIGINT');
    expect(await exited).toBe(130);

    const result = JSON.parse(stdout) as { moved: number; interrupted: boolean; auditId: string };
    expect(result.interrupted).toBe(true);
    expect(result.moved).toBeGreaterThanOrEqual(1);
    expect(result.moved).toBeLessThan(more.length);
    // nothing lost: what did not move is back in the DLQ, visible again
    await waitFor(
      'the rest visible in the DLQ',
      async () => ((await peek(h.runtime.clients.sqs, dlqUrl())).size === more.length - result.moved ? true : undefined),
      30_000,
    );
    expect((await listAudit(store, { action: 'replay' }))[0]).toMatchObject({ id: result.auditId, status: 'interrupted', counts: { moved: result.moved } });

    // running it again finishes the job
    expect((await h.credex(['replay', '--lane', 'municipal'])).code).toBe(0);
    await waitFor('every new breach delivered', () => allDelivered(more, 'municipal'));
  });
});

describe('a repair follows its breach on a resync too', () => {
  test('after the endpoint lost its data, resync sends the breach again first and its repair only after it', async () => {
    const b = breach({ recordId: 'CLI-SX-2026-000009' }, { decisionNumber: '哈新市监罚〔2026〕109号' });
    const r = repair(
      { recordId: 'CLI-XF-2026-000009' },
      { breachRecordId: 'CLI-SX-2026-000009', breachSource: 'hrbxq-enforcement', breachDecisionNumber: '哈新市监罚〔2026〕109号' },
    );
    await h.submit([b]);
    await waitFor('the breach delivered', () => allDelivered([b], 'municipal'));
    await h.submit([r]);
    await waitFor('the repair delivered', () => allDelivered([r], 'municipal'));

    municipal().store.clear();
    const applied = observeEndpoints(h.runtime.simulators);
    const out = await h.credexJson<{ messages: Array<{ recordType: string }> }>(['resync', '--destination', 'municipal', '--status', 'delivered']);
    // repairs are enqueued after every other record
    const types = out.messages.map((m) => m.recordType);
    expect(types.lastIndexOf('breach')).toBeLessThan(types.indexOf('repair'));
    await waitFor('both applied again', async () =>
      applied.some((a) => a.destination === 'municipal' && a.key.includes('CLI-XF-2026-000009')) ? true : undefined,
    );
    expect(repairsBeforeBreaches(applied, [{ repairId: 'CLI-XF-2026-000009', breachId: 'CLI-SX-2026-000009' }])).toEqual([]);
  });
});

describe('replay --intake', () => {
  test('moves the records intake could not process back through intake; the filter applies to records', async () => {
    const records = [7, 8].map((n) => breach({ recordId: `CLI-SX-2026-00000${n}` }, { decisionNumber: `哈新市监罚〔2026〕10${n}号` }));
    const intakeDlq = h.runtime.queues.intake.dlqUrl;
    intakeDown = true;
    try {
      await h.submit(records);
      await waitFor('both records in the intake DLQ', async () => ((await h.depth(intakeDlq)) === 2 ? true : undefined), 180_000);
    } finally {
      intakeDown = false;
    }
    const status = await h.credexJson<StatusReport>(['status']);
    expect(status.intake.dlq.depth).toBe(2);
    expect((await h.credex(['replay', '--intake', '--filter', 'error=HTTP 503'])).code).toBe(2);
    expect((await h.credex(['replay', '--lane', 'municipal', '--intake'])).code).toBe(2);

    const dry = await h.credexJson<{ matched: number; messages: Array<{ recordId: string }> }>([
      'replay',
      '--intake',
      '--filter',
      'recordId=CLI-SX-2026-000007',
      '--dry-run',
    ]);
    expect(dry.messages.map((m) => m.recordId)).toEqual(['CLI-SX-2026-000007']);
    const out = await h.credexJson<{ moved: number; kept: number }>(['replay', '--intake']);
    expect(out).toMatchObject({ moved: 2, kept: 0 });
    await waitFor(
      'both delivered to provincial and municipal',
      async () => ((await allDelivered(records, 'provincial')) && (await allDelivered(records, 'municipal'))) || undefined,
    );
    expect(await h.depth(intakeDlq)).toBe(0);
  });
});
