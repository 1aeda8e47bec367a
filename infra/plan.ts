/**
 * The exchange plan: what the topology means for queues and consumers — visibility timeouts,
 * redrive, function timeouts and sizes, event-source settings. Pure and derived, so the CDK stack
 * and the local runtime build the same queues and consumers from one topology.
 *
 * The rules (AWS's guidance for SQS event sources):
 *  - a consumer's timeout covers its worst batch: every request it may send timing out, paced to
 *    its share of the destination's rate limit, plus a margin for the table writes;
 *  - the queue's visibility timeout is at least 6 × the function timeout plus the batching window,
 *    so a message is not redelivered while a (retrying) invocation still holds it;
 *  - messages are kept 14 days, and move to the DLQ after the lane's maxReceiveCount receives.
 */
import {
  concurrencyFor,
  DEFAULT_ROUTING_LEASE_SECONDS,
  topology as defaultTopology,
  type DestinationId,
  type LaneSettings,
  type Topology,
} from '../topology/topology.js';
import { registeredRequestsPerSecond } from '../topology/upstreams.js';

/** Lambda's ceiling for a function timeout. */
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Time a deliver invocation needs besides its requests: credentials, state reads and writes. */
const DELIVER_MARGIN_SECONDS = 10;
export const RETENTION_DAYS = 14;

export interface QueuePlan {
  /** Name part of the queue (the stack and local runtime prefix it with the stage). */
  name: string;
  visibilityTimeoutSeconds: number;
  maxReceiveCount: number;
  retentionDays: number;
}

export interface ConsumerPlan {
  timeoutSeconds: number;
  memoryMb: number;
  batchSize: number;
  maxBatchingWindowSeconds: number;
  maxConcurrency: number;
}

export interface LanePlan {
  destination: DestinationId;
  /** The lane's effective settings (topology, with any stage overrides applied). */
  lane: LaneSettings;
  queue: QueuePlan;
  consumer: ConsumerPlan;
}

export interface FunctionSize {
  timeoutSeconds: number;
  memoryMb: number;
  /** Reserved concurrency: both a guarantee and a ceiling (functions an event source bounds have none). */
  reservedConcurrency?: number;
}

export interface ExchangePlan {
  intake: { queue: QueuePlan; consumer: ConsumerPlan };
  lanes: LanePlan[];
  /** Behind API Gateway, whose integration timeout is 30 s. */
  ingest: FunctionSize;
  /** One run pages through the feed; the schedule must not fire again before it ends. */
  pull: FunctionSize;
  /** The expiry sweep: one run ends at most the topology's maxRecordsPerRun publications. */
  sweep: FunctionSize;
  /** The evidence log: the queue entries travel in, and the sealer that signs them into windows on a schedule. */
  evidence: { queue: QueuePlan; seal: FunctionSize; intervalSeconds: number };
}

/** Per destination: a different rate limit than the topology's (a stage's endpoint may allow less). */
export type LaneOverrides = Partial<Record<DestinationId, { rateLimitPerSecond?: number }>>;

const INTAKE_FUNCTION: FunctionSize = { timeoutSeconds: 30, memoryMb: 512 };
const DELIVER_MEMORY_MB = 256;
/** Lambda keeps at least this much of an account's concurrency unreserved. */
export const UNRESERVED_MINIMUM = 100;

export const INGEST_FUNCTION: FunctionSize = { timeoutSeconds: 25, memoryMb: 512 };
/** One run at a time: a second run would only race the first for the cursor. */
export const PULL_FUNCTION: FunctionSize = { timeoutSeconds: 240, memoryMb: 256, reservedConcurrency: 1 };
export const SWEEP_FUNCTION: FunctionSize = { timeoutSeconds: 300, memoryMb: 256, reservedConcurrency: 1 };
/** One sealer at a time: windows form one chain. */
export const SEAL_FUNCTION: FunctionSize = { timeoutSeconds: 120, memoryMb: 512, reservedConcurrency: 1 };
/** How often windows are sealed (the schedule's rate): entries wait at most this long, plus a run, to be sealed. */
export const SEAL_INTERVAL_SECONDS = 60;
/**
 * The evidence queue: a message stays invisible while one run may still be sealing it (twice the
 * sealer's timeout). Good evidence must outlast a sealer outage on the queue (KMS or S3 refusing):
 * only after 100 receives — over 6 hours of failed runs — does a message move to the DLQ, where a
 * message not in the entry format also ends (docs/runbook.md (i): redrive after the fix).
 */
export const EVIDENCE_QUEUE: QueuePlan = {
  name: 'evidence',
  visibilityTimeoutSeconds: 2 * SEAL_FUNCTION.timeoutSeconds,
  maxReceiveCount: 100,
  retentionDays: RETENTION_DAYS,
};

/**
 * The ingest function's size behind an API stage that lets at most `burstLimit` requests in at once:
 * as many executions reserved, so the function is never throttled behind the stage (a throttled
 * integration would reach the upstream as API Gateway's own 5xx, not the documented 429), and a
 * flood cannot take more of the account.
 */
export function ingestSize(burstLimit: number): FunctionSize {
  return { ...INGEST_FUNCTION, reservedConcurrency: Math.max(2, burstLimit) };
}

/**
 * The most concurrent executions the exchange can use: the reserved functions plus each event
 * source's maximum concurrency. It must fit the account's limit with Lambda's unreserved minimum
 * left over (docs/deploy.md, "Concurrency").
 */
