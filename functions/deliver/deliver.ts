/**
 * The deliver function of one lane: takes the lane's messages (pointers to accepted revisions),
 * delivers each revision to the destination through its adapter, and records the outcome.
 *
 *  1. resolve each message: skip it (ack) when a newer revision exists (superseded) or this one is
 *     already delivered or rejected here (duplicate); otherwise read the revision's record;
 *  2. build the destination's requests (the adapter batches where its contract allows), then for
 *     each: wait for the lane's rate limit, sign, send with a timeout and read per-record results;
 *     401/403 refresh the credentials once; 408/429/5xx/network are transient; a circuit breaker
 *     stops calling an endpoint that keeps failing for the rest of the invocation;
 *  3. record every outcome (forward-only) and its history event; transient failures get a longer
 *     visibility timeout (exponential backoff with jitter, or the endpoint's Retry-After) and are
 *     reported as batch item failures — after maxReceiveCount they land in the lane's DLQ, with
 *     the last error kept in the state.
 *
 * A repair waits until its breach is delivered at this destination (it is held, visible as
 * `waiting`, and sent on the moment the breach's delivery is recorded here). A send to a
 * destination that publishes the record type states the publication on the day it is sent; the
 * expiry sweep's `unpublish` ends it there, the record staying shared.
 */
import { ChangeMessageVisibilityBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { randomBytes, randomUUID } from 'node:crypto';
import { publicationRole, routes as defaultRoutes, type DestinationId, type Direction, type LaneSettings, type Route } from '../../topology/topology.js';
import { outgoingLaneMessage, type LaneMessage } from '../shared/queue/lane-message.js';
import { sendBatch } from '../shared/queue/send-batch.js';
import { breachRefOf, repairMismatches } from '../shared/records/cross-record.js';
import { beijingDate } from '../shared/records/dates.js';
import { publicationOf, publishedOn } from '../shared/records/publication.js';
import { CONTRACT_VERSION, type CreditRecord } from '../shared/records/types.js';
import type { RecordRef } from '../shared/state/keys.js';
import type { HistoryEvent, SyncState } from '../shared/state/sync-state.js';
import { describeError } from '../shared/errors.js';
import { maskIdNumbersIn } from '../shared/records/identifiers.js';
import type { Credentials } from '../shared/signing/credentials.js';
import { signRequest } from '../shared/signing/sign.js';
import { CircuitBreaker, backoffSeconds, classifyResponse, isAuthFailure, receiveCount } from './retry-policy.js';
import { AdapterConfigurationError, UNPUBLISH_KEY_SUFFIX, type Adapter, type Delivery, type EndpointResponse, type RecordOutcome, type WireRequest } from './adapters/types.js';
import type { StructuredLogger } from '../shared/logger.js';
import type { MetricName } from '../../topology/names.js';

/** Backoff of transient failures unless configured: 10 s doubling per receive, at most 15 minutes. */

/**
 * How long a repair waiting for its breach stays invisible before it looks again, unless
 * configured: an hour. It is sent on at once when the breach is delivered; after the lane's
 * maxReceiveCount looks (about 6 hours at 6) without the breach it lands in the lane's DLQ, with
 * the reason in its state (docs/routing.md).
 */
export const DEFAULT_REPAIR_WAIT_SECONDS = 3600;

export interface DeliverConfig {
  tableName: string;
  destination: DestinationId;
  /** Base URL of the destination's endpoint (no trailing slash). */
  endpointUrl: string;
  /** The lane's queue, for visibility changes. */
  queueUrl: string;
  lane: Pick<LaneSettings, 'rateLimitPerSecond' | 'sendTimeoutSeconds' | 'maxConcurrency'>;
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

/** What deliver asks of the sync state. */
export type DeliverState = Pick<
  SyncState,
  | 'getMeta'
  | 'getRevision'
  | 'getLatestRecord'
  | 'getDestinationState'
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

interface Pending {
  message: SQSRecord;
  lane: LaneMessage;
  ref: RecordRef;
  delivery: Delivery;
  attempts: number;
}

const noMetrics: DeliverMetrics = { count: () => {}, latency: () => {} };

/** The idempotency key of a send: the revision's, and for an end of publication its own (UNPUBLISH_KEY_SUFFIX). */
export function idempotencyKey(lane: Pick<LaneMessage, 'recordType' | 'source' | 'recordId' | 'revision' | 'destination'> & { action?: LaneMessage['action'] }): string {
  const key = `${lane.recordType}:${lane.source}:${lane.recordId}:${lane.revision}:${lane.destination}`;
  return lane.action === 'unpublish' ? `${key}${UNPUBLISH_KEY_SUFFIX}` : key;
}

export async function processDeliverBatch(messages: readonly SQSRecord[], deps: DeliverDeps): Promise<DeliverResult> {
  const store = deps.state;
  const metrics = deps.metrics ?? noMetrics;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const outcomes = new Map<string, DeliverOutcome>();
  const events: HistoryEvent[] = [];
  const retryAfter = new Map<string, number | undefined>();

  // 1. resolve
  const pending: Pending[] = [];
  await Promise.all(
    messages.map(async (message) => {
      try {
        const resolved = await resolve(message, store, deps, events, now());
        if (resolved.kind === 'skip') {
          outcomes.set(message.messageId, resolved.outcome);
          metrics.count(resolved.outcome === 'superseded' ? 'Superseded' : 'Duplicates', 1);
        } else pending.push(resolved.pending);
      } catch (err) {
        deps.logger.error('could not resolve the lane message; it will be retried', { messageId: message.messageId, error: describeError(err) });
        outcomes.set(message.messageId, 'failed');
      }
    }),
  );

  // 2. a repair follows its breach: it waits until the breach is delivered here
  const ready: Pending[] = [];
  const waitSeconds = deps.config.repairWaitSeconds ?? DEFAULT_REPAIR_WAIT_SECONDS;
  await Promise.all(
    pending.map(async (p) => {
      try {
        const gate = await breachGate(store, p, now());
        if (gate.kind === 'go') ready.push(p);
        else if (gate.kind === 'wait') {
          // the state says why the repair is not sent (credex status counts it waiting, inspect shows the reason)
          const at = now();
          const recorded = await store.recordDestinationOutcome(p.ref, p.lane.destination, { revision: p.lane.revision, status: 'waiting', now: at, attempts: p.attempts, error: gate.reason, correlationId: p.lane.correlationId });
          if (recorded && p.attempts === 1) events.push({ ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision, type: 'waiting', detail: { destination: p.lane.destination, reason: gate.reason } });
          outcomes.set(p.message.messageId, 'failed');
          retryAfter.set(p.message.messageId, waitSeconds);
          metrics.count('RepairsWaiting', 1);
        } else {
          const at = now();
          await store.recordDestinationOutcome(p.ref, p.lane.destination, { revision: p.lane.revision, status: 'rejected', now: at, attempts: p.attempts, error: gate.reason, correlationId: p.lane.correlationId });
          events.push({ ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision, type: 'rejected', detail: { destination: p.lane.destination, reason: gate.reason } });
          outcomes.set(p.message.messageId, 'rejected');
          metrics.count('Rejected', 1);
        }
      } catch (err) {
        deps.logger.error('could not read the state of the breach a repair follows; the message will be retried', { messageId: p.message.messageId, error: describeError(err) });
        outcomes.set(p.message.messageId, 'failed');
      }
    }),
  );

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
          events.push({ ref: p.ref, type: 'superseded', at: now(), correlationId: p.lane.correlationId, revision: p.lane.revision, detail: { destination: p.lane.destination, sentRevision: claim.sentRevision } });
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
  const results = await send(claimed, deps, metrics, leaseEnds);

  // 5. record
  const woken: Pending[] = [];
  await Promise.all(
    claimed.map(async (p) => {
      const result = results.get(p.delivery.idempotencyKey) ?? { key: p.delivery.idempotencyKey, outcome: 'transient' as const, reason: 'no result for this record' };
      const at = now();
      const base = { ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision };
      try {
        if (p.delivery.action === 'unpublish') {
          await recordUnpublish(store, p, result, at, token, events, metrics);
          outcomes.set(p.message.messageId, result.outcome === 'transient' ? 'failed' : result.outcome);
          if (result.outcome === 'transient') retryAfter.set(p.message.messageId, result.retryAfterSeconds);
        } else if (result.outcome === 'delivered') {
          const recorded = await store.recordDestinationOutcome(p.ref, p.lane.destination, { revision: p.lane.revision, status: 'delivered', now: at, attempts: p.attempts, correlationId: p.lane.correlationId, claimToken: token, reopen: p.lane.redeliver !== undefined, ...(result.receipt && { receipt: result.receipt }), ...(p.delivery.publication && { publication: p.delivery.publication }) });
          outcomes.set(p.message.messageId, 'delivered');
          // false: a newer revision's outcome is already recorded — this one is history only as it happened
          if (!recorded) return;
          events.push({ ...base, type: 'delivered', detail: { destination: p.lane.destination, action: p.delivery.action, ...(p.delivery.publication && { published: p.delivery.publication.published }), ...(result.receipt && { receipt: result.receipt }), ...(result.duplicate && { duplicate: true }), ...(p.lane.redeliver && { redeliveredFor: p.lane.redeliver.requestedBy }) } });
          metrics.count('Delivered', 1);
          if (p.lane.recordType === 'breach' && p.delivery.action === 'upsert') woken.push(p);
        } else if (result.outcome === 'rejected') {
          await store.recordDestinationOutcome(p.ref, p.lane.destination, { revision: p.lane.revision, status: 'rejected', now: at, attempts: p.attempts, error: result.reason, correlationId: p.lane.correlationId, claimToken: token, reopen: p.lane.redeliver !== undefined });
          events.push({ ...base, type: 'rejected', detail: { destination: p.lane.destination, reason: result.reason } });
          outcomes.set(p.message.messageId, 'rejected');
          metrics.count('Rejected', 1);
          deps.logger.warn('record rejected by the destination', { messageId: p.message.messageId, correlationId: p.lane.correlationId, ...p.ref, revision: p.lane.revision, reason: result.reason });
        } else if (result.unsent) {
          // not sent at all: the state keeps the last real error; the claim goes, the message comes back later
          await store.releaseSend(p.ref, p.lane.destination, token);
          outcomes.set(p.message.messageId, 'failed');
          retryAfter.set(p.message.messageId, result.retryAfterSeconds);
        } else {
          await store.recordDestinationOutcome(p.ref, p.lane.destination, { revision: p.lane.revision, status: 'failed', now: at, attempts: p.attempts, error: result.reason, correlationId: p.lane.correlationId, claimToken: token });
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
          Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.receiptHandle, VisibilityTimeout: backoffSeconds(receiveCount(m), retryAfter.get(m.messageId), deps) })),
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

type BreachGate = { kind: 'go' } | { kind: 'wait'; reason: string } | { kind: 'reject'; reason: string };

/**
 * A repair sent to a destination before its breach would take down something the destination
 * does not hold — and the breach, arriving after, would stay published as if never repaired
 * (invariant 4). So a repair goes only once its breach is delivered at this destination:
 * - breach unknown to the exchange, not yet sent here, or failing here: wait (registered under the
 *   breach, so the breach's delivery sends the repair on at once; otherwise it looks again later);
 * - breach about another party or decided by another authority than the repair says: rejected
 *   here, with the reason (intake quarantines it when the breach is already known);
 * - breach never shared with this destination, withdrawn, or rejected by it: rejected here.
 */
async function breachGate(store: DeliverState, p: Pending, now: string): Promise<BreachGate> {
  if (p.lane.recordType !== 'repair' || p.lane.action !== 'upsert') return { kind: 'go' };
  const repair = p.delivery.record;
  if (typeof repair.data['breachRecordId'] !== 'string') return { kind: 'go' };
  const breach = breachRefOf(repair);
  const destination = p.lane.destination;
  const look = async (): Promise<BreachGate> => {
    const [latest, state] = await Promise.all([store.getLatestRecord(breach), store.getDestinationState(breach, destination)]);
    const name = `${breach.source}/${breach.recordId}`;
    if (!latest) return { kind: 'wait', reason: `waiting for its breach ${name}: the exchange has not received it yet` };
    const mismatches = repairMismatches(repair, latest.record);
    if (mismatches.length > 0) return { kind: 'reject', reason: mismatches.map((m) => m.message).join('; ') };
    if (!latest.meta.routedTo.includes(destination)) return { kind: 'reject', reason: `its breach ${name} is not shared with ${destination}: there is nothing to repair there` };
    // an operator resending both: the breach's earlier delivery does not count, only the one resent
    const resentAt = p.lane.redeliver?.breachResentAt;
    if (state?.status === 'delivered' && (resentAt === undefined || state.updatedAt >= resentAt)) return { kind: 'go' };
    // only the breach's latest revision decides: a newer one may still be on its way; an operator's
    // redeliver waits instead (the breach may be on its way again)
    if (state?.status === 'rejected' && state.revision >= latest.meta.revision && !p.lane.redeliver) {
      return { kind: 'reject', reason: `its breach ${name} was rejected by ${destination}: the repair cannot follow it` };
    }
    return { kind: 'wait', reason: `waiting for its breach ${name} to be delivered to ${destination} first (${state ? `${state.status} there` : 'not sent there yet'})` };
  };
  const wait = { repair: p.ref, revision: p.lane.revision, since: now };
  const first = await look();
  if (first.kind !== 'wait') {
    // a repair that waited before (an earlier receive registered it) no longer does
    if (p.attempts > 1) await store.removeRepairWaits(breach, destination, [wait]);
    return first;
  }
  // registered, then looked at again: a breach delivered in between is seen here or wakes the repair
  await store.registerRepairWait(breach, destination, wait);
  const second = await look();
  if (second.kind !== 'wait') await store.removeRepairWaits(breach, destination, [wait]);
  return second;
}

/** Sends on the repairs waiting here for these breaches (their deliveries were just recorded). */
async function wakeRepairs(store: DeliverState, breaches: readonly Pending[], deps: DeliverDeps, routedAt: string): Promise<void> {
  await Promise.all(
    breaches.map(async (p) => {
      try {
        const waits = await store.listRepairWaits(p.ref, p.lane.destination);
        if (waits.length === 0) return;
        const messages = waits.map((w) =>
          outgoingLaneMessage(`${w.repair.source}/${w.repair.recordId}`, { ...w.repair, revision: w.revision, destination: p.lane.destination, action: 'upsert', correlationId: p.lane.correlationId, routedAt }),
        );
        const { failed } = await sendBatch(deps.sqs, deps.config.queueUrl, messages);
        await store.removeRepairWaits(p.ref, p.lane.destination, waits.filter((w) => !failed.has(`${w.repair.source}/${w.repair.recordId}`)));
        deps.logger.info('repairs waiting for a breach sent on', { ...p.ref, destination: p.lane.destination, repairs: waits.length - failed.size });
      } catch (err) {
        // the waiting repairs look again when their visibility ends: later, never lost
        deps.logger.warn('could not send on the repairs waiting for a breach', { ...p.ref, destination: p.lane.destination, error: describeError(err) });
      }
    }),
  );
}

/** Records the outcome of an end of publication; its history event; the metric. */
async function recordUnpublish(store: DeliverState, p: Pending, result: RecordOutcome, at: string, token: string, events: HistoryEvent[], metrics: DeliverMetrics): Promise<void> {
  const base = { ref: p.ref, at, correlationId: p.lane.correlationId, revision: p.lane.revision };
  const destination = p.lane.destination;
  if (result.outcome === 'delivered') {
    if (await store.recordUnpublishOutcome(p.ref, destination, { revision: p.lane.revision, status: 'delivered', now: at, claimToken: token, ...(result.receipt && { receipt: result.receipt }) })) {
      events.push({ ...base, type: 'delivered', detail: { destination, action: 'unpublish', ...(result.duplicate && { duplicate: true }) } });
      metrics.count('PublicationsEnded', 1);
    }
    return;
  }
  if (result.outcome === 'transient' && result.unsent) {
    await store.releaseSend(p.ref, destination, token);
    return;
  }
  await store.recordUnpublishOutcome(p.ref, destination, { revision: p.lane.revision, status: result.outcome === 'rejected' ? 'rejected' : 'failed', now: at, claimToken: token, error: result.reason });
  events.push({ ...base, type: result.outcome === 'rejected' ? 'rejected' : 'failed', detail: { destination, action: 'unpublish', reason: result.reason, ...(result.outcome === 'transient' && { attempt: p.attempts }) } });
  metrics.count(result.outcome === 'rejected' ? 'Rejected' : 'TransientFailures', 1);
}

type Resolution = { kind: 'skip'; outcome: 'superseded' | 'duplicate' } | { kind: 'deliver'; pending: Pending };

async function resolve(message: SQSRecord, store: DeliverState, deps: DeliverDeps, events: HistoryEvent[], at: string): Promise<Resolution> {
  const lane = JSON.parse(message.body) as LaneMessage;
  if (lane.destination !== deps.config.destination) throw new Error(`message for lane ${lane.destination} reached the ${deps.config.destination} lane`);
  const ref: RecordRef = { recordType: lane.recordType as RecordRef['recordType'], source: lane.source, recordId: lane.recordId };
  const [meta, state] = await Promise.all([store.getMeta(ref), store.getDestinationState(ref, lane.destination)]);
  if (!meta) throw new Error(`no accepted record ${lane.recordType}/${lane.source}/${lane.recordId}`);
  if (meta.revision > lane.revision) {
    events.push({ ref, type: 'superseded', at, correlationId: lane.correlationId, revision: lane.revision, detail: { destination: lane.destination, storedRevision: meta.revision } });
    return { kind: 'skip', outcome: 'superseded' };
  }
  if (state && state.revision > lane.revision) return { kind: 'skip', outcome: 'superseded' };
  if (lane.action === 'unpublish') {
    // an end of publication is owed only where this revision was delivered as published and not ended
    // since; a revision not delivered yet states its publication (over by now) when it is sent
    if (!(state && state.revision === lane.revision && state.status === 'delivered' && state.published === true && state.publicationEndedAt === undefined)) return { kind: 'skip', outcome: 'duplicate' };
  } else if (state && state.revision === lane.revision && (state.status === 'delivered' || state.status === 'rejected') && !lane.redeliver) {
    // an operator's redeliver (credex resync / redeliver) sends an answered revision again
    return { kind: 'skip', outcome: 'duplicate' };
  }
  const record = await store.getRevision(ref, lane.revision);
  if (!record) throw new Error(`revision ${lane.revision} of ${lane.recordType}/${lane.source}/${lane.recordId} is not stored`);
  const today = deps.today?.() ?? beijingDate(deps.now?.() ?? new Date());
  const delivery = deliveryOf(record, lane.destination, lane.action, idempotencyKey(lane), today, deps.config.routes ?? defaultRoutes);
  return { kind: 'deliver', pending: { message, lane, ref, delivery, attempts: receiveCount(message) } };
}

/**
 * The delivery of a revision to a destination on `today`: an upsert to a destination that publishes
 * the record type states whether it is published and until when; a destination that holds
 * published records only (the public column) takes down, instead, what is no longer published; a
 * withdrawal is not published.
 */
export function deliveryOf(record: CreditRecord, destination: DestinationId, action: Delivery['action'], key: string, today: string, routes: Readonly<Record<Direction, readonly Route[]>> = defaultRoutes): Delivery {
  const delivery: Delivery = { record, action, idempotencyKey: key };
  const role = publicationRole(destination, record.recordType, routes);
  if (action === 'unpublish' || !role.publishes) return delivery;
  // a withdrawn record is published nowhere: its state says so (adapters send its key fields only)
  if (action === 'withdraw') return { ...delivery, publication: { published: false } };
  const publication = publicationOf(record);
  const published = publishedOn(publication, today);
  delivery.publication = { published, ...(published && publication.until !== undefined && { until: publication.until }) };
  if (role.publishedOnly && !published) delivery.action = 'withdraw';
  return delivery;
}

/** Sends every request the adapter builds; returns each record's outcome by idempotency key. */
async function send(pending: readonly Pending[], deps: DeliverDeps, metrics: DeliverMetrics, leaseEnds: number): Promise<Map<string, RecordOutcome>> {
  const results = new Map<string, RecordOutcome>();
  if (pending.length === 0) return results;
  const allTransient = (reason: string) => {
    for (const p of pending) if (!results.has(p.delivery.idempotencyKey)) results.set(p.delivery.idempotencyKey, { key: p.delivery.idempotencyKey, outcome: 'transient', reason });
  };
  try {
    await sendAll(pending, deps, metrics, results, leaseEnds);
  } catch (err) {
    // credentials that cannot be loaded, an adapter without what it needs: nothing wrong with the
    // records — keep what was already answered, retry the rest later
    deps.logger.error('delivery could not proceed; the remaining records will be retried', { destination: deps.config.destination, error: describeError(err) });
    allTransient(`cannot deliver now: ${describeError(err)}`);
  }
  return results;
}

async function sendAll(pending: readonly Pending[], deps: DeliverDeps, metrics: DeliverMetrics, results: Map<string, RecordOutcome>, leaseEnds: number): Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let credentials = await deps.credentials.get();
  let requests = buildRequests(pending, credentials, deps, results);
  // each invocation takes its share of the lane's rate limit
  const interval = 1000 / Math.max(deps.config.lane.rateLimitPerSecond / Math.max(deps.config.lane.maxConcurrency, 1), 0.001);
  const breaker = new CircuitBreaker(deps.config.breakerThreshold);
  let refreshed = false;
  let lastSent = 0;

  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    if (breaker.open) {
      for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason: `circuit open: ${breaker.threshold} requests in a row failed`, unsent: true });
      metrics.count('CircuitOpen', request.keys.length);
      continue;
    }
    const wait = lastSent + interval - Date.now();
    if (wait > 0) await sleep(wait);
    // past the lease another invocation may hold these records' sends: what is left waits
    if (Date.now() + deps.config.lane.sendTimeoutSeconds * 1000 > leaseEnds) {
      for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason: 'the invocation ran out of time before this request', unsent: true });
      continue;
    }
    lastSent = Date.now();
    const response = await exchange(request, credentials, deps, doFetch, metrics);
    if ('error' in response) {
      breaker.record(response);
      for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason: response.error });
      continue;
    }
    if (isAuthFailure(response.status) && !refreshed) {
      // credentials may have been rotated: reload them once, rebuild what is left (a field key may
      // have changed too) and resend from this request on
      refreshed = true;
      credentials = await deps.credentials.refresh();
      const left = new Set(requests.slice(i).flatMap((r) => r.keys));
      requests = [...requests.slice(0, i), ...buildRequests(pending.filter((p) => left.has(p.delivery.idempotencyKey)), credentials, deps, results)];
      i--;
      continue;
    }
    for (const outcome of classifyResponse(request, response, deps.adapter)) {
      results.set(outcome.key, outcome.outcome === 'delivered' ? outcome : { ...outcome, reason: scrubReason(outcome.reason) });
    }
    if (isAuthFailure(response.status)) metrics.count('AuthFailures', 1);
    breaker.record(response);
  }
}

