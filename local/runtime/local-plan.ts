/**
 * The plan the local runtime runs: the stack's plan (infra/plan.ts) with its clock sped up.
 *
 * On AWS a crashed deliver invocation's messages come back after a visibility timeout of minutes
 * and a transient failure backs off up to 15 minutes — right for production, far too slow to watch
 * a demo or run a chaos test. `timeScale` shrinks every duration (function timeouts, the send
 * timeout, the routing lease, the deliver backoff, a repair's wait for its breach) and the queue visibility is derived again by
 * the same rule as on AWS (6 × timeout + batching window), so every relationship the plan
 * guarantees still holds; batch sizes, windows, concurrency, rate limits and maxReceiveCount are
 * the stack's own.
 */
import { DEFAULT_REPAIR_WAIT_SECONDS } from '../../functions/deliver/deliver.js';
import { DEFAULT_BACKOFF } from '../../functions/deliver/retry-policy.js';
import { DEFAULT_ROUTING_LEASE_SECONDS } from '../../topology/topology.js';
import { visibilityTimeoutFor, type ConsumerPlan, type ExchangePlan, type QueuePlan } from '../../infra/plan.js';

export interface LocalTiming {
  /** Seconds an intake routing claim holds (between the intake timeout and its visibility). */
  routingLeaseSeconds: number;
  /** The deliver functions' backoff of transient failures. */
  backoff: { baseSeconds: number; maxSeconds: number };
  /** Seconds a repair waiting for its breach stays invisible between looks. */
  repairWaitSeconds: number;
}

export interface LocalPlan extends ExchangePlan {
  timeScale: number;
  timing: LocalTiming;
}

const scaled = (seconds: number, timeScale: number, min: number): number => Math.max(min, Math.ceil(seconds * timeScale));

function scaleConsumer(consumer: ConsumerPlan, queue: QueuePlan, timeScale: number): { consumer: ConsumerPlan; queue: QueuePlan } {
  const timeoutSeconds = scaled(consumer.timeoutSeconds, timeScale, 2);
  const faster = { ...consumer, timeoutSeconds };
  return { consumer: faster, queue: { ...queue, visibilityTimeoutSeconds: visibilityTimeoutFor(faster) } };
}

/** `plan` with every duration multiplied by `timeScale` (0 < timeScale ≤ 1; 1 is AWS's timing). */
export function localPlan(plan: ExchangePlan, timeScale: number): LocalPlan {
  if (!(timeScale > 0 && timeScale <= 1)) throw new RangeError(`timeScale must be in (0, 1]; got ${timeScale}`);
  const intake = scaleConsumer(plan.intake.consumer, plan.intake.queue, timeScale);
  const lanes = plan.lanes.map((lane) => ({
    ...lane,
    lane: { ...lane.lane, sendTimeoutSeconds: scaled(lane.lane.sendTimeoutSeconds, timeScale, 1) },
    ...scaleConsumer(lane.consumer, lane.queue, timeScale),
  }));
  // the lease keeps its place: longer than an intake invocation, shorter than the message's return
  const lease = Math.min(
    Math.max(scaled(DEFAULT_ROUTING_LEASE_SECONDS, timeScale, 1), intake.consumer.timeoutSeconds + 1),
    intake.queue.visibilityTimeoutSeconds - 1,
  );
  return {
    ...plan,
    intake,
    lanes,
    ingest: { ...plan.ingest, timeoutSeconds: scaled(plan.ingest.timeoutSeconds, timeScale, 2) },
    pull: { ...plan.pull, timeoutSeconds: scaled(plan.pull.timeoutSeconds, timeScale, 2) },
    sweep: { ...plan.sweep, timeoutSeconds: scaled(plan.sweep.timeoutSeconds, timeScale, 2) },
    evidence: {
      seal: { ...plan.evidence.seal, timeoutSeconds: scaled(plan.evidence.seal.timeoutSeconds, timeScale, 2) },
      queue: { ...plan.evidence.queue, visibilityTimeoutSeconds: 2 * scaled(plan.evidence.seal.timeoutSeconds, timeScale, 2) },
      intervalSeconds: scaled(plan.evidence.intervalSeconds, timeScale, 1),
    },
    timeScale,
    timing: {
      routingLeaseSeconds: lease,
      backoff: { baseSeconds: scaled(DEFAULT_BACKOFF.baseSeconds, timeScale, 1), maxSeconds: scaled(DEFAULT_BACKOFF.maxSeconds, timeScale, 2) },
      repairWaitSeconds: scaled(DEFAULT_REPAIR_WAIT_SECONDS, timeScale, 1),
    },
  };
}
