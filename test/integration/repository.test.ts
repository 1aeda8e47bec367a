/** The sync-state repository's guards on a real DynamoDB server (AWS's DynamoDB Local). */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  claimSend,
  getCursor,
  releaseSend,
  listByDestinationStatus,
  listQuarantine,
  quarantine,
  readRecordState,
  recordDestinationOutcome,
  saveCursor,
  type StateStore,
} from '../../functions/shared/state/repository.js';
import { freshTable, testServers } from './servers.js';

let store: StateStore;
const ref = { recordType: 'commitment' as const, source: 'hrbxq-approval', recordId: 'CN-1' };

beforeEach(async () => {
  store = { ddb: DynamoDBDocumentClient.from(testServers().ddb), tableName: await freshTable('repository') };
});

describe("an operator's redeliver reopens a final outcome of the same revision, never of a newer one", () => {
  const t = (second: number) => `2026-03-02T02:00:${String(second).padStart(2, '0')}.000Z`;

  it('without reopen a final outcome stays; the claimed send of the same revision records a final outcome again; a failure or an older revision never', async () => {
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'rejected', now: t(0), error: 'bad code table' })).toBe(true);
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'delivered', now: t(1) })).toBe(false);
    // only the holder of the send's claim reopens, only with a final outcome
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'delivered', now: t(2), reopen: true })).toBe(false);
    expect(await claimSend(store, ref, 'municipal', 2, { now: t(2), leaseUntil: t(30), token: 'operator' })).toEqual({ kind: 'claimed' });
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'failed', now: t(3), reopen: true, claimToken: 'operator' })).toBe(false);
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'delivered', now: t(4), reopen: true, receipt: 'R-2', claimToken: 'someone-else' })).toBe(false);
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 2, status: 'delivered', now: t(5), reopen: true, receipt: 'R-2', claimToken: 'operator' })).toBe(true);
    expect(await claimSend(store, ref, 'municipal', 2, { now: t(6), leaseUntil: t(30), token: 'late' })).toEqual({ kind: 'claimed' });
    expect(await recordDestinationOutcome(store, ref, 'municipal', { revision: 1, status: 'delivered', now: t(7), reopen: true, claimToken: 'late' })).toBe(false);
    const [dest] = (await readRecordState(store, ref)).destinations;
    expect(dest).toMatchObject({ revision: 2, status: 'delivered', receipt: 'R-2', gsi1pk: 'DEST#municipal#delivered' });
  });
});

describe('send claims: one revision in flight per record and destination, and never an older after a newer', () => {
  const t = (second: number) => `2026-03-02T01:00:${String(second).padStart(2, '0')}.000Z`;
  // each revision's sender holds its own token unless a test says otherwise
  const claim = (revision: number, now: number, until = now + 30, token = `sender-${revision}`) => claimSend(store, ref, 'provincial', revision, { now: t(now), leaseUntil: t(until), token });

  it('a newer revision waits while an older one is in flight, then goes once its outcome is recorded', async () => {
    expect(await claim(1, 0)).toEqual({ kind: 'claimed' });
    expect(await claim(2, 1)).toEqual({ kind: 'busy', revision: 1, leaseUntil: t(30) });
    // its holder may claim again; a second copy of the same message (another token) waits
    expect(await claim(1, 2)).toEqual({ kind: 'claimed' });
    expect(await claim(1, 2, 32, 'copy-of-1')).toEqual({ kind: 'busy', revision: 1, leaseUntil: t(32) });
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 1, status: 'delivered', now: t(3), claimToken: 'sender-1' })).toBe(true);
    expect(await claim(2, 4)).toEqual({ kind: 'claimed' });
    const [dest] = (await readRecordState(store, ref)).destinations;
    expect(dest).toMatchObject({ sentRevision: 2, sendLeaseRevision: 2, revision: 1, status: 'delivered' });
  });

  it('an older revision is superseded once a newer one started, even after the newer one finished', async () => {
    expect(await claim(3, 0)).toEqual({ kind: 'claimed' });
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 3, status: 'delivered', now: t(1), claimToken: 'sender-3' })).toBe(true);
    expect(await claim(2, 2)).toEqual({ kind: 'superseded', sentRevision: 3 });
  });

  it('a lease that ran out (a crashed invocation) no longer blocks', async () => {
    expect(await claim(1, 0, 5)).toEqual({ kind: 'claimed' });
    expect(await claim(2, 4)).toMatchObject({ kind: 'busy' });
    expect(await claim(2, 6)).toEqual({ kind: 'claimed' });
  });

  it('the first outcome of a claimed record is recorded (the claim made the item without one)', async () => {
    expect(await claim(1, 0)).toEqual({ kind: 'claimed' });
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 1, status: 'failed', now: t(1), error: 'HTTP 503', claimToken: 'sender-1' })).toBe(true);
    const [dest] = (await readRecordState(store, ref)).destinations;
    expect(dest).toMatchObject({ revision: 1, status: 'failed' });
    expect(dest!['sendLeaseUntil']).toBeUndefined();
  });

  it("an outcome or release frees only its own claim: a late sender cannot free a newer send in flight", async () => {
    expect(await claim(1, 0, 5)).toEqual({ kind: 'claimed' });
    // sender-1 hung past its lease; revision 2 claims and is in flight
    expect(await claim(2, 6)).toEqual({ kind: 'claimed' });
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 1, status: 'delivered', now: t(7), claimToken: 'sender-1' })).toBe(false);
    await releaseSend(store, ref, 'provincial', 'sender-1');
    expect(await claim(3, 8)).toEqual({ kind: 'busy', revision: 2, leaseUntil: t(36) });
    await releaseSend(store, ref, 'provincial', 'sender-2');
    expect(await claim(3, 9)).toEqual({ kind: 'claimed' });
  });
});

