/**
 * Replay protection and throttling shared by every instance of the ingest function, kept in the
 * sync-state table (items expire through the table's TTL attribute, TTL_ATTRIBUTE, epoch seconds).
 *
 * verifyRequest (shared/signing/sign.ts) takes a synchronous NonceStore; a shared store needs a
 * network call, so the ingest function verifies with a pass-through store that only records the
 * nonce it is asked about (passThroughNonces) and claims that nonce here after the signature and
 * timestamp checked out — a request that fails authentication never writes anything.
 */
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MemoryNonceStore, type NonceStore } from '../shared/signing/sign.js';
import { isConditionalCheckFailed } from '../shared/state/repository.js';
import { TTL_ATTRIBUTE } from '../../topology/table.js';

/** A nonce store whose check may be asynchronous. */
export interface AsyncNonceStore {
  /** Records `nonce` for `appKey`; false when it was already recorded (a replay). */
  claim(appKey: string, nonce: string, nowMs: number): Promise<boolean>;
}

export const nonceKey = (appKey: string, nonce: string): string => `NONCE#${appKey}#${nonce}`;
export const NONCE_SK = 'NONCE';

/** Nonces kept 600 s by default (docs/endpoints.md), twice the ±300 s timestamp window. */
export class DynamoNonceStore implements AsyncNonceStore {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly ttlSeconds = 600,
  ) {}

  async claim(appKey: string, nonce: string, nowMs: number): Promise<boolean> {
    try {
      await this.ddb.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { pk: nonceKey(appKey, nonce), sk: NONCE_SK, seenAt: new Date(nowMs).toISOString(), [TTL_ATTRIBUTE]: Math.ceil(nowMs / 1000) + this.ttlSeconds },
          // an item past its expiry that TTL has not yet deleted still blocks: it can only be
          // replayed with a timestamp already outside the window, which fails first anyway
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
      return true;
    } catch (err) {
      if (isConditionalCheckFailed(err)) return false;
      throw err;
    }
  }
}

/** An in-process AsyncNonceStore (tests, single-instance local runs). */
export function memoryNonces(ttlSeconds = 600): AsyncNonceStore {
  const store = new MemoryNonceStore(ttlSeconds);
  return { claim: async (appKey, nonce, nowMs) => !store.seen(appKey, nonce, nowMs) };
}

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

/** Per-upstream request counting. */
export interface Throttle {
  /** Counts one request; `allowed` false with the seconds until the window ends when over `limit`. */
  take(upstreamId: string, limit: number, nowMs: number): Promise<{ allowed: true } | { allowed: false; retryAfterSeconds: number }>;
}

export const throttleKey = (upstreamId: string, minute: number): string => `THROTTLE#${upstreamId}#${minute}`;

/** A fixed one-minute window per upstream: one atomic ADD per request. */
export class DynamoThrottle implements Throttle {
  constructor(
    private readonly ddb: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async take(upstreamId: string, limit: number, nowMs: number) {
    const minute = Math.floor(nowMs / 60_000);
    const result = await this.ddb.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: { pk: throttleKey(upstreamId, minute), sk: 'THROTTLE' },
        UpdateExpression: 'ADD #count :one SET #expires = if_not_exists(#expires, :expires)',
        ExpressionAttributeNames: { '#count': 'requests', '#expires': TTL_ATTRIBUTE },
        ExpressionAttributeValues: { ':one': 1, ':expires': (minute + 2) * 60 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const count = Number(result.Attributes?.['requests'] ?? 0);
    if (count <= limit) return { allowed: true as const };
    return { allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
  }
}

/** An in-process Throttle with the same fixed windows (tests). */
export function memoryThrottle(): Throttle {
  const counts = new Map<string, number>();
  return {
    async take(upstreamId, limit, nowMs) {
      const minute = Math.floor(nowMs / 60_000);
      const key = throttleKey(upstreamId, minute);
      const count = (counts.get(key) ?? 0) + 1;
      counts.set(key, count);
      if (count <= limit) return { allowed: true as const };
      return { allowed: false as const, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
    },
  };
}
