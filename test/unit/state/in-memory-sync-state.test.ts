/** The in-memory SyncState (unit tests' and benchmarks' state) keeps the contract the DynamoDB one keeps. */
import { compareKeys, inMemorySyncState } from '../../support/in-memory-sync-state.js';
import { syncStateContract } from '../../support/sync-state-contract.js';

syncStateContract('in memory', () => inMemorySyncState());

describe('the in-memory state', () => {
  it('sorts keys as DynamoDB does: by UTF-8 bytes (code points), not UTF-16 code units', () => {
    // U+FF21 (one unit, 0xFF21) sorts before U+1F600 (a surrogate pair, 0xD83D…) by code point, after it by code unit
    expect(compareKeys('\uFF21', '\u{1F600}')).toBeLessThan(0);
    expect(compareKeys('a', 'b')).toBeLessThan(0);
    expect(compareKeys('ab', 'a')).toBeGreaterThan(0);
    expect(compareKeys('x', 'x')).toBe(0);
  });

  it('snapshot and restore put the state back', async () => {
    const state = inMemorySyncState();
    const ref = { recordType: 'commitment' as const, source: 's', recordId: 'r' };
    await state.saveCursor('c', 'one', 0, 'now');
    const snapshot = state.snapshot();
    await state.saveCursor('c', 'two', 1, 'now');
    await state.appendEvents([{ ref, type: 'accepted', at: 'now', correlationId: 'c' }]);
    state.restore(snapshot);
    expect(await state.getCursor('c')).toMatchObject({ value: 'one', version: 1 });
    expect(state.items()).toHaveLength(1);
  });

  it('hands out copies: changing what it returned changes nothing stored', async () => {
    const state = inMemorySyncState();
    const ref = { recordType: 'commitment' as const, source: 's', recordId: 'r' };
    await state.recordDestinationOutcome(ref, 'municipal', { revision: 1, status: 'failed', now: 'now', error: 'e' });
    const read = (await state.getDestinationState(ref, 'municipal'))!;
    read.status = 'delivered';
    expect((await state.getDestinationState(ref, 'municipal'))?.status).toBe('failed');
  });
});
