/**
 * The pure parts of `credex inspect` and `credex audit`: table items shaped into the inspect view,
 * personal data masked, and both views formatted for people. No table, no network.
 */
import { auditStatus, formatAuditEntries, parseSince } from '../../../cli/commands/audit.js';
import { integer } from '../../../cli/options.js';
import { destinationRevision, destinationStatus, formatFacts, formatInspection } from '../../../cli/commands/inspect.js';
import type { AuditEntry } from '../../../cli/operations/audit.js';
import { canonicalRecordOf, maskPersonalData, maskRecord, shapeInspection, summariseDestination, type StateItem } from '../../../cli/operations/inspect.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { commitment, residentId } from '../../support/records.js';

const NOW = new Date('2026-06-01T12:00:00.000Z');
const PK = 'REC#commitment#hrbxq-approval#HRBNA-CN-2026-000123';
const ID_NUMBER = residentId('230109', '19800101', '123');

const meta = (overrides: Record<string, unknown> = {}): StateItem => ({
  pk: PK,
  sk: 'META',
  recordType: 'commitment',
  source: 'hrbxq-approval',
  recordId: 'HRBNA-CN-2026-000123',
  revision: 2,
  operation: 'upsert',
  contentHash: 'hash-of-revision-2-abcdefgh',
  firstAcceptedAt: '2026-06-01T10:00:00.000Z',
  acceptedAt: '2026-06-01T11:00:00.000Z',
  correlationId: 'cid-2',
  routedTo: new Set(['publicColumn', 'provincial', 'municipal']),
  routedRevision: 2,
  routedAt: '2026-06-01T11:00:01.000Z',
  ...overrides,
});

const revision = (n: number, record: Record<string, unknown> = commitment({ revision: n })): StateItem => ({
  pk: PK,
  sk: `REV#${String(n).padStart(16, '0')}`,
  revision: n,
  contentHash: `hash-of-revision-${n}-abcdefgh`,
  acceptedAt: `2026-06-01T1${n - 1}:00:00.000Z`,
  record: JSON.stringify(record),
});

const destination = (id: string, item: Record<string, unknown>): StateItem => ({ pk: PK, sk: `DEST#${id}`, ...item });

const event = (at: string, id: string, item: Record<string, unknown>): StateItem => ({ pk: PK, sk: `EVT#${at}#${id}`, at, correlationId: 'cid-1', ...item });

