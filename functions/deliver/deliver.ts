/**
 * The deliver function of one lane: takes the lane's messages (pointers to accepted revisions),
 * delivers each revision to the destination through its adapter, and records the outcome.
 *
 *  1. resolve each message (resolve.ts): skip it (ack) when a newer revision exists (superseded)
 *     or this one is already delivered or rejected here (duplicate); otherwise read the revision's record;
 *  2. build the destination's requests (send.ts; the adapter batches where its contract allows), then for
 *     each: wait for the lane's rate limit, sign, send with a timeout and read per-record results;
 *     401/403 refresh the credentials once; 408/429/5xx/network are transient; a circuit breaker
 *     stops calling an endpoint that keeps failing for the rest of the invocation;
 *  3. record every outcome (forward-only) and its history event; transient failures get a longer
 *     visibility timeout (exponential backoff with jitter, or the endpoint's Retry-After) and are
 *     reported as batch item failures — after maxReceiveCount they land in the lane's DLQ, with
 *     the last error kept in the state.
 *
 * A repair waits until its breach is delivered at this destination (breach-gate.ts: it is held,
 * visible as `waiting`, and sent on the moment the breach's delivery is recorded here). A send to a
 * destination that publishes the record type states the publication on the day it is sent; the
 * expiry sweep's `unpublish` ends it there, the record staying shared.
 */
import type { EvidenceOutbox } from '../shared/evidence/outbox.js';
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import type { DestinationId, Direction, LaneSettings, Route } from '../../topology/topology.js';
import type { HistoryEvent, SyncState } from '../shared/state/sync-state.js';
import { describeError } from '../shared/errors.js';
import type { Credentials } from '../shared/signing/credentials.js';
import { backoffSeconds, receiveCount } from './retry-policy.js';
import type { Adapter, RecordOutcome } from './adapters/types.js';
import type { StructuredLogger } from '../shared/logger.js';
import type { MetricName } from '../../topology/names.js';
import { gateRepairs, wakeRepairs } from './breach-gate.js';
import { resolveAll, type Pending } from './resolve.js';
import { send } from './send.js';

export { DEFAULT_REPAIR_WAIT_SECONDS } from './breach-gate.js';
export { deliveryOf, idempotencyKey } from './resolve.js';
export { scrubReason } from './send.js';

export interface DeliverConfig {
  tableName: string;
  destination: DestinationId;
  /** Base URL of the destination's endpoint (no trailing slash). */
  endpointUrl: string;
  /** The lane's queue, for visibility changes. */
  queueUrl: string;
  lane: Pick<LaneSettings, 'rateLimitPerSecond' | 'sendTimeoutSeconds' | 'maxConcurrency'> & Partial<Pick<LaneSettings, 'maxInFlight'>>;
  /** Consecutive transient request failures that open the circuit for the invocation (default 3). */
  breakerThreshold?: number;
  /** Backoff of transient failures: base and cap in seconds (default 10 s, 900 s). */
  backoff?: { baseSeconds: number; maxSeconds: number };
  /** Seconds a repair waiting for its breach stays invisible between looks (default 3600). */
  repairWaitSeconds?: number;
  /** The routing rules: which record types this destination publishes (default the topology's). */
  routes?: Readonly<Record<Direction, readonly Route[]>>;
}

export interface CredentialsSource {
  get(): Promise<Credentials>;
  refresh(): Promise<Credentials>;
}

/** What the lane counts: delivered, rejected, transient failures, auth failures, request latency. */
export interface DeliverMetrics {
  count(name: Exclude<MetricName<'deliver'>, 'EndpointLatency'>, value: number): void;
  latency(milliseconds: number): void;
}

/** What deliver asks of the sync state (its composition root binds exactly these: least privilege). */
export type DeliverState = Pick<
  SyncState,
  | 'readForDelivery'
  | 'claimSend'
  | 'releaseSend'
  | 'recordDestinationOutcome'
  | 'recordUnpublishOutcome'
  | 'appendEvents'
  | 'registerRepairWait'
  | 'listRepairWaits'
  | 'removeRepairWaits'
