/**
 * `credex quarantine` against the real local runtime: intake quarantines what it is sent, the CLI
 * lists and shows it, and a release goes back through intake to the endpoints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { listAudit } from '../../cli/operations/audit.js';
import type { QuarantineEntryJson, ReleaseReport } from '../../cli/operations/quarantine.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { ACCEPTING_UNIT_USCC, COMPANY_NAME, COMPANY_USCC, breakUscc, commitment, residentId } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

const ID_NUMBER = residentId('230109', '19800101', '123');
const MASKED_ID_NUMBER = `${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`;
const party = {
  name: COMPANY_NAME,
  category: '法人及非法人组织',
  uscc: COMPANY_USCC,
  legalRepresentative: '王建国',
  legalRepIdType: '身份证',
  legalRepIdNumber: ID_NUMBER,
};

/** A commitment whose accepting unit's USCC has a wrong check character, and its correction. */
const brokenUscc = commitment({ recordId: 'QUAR-USCC-1' }, { party, acceptingUnitUscc: breakUscc(ACCEPTING_UNIT_USCC) });
const corrected = commitment({ recordId: 'QUAR-USCC-1' }, { party });
const fromUnknownSource = commitment({ recordId: 'QUAR-SRC-1', source: 'hrbxq-nowhere' });
const MALFORMED = '{"recordType": "commitment", "recordId": ';

const list = (argv: readonly string[] = []) => harness.credexJson<QuarantineEntryJson[]>(['quarantine', 'list', '--days', '2', ...argv]);
const ids = (entries: readonly QuarantineEntryJson[]) => entries.map((e) => e.id).sort();

let harness: CliHarness;
let store: SyncState;
let dir: string;
/** The three entries intake quarantined, by what they are. */
let entries: { uscc: QuarantineEntryJson; malformed: QuarantineEntryJson; unknownSource: QuarantineEntryJson };

beforeAll(async () => {
  harness = await startCliHarness();
  store = harness.runtime.state;
  dir = await mkdtemp(join(tmpdir(), 'credex-quarantine-'));
  await harness.submit([brokenUscc, fromUnknownSource]);
  await harness.runtime.clients.sqs.send(new SendMessageCommand({ QueueUrl: harness.runtime.queues.intake.url, MessageBody: MALFORMED }));
  // sent near midnight UTC, entries may fall on two days: the tests list the last two
  const all = await waitFor('three quarantine entries', async () => {
    const listed = await list(['--status', 'all']);
    return listed.length >= 3 ? listed : undefined;
  });
  const find = (match: (e: QuarantineEntryJson) => boolean) => all.find(match)!;
  entries = {
    uscc: find((e) => e.recordId === 'QUAR-USCC-1'),
    malformed: find((e) => e.reason === 'malformed'),
    unknownSource: find((e) => e.reason === 'unknownSource'),
  };
});