describe('destination outcomes', () => {
  const at = (minute: number) => `2026-03-02T01:${String(minute).padStart(2, '0')}:00.000Z`;

  it('move only forward: a late "failed" never overwrites "delivered" of the same or a newer revision', async () => {
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 2, status: 'failed', now: at(1), error: 'HTTP 503', attempts: 1 })).toBe(true);
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 2, status: 'delivered', now: at(2), receipt: 'P-778', attempts: 2 })).toBe(true);
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 2, status: 'failed', now: at(3), error: 'timeout' })).toBe(false);
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 1, status: 'delivered', now: at(4) })).toBe(false);
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 1, status: 'failed', now: at(4) })).toBe(false);
    const [dest] = (await readRecordState(store, ref)).destinations;
    expect(dest).toEqual(expect.objectContaining({ revision: 2, status: 'delivered', receipt: 'P-778', attempts: 2, lastError: 'HTTP 503' }));

    // a newer revision starts over
    expect(await recordDestinationOutcome(store, ref, 'provincial', { revision: 3, status: 'pending', now: at(5) })).toBe(true);
    expect((await readRecordState(store, ref)).destinations[0]).toEqual(expect.objectContaining({ revision: 3, status: 'pending' }));
  });

  it('are listed per destination and status, newest first, through the GSI', async () => {
    for (const [i, recordId] of ['A', 'B', 'C'].entries()) {
      await recordDestinationOutcome(store, { ...ref, recordId }, 'municipal', { revision: 1, status: 'failed', now: at(10 + i), error: 'HTTP 500' });
    }
    await recordDestinationOutcome(store, { ...ref, recordId: 'D' }, 'municipal', { revision: 1, status: 'delivered', now: at(20) });
    await recordDestinationOutcome(store, { ...ref, recordId: 'E' }, 'provincial', { revision: 1, status: 'failed', now: at(21) });

    const failed = await listByDestinationStatus(store, 'municipal', 'failed');
    expect(failed.map((f) => f.pk)).toEqual(['C', 'B', 'A'].map((id) => `REC#commitment#hrbxq-approval#${id}`));
    expect(await listByDestinationStatus(store, 'municipal', 'failed', { limit: 2 })).toHaveLength(2);
  });
});

describe('pull cursors', () => {
  it('advance only from the version read, so two overlapping pulls cannot both move one', async () => {
    expect(await getCursor(store, 'hlj-credit-platform')).toBeUndefined();
    expect(await saveCursor(store, 'hlj-credit-platform', 'page-1', 0, '2026-03-02T00:00:00Z')).toBe(true);
    expect(await saveCursor(store, 'hlj-credit-platform', 'page-1-again', 0, '2026-03-02T00:00:01Z')).toBe(false);
    const cursor = await getCursor(store, 'hlj-credit-platform');
    expect(cursor).toEqual({ value: 'page-1', version: 1, updatedAt: '2026-03-02T00:00:00Z' });
    expect(await saveCursor(store, 'hlj-credit-platform', 'page-2', cursor!.version, '2026-03-02T00:01:00Z')).toBe(true);
    expect(await saveCursor(store, 'hlj-credit-platform', 'stale', cursor!.version, '2026-03-02T00:01:01Z')).toBe(false);
    expect((await getCursor(store, 'hlj-credit-platform'))?.value).toBe('page-2');
  });
});

describe('quarantine', () => {
  const entry = {
    receivedAt: '2026-03-02T01:00:05.000Z',
    sentAt: '2026-03-02T01:00:00.000Z',
    messageId: 'm-1',
    reason: 'malformed' as const,
    errors: [{ path: '', rule: 'json', message: 'malformed JSON at line 1, column 2: expected a value' }],
    body: '{,',
    correlationId: 'c-1',
  };

  it('keeps a message once however often it is redelivered, listable by the day it was sent', async () => {
    await quarantine(store, entry);
    await quarantine(store, { ...entry, receivedAt: '2026-03-02T01:05:00.000Z' });
    const items = await listQuarantine(store, '2026-03-02');
    expect(items).toEqual([expect.objectContaining({ messageId: 'm-1', reason: 'malformed', body: '{,', receivedAt: entry.receivedAt, status: 'open' })]);
  });

  it('stores a large body compressed and gives it back exactly', async () => {
    const body = JSON.stringify({ remarks: '备注'.repeat(60_000) });
    await quarantine(store, { ...entry, messageId: 'm-big', reason: 'tooLarge', body });
    const [item] = await listQuarantine(store, '2026-03-02');
    expect(item?.body).toBe(body);
    expect(item?.bodyBytes).toBe(Buffer.byteLength(body));
  });
});