>;

export interface DeliverDeps {
  state: DeliverState;
  sqs: SQSClient;
  adapter: Adapter;
  credentials: CredentialsSource;
  config: DeliverConfig;
  logger: StructuredLogger;
  metrics?: DeliverMetrics;
  fetch?: typeof fetch;
  now?: () => Date;
  /** [0, 1): jitter. */
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  /** Milliseconds the invocation has left (Lambda's context): how long a send claim holds. */
  remainingMs?: () => number;
  /** The calendar day publication is stated for (YYYY-MM-DD): default the Beijing date of `now`. */
  today?: () => string;
  /** A new outbox per invocation: where each request's evidence entry goes, flushed before any outcome is recorded. */
  evidence?: () => EvidenceOutbox;
}

/** A send claim's lease without an invocation deadline: every request of a batch timing out. */
function defaultLeaseMs(config: DeliverConfig): number {
  return (config.lane.sendTimeoutSeconds * 6 + 10) * 1000;
}

export type DeliverOutcome = 'delivered' | 'rejected' | 'superseded' | 'duplicate' | 'failed';

export interface DeliverResult {
  batchItemFailures: Array<{ itemIdentifier: string }>;
  outcomes: Map<string, DeliverOutcome>;
}

const noMetrics: DeliverMetrics = { count: () => {}, latency: () => {} };

/**
 * What the steps of a batch record as they go: by message id, the outcome and the seconds a failed
 * message stays invisible (undefined: the backoff); the history events; the metrics and the clock.
 */
export interface BatchRecord {
  outcomes: Map<string, DeliverOutcome>;
  events: HistoryEvent[];
  retryAfter: Map<string, number | undefined>;
  metrics: DeliverMetrics;
  now: () => string;
}