afterAll(async () => {
  await harness?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('credex quarantine list', () => {
  test('lists invalid, malformed and unknown-source input with reason, record and errors', () => {
    expect(entries.uscc).toMatchObject({
      reason: 'invalid',
      source: 'hrbxq-approval',
      recordType: 'commitment',
      revision: 1,
      status: 'open',
      errors: [expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'format:uscc' })],
    });
    expect(entries.malformed).toMatchObject({
      reason: 'malformed',
      source: null,
      recordId: null,
      errors: [expect.objectContaining({ path: '', rule: 'json' })],
    });
    expect(entries.unknownSource).toMatchObject({
      reason: 'unknownSource',
      source: 'hrbxq-nowhere',
      recordId: 'QUAR-SRC-1',
      errors: [expect.objectContaining({ path: '/source', rule: 'registeredSource' })],
    });
  });

  test('--json entries have a stable shape, without bodies', () => {
    expect(Object.keys(entries.malformed)).toEqual([
      'id',
      'day',
      'sentAt',
      'receivedAt',
      'messageId',
      'correlationId',
      'reason',
      'source',
      'recordType',
      'recordId',
      'revision',
      'upstream',
      'errors',
      'bodyBytes',
      'bodyHeldIn',
      'status',
      'released',
    ]);
    expect(entries.malformed.id).toBe(`${entries.malformed.sentAt}#${entries.malformed.messageId}`);
    expect(entries.malformed.day).toBe(entries.malformed.id.slice(0, 10));
  });

  test('--reason, --rule and --source filter', async () => {
    expect(ids(await list(['--reason', 'invalid']))).toEqual([entries.uscc.id]);
    expect(ids(await list(['--rule', 'format:uscc']))).toEqual([entries.uscc.id]);
    expect(ids(await list(['--rule', 'format']))).toEqual([entries.uscc.id]);
    expect(ids(await list(['--rule', 'json']))).toEqual([entries.malformed.id]);
    expect(ids(await list(['--source', 'hrbxq-nowhere']))).toEqual([entries.unknownSource.id]);
    expect(await list(['--reason', 'conflict'])).toEqual([]);
  });

  test('the table shows ids that show takes, and ends with a per-reason and per-source summary', async () => {
    const out = await harness.credex(['quarantine', 'list', '--days', '2']);

    expect(out.code).toBe(0);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^id\s+sent \(UTC\)\s+source\s+record\s+reason\s+first error\s+errors\s+status$/);
    const usccRow = lines.find((l) => l.includes('QUAR-USCC-1'))!;
    expect(usccRow).toMatch(/commitment QUAR-USCC-1 rev 1\s+invalid\s+\/data\/acceptingUnitUscc format:uscc\s+1\s+open$/);
    expect(lines.at(-1)).toMatch(
      /^3 open entries from .*: invalid 1, malformed 1, unknownSource 1 · sources: \(unknown\) 1, hrbxq-approval 1, hrbxq-nowhere 1$/,
    );

    const shortId = usccRow.split(/\s+/)[0]!;
    expect(entries.uscc.id.startsWith(shortId) && shortId.length < entries.uscc.id.length).toBe(true);
    const shown = await harness.credexJson<QuarantineEntryJson>(['quarantine', 'show', shortId]);
    expect(shown.id).toBe(entries.uscc.id);
  });
});