describe('the inspect view of a record', () => {
  it('is undefined without a META item: nothing was accepted', () => {
    expect(shapeInspection([revision(1)], NOW)).toBeUndefined();
  });

  it('summarises META: identity, latest revision, routing with the destinations sorted', () => {
    const view = shapeInspection([meta()], NOW)!;
    expect(view.record).toEqual({
      recordType: 'commitment',
      source: 'hrbxq-approval',
      recordId: 'HRBNA-CN-2026-000123',
      revision: 2,
      operation: 'upsert',
      contentHash: 'hash-of-revision-2-abcdefgh',
      firstAcceptedAt: '2026-06-01T10:00:00.000Z',
      acceptedAt: '2026-06-01T11:00:00.000Z',
      correlationId: 'cid-2',
      routedTo: ['municipal', 'provincial', 'publicColumn'],
      routedRevision: 2,
      routedAt: '2026-06-01T11:00:01.000Z',
      routingClaim: null,
    });
  });

  it('shows a routing claim in progress, and one whose lease ran out as expired', () => {
    const running = shapeInspection([meta({ revision: 3, routingRevision: 3, routingLeaseUntil: '2026-06-01T12:01:00.000Z' })], NOW)!;
    expect(running.record.routingClaim).toEqual({ revision: 3, until: '2026-06-01T12:01:00.000Z', expired: false });
    const dead = shapeInspection([meta({ revision: 3, routingRevision: 3, routingLeaseUntil: '2026-06-01T11:59:00.000Z' })], NOW)!;
    expect(dead.record.routingClaim?.expired).toBe(true);
  });

  it('lists revisions oldest first, whatever order the items come in', () => {
    const view = shapeInspection([revision(2), meta(), revision(1)], NOW)!;
    expect(view.revisions).toEqual([
      { revision: 1, acceptedAt: '2026-06-01T10:00:00.000Z', contentHash: 'hash-of-revision-1-abcdefgh' },
      { revision: 2, acceptedAt: '2026-06-01T11:00:00.000Z', contentHash: 'hash-of-revision-2-abcdefgh' },
    ]);
  });

  it('gives every routed destination a row: up to date, behind the latest revision, or not attempted yet', () => {
    const view = shapeInspection(
      [
        meta(),
        destination('provincial', { revision: 2, status: 'delivered', attempts: 1, receipt: 'PROV-1', updatedAt: '2026-06-01T11:00:05.000Z', sentRevision: 2 }),
        destination('municipal', {
          revision: 1,
          status: 'delivered',
          attempts: 2,
          receipt: 'MUNI-1',
          lastError: 'HTTP 503',
          updatedAt: '2026-06-01T10:00:09.000Z',
          sentRevision: 1,
        }),
      ],
      NOW,
    )!;
    expect(view.destinations.map((d) => d.destination)).toEqual(['municipal', 'provincial', 'publicColumn']);
    const [municipal, provincial, publicColumn] = view.destinations;
    expect(provincial).toMatchObject({ status: 'delivered', revision: 2, pendingRevision: null, attempted: true, receipt: 'PROV-1', sendClaim: null });
    expect(municipal).toMatchObject({ status: 'delivered', revision: 1, pendingRevision: 2, attempts: 2, lastError: 'HTTP 503' });
    expect(publicColumn).toEqual({
      destination: 'publicColumn',
      status: 'pending',
      revision: null,
      pendingRevision: 2,
      attempted: false,
      attempts: null,
      lastError: null,
      receipt: null,
      updatedAt: null,
      sentRevision: null,
      sendClaim: null,
      publication: null,
    });
  });

  it('shows what a destination that publishes was told, and when the expiry sweep ended the publication', () => {
    const published = summariseDestination(
      'provincial',
      destination('provincial', { revision: 1, status: 'delivered', statusRank: 2, published: true, publishedUntil: '2027-06-10' }),
      1,
      NOW,
    );
    expect(published.publication).toEqual({ published: true, until: '2027-06-10', endedAt: null, endError: null });
    const ended = summariseDestination(
      'provincial',
      destination('provincial', { revision: 1, status: 'delivered', statusRank: 2, published: false, publicationEndedAt: '2027-06-11T01:00:00.000Z' }),
      1,
      NOW,
    );
    expect(ended.publication).toEqual({ published: false, until: null, endedAt: '2027-06-11T01:00:00.000Z', endError: null });
  });

  it('reads an item holding only a send claim as pending, with the send in flight', () => {
    const d = summariseDestination(
      'provincial',
      destination('provincial', { sentRevision: 2, sendLeaseRevision: 2, sendLeaseUntil: '2026-06-01T12:00:30.000Z', sendLeaseToken: 't' }),
      2,
      NOW,
    );
    expect(d).toMatchObject({
      status: 'pending',
      revision: null,
      pendingRevision: 2,
      attempted: true,
      sentRevision: 2,
      sendClaim: { revision: 2, until: '2026-06-01T12:00:30.000Z', expired: false },
    });
    expect(destinationStatus(d)).toBe('pending (no outcome yet)');
  });

  it('keeps a destination the record has a DEST# item for even when routedTo does not name it', () => {
    const view = shapeInspection(
      [meta({ routedTo: new Set(['provincial']) }), destination('district', { revision: 2, status: 'rejected', lastError: 'not ours' })],
      NOW,
    )!;
    expect(view.destinations.map((d) => [d.destination, d.status])).toEqual([
      ['district', 'rejected'],
      ['provincial', 'pending'],
    ]);
  });

  it('puts history in time order, events of the same millisecond in lifecycle order, the destination out of the detail', () => {
    const at = '2026-06-01T10:00:01.000Z';
    const view = shapeInspection(
      [
        meta(),
        event('2026-06-01T10:00:05.000Z', 'aaaaaaaa', {
          type: 'delivered',
          revision: 1,
          detail: { receipt: 'PROV-1', destination: 'provincial', action: 'upsert' },
        }),
        event(at, '00000000', { type: 'routed', revision: 1, detail: { lanes: ['provincial:upsert', 'municipal:upsert'] } }),
        event(at, 'ffffffff', { type: 'accepted', revision: 1 }),
      ],
      NOW,
    )!;
    expect(view.history).toEqual([
      { at, type: 'accepted', revision: 1, destination: null, detail: {}, correlationId: 'cid-1' },
      { at, type: 'routed', revision: 1, destination: null, detail: { lanes: ['provincial:upsert', 'municipal:upsert'] }, correlationId: 'cid-1' },
      {
        at: '2026-06-01T10:00:05.000Z',
        type: 'delivered',
        revision: 1,
        destination: 'provincial',
        detail: { action: 'upsert', receipt: 'PROV-1' },
        correlationId: 'cid-1',
      },
    ]);
    // keys sorted: the JSON is the same whatever order DynamoDB returned the map in
    expect(Object.keys(view.history[2]!.detail)).toEqual(['action', 'receipt']);
  });

  it('reads the canonical record of a revision from its REV# item', () => {
    const items = [meta(), revision(1), revision(2, commitment({ revision: 2 }, { content: 'second' }))];
    expect((canonicalRecordOf(items, 2)?.data as { content: string }).content).toBe('second');
    expect(canonicalRecordOf(items, 3)).toBeUndefined();
  });
});

