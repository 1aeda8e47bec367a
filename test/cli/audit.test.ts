/**
 * `credex audit` against the real local runtime's table: entries written as the operator commands
 * write them (openAudit, then finish — or never, for an action that died), listed newest first.
 */
import { openAudit, type AuditAction, type AuditEntry, type AuditStatus } from '../../cli/operations/audit.js';
import { residentId } from '../support/records.js';
import { startCliHarness, type CliHarness } from './runtime-harness.js';

const MINUTE = 60_000;
const ID_NUMBER = residentId('230109', '19800101', '123');

let harness: CliHarness;
/** The entries written, by name. */
const written: Record<string, AuditEntry> = {};

interface Planned {
  name: string;
  action: AuditAction;
  minutesAgo: number;
  /** How it ended; none: it never did (the process died). */
  end?: { status: Exclude<AuditStatus, 'running'>; counts: Record<string, number>; error?: string };
}

const PLAN: readonly Planned[] = [
  { name: 'lastMonthRelease', action: 'quarantine-release', minutesAgo: 40 * 24 * 60, end: { status: 'completed', counts: { released: 2 } } },
  { name: 'deadReplay', action: 'replay', minutesAgo: 180 },
  { name: 'resync', action: 'resync', minutesAgo: 120, end: { status: 'completed', counts: { matched: 5, enqueued: 5 } } },
  {
    name: 'failedRedeliver',
    action: 'redeliver',
    minutesAgo: 30,
    end: { status: 'failed', counts: { enqueued: 0 }, error: `record with party ${ID_NUMBER} not found` },
  },
  { name: 'freshReplay', action: 'replay', minutesAgo: 1, end: { status: 'completed', counts: { moved: 3 } } },
];

const agoIso = (minutes: number) => new Date(Date.now() - minutes * MINUTE).toISOString();
const ids = (entries: readonly AuditEntry[]) => entries.map((e) => e.id);
const idsOf = (...names: string[]) => names.map((n) => written[n]!.id);
const audit = (argv: readonly string[] = []) => harness.credexJson<AuditEntry[]>(['audit', ...argv]);

beforeAll(async () => {
  harness = await startCliHarness();
  for (const planned of PLAN) {
    const started = new Date(Date.now() - planned.minutesAgo * MINUTE);
    const opened = await openAudit(
      harness.runtime.state,
      { action: planned.action, by: 'ops@test-host', target: 'local runtime', request: { lane: 'municipal', filter: { recordType: 'breach' }, limit: 100 } },
      () => started,
    );
    written[planned.name] = planned.end ? await opened.finish(planned.end.status, planned.end.counts, planned.end.error) : opened.entry;
  }
});

afterAll(async () => {
  await harness?.stop();
});

describe('credex audit', () => {
  it('lists every entry newest first, as stored (months back included)', async () => {
    const entries = await audit();
    expect(ids(entries)).toEqual(idsOf('freshReplay', 'failedRedeliver', 'resync', 'deadReplay', 'lastMonthRelease'));
    expect(entries[0]).toMatchObject({
      action: 'replay',
      by: 'ops@test-host',
      status: 'completed',
      counts: { moved: 3 },
      request: { lane: 'municipal', filter: { recordType: 'breach' }, limit: 100 },
    });
    expect(entries.find((e) => e.id === written['deadReplay']!.id)).toMatchObject({ status: 'running', counts: {} });
  });

  it('filters by action', async () => {
    expect(ids(await audit(['--action', 'replay']))).toEqual(idsOf('freshReplay', 'deadReplay'));
    expect(ids(await audit(['--action', 'quarantine-release']))).toEqual(idsOf('lastMonthRelease'));
  });

  it('starts at --since, a time or a day', async () => {
    expect(ids(await audit(['--since', agoIso(150)]))).toEqual(idsOf('freshReplay', 'failedRedeliver', 'resync'));
    // a day 45 days back reaches into last month
    expect(ids(await audit(['--since', agoIso(45 * 24 * 60).slice(0, 10)]))).toHaveLength(PLAN.length);
  });

  it('stops at --limit, newest first', async () => {
    expect(ids(await audit(['--limit', '2']))).toEqual(idsOf('freshReplay', 'failedRedeliver'));
    expect(ids(await audit(['--limit', '1', '--action', 'resync']))).toEqual(idsOf('resync'));
  });

  it('never prints an identity number, not even one an error echoed', async () => {
    const json = await harness.credex(['audit', '--json']);
    const text = await harness.credex(['audit']);
    for (const out of [json, text]) {
      expect(out.code).toBe(0);
      expect(out.stdout).not.toContain(ID_NUMBER);
    }
    expect(text.stdout).toContain(`${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`);
  });

  it('flags, for people, the action that never finished', async () => {
    const out = await harness.credex(['audit']);
    const lines = out.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^started\s+action\s+by\s+status\s+request\s+counts$/);
    const dead = lines.find((l) => l.startsWith(written['deadReplay']!.startedAt))!;
    expect(dead).toMatch(
      /replay\s+ops@test-host\s+running: did not finish: crashed or killed\? \(started 3 h \d+ m ago\)\s+filter\.recordType=breach lane=municipal limit=100$/,
    );
    const fresh = lines.find((l) => l.startsWith(written['freshReplay']!.startedAt))!;
    expect(fresh).toMatch(/completed in \d+ s .*moved=3$/);
    expect(lines.find((l) => l.startsWith(written['failedRedeliver']!.startedAt))).toMatch(/failed after \d+ s: record with party/);
    expect(out.stdout.match(/did not finish/g)).toHaveLength(1);
  });

  it('says so when nothing matches, and refuses a bad --since', async () => {
    const none = await harness.credex(['audit', '--since', agoIso(-60)]);
    expect(none).toMatchObject({ code: 0, stdout: expect.stringMatching(/^no audit entries since \d{4}-/) });
    expect(await audit(['--since', agoIso(-60)])).toEqual([]);
    const bad = await harness.credex(['audit', '--since', 'last week']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/expected a day YYYY-MM-DD/);
  });
});
