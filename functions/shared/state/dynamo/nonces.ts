/**
 * Replay protection and throttling shared by every instance of the ingest function, in the table:
 * NONCE#<appKey>#<nonce> and THROTTLE#<upstream>#<minute> items that expire through the table's
 * TTL attribute (TTL_ATTRIBUTE, epoch seconds).
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { TTL_ATTRIBUTE } from '../../../../topology/table.js';
import { NONCE_SK, THROTTLE_SK, nonceKey, throttleKey } from '../keys.js';
import type { ThrottleResult } from '../types.js';
import { NO_ITEM, isConditionalCheckFailed, type DynamoTable } from './table.js';

/** Nonces kept 600 s by default (docs/endpoints.md), twice the ±300 s timestamp window. */
export const DEFAULT_NONCE_TTL_SECONDS = 600;

/** Records `nonce` for `appKey`; false when it was already recorded (a replay). */
export async function claimNonce(table: DynamoTable, appKey: string, nonce: string, nowMs: number, ttlSeconds = DEFAULT_NONCE_TTL_SECONDS): Promise<boolean> {
  try {
    await table.ddb.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: nonceKey(appKey, nonce), sk: NONCE_SK, seenAt: new Date(nowMs).toISOString(), [TTL_ATTRIBUTE]: Math.ceil(nowMs / 1000) + ttlSeconds },
        // an item past its expiry that TTL has not yet deleted still blocks: it can only be
        // replayed with a timestamp already outside the window, which fails first anyway
        ConditionExpression: NO_ITEM,
      }),
    );
    return true;
  } catch (err) {
    if (isConditionalCheckFailed(err)) return false;
    throw err;
  }
}

/** A fixed one-minute window per upstream: one atomic ADD per request. */
export async function throttleRequest(table: DynamoTable, upstreamId: string, limit: number, nowMs: number): Promise<ThrottleResult> {
  const minute = Math.floor(nowMs / 60_000);
  const result = await table.ddb.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key: { pk: throttleKey(upstreamId, minute), sk: THROTTLE_SK },
      UpdateExpression: 'ADD #count :one SET #expires = if_not_exists(#expires, :expires)',
      ExpressionAttributeNames: { '#count': 'requests', '#expires': TTL_ATTRIBUTE },
      ExpressionAttributeValues: { ':one': 1, ':expires': (minute + 2) * 60 },
      ReturnValues: 'UPDATED_NEW',
    }),
  );
  const count = Number(result.Attributes?.['requests'] ?? 0);
  if (count <= limit) return { allowed: true };
  return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
}