describe('personal data in what inspect prints', () => {
  it('masks identity numbers echoed in errors and history details', () => {
    const view = shapeInspection(
      [
        meta(),
        destination('municipal', { revision: 2, status: 'rejected', lastError: `duplicate party ${ID_NUMBER}` }),
        event('2026-06-01T10:00:05.000Z', 'a', { type: 'rejected', revision: 2, detail: { destination: 'municipal', reason: `id ${ID_NUMBER} unknown` } }),
      ],
      NOW,
    )!;
    const text = JSON.stringify(maskPersonalData(view));
    expect(text).not.toContain(ID_NUMBER);
    expect(text).toContain(`duplicate party ${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`);
  });

  it('masks the personal fields of a record whole (a passport number too) and identity numbers in free text', () => {
    const natural = commitment(
      {},
      {
        party: { name: '张三', category: '自然人', idType: '护照号', idNumber: 'E12345678' },
        content: `本人（身份证号 ${ID_NUMBER}）承诺……`,
      },
    ) as unknown as CreditRecord;
    const withRep = commitment(
      {},
      {
        party: {
          name: '某公司',
          category: '法人及非法人组织',
          uscc: 'X',
          legalRepresentative: '王建国',
          legalRepIdType: '身份证',
          legalRepIdNumber: ID_NUMBER,
        },
      },
    ) as unknown as CreditRecord;

    const masked = maskRecord(natural);
    expect((masked.data as { party: { idNumber: string } }).party.idNumber).toBe('*********');
    expect(JSON.stringify(masked)).not.toContain(ID_NUMBER);
    expect((maskRecord(withRep).data as { party: { legalRepIdNumber: string } }).party.legalRepIdNumber).toBe(
      `${ID_NUMBER.slice(0, 6)}********${ID_NUMBER.slice(-4)}`,
    );
    // the record itself is left as it was: --reveal prints it
    expect((natural.data as { party: { idNumber: string } }).party.idNumber).toBe('E12345678');
  });
});

describe('the inspect view for people', () => {
  const view = shapeInspection(
    [
      meta(),
      revision(1),
      revision(2),
      destination('provincial', { revision: 2, status: 'delivered', attempts: 1, receipt: 'PROV-1', updatedAt: '2026-06-01T11:00:05.000Z' }),
      destination('municipal', {
        revision: 1,
        status: 'failed',
        attempts: 3,
        lastError: 'HTTP 503 from the endpoint',
        updatedAt: '2026-06-01T10:00:09.000Z',
        sendLeaseRevision: 2,
        sendLeaseUntil: '2026-06-01T12:00:30.000Z',
      }),
      event('2026-06-01T10:00:01.000Z', 'a', { type: 'accepted', revision: 1 }),
      event('2026-06-01T10:00:01.000Z', 'b', { type: 'routed', revision: 1, detail: { lanes: ['provincial:upsert', 'municipal:upsert'] } }),
    ],
    NOW,
  )!;
  const text = formatInspection(view);

  it('names the record and its latest revision with a short content hash', () => {
    expect(text.split('\n')[0]).toBe('commitment HRBNA-CN-2026-000123 from hrbxq-approval');
    expect(text).toMatch(/latest revision\s+2 \(upsert\), content hash-of-revi\n/);
    expect(text).toContain('2 (latest)');
  });

  it('says which destinations are behind, not attempted, or sending', () => {
    expect(text).toMatch(/municipal\s+failed\s+1, pending revision 2\s+3/);
    expect(text).toMatch(/publicColumn\s+pending \(not attempted yet\)\s+pending revision 2/);
    expect(text).toContain('municipal: last error: HTTP 503 from the endpoint');
    expect(text).toContain('municipal: send of revision 2 in progress (claim held until 2026-06-01T12:00:30.000Z)');
  });

  it('shows the history with compact details', () => {
    expect(text).toMatch(/accepted\s+1/);
    expect(text).toContain('lanes=provincial:upsert,municipal:upsert');
  });

  it('writes the revision column from the outcome and what is pending', () => {
    expect(destinationRevision(view.destinations[0]!)).toBe('1, pending revision 2');
    expect(destinationRevision(view.destinations[1]!)).toBe('2');
    expect(destinationRevision(view.destinations[2]!)).toBe('pending revision 2');
  });
});

