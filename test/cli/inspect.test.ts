/**
 * `credex inspect` against the real local runtime: a commitment submitted at revision 1, then at
 * revision 2, delivered everywhere; what inspect shows of it, and what it never shows.
 */
import type { DestinationSummary, InspectView } from '../../cli/operations/inspect.js';
import { maskResidentId } from '../../functions/shared/records/identifiers.js';
import { COMPANY_NAME, COMPANY_USCC, commitment, residentId } from '../support/records.js';
import { startCliHarness, waitFor, type CliHarness } from './runtime-harness.js';

const RECORD_ID = 'HRBNA-CN-2026-900001';
const LEGAL_REP_ID = residentId('230109', '19800101', '123');
const party = {
  name: COMPANY_NAME,
  category: '法人及非法人组织',
  uscc: COMPANY_USCC,
  legalRepresentative: '王建国',
  legalRepIdType: '身份证',
  legalRepIdNumber: LEGAL_REP_ID,
};
const PUBLIC_DESTINATIONS = ['municipal', 'provincial', 'publicColumn'];

let harness: CliHarness;
let view: InspectView;

const inspect = (argv: readonly string[] = []) => harness.credex(['inspect', 'commitment', RECORD_ID, ...argv]);
const inspectJson = () => harness.credexJson<InspectView>(['inspect', 'commitment', RECORD_ID]);
const deliveredAt = (revision: number) => (d: DestinationSummary) => d.status === 'delivered' && d.revision === revision && d.pendingRevision === null;

beforeAll(async () => {
  harness = await startCliHarness();
  await harness.submit([commitment({ recordId: RECORD_ID, revision: 1 }, { party })]);
  // revision 2 goes once revision 1 is stored: sent together, 1 could arrive second and be superseded unstored
  await waitFor('revision 1 accepted', async () => ((await inspect()).code === 0 ? true : undefined), 60_000);
  await harness.submit([
    commitment({ recordId: RECORD_ID, revision: 2, occurredAt: '2026-03-03T09:30:00+08:00' }, { party, content: '本单位承诺在两个月内接受现场核查。' }),
  ]);
  // the destination's state and its history entry are separate writes: wait for both
  view = await waitFor(
    'revision 2 delivered everywhere, in the state and in the history',
    async () => {
      const current = await inspectJson();
      const delivered = new Set(current.history.filter((e) => e.type === 'delivered' && e.revision === 2).map((e) => e.destination));
      return current.destinations.length === PUBLIC_DESTINATIONS.length &&
        current.destinations.every(deliveredAt(2)) &&
        PUBLIC_DESTINATIONS.every((d) => delivered.has(d))
        ? current
        : undefined;
    },
    90_000,
  );
});

afterAll(async () => {
  await harness?.stop();
});