export function concurrencyDemand(plan: ExchangePlan): { reserved: number; eventSources: number; total: number } {
  const reserved = [plan.ingest, plan.pull, plan.sweep, plan.evidence.seal].reduce((n, size) => n + (size.reservedConcurrency ?? 0), 0);
  const eventSources = plan.intake.consumer.maxConcurrency + plan.lanes.reduce((n, lane) => n + lane.consumer.maxConcurrency, 0);
  return { reserved, eventSources, total: reserved + eventSources };
}

/** A topology whose derived settings break a rule above. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/**
 * Requests one batch may need at most: one per record for single-record contracts; otherwise the
 * batch in chunks, plus one more for each further group a contract sends apart (record type ×
 * upsert/withdraw) — of the record types a route sends anywhere (others never reach a lane).
 */
export function worstCaseRequests(batchSize: number, maxRecordsPerRequest: number, routes: Topology['routes'] = defaultTopology.routes): number {
  if (maxRecordsPerRequest <= 1) return batchSize;
  const sentTypes = new Set(Object.values(routes).flatMap((list) => list.flatMap((r) => r.recordTypes))).size;
  return Math.min(batchSize, Math.ceil(batchSize / maxRecordsPerRequest) + sentTypes * 2 - 1);
}

/** Timeout of a lane's deliver function: every request timing out, paced, plus the margin. */
export function deliverTimeoutSeconds(lane: LaneSettings, maxRecordsPerRequest: number, routes: Topology['routes'] = defaultTopology.routes): number {
  const requests = worstCaseRequests(lane.batchSize, maxRecordsPerRequest, routes);
  const pacingSeconds = lane.maxConcurrency / lane.rateLimitPerSecond;
  const seconds = Math.ceil(requests * (lane.sendTimeoutSeconds + pacingSeconds)) + DELIVER_MARGIN_SECONDS;
  if (seconds > MAX_FUNCTION_TIMEOUT_SECONDS) {
    throw new PlanError(
      `a batch of ${lane.batchSize} may need ${requests} requests of up to ${lane.sendTimeoutSeconds} s at ${lane.rateLimitPerSecond}/s: ${seconds} s, over Lambda's ${MAX_FUNCTION_TIMEOUT_SECONDS} s; lower the batch size or the send timeout`,
    );
  }
  return seconds;
}

/** AWS's rule for SQS event sources: visibility ≥ 6 × function timeout + batching window. */
export function visibilityTimeoutFor(consumer: Pick<ConsumerPlan, 'timeoutSeconds' | 'maxBatchingWindowSeconds'>): number {
  return 6 * consumer.timeoutSeconds + consumer.maxBatchingWindowSeconds;
}

function consumerOf(lane: LaneSettings, size: FunctionSize): ConsumerPlan {
  return {
    ...size,
    batchSize: lane.batchSize,
    maxBatchingWindowSeconds: lane.maxBatchingWindowSeconds,
    maxConcurrency: lane.maxConcurrency,
  };
}

function queueOf(name: string, lane: LaneSettings, consumer: ConsumerPlan): QueuePlan {
  return { name, visibilityTimeoutSeconds: visibilityTimeoutFor(consumer), maxReceiveCount: lane.maxReceiveCount, retentionDays: RETENTION_DAYS };
}

export function planExchange(
  topology: Topology = defaultTopology,
  overrides: LaneOverrides = {},
  ingestBurstLimit = 2 * registeredRequestsPerSecond(),
): ExchangePlan {
  const intakeConsumer = consumerOf(topology.intake, INTAKE_FUNCTION);
  const intakeQueue = queueOf('intake', topology.intake, intakeConsumer);
  // a routing claim must outlive the invocation that took it, and expire before its message returns
  if (!(intakeConsumer.timeoutSeconds < DEFAULT_ROUTING_LEASE_SECONDS && DEFAULT_ROUTING_LEASE_SECONDS < intakeQueue.visibilityTimeoutSeconds)) {
    throw new PlanError(
      `intake: the routing lease (${DEFAULT_ROUTING_LEASE_SECONDS} s) must be longer than the function timeout (${intakeConsumer.timeoutSeconds} s) and shorter than the queue's visibility timeout (${intakeQueue.visibilityTimeoutSeconds} s)`,
    );
  }
  const lanes = (Object.keys(topology.destinations) as DestinationId[]).map((destination): LanePlan => {
    const rate = overrides[destination]?.rateLimitPerSecond;
    if (rate !== undefined && !(rate > 0 && Number.isFinite(rate)))
      throw new PlanError(`${destination}: rateLimitPerSecond must be a positive number; got ${rate}`);
    const declared = topology.destinations[destination].lane;
    const lane = rate === undefined ? declared : { ...declared, rateLimitPerSecond: rate, maxConcurrency: concurrencyFor(rate, declared.maxInFlight) };
    const consumer = consumerOf(lane, {
      timeoutSeconds: deliverTimeoutSeconds(lane, topology.destinations[destination].maxRecordsPerRequest, topology.routes),
      memoryMb: DELIVER_MEMORY_MB,
    });
    return { destination, lane, consumer, queue: queueOf(`lane-${destination}`, lane, consumer) };
  });
  return {
    intake: { consumer: intakeConsumer, queue: intakeQueue },
    lanes,
    ingest: ingestSize(ingestBurstLimit),
    pull: PULL_FUNCTION,
    sweep: SWEEP_FUNCTION,
    evidence: { queue: EVIDENCE_QUEUE, seal: SEAL_FUNCTION, intervalSeconds: SEAL_INTERVAL_SECONDS },
  };
}