describe('facts on one line', () => {
  it('sorts keys, flattens nested objects, joins lists, quotes text with spaces', () => {
    expect(
      formatFacts({ lane: 'municipal', filter: { recordType: 'breach', since: '2026-05-01' }, ids: ['a', 'b'], reason: 'HTTP 503 busy', dryRun: false }),
    ).toBe('dryRun=false filter.recordType=breach filter.since=2026-05-01 ids=a,b lane=municipal reason="HTTP 503 busy"');
    expect(formatFacts({})).toBe('');
  });
});

describe('the audit trail for people', () => {
  const entry = (overrides: Partial<AuditEntry>): AuditEntry => ({
    id: 'e1',
    action: 'replay',
    by: 'arn:aws:iam::123456789012:user/ops',
    startedAt: '2026-06-01T11:30:00.000Z',
    status: 'completed',
    target: 'stack credex-prod',
    request: { lane: 'municipal', dryRun: false },
    counts: {},
    ...overrides,
  });

  it('says how long a finished action took, and why one stopped', () => {
    expect(auditStatus(entry({ finishedAt: '2026-06-01T11:30:42.000Z', counts: { moved: 3 } }), NOW)).toBe('completed in 42 s');
    expect(auditStatus(entry({ status: 'failed', finishedAt: '2026-06-01T11:31:05.000Z', error: 'access denied' }), NOW)).toBe(
      'failed after 1 m 5 s: access denied',
    );
    expect(auditStatus(entry({ status: 'interrupted', finishedAt: '2026-06-01T11:30:10.000Z' }), NOW)).toBe('interrupted after 10 s');
  });

  it('flags an action still running an hour after it started: it never finished', () => {
    expect(auditStatus(entry({ status: 'running' }), NOW)).toBe('running (for 30 m 0 s)');
    expect(auditStatus(entry({ status: 'running', startedAt: '2026-06-01T09:00:00.000Z' }), NOW)).toBe(
      'running: did not finish: crashed or killed? (started 3 h 0 m ago)',
    );
  });

  it('lists entries in the order given, with request and counts compact', () => {
    const text = formatAuditEntries(
      [
        entry({
          id: 'e2',
          action: 'resync',
          startedAt: '2026-06-01T11:50:00.000Z',
          status: 'running',
          request: { destination: 'provincial', status: 'failed' },
        }),
        entry({ finishedAt: '2026-06-01T11:30:42.000Z', counts: { moved: 3, failed: 0 } }),
      ],
      NOW,
    );
    const lines = text.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^started\s+action\s+by\s+status\s+request\s+counts$/);
    expect(lines[1]).toMatch(/^2026-06-01T11:50:00.000Z\s+resync\s+.*running \(for 10 m 0 s\)\s+destination=provincial status=failed$/);
    expect(lines[2]).toMatch(/replay\s+.*completed in 42 s\s+dryRun=false lane=municipal\s+failed=0 moved=3$/);
  });
});

describe('audit options', () => {
  it('reads --since as a UTC day or a zoned ISO time', () => {
    expect(parseSince('2026-05-01')).toBe('2026-05-01T00:00:00.000Z');
    expect(parseSince('2026-05-01T08:00:00+08:00')).toBe('2026-05-01T00:00:00.000Z');
    expect(() => parseSince('2026-02-30')).toThrow(/YYYY-MM-DD/);
    expect(() => parseSince('2026-05-01T08:00:00')).toThrow(/with its zone/);
    expect(() => parseSince('yesterday')).toThrow(/found "yesterday"/);
  });

  it('reads --limit as a whole number of at least 1', () => {
    const parseLimit = integer('--limit', 1);
    expect(parseLimit('20')).toBe(20);
    expect(() => parseLimit('0')).toThrow(/≥ 1/);
    expect(() => parseLimit('2.5')).toThrow(/whole number/);
  });
});