/**
 * The adapter's requests for these deliveries. One record the adapter cannot express must not hold
 * up the others: on an error they are built one by one, and those it refuses are rejected with the
 * reason (retrying would not change them). A configuration error is thrown on: it concerns all.
 */
function buildRequests(all: readonly Pending[], credentials: Credentials, deps: DeliverDeps, results: Map<string, RecordOutcome>): WireRequest[] {
  const context = { ...(credentials.fieldKey && { fieldKey: credentials.fieldKey }), randomBytes };
  const pending = all.filter((p) => {
    const refusal = outdatedContract(p.delivery);
    if (refusal !== undefined) results.set(p.delivery.idempotencyKey, { key: p.delivery.idempotencyKey, outcome: 'rejected', reason: refusal });
    return refusal === undefined;
  });
  try {
    return deps.adapter.buildRequests(
      pending.map((p) => p.delivery),
      context,
    );
  } catch (err) {
    if (err instanceof AdapterConfigurationError) throw err;
  }
  const requests: WireRequest[] = [];
  for (const p of pending) {
    try {
      requests.push(...deps.adapter.buildRequests([p.delivery], context));
    } catch (err) {
      if (err instanceof AdapterConfigurationError) throw err;
      const key = p.delivery.idempotencyKey;
      results.set(key, { key, outcome: 'rejected', reason: `the ${deps.config.destination} adapter cannot send this record: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return requests;
}

/**
 * A stored revision written against an older contract is never sent as content: its meaning may
 * have changed (a 1.0 breach could be a first-offence exemption, which 2.0 never shares, and had no
 * publication decision). Its source sends it again under the current contract. A withdrawal or an
 * end of publication carries only key fields, and goes.
 */
function outdatedContract(delivery: Delivery): string | undefined {
  if (delivery.action !== 'upsert' || delivery.record.schemaVersion === CONTRACT_VERSION) return undefined;
  return `stored under record contract ${String(delivery.record.schemaVersion)}: it is not sent as ${CONTRACT_VERSION} content; its source must send it again under contract ${CONTRACT_VERSION} (docs/contract.md, "What changed in 2.0")`;
}

/** One signed request with a timeout; a network error or timeout comes back as `{ error }`. */
async function exchange(request: WireRequest, credentials: Credentials, deps: DeliverDeps, doFetch: typeof fetch, metrics: DeliverMetrics): Promise<EndpointResponse | { error: string }> {
  // the signature covers the path the endpoint sees, base path of ENDPOINT_URL included
  const url = new URL(`${deps.config.endpointUrl}${request.path}`);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    ...signRequest({ method: request.method, path: `${url.pathname}${url.search}`, ...(request.body !== undefined && { body: request.body }), credentials, algorithm: deps.adapter.signatureAlgorithm }),
  };
  if (request.keys.length === 1) headers['Idempotency-Key'] = request.keys[0]!;
  const started = Date.now();
  try {
    const response = await doFetch(url.href, {
      method: request.method,
      headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.timeout(deps.config.lane.sendTimeoutSeconds * 1000),
    });
    const body = await response.text();
    metrics.latency(Date.now() - started);
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch (err) {
    metrics.latency(Date.now() - started);
    const name = (err as { name?: string }).name;
    return { error: name === 'TimeoutError' ? `no answer within ${deps.config.lane.sendTimeoutSeconds} s` : `network error: ${describeError(err)}` };
  }
}


/**
 * Endpoint reasons are stored and logged: mask any identity number an endpoint echoed back
 * (personal data never reaches logs or the state, whoever wrote it).
 */
export const scrubReason = maskIdNumbersIn;

