/**
 * What every SyncState promises, as one suite run against each implementation: in memory
 * (test/unit/state/in-memory-sync-state.test.ts) and on DynamoDB Local
 * (test/integration/sync-state.test.ts). Every method's observable behaviour and every guard: the
 * races a conditional write decides (two claims, stale revisions, a replayed nonce, a moved
 * cursor…) are played out in sequence, each step as the loser or winner of one.
 *
 * Tests share one state (a DynamoDB table): each uses fresh record ids, days, months, destination
 * names and cursor names, so none sees another's items — except the overdue commitments, one index
 * partition for the whole table: those tests look at their own commitments in the listing, and
 * compare the listing with itself (its limit, its count) as a whole.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type {
  CommitmentDue,
  CommitmentVerified,
  CreditCheckEntry,
  CreditContribution,
  LicensingItemEntry,
  SubjectContribution,
} from '../../functions/shared/credit/types.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { RECORD_CODING, unpackRecord } from '../../functions/shared/state/record-compression.js';
import {
  QuarantineBodyTooLargeError,
  type AuditEntry,
  type HistoryEvent,
  type QuarantineEntry,
  type RecordRef,
  type SyncState,
} from '../../functions/shared/state/sync-state.js';

const fresh = (): string => randomUUID().slice(0, 12);

/** A day no other test of the run uses (YYYY-MM-DD), far from today. */
const usedDays = new Set<string>();
function freshDay(): string {
  for (;;) {
    const day = `${2100 + Math.floor(Math.random() * 800)}-${String(1 + Math.floor(Math.random() * 12)).padStart(2, '0')}-${String(1 + Math.floor(Math.random() * 28)).padStart(2, '0')}`;
    if (!usedDays.has(day.slice(0, 7))) {
      usedDays.add(day.slice(0, 7));
      return day;
    }
  }
}

const commitmentRef = (): RecordRef => ({ recordType: 'commitment', source: 'hrbxq-approval', recordId: `CN-${fresh()}` });

function recordOf(ref: RecordRef, revision: number, data: Record<string, unknown> = {}): CreditRecord {
  return {
    schemaVersion: '2.0',
    ...ref,
    revision,
    operation: 'upsert',
    occurredAt: '2026-03-02T09:30:00+08:00',
    data: { n: revision, ...data },
  } as unknown as CreditRecord;
}

const t = (second: number): string => `2026-03-02T01:00:${String(second).padStart(2, '0')}.000Z`;

async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of iterable) all.push(item);
  return all;
}