describe('credex inspect', () => {
  it('shows the record, both revisions and its routing', () => {
    expect(view.record).toMatchObject({
      recordType: 'commitment',
      source: 'hrbxq-approval',
      recordId: RECORD_ID,
      revision: 2,
      operation: 'upsert',
      routedRevision: 2,
      routedTo: PUBLIC_DESTINATIONS,
      routingClaim: null,
    });
    expect(view.record.firstAcceptedAt < view.record.acceptedAt).toBe(true);
    expect(view.revisions.map((r) => r.revision)).toEqual([1, 2]);
    expect(view.revisions[1]!.contentHash).toBe(view.record.contentHash);
    expect(view.revisions[0]!.contentHash).not.toBe(view.record.contentHash);
  });

  it('shows revision 2 delivered at every destination, with the receipt each platform gave', () => {
    expect(view.destinations.map((d) => d.destination)).toEqual(PUBLIC_DESTINATIONS);
    for (const d of view.destinations) {
      expect(d).toMatchObject({ status: 'delivered', revision: 2, pendingRevision: null, attempted: true, sendClaim: null });
      expect(d.attempts).toBeGreaterThanOrEqual(1);
    }
    const receipts = Object.fromEntries(view.destinations.map((d) => [d.destination, d.receipt]));
    // the public column's contract answers with accepted commitment codes only: it issues no receipt
    expect(receipts).toEqual({ provincial: expect.any(String), municipal: expect.any(String), publicColumn: null });
  });

  it('shows the history in time order: accepted and routed for each revision, delivered everywhere', () => {
    const times = view.history.map((e) => e.at);
    expect(times).toEqual([...times].sort());
    const kinds = view.history.map((e) => `${e.type}:${e.revision}${e.destination ? `:${e.destination}` : ''}`);
    expect(kinds).toEqual(expect.arrayContaining(['accepted:1', 'routed:1', 'accepted:2', 'routed:2', ...PUBLIC_DESTINATIONS.map((d) => `delivered:2:${d}`)]));
    expect(kinds.indexOf('accepted:2')).toBeLessThan(kinds.indexOf('routed:2'));
    const routed = view.history.find((e) => e.type === 'routed' && e.revision === 2)!;
    expect(routed.detail['lanes']).toEqual(expect.arrayContaining(PUBLIC_DESTINATIONS.map((d) => `${d}:upsert`)));
  });

  it('prints the same for people, without identity numbers', async () => {
    const out = await inspect();
    expect(out.code).toBe(0);
    expect(out.stdout).toContain(`commitment ${RECORD_ID} from hrbxq-approval`);
    expect(out.stdout).toMatch(/2 \(latest\)/);
    for (const d of PUBLIC_DESTINATIONS) expect(out.stdout).toMatch(new RegExp(`\\n  ${d}\\s+delivered\\s+2\\s`));
    expect(out.stdout).not.toContain(LEGAL_REP_ID);
  });

  it("prints the latest canonical record with --record, the legal representative's identity number masked", async () => {
    const out = await inspect(['--record']);
    expect(out.code).toBe(0);
    const record = JSON.parse(out.stdout) as { revision: number; data: { content: string; party: { legalRepIdNumber: string } } };
    expect(record.revision).toBe(2);
    expect(record.data.content).toBe('本单位承诺在两个月内接受现场核查。');
    expect(record.data.party.legalRepIdNumber).toBe(maskResidentId(LEGAL_REP_ID));
    expect(out.stdout).not.toContain(LEGAL_REP_ID);
  });

  it('shows the identity number with --record --reveal, and refuses --reveal alone', async () => {
    const revealed = await inspect(['--record', '--reveal']);
    expect(revealed.code).toBe(0);
    expect((JSON.parse(revealed.stdout) as { data: { party: { legalRepIdNumber: string } } }).data.party.legalRepIdNumber).toBe(LEGAL_REP_ID);
    const alone = await inspect(['--reveal']);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/use it with --record/);
    expect(alone.stdout).toBe('');
  });

  it('finds the record in the source given, and not in another', async () => {
    expect((await inspect(['--source', 'hrbxq-approval', '--json'])).code).toBe(0);
    const elsewhere = await inspect(['--source', 'hrbxq-market']);
    expect(elsewhere.code).toBe(3);
    expect(elsewhere.stderr).toContain(`no commitment ${RECORD_ID} in the exchange (looked in source hrbxq-market)`);
  });

  it('asks for --source when the id exists in several sources (exit 2)', async () => {
    const id = 'HRBNA-CN-2026-900002';
    await harness.submit([commitment({ recordId: id }), commitment({ recordId: id, source: 'hrbxq-market' })]);
    for (const source of ['hrbxq-approval', 'hrbxq-market']) {
      await waitFor(
        `${id} from ${source}`,
        async () => ((await harness.credex(['inspect', 'commitment', id, '--source', source, '--json'])).code === 0 ? true : undefined),
        45_000,
      );
    }
    const ambiguous = await harness.credex(['inspect', 'commitment', id]);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(`commitment ${id} exists in several sources (hrbxq-approval, hrbxq-market): add --source <source>`);
  });

  it('exits 3 for a record the exchange does not hold, and 2 for an unknown record type', async () => {
    const missing = await harness.credex(['inspect', 'breach', 'NO-SUCH-RECORD']);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/no breach NO-SUCH-RECORD in the exchange \(looked in all \d+ registered sources\)/);
    expect(missing.stdout).toBe('');
    const unknown = await harness.credex(['inspect', 'permit', RECORD_ID]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown record type "permit"/);
  });
});