export async function processDeliverBatch(messages: readonly SQSRecord[], deps: DeliverDeps): Promise<DeliverResult> {
  const store = deps.state;
  const metrics = deps.metrics ?? noMetrics;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const outcomes = new Map<string, DeliverOutcome>();
  const events: HistoryEvent[] = [];
  const retryAfter = new Map<string, number | undefined>();
  const batch: BatchRecord = { outcomes, events, retryAfter, metrics, now };

  // 1. resolve
  const pending = await resolveAll(messages, deps, batch);

  // 2. a repair follows its breach: it waits until the breach is delivered here
  const ready = await gateRepairs(pending, deps, batch);

  // 3. claim: sends of one record to this destination go one at a time, revisions only forward
  const leaseEnds = Date.now() + (deps.remainingMs?.() ?? defaultLeaseMs(deps.config));
  const leaseUntil = new Date(leaseEnds).toISOString();
  const token = randomUUID();
  const claimed: Pending[] = [];
  await Promise.all(
    ready.map(async (p) => {
      try {
        const claim = await store.claimSend(p.ref, p.lane.destination, p.lane.revision, { now: now(), leaseUntil, token });
        if (claim.kind === 'claimed') claimed.push(p);
        else if (claim.kind === 'superseded') {
          events.push({
            ref: p.ref,
            type: 'superseded',
            at: now(),
            correlationId: p.lane.correlationId,
            revision: p.lane.revision,
            detail: { destination: p.lane.destination, sentRevision: claim.sentRevision },
          });
          outcomes.set(p.message.messageId, 'superseded');
          metrics.count('Superseded', 1);
        } else {
          // another revision is on its way: come back once its lease has ended
          outcomes.set(p.message.messageId, 'failed');
          retryAfter.set(p.message.messageId, Math.max(1, Math.ceil((Date.parse(claim.leaseUntil) - Date.now()) / 1000)));
        }
      } catch (err) {
        deps.logger.error('could not claim the send; the message will be retried', { messageId: p.message.messageId, error: describeError(err) });
        outcomes.set(p.message.messageId, 'failed');
      }
    }),
  );

  // 4. send (no request starts once the claims' lease has run out)
  const outbox = deps.evidence?.();
  const results = await send(sendingOrder(messages, claimed), deps, metrics, leaseEnds, outbox);
  // no outcome is recorded before the evidence of the requests behind it is on the evidence queue:
  // a failure here fails the batch, and its records are sent again (the same idempotency keys)
  await outbox?.flush();

  // 5. record
  const woken: Pending[] = [];
  await Promise.all(
    claimed.map(async (p) => {
      const result = results.get(p.delivery.idempotencyKey) ?? {
        key: p.delivery.idempotencyKey,
        outcome: 'transient' as const,
        reason: 'no result for this record',
      };
      const at = now();
      const base = { ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision };
      try {
        if (p.delivery.action === 'unpublish') {
          await recordUnpublish(store, p, result, at, token, events, metrics);
          outcomes.set(p.message.messageId, result.outcome === 'transient' ? 'failed' : result.outcome);
          if (result.outcome === 'transient') retryAfter.set(p.message.messageId, result.retryAfterSeconds);
        } else if (result.outcome === 'delivered') {
          // the history event is written with the outcome, in its destination state; a newer
          // revision's outcome already recorded (false) leaves both unwritten
          const recorded = await store.recordDestinationOutcome(p.ref, p.lane.destination, {
            revision: p.lane.revision,
            status: 'delivered',
            now: at,
            attempts: p.attempts,
            correlationId: p.lane.correlationId,
            claimToken: token,
            reopen: p.lane.redeliver !== undefined,
            ...(result.receipt && { receipt: result.receipt }),
            ...(p.delivery.publication && { publication: p.delivery.publication }),
            event: {
              type: 'delivered',
              at,
              correlationId: p.lane.correlationId,
              detail: {
                destination: p.lane.destination,
                action: p.delivery.action,
                ...(p.delivery.publication && { published: p.delivery.publication.published }),
                ...(result.receipt && { receipt: result.receipt }),
                ...(result.duplicate && { duplicate: true }),
                ...(p.lane.redeliver && { redeliveredFor: p.lane.redeliver.requestedBy }),
              },
            },
          });
          outcomes.set(p.message.messageId, 'delivered');
          if (!recorded) return;
          metrics.count('Delivered', 1);
          if (p.lane.recordType === 'breach' && p.delivery.action === 'upsert') woken.push(p);
        } else if (result.outcome === 'rejected') {
          await store.recordDestinationOutcome(p.ref, p.lane.destination, {
            revision: p.lane.revision,
            status: 'rejected',
            now: at,
            attempts: p.attempts,
            error: result.reason,
            correlationId: p.lane.correlationId,
            claimToken: token,
            reopen: p.lane.redeliver !== undefined,
          });
          events.push({ ...base, type: 'rejected', detail: { destination: p.lane.destination, reason: result.reason } });
          outcomes.set(p.message.messageId, 'rejected');
          metrics.count('Rejected', 1);
          deps.logger.warn('record rejected by the destination', {
            messageId: p.message.messageId,
            correlationId: p.lane.correlationId,
            ...p.ref,
            revision: p.lane.revision,
            reason: result.reason,
          });
        } else if (result.unsent) {
          // not sent at all: the state keeps the last real error; the claim goes, the message comes back later
          await store.releaseSend(p.ref, p.lane.destination, token);
          outcomes.set(p.message.messageId, 'failed');
          retryAfter.set(p.message.messageId, result.retryAfterSeconds);
        } else {
          await store.recordDestinationOutcome(p.ref, p.lane.destination, {
            revision: p.lane.revision,
            status: 'failed',
            now: at,
            attempts: p.attempts,
            error: result.reason,
            correlationId: p.lane.correlationId,
            claimToken: token,
          });
          events.push({ ...base, type: 'failed', detail: { destination: p.lane.destination, reason: result.reason, attempt: p.attempts } });
          outcomes.set(p.message.messageId, 'failed');
          retryAfter.set(p.message.messageId, result.retryAfterSeconds);
          metrics.count('TransientFailures', 1);
        }
      } catch (err) {
        deps.logger.error('could not record the delivery outcome; the message will be retried', { messageId: p.message.messageId, error: describeError(err) });
        outcomes.set(p.message.messageId, 'failed');
      }
    }),
  );

  // 6. repairs that waited here for a breach just delivered go now
  await wakeRepairs(store, woken, deps, now());

  try {
    await store.appendEvents(events);
  } catch (err) {
    deps.logger.error('history events could not be written', { count: events.length, error: describeError(err) });
  }

  // transient failures come back later: exponential backoff with jitter, or the endpoint's Retry-After
  const failed = messages.filter((m) => outcomes.get(m.messageId) === 'failed');
  for (let i = 0; i < failed.length; i += 10) {
    const chunk = failed.slice(i, i + 10);
    try {
      const result = await deps.sqs.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: deps.config.queueUrl,
          Entries: chunk.map((m, index) => ({
            Id: String(index),
            ReceiptHandle: m.receiptHandle,
            VisibilityTimeout: backoffSeconds(receiveCount(m), retryAfter.get(m.messageId), deps),
          })),
        }),
      );
      // an entry that failed keeps the queue's own visibility timeout: a sooner retry, nothing lost
      if (result.Failed?.length) deps.logger.warn('could not extend the visibility of some messages', { count: result.Failed.length });
    } catch (err) {
      deps.logger.warn('could not extend the message visibility', { count: chunk.length, error: describeError(err) });
    }
  }
  return { batchItemFailures: failed.map((m) => ({ itemIdentifier: m.messageId })), outcomes };
}