export function syncStateContract(name: string, makeState: () => Promise<SyncState> | SyncState): void {
  describe(`SyncState contract: ${name}`, () => {
    let state: SyncState;

    beforeEach(async () => {
      state = await makeState();
    });

    const accept = (ref: RecordRef, revision: number, hash = `h${revision}`, extra: Partial<Parameters<SyncState['acceptRevision']>[1]> = {}) =>
      state.acceptRevision(recordOf(ref, revision), { contentHash: hash, now: t(revision), correlationId: `c${revision}`, ...extra });

    describe('acceptRevision', () => {
      it('stores a new record: its META and its canonical revision', async () => {
        const ref = commitmentRef();
        expect(await accept(ref, 1)).toEqual({ kind: 'accepted', routedTo: [] });
        const meta = await state.getMeta(ref);
        expect(meta).toMatchObject({
          ...ref,
          revision: 1,
          contentHash: 'h1',
          operation: 'upsert',
          acceptedAt: t(1),
          firstAcceptedAt: t(1),
          correlationId: 'c1',
          routedTo: [],
        });
        expect(meta?.routedRevision).toBeUndefined();
        expect(await state.getRevision(ref, 1)).toEqual(recordOf(ref, 1));
        expect(await state.getRevision(ref, 2)).toBeUndefined();
      });

      it('a newer revision wins: accepted, first acceptance kept, and it learns where earlier revisions were routed', async () => {
        const ref = commitmentRef();
        await accept(ref, 1, 'h1', { claim: { destinations: ['provincial', 'municipal'], leaseUntil: t(30), token: 'a' } });
        await state.markRouted(ref, 1, t(2));
        expect(await accept(ref, 3)).toEqual({ kind: 'accepted', routedTo: ['municipal', 'provincial'] });
        expect(await state.getMeta(ref)).toMatchObject({
          revision: 3,
          contentHash: 'h3',
          acceptedAt: t(3),
          firstAcceptedAt: t(1),
          correlationId: 'c3',
          routedRevision: 1,
          routedTo: ['municipal', 'provincial'],
        });
        expect((await state.readRecordState(ref)).revisions).toEqual([1, 3]);
      });

      it('an older revision is superseded and changes nothing', async () => {
        const ref = commitmentRef();
        await accept(ref, 5);
        expect(await accept(ref, 4)).toEqual({ kind: 'superseded', storedRevision: 5 });
        expect(await state.getMeta(ref)).toMatchObject({ revision: 5, contentHash: 'h5' });
        expect(await state.getRevision(ref, 4)).toBeUndefined();
      });

      it('the same revision with other content is a conflict; the stored record is untouched', async () => {
        const ref = commitmentRef();
        await accept(ref, 2);
        expect(await accept(ref, 2, 'other')).toEqual({ kind: 'conflict', storedHash: 'h2' });
        expect(await state.getMeta(ref)).toMatchObject({ revision: 2, contentHash: 'h2' });
      });

      it('the same revision and content: unrouted until it is marked routed, a duplicate after', async () => {
        const ref = commitmentRef();
        await accept(ref, 2, 'h2', { claim: { destinations: ['municipal'], leaseUntil: t(30), token: 'a' } });
        expect(await accept(ref, 2)).toEqual({ kind: 'unrouted', routedTo: ['municipal'] });
        expect(await state.markRouted(ref, 2, t(4))).toBe(true);
        expect(await accept(ref, 2)).toEqual({ kind: 'duplicate' });
      });

      it('with a claim, the new revision is claimed for routing in the same write', async () => {
        const ref = commitmentRef();
        await accept(ref, 1, 'h1', { claim: { destinations: ['provincial'], leaseUntil: t(30), token: 'first' } });
        expect(await state.getMeta(ref)).toMatchObject({ routingRevision: 1, routingLeaseUntil: t(30), routedTo: ['provincial'] });
        // another copy of the message cannot claim it while the lease runs
        expect(await state.claimRouting(ref, 1, ['provincial'], { now: t(5), leaseUntil: t(40), token: 'second' })).toEqual({ kind: 'duplicate' });
        // a claim without destinations adds none
        const other = commitmentRef();
        await accept(other, 1, 'h1', { claim: { destinations: [], leaseUntil: t(30), token: 'x' } });
        expect((await state.getMeta(other))?.routedTo).toEqual([]);
      });
    });

    describe('routing claims', () => {
      const lease = (now: number, until: number, token: string) => ({ now: t(now), leaseUntil: t(until), token });

      it('one claim at a time: a second holder waits until the lease runs out', async () => {
        const ref = commitmentRef();
        await accept(ref, 1);
        expect(await state.claimRouting(ref, 1, ['provincial'], lease(1, 10, 'a'))).toEqual({ kind: 'claimed' });
        expect(await state.claimRouting(ref, 1, ['municipal'], lease(2, 12, 'b'))).toEqual({ kind: 'duplicate' });
        expect(await state.claimRouting(ref, 1, ['municipal'], lease(11, 20, 'b'))).toEqual({ kind: 'claimed' });
        expect(await state.getMeta(ref)).toMatchObject({ routingRevision: 1, routingLeaseUntil: t(20), routedTo: ['municipal', 'provincial'] });
      });

      it('only the latest revision is claimed: an older one is superseded, a revision not stored is a duplicate, an unknown record too', async () => {
        const ref = commitmentRef();
        await accept(ref, 1);
        await accept(ref, 2);
        expect(await state.claimRouting(ref, 1, ['provincial'], lease(1, 10, 'a'))).toEqual({ kind: 'superseded', storedRevision: 2 });
        expect(await state.claimRouting(ref, 3, ['provincial'], lease(1, 10, 'a'))).toEqual({ kind: 'duplicate' });
        expect(await state.claimRouting(commitmentRef(), 1, ['provincial'], lease(1, 10, 'a'))).toEqual({ kind: 'duplicate' });
        expect((await state.getMeta(ref))?.routedTo).toEqual([]);
      });

      it('a routed revision is never claimed again', async () => {
        const ref = commitmentRef();
        await accept(ref, 1);
        expect(await state.claimRouting(ref, 1, [], lease(1, 10, 'a'))).toEqual({ kind: 'claimed' });
        expect(await state.markRouted(ref, 1, t(2))).toBe(true);
        expect(await state.claimRouting(ref, 1, [], lease(20, 30, 'b'))).toEqual({ kind: 'duplicate' });
      });

      it('a claim released by its holder frees the revision at once; another token releases nothing', async () => {
        const ref = commitmentRef();
        await accept(ref, 1);
        await state.claimRouting(ref, 1, ['provincial'], lease(1, 50, 'holder'));
        await state.releaseRouting(ref, 'someone-else');
        expect(await state.claimRouting(ref, 1, ['provincial'], lease(2, 50, 'next'))).toEqual({ kind: 'duplicate' });
        await state.releaseRouting(ref, 'holder');
        const meta = await state.getMeta(ref);
        expect(meta?.routingLeaseUntil).toBeUndefined();
        expect(meta?.routingRevision).toBe(1);
        expect(await state.claimRouting(ref, 1, ['provincial'], lease(3, 50, 'next'))).toEqual({ kind: 'claimed' });
        await state.releaseRouting(commitmentRef(), 'nobody'); // an unknown record: nothing to release
      });

      it('markRouted: once, only for the latest revision, ending the claim', async () => {
        const ref = commitmentRef();
        await accept(ref, 1, 'h1', { claim: { destinations: ['provincial'], leaseUntil: t(30), token: 'a' } });
        expect(await state.markRouted(ref, 1, t(5))).toBe(true);
        const meta = await state.getMeta(ref);
        expect(meta).toMatchObject({ routedRevision: 1, routedAt: t(5) });
        expect(meta?.routingLeaseUntil).toBeUndefined();
        expect((await state.readRecordItems(ref)).find((i) => i.sk === 'META')?.['routingClaim']).toBeUndefined();
        expect(await state.markRouted(ref, 1, t(6))).toBe(false);
        await accept(ref, 2);
        expect(await state.markRouted(ref, 1, t(7))).toBe(false);
        expect(await state.markRouted(commitmentRef(), 1, t(7))).toBe(false);
      });
    });

    describe('reading records', () => {
      it('getLatestRecord: the latest revision, canonical, with its META; nothing for an unknown record', async () => {
        const ref = commitmentRef();
        expect(await state.getLatestRecord(ref)).toBeUndefined();
        await accept(ref, 1);
        await accept(ref, 2);
        const latest = await state.getLatestRecord(ref);
        expect(latest?.meta).toMatchObject({ revision: 2 });
        expect(latest?.record).toEqual(recordOf(ref, 2));
      });

      it('readRecordState and readRecordItems: everything of the record, a claimed send without an outcome pending', async () => {
        const ref = commitmentRef();
        expect(await state.readRecordState(ref)).toEqual({ revisions: [], destinations: [], events: [] });
        await accept(ref, 1, 'h1', { claim: { destinations: ['municipal'], leaseUntil: t(30), token: 'a' } });
        await accept(ref, 2);
        await state.claimSend(ref, 'provincial', 2, { now: t(3), leaseUntil: t(30), token: 's' });
        await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'delivered', now: t(4), receipt: 'R-1' });
        await state.appendEvents([{ ref, type: 'accepted', at: t(1), correlationId: 'c1', revision: 1, detail: { lanes: ['municipal:upsert'] } }]);
        const record = await state.readRecordState(ref);
        expect(record.meta).toMatchObject({ ...ref, revision: 2, routedTo: ['municipal'] });
        expect(record.revisions).toEqual([1, 2]);
        expect(record.destinations).toEqual([
          expect.objectContaining({ destination: 'municipal', revision: 1, status: 'delivered', receipt: 'R-1' }),
          expect.objectContaining({ destination: 'provincial', revision: 2, status: 'pending', sentRevision: 2, sendLeaseToken: 's' }),
        ]);
        expect(record.events).toEqual([
          expect.objectContaining({ type: 'accepted', at: t(1), correlationId: 'c1', revision: 1, detail: { lanes: ['municipal:upsert'] } }),
        ]);
        const items = await state.readRecordItems(ref);
        expect(items.map((i) => i.sk.replace(/#[0-9a-f]{8}$/, '#<id>'))).toEqual([
          'DEST#municipal',
          'DEST#provincial',
          `EVT#${t(1)}#<id>`,
          'META',
          'REV#0000000000000001',
          'REV#0000000000000002',
        ]);
        const revision = items.find((i) => i.sk === 'REV#0000000000000002')!;
        // the record compressed in a binary attribute that names its coding
        expect(unpackRecord(revision)).toBe(JSON.stringify(recordOf(ref, 2)));
        expect(revision['record']).toBeUndefined();
        expect(revision).toMatchObject({
          revision: 2,
          contentHash: 'h2',
          recordCoding: RECORD_CODING,
          acceptedAt: t(2),
        });
      });

      it('scanRevisions: every stored revision once, with its keys and record, over one segment or several', async () => {
        const refs = [commitmentRef(), commitmentRef(), commitmentRef()];
        for (const ref of refs) {
          await accept(ref, 1);
          await accept(ref, 2);
        }
        const pks = new Set(refs.map((ref) => `REC#commitment#${ref.source}#${ref.recordId}`));
        const mine = (pages: Array<{ revisions: Array<{ pk: string; sk: string; revision: number; record: string }> }>) =>
          pages
            .flatMap((p) => p.revisions)
            .filter((r) => pks.has(r.pk))
            .sort((a, b) => (a.pk + a.sk < b.pk + b.sk ? -1 : 1));
        const whole = await collect(state.scanRevisions());
        expect(mine(whole)).toHaveLength(6);
        expect(mine(whole).find((r) => r.pk.endsWith(refs[0]!.recordId) && r.revision === 2)).toEqual({
          pk: `REC#commitment#hrbxq-approval#${refs[0]!.recordId}`,
          sk: 'REV#0000000000000002',
          revision: 2,
          record: JSON.stringify(recordOf(refs[0]!, 2)),
        });
        expect(whole.reduce((n, p) => n + p.scanned, 0)).toBeGreaterThanOrEqual(9); // META and REV items are read
        const segments = await Promise.all([0, 1, 2].map((segment) => collect(state.scanRevisions({ segment, totalSegments: 3 }))));
        expect(mine(segments.flat())).toEqual(mine(whole));
      });

      it('scanRevisions stops when its signal is aborted', async () => {
        const controller = new AbortController();
        controller.abort(new Error('stopped'));
        await expect(collect(state.scanRevisions({ signal: controller.signal }))).rejects.toThrow('stopped');
      });
    });

    describe('destination outcomes', () => {
      it('move only forward: a late "failed" never overwrites "delivered" of the same or a newer revision', async () => {
        const ref = commitmentRef();
        const at = (minute: number) => `2026-03-02T01:${String(minute).padStart(2, '0')}:00.000Z`;
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 2, status: 'failed', now: at(1), error: 'HTTP 503', attempts: 1 })).toBe(
          true,
        );
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 2, status: 'delivered', now: at(2), receipt: 'P-778', attempts: 2 })).toBe(
          true,
        );
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 2, status: 'failed', now: at(3), error: 'timeout' })).toBe(false);
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 2, status: 'rejected', now: at(3), error: 'late' })).toBe(false);
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'delivered', now: at(4) })).toBe(false);
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'failed', now: at(4) })).toBe(false);
        expect(await state.getDestinationState(ref, 'provincial')).toEqual(
          expect.objectContaining({
            destination: 'provincial',
            revision: 2,
            status: 'delivered',
            receipt: 'P-778',
            attempts: 2,
            lastError: 'HTTP 503',
            updatedAt: at(2),
          }),
        );

        // within a revision the status rises: waiting or failed → rejected; pending → waiting
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'pending', now: at(5) })).toBe(true);
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'waiting', now: at(6), error: 'breach not delivered' })).toBe(
          true,
        );
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'pending', now: at(7) })).toBe(false);
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'failed', now: at(7) })).toBe(true);
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'rejected', now: at(8), error: 'bad code' })).toBe(true);
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'delivered', now: at(9) })).toBe(false);

        // a newer revision starts over
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 3, status: 'pending', now: at(5) })).toBe(true);
        expect((await state.readRecordState(ref)).destinations).toEqual([
          expect.objectContaining({ destination: 'municipal', revision: 1, status: 'rejected', lastError: 'bad code' }),
          expect.objectContaining({ destination: 'provincial', revision: 3, status: 'pending' }),
        ]);
        expect((await state.listDestinationStates(ref)).map((s) => [s.destination, s.revision, s.status])).toEqual([
          ['municipal', 1, 'rejected'],
          ['provincial', 3, 'pending'],
        ]);
      });

      it("an operator's redeliver reopens a final outcome of the same revision, never of a newer one", async () => {
        const ref = commitmentRef();
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 2, status: 'rejected', now: t(0), error: 'bad code table' })).toBe(true);
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 2, status: 'delivered', now: t(1) })).toBe(false);
        // only the holder of the send's claim reopens, only with a final outcome
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 2, status: 'delivered', now: t(2), reopen: true })).toBe(false);
        expect(await state.claimSend(ref, 'municipal', 2, { now: t(2), leaseUntil: t(30), token: 'operator' })).toEqual({ kind: 'claimed' });
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 2, status: 'failed', now: t(3), reopen: true, claimToken: 'operator' })).toBe(
          false,
        );
        expect(
          await state.recordDestinationOutcome(ref, 'municipal', {
            revision: 2,
            status: 'delivered',
            now: t(4),
            reopen: true,
            receipt: 'R-2',
            claimToken: 'someone-else',
          }),
        ).toBe(false);
        expect(
          await state.recordDestinationOutcome(ref, 'municipal', {
            revision: 2,
            status: 'delivered',
            now: t(5),
            reopen: true,
            receipt: 'R-2',
            claimToken: 'operator',
          }),
        ).toBe(true);
        expect(await state.claimSend(ref, 'municipal', 2, { now: t(6), leaseUntil: t(30), token: 'late' })).toEqual({ kind: 'claimed' });
        expect(await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'delivered', now: t(7), reopen: true, claimToken: 'late' })).toBe(
          false,
        );
        const [dest] = (await state.readRecordState(ref)).destinations;
        expect(dest).toMatchObject({
          revision: 2,
          status: 'delivered',
          receipt: 'R-2',
          gsi1pk: 'DEST#municipal#delivered',
          gsi1sk: `${t(5)}#REC#commitment#hrbxq-approval#${ref.recordId}`,
        });
      });

      it("an outcome with a claim token ends that claim, and is refused while another holder's claim is on the item", async () => {
        const ref = commitmentRef();
        await state.claimSend(ref, 'provincial', 1, { now: t(0), leaseUntil: t(30), token: 'holder' });
        expect(
          await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'failed', now: t(1), error: 'HTTP 503', claimToken: 'intruder' }),
        ).toBe(false);
        expect(
          await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'failed', now: t(1), error: 'HTTP 503', claimToken: 'holder' }),
        ).toBe(true);
        const item = await state.getDestinationState(ref, 'provincial');
        expect(item).toMatchObject({ revision: 1, status: 'failed', lastError: 'HTTP 503', sentRevision: 1 });
        for (const name of ['sendLeaseUntil', 'sendLeaseRevision', 'sendLeaseToken'])
          expect((item as unknown as Record<string, unknown>)[name]).toBeUndefined();
        // with no claim on the item, any token's outcome goes
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'delivered', now: t(2), claimToken: 'anyone' })).toBe(true);
      });

      it('a delivered publication replaces the earlier one whole', async () => {
        const ref = commitmentRef();
        await state.recordDestinationOutcome(ref, 'publicColumn', {
          revision: 1,
          status: 'delivered',
          now: t(1),
          publication: { published: true, until: '2029-03-01' },
        });
        await state.claimSend(ref, 'publicColumn', 1, { now: t(2), leaseUntil: t(30), token: 'u' });
        await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 1, status: 'failed', now: t(3), error: 'HTTP 503', claimToken: 'u' });
        await state.claimSend(ref, 'publicColumn', 2, { now: t(4), leaseUntil: t(30), token: 'v' });
        expect(
          await state.recordDestinationOutcome(ref, 'publicColumn', {
            revision: 2,
            status: 'delivered',
            now: t(5),
            claimToken: 'v',
            publication: { published: false },
          }),
        ).toBe(true);
        const item = (await state.getDestinationState(ref, 'publicColumn')) as unknown as Record<string, unknown>;
        expect(item).toMatchObject({ revision: 2, status: 'delivered', published: false });
        expect(item['publishedUntil']).toBeUndefined();
        expect(item['unpublishError']).toBeUndefined();
        // without a publication, an outcome leaves the publication state as it is
        await state.recordDestinationOutcome(ref, 'publicColumn', { revision: 3, status: 'failed', now: t(6) });
        expect(await state.getDestinationState(ref, 'publicColumn')).toMatchObject({ revision: 3, status: 'failed', published: false });
      });

      it('a record with no state at a destination has none', async () => {
        const ref = commitmentRef();
        expect(await state.getDestinationState(ref, 'provincial')).toBeUndefined();
        expect(await state.listDestinationStates(ref)).toEqual([]);
      });
    });

    describe('send claims: one revision in flight per record and destination, and never an older after a newer', () => {
      let ref: RecordRef;
      beforeEach(() => {
        ref = commitmentRef();
      });
      // each revision's sender holds its own token unless a test says otherwise
      const claim = (revision: number, now: number, until = now + 30, token = `sender-${revision}`) =>
        state.claimSend(ref, 'provincial', revision, { now: t(now), leaseUntil: t(until), token });

      it('a newer revision waits while an older one is in flight, then goes once its outcome is recorded', async () => {
        expect(await claim(1, 0)).toEqual({ kind: 'claimed' });
        expect(await claim(2, 1)).toEqual({ kind: 'busy', revision: 1, leaseUntil: t(30) });
        // its holder may claim again; a second copy of the same message (another token) waits
        expect(await claim(1, 2)).toEqual({ kind: 'claimed' });
        expect(await claim(1, 2, 32, 'copy-of-1')).toEqual({ kind: 'busy', revision: 1, leaseUntil: t(32) });
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'delivered', now: t(3), claimToken: 'sender-1' })).toBe(true);
        expect(await claim(2, 4)).toEqual({ kind: 'claimed' });
        const [dest] = (await state.readRecordState(ref)).destinations;
        expect(dest).toMatchObject({ sentRevision: 2, sendLeaseRevision: 2, revision: 1, status: 'delivered' });
      });

      it('an older revision is superseded once a newer one started, even after the newer one finished', async () => {
        expect(await claim(3, 0)).toEqual({ kind: 'claimed' });
        expect(await claim(2, 1)).toEqual({ kind: 'superseded', sentRevision: 3 });
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 3, status: 'delivered', now: t(1), claimToken: 'sender-3' })).toBe(true);
        expect(await claim(2, 2)).toEqual({ kind: 'superseded', sentRevision: 3 });
      });

      it('a lease that ran out (a crashed invocation) no longer blocks', async () => {
        expect(await claim(1, 0, 5)).toEqual({ kind: 'claimed' });
        expect(await claim(2, 4)).toMatchObject({ kind: 'busy' });
        expect(await claim(2, 6)).toEqual({ kind: 'claimed' });
      });

      it('the first outcome of a claimed record is recorded (the claim made the item without one)', async () => {
        expect(await claim(1, 0)).toEqual({ kind: 'claimed' });
        expect(
          await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'failed', now: t(1), error: 'HTTP 503', claimToken: 'sender-1' }),
        ).toBe(true);
        const [dest] = (await state.readRecordState(ref)).destinations;
        expect(dest).toMatchObject({ revision: 1, status: 'failed' });
        expect(dest!['sendLeaseUntil']).toBeUndefined();
      });

      it('an outcome or release frees only its own claim: a late sender cannot free a newer send in flight', async () => {
        expect(await claim(1, 0, 5)).toEqual({ kind: 'claimed' });
        // sender-1 hung past its lease; revision 2 claims and is in flight
        expect(await claim(2, 6)).toEqual({ kind: 'claimed' });
        expect(await state.recordDestinationOutcome(ref, 'provincial', { revision: 1, status: 'delivered', now: t(7), claimToken: 'sender-1' })).toBe(false);
        await state.releaseSend(ref, 'provincial', 'sender-1');
        expect(await claim(3, 8)).toEqual({ kind: 'busy', revision: 2, leaseUntil: t(36) });
        await state.releaseSend(ref, 'provincial', 'sender-2');
        expect(await claim(3, 9)).toEqual({ kind: 'claimed' });
      });

      it('two senders racing for one record: exactly one claims', async () => {
        const claims = await Promise.all([claim(1, 0, 30, 'a'), claim(1, 0, 30, 'b')]);
        expect(claims.filter((c) => c.kind === 'claimed')).toHaveLength(1);
        expect(claims.filter((c) => c.kind === 'busy')).toHaveLength(1);
      });
    });

    describe('ends of publication', () => {
      let ref: RecordRef;
      beforeEach(async () => {
        ref = commitmentRef();
        await state.recordDestinationOutcome(ref, 'publicColumn', {
          revision: 2,
          status: 'delivered',
          now: t(1),
          publication: { published: true, until: '2029-03-01' },
        });
      });

      it('the holder of the claim on that revision records the end; the revision stays delivered', async () => {
        await state.claimSend(ref, 'publicColumn', 2, { now: t(2), leaseUntil: t(30), token: 'sweep' });
        expect(
          await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 2, status: 'failed', now: t(3), error: 'HTTP 503', claimToken: 'sweep' }),
        ).toBe(true);
        expect(await state.getDestinationState(ref, 'publicColumn')).toMatchObject({
          revision: 2,
          status: 'delivered',
          published: true,
          unpublishError: 'failed: HTTP 503',
          updatedAt: t(3),
        });
        // the claim went with the outcome: a second one needs a claim again
        expect(await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 2, status: 'delivered', now: t(4), claimToken: 'sweep' })).toBe(false);
        await state.claimSend(ref, 'publicColumn', 2, { now: t(5), leaseUntil: t(30), token: 'sweep-2' });
        expect(
          await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 2, status: 'delivered', now: t(6), receipt: 'U-1', claimToken: 'sweep-2' }),
        ).toBe(true);
        const item = (await state.getDestinationState(ref, 'publicColumn')) as unknown as Record<string, unknown>;
        expect(item).toMatchObject({ revision: 2, status: 'delivered', published: false, publicationEndedAt: t(6), unpublishReceipt: 'U-1', updatedAt: t(6) });
        expect(item['unpublishError']).toBeUndefined();
        expect(item['sendLeaseToken']).toBeUndefined();
      });

      it('is refused without the claim, or for another revision; a refusal without a reason says so', async () => {
        expect(await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 2, status: 'delivered', now: t(2), claimToken: 'nobody' })).toBe(false);
        await state.claimSend(ref, 'publicColumn', 2, { now: t(2), leaseUntil: t(30), token: 'sweep' });
        expect(await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 1, status: 'delivered', now: t(3), claimToken: 'sweep' })).toBe(false);
        expect(await state.recordUnpublishOutcome(ref, 'publicColumn', { revision: 2, status: 'rejected', now: t(3), claimToken: 'sweep' })).toBe(true);
        expect(await state.getDestinationState(ref, 'publicColumn')).toMatchObject({ unpublishError: 'rejected: no reason given' });
        expect(await state.recordUnpublishOutcome(commitmentRef(), 'publicColumn', { revision: 2, status: 'delivered', now: t(3), claimToken: 'sweep' })).toBe(
          false,
        );
      });
    });

    describe("the operators' status listings", () => {
      it('list one destination and status, newest first (at most a limit) or oldest first from a time on, and count them', async () => {
        const destination = `lane-${fresh()}`;
        const refs = [commitmentRef(), commitmentRef(), commitmentRef()];
        for (const [i, ref] of refs.entries())
          await state.recordDestinationOutcome(ref, destination, { revision: 1, status: 'failed', now: t(10 + i), error: 'HTTP 500' });
        const other = commitmentRef();
        await state.recordDestinationOutcome(other, destination, { revision: 1, status: 'delivered', now: t(20) });
        await state.recordDestinationOutcome(commitmentRef(), `lane-${fresh()}`, { revision: 1, status: 'failed', now: t(21) });
        const pk = (ref: RecordRef) => `REC#commitment#hrbxq-approval#${ref.recordId}`;

        const failed = await state.listByDestinationStatus(destination, 'failed');
        expect(failed.map((f) => f.pk)).toEqual([refs[2]!, refs[1]!, refs[0]!].map(pk));
        expect(failed[0]).toMatchObject({ revision: 1, updatedAt: t(12), status: 'failed', destination, lastError: 'HTTP 500' });
        expect((await state.listByDestinationStatus(destination, 'failed', { limit: 2 })).map((f) => f.pk)).toEqual([refs[2]!, refs[1]!].map(pk));
        expect((await collect(state.streamByDestinationStatus(destination, 'failed'))).map((f) => f.pk)).toEqual(refs.map(pk));
        expect((await collect(state.streamByDestinationStatus(destination, 'failed', { since: t(11) }))).map((f) => f.pk)).toEqual(
          [refs[1]!, refs[2]!].map(pk),
        );
        expect(await state.countByDestinationStatus(destination, 'failed')).toBe(3);
        expect(await state.countByDestinationStatus(destination, 'delivered')).toBe(1);
        expect(await state.countByDestinationStatus(destination, 'rejected')).toBe(0);

        // a new outcome moves the state to its new status
        await state.recordDestinationOutcome(refs[0]!, destination, { revision: 1, status: 'delivered', now: t(30) });
        expect(await state.countByDestinationStatus(destination, 'failed')).toBe(2);
        expect((await state.listByDestinationStatus(destination, 'delivered')).map((f) => f.pk)).toEqual([refs[0]!, other].map(pk));
        // a claim alone is listed nowhere
        await state.claimSend(commitmentRef(), destination, 1, { now: t(31), leaseUntil: t(59), token: 'x' });
        for (const status of ['pending', 'waiting', 'failed', 'rejected', 'delivered'] as const)
          expect((await state.listByDestinationStatus(destination, status)).length).toBe(status === 'failed' ? 2 : status === 'delivered' ? 2 : 0);
      });
    });

    describe('history', () => {
      it('appends every event, more than one batch, to its record', async () => {
        const ref = commitmentRef();
        const other = commitmentRef();
        const events: HistoryEvent[] = Array.from({ length: 30 }, (_, i) => ({
          ref: i === 29 ? other : ref,
          type: 'failed',
          at: t(i),
          correlationId: `c${i}`,
          revision: 1,
          detail: { attempt: i },
        }));
        events.push({ ref, type: 'accepted', at: t(40), correlationId: 'plain' });
        await state.appendEvents(events);
        await state.appendEvents([]);
        const history = (await state.readRecordState(ref)).events;
        expect(history).toHaveLength(30);
        expect(history[3]).toMatchObject({ type: 'failed', at: t(3), correlationId: 'c3', revision: 1, detail: { attempt: 3 } });
        const plain = history.find((e) => e.correlationId === 'plain')!;
        expect(plain['revision']).toBeUndefined();
        expect(plain['detail']).toBeUndefined();
        expect((await state.readRecordState(other)).events).toEqual([expect.objectContaining({ type: 'failed', at: t(29) })]);
        // two events of one time are both kept
        await state.appendEvents([
          { ref, type: 'routed', at: t(50), correlationId: 'x' },
          { ref, type: 'routed', at: t(50), correlationId: 'y' },
        ]);
        expect((await state.readRecordState(ref)).events.filter((e) => e.at === t(50))).toHaveLength(2);
      });
    });

    describe('history kept in fewer items', () => {
      it('reads an accepted event that carries its routing as the two events', async () => {
        const ref = commitmentRef();
        await state.appendEvents([
          {
            ref,
            type: 'accepted',
            at: t(1),
            correlationId: 'c1',
            revision: 1,
            detail: { warnings: ['w'] },
            routed: { at: t(2), detail: { lanes: ['provincial:upsert'] } },
          },
        ]);
        expect(
          (await state.readRecordState(ref)).events.map(({ type, at, correlationId, revision, detail }) => ({ type, at, correlationId, revision, detail })),
        ).toEqual([
          { type: 'accepted', at: t(1), correlationId: 'c1', revision: 1, detail: { warnings: ['w'] } },
          { type: 'routed', at: t(2), correlationId: 'c1', revision: 1, detail: { lanes: ['provincial:upsert'] } },
        ]);
      });

      it("keeps an outcome's event in its destination state, written exactly when the outcome is, the one before moved to an item", async () => {
        const ref = commitmentRef();
        const delivered = (revision: number, minute: number, receipt: string) =>
          state.recordDestinationOutcome(ref, 'municipal', {
            revision,
            status: 'delivered',
            now: t(minute),
            receipt,
            event: { type: 'delivered', at: t(minute), correlationId: `c${revision}`, detail: { destination: 'municipal', receipt } },
          });
        expect(await delivered(1, 1, 'R1')).toBe(true);
        expect(await delivered(2, 3, 'R2')).toBe(true);
        // refused (an older revision): neither the outcome nor its event is written
        expect(await delivered(1, 4, 'R1-late')).toBe(false);
        await state.appendEvents([{ ref, type: 'failed', at: t(2), correlationId: 'c2', revision: 2, detail: { destination: 'municipal' } }]);
        const read = await state.readRecordState(ref);
        expect(read.events.map((e) => [e.type, e.at, e['revision'], e['correlationId'], e['detail']])).toEqual([
          ['delivered', t(1), 1, 'c1', { destination: 'municipal', receipt: 'R1' }],
          ['failed', t(2), 2, 'c2', { destination: 'municipal' }],
          ['delivered', t(3), 2, 'c2', { destination: 'municipal', receipt: 'R2' }],
        ]);
        // the state itself is the latest outcome, its last event not part of it
        expect(read.destinations).toEqual([expect.objectContaining({ destination: 'municipal', revision: 2, status: 'delivered', receipt: 'R2' })]);
        expect(read.destinations[0]).not.toHaveProperty('lastEvent');
        // one event in the destination state whatever the number of deliveries: the one it replaced is an item of its own
        const items = await state.readRecordItems(ref);
        expect(items.filter((i) => i.sk.startsWith('EVT#')).map((i) => [i['type'], i['revision']])).toEqual([
          ['delivered', 1],
          ['failed', 2],
        ]);
        expect(items.find((i) => i.sk === 'DEST#municipal')!['lastEvent']).toMatchObject({ type: 'delivered', revision: 2 });
      });
    });

    describe('reading for delivery', () => {
      it("reads each lane message's META, destination state and revision in one call, in the order asked", async () => {
        const refs = Array.from({ length: 40 }, () => commitmentRef());
        for (const ref of refs) await accept(ref, 1);
        await accept(refs[0]!, 2);
        await state.recordDestinationOutcome(refs[1]!, 'provincial', { revision: 1, status: 'delivered', now: t(5), receipt: 'P-1' });
        const unknown = commitmentRef();
        // 42 reads, 126 keys (more than one BatchGetItem), one key asked twice
        const reads = [
          ...refs.map((ref) => ({ ref, destination: 'provincial', revision: 1 })),
          { ref: refs[0]!, destination: 'provincial', revision: 2 },
          { ref: unknown, destination: 'provincial', revision: 1 },
        ];
        const views = await state.readForDelivery(reads);
        expect(views).toHaveLength(42);
        expect(views[0]).toEqual({
          meta: expect.objectContaining({ revision: 2 }),
          record: expect.objectContaining({ revision: 1, recordId: refs[0]!.recordId }),
        });
        expect(views[40]).toEqual({ meta: expect.objectContaining({ revision: 2 }), record: expect.objectContaining({ revision: 2 }) });
        expect(views[1]).toEqual({
          meta: expect.objectContaining({ revision: 1, routedTo: [] }),
          state: expect.objectContaining({ revision: 1, status: 'delivered', receipt: 'P-1' }),
          record: expect.objectContaining({ recordId: refs[1]!.recordId }),
        });
        views.slice(2, 40).forEach((view, i) => expect(view.record?.recordId).toBe(refs[i + 2]!.recordId));
        expect(views[41]).toEqual({});
        expect(await state.readForDelivery([])).toEqual([]);
      });

      it('reads the latest revision where none is named (a repair looking at its breach)', async () => {
        const [a, b] = [commitmentRef(), commitmentRef()];
        await accept(a, 1);
        await accept(a, 3);
        await accept(b, 2);
        await state.recordDestinationOutcome(b, 'municipal', { revision: 2, status: 'failed', now: t(9), error: 'HTTP 503' });
        const views = await state.readForDelivery([
          { ref: a, destination: 'municipal' },
          { ref: b, destination: 'municipal' },
          { ref: commitmentRef(), destination: 'municipal' },
          { ref: a, destination: 'municipal', revision: 1 },
        ]);
        expect(views.map((v) => [v.meta?.revision, v.record?.revision, v.state?.status])).toEqual([
          [3, 3, undefined],
          [2, 2, 'failed'],
          [undefined, undefined, undefined],
          [3, 1, undefined],
        ]);
      });
    });

    describe('quarantine', () => {
      const entryOn = (day: string, overrides: Partial<QuarantineEntry> = {}): QuarantineEntry => ({
        receivedAt: `${day}T01:00:05.000Z`,
        sentAt: `${day}T01:00:00.000Z`,
        messageId: 'm-1',
        reason: 'malformed',
        errors: [{ path: '', rule: 'json', message: 'malformed JSON at line 1, column 2: expected a value' }],
        body: '{,',
        correlationId: 'c-1',
        ...overrides,
      });

      it('keeps a message once however often it is redelivered, listable by the day it was sent, oldest first', async () => {
        const day = freshDay();
        const entry = entryOn(day);
        await state.quarantine(entry);
        await state.quarantine({ ...entry, receivedAt: `${day}T01:05:00.000Z`, body: 'changed' });
        await state.quarantine(
          entryOn(day, {
            sentAt: `${day}T00:30:00.000Z`,
            messageId: 'm-0',
            reason: 'invalid',
            source: 's',
            recordType: 'commitment',
            recordId: 'r',
            revision: 2,
          }),
        );
        await state.quarantine(entryOn(`${day.slice(0, 8)}${day.slice(8) === '01' ? '02' : '01'}`, { messageId: 'other-day' }));
        const items = await state.listQuarantine(day);
        expect(items).toEqual([
          {
            ...entryOn(day, {
              sentAt: `${day}T00:30:00.000Z`,
              messageId: 'm-0',
              reason: 'invalid',
              source: 's',
              recordType: 'commitment',
              recordId: 'r',
              revision: 2,
            }),
            status: 'open',
            bodyBytes: 2,
          },
          { ...entry, status: 'open', bodyBytes: 2 },
        ]);
        expect(await state.listQuarantine(day, { limit: 1 })).toEqual([expect.objectContaining({ messageId: 'm-0' })]);
        expect(await state.listQuarantine(freshDay())).toEqual([]);
      });

      it('stores a large body compressed and gives it back exactly; refuses one that does not fit even compressed', async () => {
        const day = freshDay();
        const body = JSON.stringify({ remarks: '备注'.repeat(60_000) });
        await state.quarantine(entryOn(day, { messageId: 'm-big', reason: 'tooLarge', body }));
        const [item] = await state.listQuarantine(day);
        expect(item?.body).toBe(body);
        expect(item?.bodyBytes).toBe(Buffer.byteLength(body));
        const noise = randomBytes(450 * 1024).toString('base64');
        await expect(state.quarantine(entryOn(day, { messageId: 'm-huge', body: noise }))).rejects.toBeInstanceOf(QuarantineBodyTooLargeError);
        expect(await state.listQuarantine(day)).toHaveLength(1);
        // the body kept elsewhere: the entry points to it
        await state.quarantine(entryOn(day, { messageId: 'm-huge', body: '', bodyHeldIn: 'intake-dlq:abc' }));
        expect((await state.listQuarantine(day))[1]).toMatchObject({ messageId: 'm-huge', body: '', bodyHeldIn: 'intake-dlq:abc', bodyBytes: 0 });
      });

      it('cuts long facts (keeping their length and hash) and keeps at most 40 errors', async () => {
        const day = freshDay();
        const source = 'S'.repeat(1000);
        const errors = Array.from({ length: 45 }, (_, i) => ({ path: `/p${i}${'x'.repeat(i === 0 ? 500 : 0)}`, rule: 'r', message: 'm' }));
        await state.quarantine(entryOn(day, { source, errors, messageId: 'long' }));
        const [item] = (await state.listQuarantine(day)) as unknown as Array<Record<string, unknown>>;
        expect(String(item!['source'])).toHaveLength(257);
        expect(item!['cutFields']).toEqual({ source: { chars: 1000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
        const kept = item!['errors'] as Array<{ path: string; rule: string; message: string }>;
        expect(kept).toHaveLength(41);
        expect(kept[0]!.path).toHaveLength(401);
        expect(kept[40]).toEqual({ path: '', rule: 'maxErrors', message: '5 more errors not kept' });
      });

      it('finds entries by a prefix of their key (an exact key first, at most a limit), and marks one released once', async () => {
        const day = freshDay();
        const sentAt = `${day}T02:00:00.000Z`;
        for (const messageId of ['abc', 'abcd', 'abce', 'xyz']) await state.quarantine(entryOn(day, { sentAt, messageId }));
        expect((await state.findQuarantined(day, `${sentAt}#abc`)).map((i) => i.messageId)).toEqual(['abc', 'abcd', 'abce']);
        expect((await state.findQuarantined(day, `${sentAt}#abc`, 2)).map((i) => i.messageId)).toEqual(['abc', 'abcd']);
        expect(await state.findQuarantined(day, `${sentAt}#nothing`)).toEqual([]);
        expect(await state.countOpenQuarantine(day)).toBe(4);

        const release = { releasedAt: t(1), releasedBy: 'ops@host', releasedMessageId: 'sent-1', auditId: 'audit-1' };
        expect(await state.markQuarantineReleased({ sentAt, messageId: 'abc' }, release)).toBe(true);
        expect(await state.markQuarantineReleased({ sentAt, messageId: 'abc' }, { ...release, auditId: 'audit-2' })).toBe(false);
        expect((await state.findQuarantined(day, `${sentAt}#abc`, 1))[0]).toMatchObject({ messageId: 'abc', status: 'released', ...release });
        expect(await state.countOpenQuarantine(day)).toBe(3);
        // forced: a second release is recorded, on an entry that exists only
        expect(await state.markQuarantineReleased({ sentAt, messageId: 'abc' }, { ...release, auditId: 'audit-3' }, { force: true })).toBe(true);
        expect((await state.findQuarantined(day, `${sentAt}#abc`, 1))[0]).toMatchObject({ auditId: 'audit-3' });
        expect(await state.markQuarantineReleased({ sentAt, messageId: 'gone' }, release, { force: true })).toBe(false);
        expect(await state.markQuarantineReleased({ sentAt, messageId: 'gone' }, release)).toBe(false);
        expect(await state.findQuarantined(day, `${sentAt}#gone`)).toEqual([]);
      });
    });

    describe('repairs waiting for their breach', () => {
      it('are registered under the breach (known or not), listed per destination, and removed unless a newer wait came since', async () => {
        const breach: RecordRef = { recordType: 'breach', source: 'hrbxq-enforcement', recordId: `SX-${fresh()}` };
        const repair = (id: string): RecordRef => ({ recordType: 'repair', source: 'hrbxq-enforcement', recordId: id });
        await state.registerRepairWait(breach, 'provincial', { repair: repair('R-1'), revision: 1, since: t(1) });
        await state.registerRepairWait(breach, 'provincial', { repair: repair('R-2'), revision: 1, since: t(2) });
        await state.registerRepairWait(breach, 'municipal', { repair: repair('R-1'), revision: 1, since: t(3) });
        expect(await state.listRepairWaits(breach, 'provincial')).toEqual([
          { repair: repair('R-1'), revision: 1, since: t(1) },
          { repair: repair('R-2'), revision: 1, since: t(2) },
        ]);
        const seen = await state.listRepairWaits(breach, 'provincial');
        // a newer revision of R-2 waits since the list was read: it stays
        await state.registerRepairWait(breach, 'provincial', { repair: repair('R-2'), revision: 2, since: t(4) });
        await state.removeRepairWaits(breach, 'provincial', seen);
        expect(await state.listRepairWaits(breach, 'provincial')).toEqual([{ repair: repair('R-2'), revision: 2, since: t(4) }]);
        expect(await state.listRepairWaits(breach, 'municipal')).toEqual([{ repair: repair('R-1'), revision: 1, since: t(3) }]);
        await state.removeRepairWaits(breach, 'municipal', [{ repair: repair('never'), revision: 1, since: t(0) }]);
        expect(await state.listRepairWaits(breach, 'municipal')).toHaveLength(1);
        // waits are no record state
        expect(await state.readRecordState(breach)).toEqual({ revisions: [], destinations: [], events: [] });
      });
    });

    describe('publication expiry schedule', () => {
      it('lists the entries of a month that ended before a day, oldest first, at most a limit; marks where the end was sent; removes', async () => {
        const month = freshDay().slice(0, 7);
        const [a, b, c] = [commitmentRef(), commitmentRef(), commitmentRef()];
        await state.scheduleExpiry(b, 2, `${month}-10`);
        await state.scheduleExpiry(a, 1, `${month}-03`);
        await state.scheduleExpiry(c, 1, `${month}-20`);
        expect(await state.listExpired(month, `${month}-15`, 10)).toEqual([
          { ref: a, revision: 1, until: `${month}-03`, enqueued: [] },
          { ref: b, revision: 2, until: `${month}-10`, enqueued: [] },
        ]);
        expect(await state.listExpired(month, `${month}-15`, 1)).toEqual([expect.objectContaining({ ref: a })]);
        expect(await state.listExpired(month, `${month}-03`, 10)).toEqual([]);

        await state.markExpiryEnqueued({ ref: a, until: `${month}-03` }, ['publicColumn'], t(1));
        await state.markExpiryEnqueued({ ref: a, until: `${month}-03` }, ['provincial', 'publicColumn'], t(2));
        await state.markExpiryEnqueued({ ref: b, until: `${month}-10` }, [], t(2));
        expect(await state.listExpired(month, `${month}-15`, 10)).toEqual([
          { ref: a, revision: 1, until: `${month}-03`, enqueued: ['provincial', 'publicColumn'] },
          { ref: b, revision: 2, until: `${month}-10`, enqueued: [] },
        ]);
        // a newer revision with the same last day replaces the entry whole
        await state.scheduleExpiry(a, 2, `${month}-03`);
        expect((await state.listExpired(month, `${month}-15`, 10))[0]).toEqual({ ref: a, revision: 2, until: `${month}-03`, enqueued: [] });
        await state.removeExpiry({ ref: a, until: `${month}-03` });
        await state.removeExpiry({ ref: a, until: `${month}-03` });
        expect((await state.listExpired(month, `${month}-31`, 10)).map((e) => e.ref)).toEqual([b, c]);
      });
    });

    describe("subjects' enforcement histories", () => {
      it('keep one entry per record, never replaced by an older revision', async () => {
        const subject = `digest-${fresh()}`;
        const breach: RecordRef = { recordType: 'breach', source: 'hrbxq-enforcement', recordId: 'SX-1' };
        const exemption: RecordRef = { recordType: 'nonPenalty', source: 'hrbxq-enforcement', recordId: 'NP-1' };
        await state.registerEnforcement(subject, {
          ref: breach,
          revision: 2,
          operation: 'upsert',
          decisionNumber: 'D-2',
          decisionDate: '2026-03-02',
          severity: 'serious',
        });
        await state.registerEnforcement(subject, {
          ref: breach,
          revision: 1,
          operation: 'upsert',
          decisionNumber: 'D-1',
          decisionDate: '2026-03-01',
          severity: 'general',
        });
        await state.registerEnforcement(subject, {
          ref: exemption,
          revision: 1,
          operation: 'upsert',
          decisionNumber: 'N-1',
          decisionDate: '2026-02-01',
          ground: '首违不罚',
        });
        expect(await state.listEnforcement(subject)).toEqual([
          { ref: breach, revision: 2, operation: 'upsert', decisionNumber: 'D-2', decisionDate: '2026-03-02', severity: 'serious' },
          { ref: exemption, revision: 1, operation: 'upsert', decisionNumber: 'N-1', decisionDate: '2026-02-01', ground: '首违不罚' },
        ]);
        await state.registerEnforcement(subject, { ref: breach, revision: 2, operation: 'withdraw', decisionNumber: 'D-2', decisionDate: '2026-03-02' });
        expect((await state.listEnforcement(subject))[0]).toEqual({
          ref: breach,
          revision: 2,
          operation: 'withdraw',
          decisionNumber: 'D-2',
          decisionDate: '2026-03-02',
        });
        expect(await state.listEnforcement(`digest-${fresh()}`)).toEqual([]);
      });
    });

    describe('credit profiles', () => {
      const breach = (): RecordRef => ({ recordType: 'breach', source: 'hrbxq-enforcement', recordId: `SX-${fresh()}` });
      const breachContribution = (ref: RecordRef, revision: number, extra: Partial<CreditContribution> = {}): CreditContribution => ({
        ref,
        revision,
        operation: 'upsert',
        role: 'subject',
        origin: 'district',
        fact: {
          kind: 'breach',
          severity: '一般',
          decisionNumber: `哈新罚〔2026〕${revision}号`,
          decisionDate: '2026-03-02',
          authority: '哈尔滨新区市场监督管理局',
          blackPoints: 5,
        },
        ...extra,
      });
      const put = (subjectDigest: string, ...contributions: CreditContribution[]): Promise<void> =>
        state.putCreditContributions(contributions.map((contribution): SubjectContribution => ({ subjectDigest, contribution })));

      it('keep one contribution per subject, role and record, read back exactly as written, by role then record', async () => {
        const subject = `digest-${fresh()}`;
        const sx = breach();
        const repairRef: RecordRef = { recordType: 'repair', source: 'hrbxq-enforcement', recordId: `XF-${fresh()}` };
        const asSubject = breachContribution(sx, 2);
        const asResponsible = breachContribution(sx, 2, {
          role: 'responsiblePerson',
          origin: 'province',
          company: { uscc: '91230109MA1BXXXX0X', name: '哈尔滨某某科技有限公司' },
          fact: { ...(breachContribution(sx, 2).fact as Extract<CreditContribution['fact'], { kind: 'breach' }>), brokenCommitmentCode: 'CN-1' },
        });
        const repair: CreditContribution = {
          ref: repairRef,
          revision: 1,
          operation: 'upsert',
          role: 'subject',
          origin: 'district',
          fact: { kind: 'repair', breach: sx, outcome: '同意', decisionDate: '2026-04-01' },
        };
        const commitment: CreditContribution = {
          ref: commitmentRef(),
          revision: 4,
          operation: 'withdraw',
          role: 'subject',
          origin: 'district',
          fact: {
            kind: 'commitment',
            commitmentCode: 'CN-9',
            commitmentDate: '2026-01-05',
            commitmentType: '证明事项告知承诺',
            acceptingUnit: '哈尔滨新区行政审批局',
            deadline: '2026-03-05',
          },
        };
        const other = `digest-${fresh()}`;
        await state.putCreditContributions([
          { subjectDigest: subject, contribution: repair },
          { subjectDigest: subject, contribution: asSubject },
          { subjectDigest: other, contribution: breachContribution(breach(), 1) },
          { subjectDigest: subject, contribution: asResponsible },
          { subjectDigest: subject, contribution: commitment },
        ]);
        expect(await state.getCreditContributions(subject)).toEqual([asResponsible, asSubject, commitment, repair]);
        expect(await state.getCreditContributions(other)).toHaveLength(1);
        expect(await state.getCreditContributions(`digest-${fresh()}`)).toEqual([]);
        await state.putCreditContributions([]);
      });

      it('an older revision never replaces a newer one, in any order and within one write; the same revision may be written again', async () => {
        const subject = `digest-${fresh()}`;
        const sx = breach();
        await put(subject, breachContribution(sx, 3));
        await put(subject, breachContribution(sx, 2, { operation: 'withdraw' }));
        expect(await state.getCreditContributions(subject)).toEqual([breachContribution(sx, 3)]);
        // a retry of the same revision is harmless (and may be the same revision withdrawn)
        await put(subject, breachContribution(sx, 3));
        expect(await state.getCreditContributions(subject)).toEqual([breachContribution(sx, 3)]);
        await put(subject, breachContribution(sx, 3, { operation: 'withdraw' }));
        expect(await state.getCreditContributions(subject)).toEqual([breachContribution(sx, 3, { operation: 'withdraw' })]);
        // both revisions in one write, the newer first or last: the newer stays
        const [a, b] = [breach(), breach()];
        await put(subject, breachContribution(a, 5), breachContribution(a, 4), breachContribution(b, 1), breachContribution(b, 2));
        const stored = await state.getCreditContributions(subject);
        expect(stored.filter((c) => c.ref.recordId === a.recordId)).toEqual([breachContribution(a, 5)]);
        expect(stored.filter((c) => c.ref.recordId === b.recordId)).toEqual([breachContribution(b, 2)]);
      });

      it("are not the subject's enforcement history, which shares the partition: neither reads the other's items", async () => {
        const subject = `digest-${fresh()}`;
        const sx = breach();
        await state.registerEnforcement(subject, { ref: sx, revision: 1, operation: 'upsert', decisionNumber: 'D-1', decisionDate: '2026-03-02' });
        expect(await state.getCreditContributions(subject)).toEqual([]);
        await put(subject, breachContribution(sx, 1));
        expect(await state.getCreditContributions(subject)).toEqual([breachContribution(sx, 1)]);
        expect(await state.listEnforcement(subject)).toEqual([
          { ref: sx, revision: 1, operation: 'upsert', decisionNumber: 'D-1', decisionDate: '2026-03-02' },
        ]);
      });
    });

    describe('the licensing-item list', () => {
      const itemRef = (): RecordRef => ({ recordType: 'licensingItem', source: 'hrbxq-approval', recordId: `LI-${fresh()}` });
      const entry = (itemCode: string, ref: RecordRef, revision: number, extra: Partial<LicensingItemEntry> = {}): LicensingItemEntry => ({
        itemCode,
        ref,
        revision,
        operation: 'upsert',
        itemName: '食品经营许可（仅销售预包装食品）',
        department: '哈尔滨新区行政审批局',
        departmentUscc: '11230100MB1XXXXXXX',
        commitmentTimeLimitDays: 30 + revision,
        allowedCommitmentTypes: ['证明事项告知承诺', '涉企经营许可事项告知承诺'],
        validFrom: '2026-01-01',
        validTo: '2026-12-31',
        ...extra,
      });

      it('keeps an item under its code, exactly as written; an older revision is stale; the same or a newer one is stored', async () => {
        const code = `ITEM-${fresh()}`;
        const ref = itemRef();
        expect(await state.getLicensingItem(code)).toBeUndefined();
        expect(await state.putLicensingItem(entry(code, ref, 2))).toBe('stored');
        expect(await state.getLicensingItem(code)).toEqual(entry(code, ref, 2));
        expect(await state.putLicensingItem(entry(code, ref, 2))).toBe('stored');
        expect(await state.putLicensingItem(entry(code, ref, 1, { itemName: 'older' }))).toBe('stale');
        expect(await state.getLicensingItem(code)).toEqual(entry(code, ref, 2));
        // the list's order is kept (a list, not a set), and an empty list stays one
        const newer = entry(code, ref, 3, { allowedCommitmentTypes: ['涉企经营许可事项告知承诺', '证明事项告知承诺'] });
        expect(await state.putLicensingItem(newer)).toBe('stored');
        expect(await state.getLicensingItem(code)).toEqual(newer);
        const withdrawn = entry(code, ref, 4, { operation: 'withdraw', allowedCommitmentTypes: [] });
        expect(await state.putLicensingItem(withdrawn)).toBe('stored');
        expect(await state.getLicensingItem(code)).toEqual(withdrawn);
      });

      it("refuses another record's code, whatever its revision (codeTaken), and tells it from a stale revision", async () => {
        const code = `ITEM-${fresh()}`;
        const [holder, other] = [itemRef(), itemRef()];
        expect(await state.putLicensingItem(entry(code, holder, 2))).toBe('stored');
        expect(await state.putLicensingItem(entry(code, other, 1))).toBe('codeTaken');
        expect(await state.putLicensingItem(entry(code, other, 2))).toBe('codeTaken');
        expect(await state.putLicensingItem(entry(code, other, 9))).toBe('codeTaken');
        expect(await state.putLicensingItem(entry(code, holder, 1))).toBe('stale');
        expect(await state.getLicensingItem(code)).toEqual(entry(code, holder, 2));
        // the other record may hold another code
        const otherCode = `ITEM-${fresh()}`;
        expect(await state.putLicensingItem(entry(otherCode, other, 9))).toBe('stored');
        expect(await state.getLicensingItem(otherCode)).toEqual(entry(otherCode, other, 9));
      });
    });

    describe('commitment deadlines', () => {
      /** A month of its own, and a day of it. */
      const monthDays = () => {
        const month = freshDay().slice(0, 7);
        return (day: number) => `${month}-${String(day).padStart(2, '0')}`;
      };
      const due = (commitmentCode: string, revision: number, deadline: string, extra: Partial<CommitmentDue> = {}): CommitmentDue => ({
        commitmentCode,
        ref: { recordType: 'commitment', source: 'hrbxq-approval', recordId: `R-${commitmentCode}` },
        revision,
        deadline,
        commitmentDate: '2026-01-05',
        department: '哈尔滨新区行政审批局',
        itemCode: 'ITEM-1',
        ...extra,
      });
      const verification = (commitmentCode: string, id: string, withdrawn = false): CommitmentVerified => ({
        commitmentCode,
        ref: { recordType: 'verification', source: 'hrbxq-approval', recordId: `V-${id}` },
        verificationDate: '2026-02-01',
        result: '全部履行',
        withdrawn,
      });
      /** The overdue commitments among `codes`, as listed (the index holds every test's). */
      const overdue = async (today: string, ...codes: string[]) => (await state.listOverdueCommitments(today)).filter((d) => codes.includes(d.commitmentCode));
      const codes = (n: number) => Array.from({ length: n }, () => `CN-${fresh()}`);

      it('an open commitment is overdue from the day after its deadline, earliest deadline first; the count and the limit agree with the list', async () => {
        const day = monthDays();
        const [a, b, c] = codes(3);
        await state.trackCommitmentDue(due(a!, 1, day(10)));
        await state.trackCommitmentDue(due(b!, 1, day(5), { itemCode: undefined, withdrawn: false }));
        await state.trackCommitmentDue(due(c!, 1, day(20)));
        expect(await overdue(day(5), a!, b!, c!)).toEqual([]);
        expect(await overdue(day(10), a!, b!, c!)).toEqual([due(b!, 1, day(5), { itemCode: undefined, withdrawn: false })]);
        expect(await overdue(day(11), a!, b!, c!)).toEqual([due(b!, 1, day(5), { itemCode: undefined, withdrawn: false }), due(a!, 1, day(10))]);
        expect((await overdue(day(28), a!, b!, c!)).map((d) => d.commitmentCode)).toEqual([b, a, c]);
        const all = await state.listOverdueCommitments(day(28));
        expect(await state.countOverdueCommitments(day(28))).toBe(all.length);
        expect(await state.listOverdueCommitments(day(28), { limit: 2 })).toEqual(all.slice(0, 2));
        expect(await state.countOverdueCommitments(day(11))).toBe((await state.listOverdueCommitments(day(11))).length);
      });

      it('a verification takes a commitment off the list; a withdrawn verification brings it back, unless another still counts', async () => {
        const day = monthDays();
        const [code] = codes(1);
        await state.trackCommitmentDue(due(code!, 1, day(5)));
        expect(await overdue(day(10), code!)).toEqual([due(code!, 1, day(5))]);
        await state.recordCommitmentVerified(verification(code!, 'one'));
        expect(await overdue(day(10), code!)).toEqual([]);
        await state.recordCommitmentVerified(verification(code!, 'two'));
        await state.recordCommitmentVerified(verification(code!, 'one', true));
        expect(await overdue(day(10), code!)).toEqual([]); // 'two' still counts
        await state.recordCommitmentVerified(verification(code!, 'two', true));
        expect(await overdue(day(10), code!)).toEqual([due(code!, 1, day(5))]);
        await state.recordCommitmentVerified(verification(code!, 'two', true)); // again: nothing changes
        expect(await overdue(day(10), code!)).toEqual([due(code!, 1, day(5))]);
        await state.recordCommitmentVerified(verification(code!, 'one'));
        expect(await overdue(day(10), code!)).toEqual([]);
        expect(await state.countOverdueCommitments(day(10))).toBe((await state.listOverdueCommitments(day(10))).length);
      });

      it('a commitment tracked after its verification is never listed; one whose only verification was withdrawn first is', async () => {
        const day = monthDays();
        const [verified, taken] = codes(2);
        await state.recordCommitmentVerified(verification(verified!, 'v'));
        await state.trackCommitmentDue(due(verified!, 1, day(5)));
        await state.trackCommitmentDue(due(verified!, 2, day(6)));
        expect(await overdue(day(10), verified!)).toEqual([]);
        // taking the verification back opens it, at its latest deadline
        await state.recordCommitmentVerified(verification(verified!, 'v', true));
        expect(await overdue(day(10), verified!)).toEqual([due(verified!, 2, day(6))]);

        await state.recordCommitmentVerified(verification(taken!, 'w', true));
        await state.trackCommitmentDue(due(taken!, 1, day(5)));
        expect(await overdue(day(10), taken!)).toEqual([due(taken!, 1, day(5))]);
      });

      it('a withdrawn commitment is not listed, a newer revision replaces it whole (deadline included), a stale revision changes nothing', async () => {
        const day = monthDays();
        const [code, verified] = codes(2);
        await state.trackCommitmentDue(due(code!, 1, day(5)));
        await state.trackCommitmentDue(due(code!, 2, day(5), { withdrawn: true }));
        expect(await overdue(day(10), code!)).toEqual([]);
        await state.trackCommitmentDue(due(code!, 1, day(5))); // stale
        expect(await overdue(day(10), code!)).toEqual([]);
        // a withdrawn verification does not reopen a withdrawn commitment
        await state.recordCommitmentVerified(verification(code!, 'x', true));
        expect(await overdue(day(10), code!)).toEqual([]);

        await state.trackCommitmentDue(due(code!, 3, day(8), { itemCode: undefined }));
        expect(await overdue(day(10), code!)).toEqual([due(code!, 3, day(8), { itemCode: undefined })]);
        await state.trackCommitmentDue(due(code!, 2, day(1), { department: 'stale' }));
        await state.trackCommitmentDue(due(code!, 3, day(8), { itemCode: undefined })); // the same revision again: listed once
        expect(await overdue(day(10), code!)).toEqual([due(code!, 3, day(8), { itemCode: undefined })]);
        // a later deadline moves it in the index
        await state.trackCommitmentDue(due(code!, 4, day(15), { withdrawn: false }));
        expect(await overdue(day(10), code!)).toEqual([]);
        expect(await overdue(day(16), code!)).toEqual([due(code!, 4, day(15), { withdrawn: false })]);

        // verified, then a stale revision of its commitment: still off the list
        await state.trackCommitmentDue(due(verified!, 2, day(5)));
        await state.recordCommitmentVerified(verification(verified!, 'v'));
        await state.trackCommitmentDue(due(verified!, 1, day(5)));
        await state.trackCommitmentDue(due(verified!, 2, day(5)));
        expect(await overdue(day(10), verified!)).toEqual([]);
        expect(await state.countOverdueCommitments(day(16))).toBe((await state.listOverdueCommitments(day(16))).length);
      });
    });

    describe('the credit check log', () => {
      const check = (id: string, at: string, extra: Partial<CreditCheckEntry> = {}): CreditCheckEntry => ({
        id,
        at,
        upstream: 'hrbxq-approval',
        subject: { category: 'naturalPerson', code: '2301**********1234', digest: 'digest-x' },
        eligibility: 'eligibleWithConditions',
        rules: ['black.band.警示', 'commitment.overdue'],
        blackPoints: 12,
        redPoints: 2,
        ...extra,
      });

      it('keeps each check once, by month, newest first, at most a limit', async () => {
        const month = freshDay().slice(0, 7);
        const next = freshDay().slice(0, 7);
        const first = check(fresh(), `${month}-02T01:00:00.000Z`, { requestId: 'req-1' });
        const second = check(fresh(), `${month}-09T01:00:00.000Z`, {
          subject: { category: 'organisation', code: '91230109MA1BXXXX0X', digest: 'digest-y' },
          eligibility: 'eligible',
          rules: [],
          blackPoints: 0,
          redPoints: 0,
        });
        const third = check(fresh(), `${month}-15T01:00:00.000Z`, { eligibility: 'notEligible' });
        const elsewhere = check(fresh(), `${next}-01T00:00:00.000Z`);
        for (const entry of [second, elsewhere, third, first]) await state.recordCreditCheck(entry);
        expect(await state.listCreditChecks(month)).toEqual([third, second, first]);
        expect(await state.listCreditChecks(month, { limit: 2 })).toEqual([third, second]);
        expect(await state.listCreditChecks(next)).toEqual([elsewhere]);
        // a second write of a check (a retry) changes nothing
        await state.recordCreditCheck({ ...first, eligibility: 'notEligible' });
        expect(await state.listCreditChecks(month)).toEqual([third, second, first]);
        expect(await state.listCreditChecks(freshDay().slice(0, 7))).toEqual([]);
      });
    });

    describe('cursors', () => {
      it('advance only from the version read, so two overlapping runs cannot both move one', async () => {
        const name = `feed-${fresh()}`;
        expect(await state.getCursor(name)).toBeUndefined();
        expect(await state.saveCursor(name, 'page-1', 0, '2026-03-02T00:00:00Z')).toBe(true);
        expect(await state.saveCursor(name, 'page-1-again', 0, '2026-03-02T00:00:01Z')).toBe(false);
        const cursor = await state.getCursor(name);
        expect(cursor).toEqual({ value: 'page-1', version: 1, updatedAt: '2026-03-02T00:00:00Z' });
        expect(await state.saveCursor(name, 'page-2', cursor!.version, '2026-03-02T00:01:00Z')).toBe(true);
        expect(await state.saveCursor(name, 'stale', cursor!.version, '2026-03-02T00:01:01Z')).toBe(false);
        expect(await state.saveCursor(name, 'ahead', 7, '2026-03-02T00:01:01Z')).toBe(false);
        expect(await state.getCursor(name)).toEqual({ value: 'page-2', version: 2, updatedAt: '2026-03-02T00:01:00Z' });
        expect(await state.saveCursor(`feed-${fresh()}`, 'never-created', 1, '2026-03-02T00:01:01Z')).toBe(false);
      });
    });

    describe("the operators' audit trail", () => {
      it('keeps each entry from start to end, listed by month, newest first, from a time on', async () => {
        const month = freshDay().slice(0, 7);
        const entry = (id: string, startedAt: string): AuditEntry => ({
          id,
          action: 'replay',
          by: 'ops@host',
          startedAt,
          status: 'running',
          target: 'local runtime',
          request: { lane: 'municipal', filter: {} },
          counts: {},
        });
        const first = entry(fresh(), `${month}-02T01:00:00.000Z`);
        const second = entry(fresh(), `${month}-05T01:00:00.000Z`);
        const third = { ...entry(fresh(), `${month}-09T01:00:00.000Z`), action: 'resync' as const };
        for (const e of [second, first, third]) await state.createAuditEntry(e);
        await state.completeAuditEntry(first, { status: 'completed', finishedAt: `${month}-02T01:05:00.000Z`, counts: { moved: 3 } });
        await state.completeAuditEntry(second, { status: 'failed', finishedAt: `${month}-05T01:05:00.000Z`, counts: { moved: 0 }, error: 'queue gone' });
        expect(await collect(state.listAuditEntries(month, `${month}-01T00:00:00.000Z`))).toEqual([
          third,
          { ...second, status: 'failed', finishedAt: `${month}-05T01:05:00.000Z`, counts: { moved: 0 }, error: 'queue gone' },
          { ...first, status: 'completed', finishedAt: `${month}-02T01:05:00.000Z`, counts: { moved: 3 } },
        ]);
        expect((await collect(state.listAuditEntries(month, `${month}-05T00:00:00.000Z`))).map((e) => e.id)).toEqual([third.id, second.id]);
        expect(await collect(state.listAuditEntries(freshDay().slice(0, 7), '2000-01-01'))).toEqual([]);
      });
    });

    describe('ingest nonces and throttle counters', () => {
      it('a nonce is claimed once per app key: the second claim is a replay', async () => {
        const appKey = `app-${fresh()}`;
        const now = Date.parse('2026-03-02T01:00:00Z');
        expect(await state.claimNonce(appKey, 'n-1', now)).toBe(true);
        expect(await state.claimNonce(appKey, 'n-1', now + 1000)).toBe(false);
        expect(await state.claimNonce(appKey, 'n-2', now)).toBe(true);
        expect(await state.claimNonce(`app-${fresh()}`, 'n-1', now)).toBe(true);
        const [first, second] = await Promise.all([state.claimNonce(appKey, 'n-3', now), state.claimNonce(appKey, 'n-3', now)]);
        expect([first, second].sort()).toEqual([false, true]);
      });

      it('counts requests per upstream in fixed one-minute windows', async () => {
        const upstream = `up-${fresh()}`;
        const minute = Date.parse('2026-03-02T01:00:00Z');
        expect(await state.throttleRequest(upstream, 2, minute + 1_000)).toEqual({ allowed: true });
        expect(await state.throttleRequest(upstream, 2, minute + 2_000)).toEqual({ allowed: true });
        expect(await state.throttleRequest(upstream, 2, minute + 20_500)).toEqual({ allowed: false, retryAfterSeconds: 40 });
        expect(await state.throttleRequest(upstream, 2, minute + 59_900)).toEqual({ allowed: false, retryAfterSeconds: 1 });
        expect(await state.throttleRequest(`up-${fresh()}`, 2, minute + 3_000)).toEqual({ allowed: true });
        // the next minute starts over
        expect(await state.throttleRequest(upstream, 2, minute + 60_000)).toEqual({ allowed: true });
      });
    });
  });
}