describe('credex quarantine show', () => {
  test('shows every error, the facts and the body, with identity-card numbers masked', async () => {
    const out = await harness.credex(['quarantine', 'show', entries.uscc.id]);

    expect(out.code).toBe(0);
    expect(out.stdout).toContain('/data/acceptingUnitUscc [format:uscc] 承诺受理单位统一社会信用代码: is not a valid Unified Social Credit Code');
    expect(out.stdout).toMatch(/reason\s+invalid \(breaks the record contract\)/);
    expect(out.stdout).toContain(`correlation  ${entries.uscc.correlationId}`);
    expect(out.stdout).toContain('  "recordId": "QUAR-USCC-1",');
    expect(out.stdout).toContain(MASKED_ID_NUMBER);
    expect(out.stdout).not.toContain(ID_NUMBER);
  });

  test('--reveal shows identity-card numbers; --json carries the body', async () => {
    expect((await harness.credex(['quarantine', 'show', entries.uscc.id, '--reveal'])).stdout).toContain(ID_NUMBER);
    const json = await harness.credexJson<QuarantineEntryJson & { body: string }>(['quarantine', 'show', entries.uscc.id]);
    expect(json.body).toContain(MASKED_ID_NUMBER);
    expect(json.body).not.toContain(ID_NUMBER);
  });

  test('a malformed body is shown as it was received', async () => {
    const out = await harness.credex(['quarantine', 'show', entries.malformed.id]);
    expect(out.stdout).toContain(MALFORMED);
  });

  test('an unknown id exits 3; an id that is not one exits 2', async () => {
    const missing = await harness.credex(['quarantine', 'show', `${entries.uscc.day}T00:00:00.000Z#no-such-message`]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain('no quarantine entry');
    expect((await harness.credex(['quarantine', 'show', 'not-an-id'])).code).toBe(2);
  });
});

describe('credex quarantine release', () => {
  const usccRef = { recordType: 'commitment' as const, source: 'hrbxq-approval', recordId: 'QUAR-USCC-1' };

  test('an invalid correction prints every error, exits 1 and changes nothing', async () => {
    const file = join(dir, 'still-broken.json');
    await writeFile(file, JSON.stringify(brokenUscc, null, 2));

    const out = await harness.credex(['quarantine', 'release', entries.uscc.id, '--file', file]);

    expect(out.code).toBe(1);
    expect(out.stdout).toContain('not released, the record is invalid (1 error)');
    expect(out.stdout).toContain('/data/acceptingUnitUscc [format:uscc]');
    expect((await list(['--reason', 'invalid']))[0]!.status).toBe('open');
    expect(await store.getMeta(usccRef)).toBeUndefined();
    expect(await listAudit(store, { action: 'quarantine-release' })).toEqual([]);
  });

  test('the original body of an unknown-source entry is still refused while the source is not registered', async () => {
    const report = await releaseJson([entries.unknownSource.id]);
    expect(report.code).toBe(1);
    expect(report.json).toMatchObject({ outcome: 'invalid', errors: [expect.objectContaining({ rule: 'registeredSource' })], messageId: null });
  });

  test('--dry-run checks a valid correction and sends nothing', async () => {
    const report = await releaseJson([entries.uscc.id, '--file', '-', '--dry-run'], JSON.stringify(corrected));
    expect(report.code).toBe(0);
    expect(report.json).toMatchObject({ outcome: 'wouldRelease', record: { recordId: 'QUAR-USCC-1', revision: 1 }, messageId: null, auditId: null });
    expect((await list(['--reason', 'invalid']))[0]!.status).toBe('open');
  });

  test('a valid correction is accepted by intake and delivered; the entry is released and audited', async () => {
    const report = await releaseJson([entries.uscc.id, '--file', '-'], JSON.stringify(corrected));

    expect(report.code).toBe(0);
    expect(Object.keys(report.json)).toEqual(['id', 'outcome', 'record', 'correlationId', 'errors', 'warnings', 'messageId', 'auditId']);
    expect(report.json).toMatchObject({
      id: entries.uscc.id,
      outcome: 'released',
      record: { recordType: 'commitment', source: 'hrbxq-approval', recordId: 'QUAR-USCC-1', revision: 1 },
      correlationId: entries.uscc.correlationId,
      errors: [],
      warnings: [],
    });

    const meta = await waitFor('the corrected record accepted', () => store.getMeta(usccRef), 90_000);
    expect(meta.correlationId).toBe(entries.uscc.correlationId);
    await waitFor(
      'the corrected record delivered to the provincial platform',
      async () => ((await store.getDestinationState(usccRef, 'provincial'))?.status === 'delivered' ? true : undefined),
      90_000,
    );

    const [entry] = await list(['--reason', 'invalid', '--status', 'all']);
    expect(entry).toMatchObject({
      status: 'released',
      released: { messageId: report.json.messageId, auditId: report.json.auditId, by: expect.stringContaining('(local)') },
    });
    const [audit] = await listAudit(store, { action: 'quarantine-release' });
    expect(audit).toMatchObject({
      id: report.json.auditId,
      status: 'completed',
      request: { id: entries.uscc.id, file: '-' },
      counts: { sent: 1, released: 1 },
    });
    expect(await list(['--reason', 'invalid'])).toEqual([]);
  });

  test('a second release is refused with a clear message and exit 1', async () => {
    const out = await harness.credex(['quarantine', 'release', entries.uscc.id, '--file', '-'], { stdin: JSON.stringify(corrected) });

    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/was already released at .* by .*; --force sends it again/);
    expect(await listAudit(store, { action: 'quarantine-release' })).toHaveLength(1);
  });
});

async function releaseJson(args: readonly string[], stdin?: string): Promise<{ code: number; json: ReleaseReport }> {
  const out = await harness.credex(['quarantine', 'release', ...args, '--json'], stdin === undefined ? {} : { stdin });
  return { code: out.code, json: JSON.parse(out.stdout) as ReleaseReport };
}
