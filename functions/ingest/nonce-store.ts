/**
 * Replay protection shared by every instance of the ingest function: the nonces live in the sync
 * state (SyncState.claimNonce; in DynamoDB, items that expire through the table's TTL).
 *
 * verifyRequest (shared/signing/sign.ts) takes a synchronous NonceStore; a shared store needs a
 * network call, so the ingest function verifies with a pass-through store that only records the
 * nonce it is asked about (passThroughNonces) and claims that nonce in the sync state after the
 * signature and timestamp checked out — a request that fails authentication never writes anything.
 */
import type { NonceStore } from '../shared/signing/sign.js';

/** A NonceStore for verifyRequest that accepts every nonce and remembers the one it saw. */
export function passThroughNonces(): NonceStore & { last?: { appKey: string; nonce: string } } {
  const store: NonceStore & { last?: { appKey: string; nonce: string } } = {
    seen(appKey, nonce) {
      store.last = { appKey, nonce };
      return false;
    },
  };
  return store;
}