/**
 * The order the claimed deliveries are sent in: records not yet tried here first — when the circuit
 * opens at a failing endpoint the rest of the batch is not sent, and without this the same records
 * would be the ones never tried, receive after receive — then in the order of their messages. A
 * record's deliveries keep their messages' order whatever (requests carrying one record go in the
 * order built, send.ts), and the claims came back in any order.
 */
export function sendingOrder(messages: readonly SQSRecord[], claimed: readonly Pending[]): Pending[] {
  const index = new Map(messages.map((m, i) => [m.messageId, i]));
  const recordOf = (p: Pending) => `${p.ref.recordType}\n${p.ref.source}\n${p.ref.recordId}`;
  const tried = new Map<string, boolean>();
  for (const p of claimed) tried.set(recordOf(p), (tried.get(recordOf(p)) ?? true) && p.failedHere === true);
  const rank = (p: Pending) => (tried.get(recordOf(p)) ? 1 : 0);
  return [...claimed].sort((a, b) => rank(a) - rank(b) || index.get(a.message.messageId)! - index.get(b.message.messageId)!);
}

/** Records the outcome of an end of publication; its history event; the metric. */
async function recordUnpublish(
  store: DeliverState,
  p: Pending,
  result: RecordOutcome,
  at: string,
  token: string,
  events: HistoryEvent[],
  metrics: DeliverMetrics,
): Promise<void> {
  const base = { ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision };
  const destination = p.lane.destination;
  if (result.outcome === 'delivered') {
    if (
      await store.recordUnpublishOutcome(p.ref, destination, {
        revision: p.lane.revision,
        status: 'delivered',
        now: at,
        claimToken: token,
        ...(result.receipt && { receipt: result.receipt }),
      })
    ) {
      events.push({ ...base, type: 'delivered', detail: { destination, action: 'unpublish', ...(result.duplicate && { duplicate: true }) } });
      metrics.count('PublicationsEnded', 1);
    }
    return;
  }
  if (result.outcome === 'transient' && result.unsent) {
    await store.releaseSend(p.ref, destination, token);
    return;
  }
  await store.recordUnpublishOutcome(p.ref, destination, {
    revision: p.lane.revision,
    status: result.outcome === 'rejected' ? 'rejected' : 'failed',
    now: at,
    claimToken: token,
    error: result.reason,
  });
  events.push({
    ...base,
    type: result.outcome === 'rejected' ? 'rejected' : 'failed',
    detail: { destination, action: 'unpublish', reason: result.reason, ...(result.outcome === 'transient' && { attempt: p.attempts }) },
  });
  metrics.count(result.outcome === 'rejected' ? 'Rejected' : 'TransientFailures', 1);
}
