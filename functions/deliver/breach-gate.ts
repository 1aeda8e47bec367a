/**
 * A repair follows its breach (invariant 4): a repair is held, visible as `waiting`, until its
 * breach is delivered at this destination, or rejected when the breach can never let it through;
 * once the breach's delivery is recorded here, the repairs held for it are sent on.
 */
import { outgoingLaneMessage } from '../shared/queue/lane-message.js';
import { sendBatch } from '../shared/queue/send-batch.js';
import { breachRefOf, repairMismatches } from '../shared/records/cross-record.js';
import { describeError } from '../shared/errors.js';
import type { BatchRecord, DeliverDeps, DeliverState } from './deliver.js';
import type { Pending } from './resolve.js';
import type { DeliveryRead, DeliveryView } from '../shared/state/sync-state.js';

/**
 * How long a repair waiting for its breach stays invisible before it looks again, unless
 * configured: an hour. It is sent on at once when the breach is delivered; after the lane's
 * maxReceiveCount looks (about 6 hours at 6) without the breach it lands in the lane's DLQ, with
 * the reason in its state (docs/routing.md).
 */
export const DEFAULT_REPAIR_WAIT_SECONDS = 3600;

/** A repair follows its breach (step 2): the deliveries that go now; a repair held or rejected gets its outcome in `batch`. */
export async function gateRepairs(pending: readonly Pending[], deps: DeliverDeps, batch: BatchRecord): Promise<Pending[]> {
  const { outcomes, events, retryAfter, metrics, now } = batch;
  const store = deps.state;
  const ready: Pending[] = [];
  const waitSeconds = deps.config.repairWaitSeconds ?? DEFAULT_REPAIR_WAIT_SECONDS;
  const read = coalesced((reads) => store.readForDelivery(reads));
  await Promise.all(
    pending.map(async (p) => {
      try {
        const gate = await breachGate(store, read, p, now());
        if (gate.kind === 'go') ready.push(p);
        else {
          // the state says why the repair is not sent (credex status counts it waiting, inspect shows the reason)
          const at = now();
          const status = gate.kind === 'wait' ? 'waiting' : 'rejected';
          const recorded = await store.recordDestinationOutcome(p.ref, p.lane.destination, {
            revision: p.lane.revision,
            status,
            now: at,
            attempts: p.attempts,
            error: gate.reason,
            correlationId: p.lane.correlationId,
          });
          // a rejection is history at once; a wait only on the repair's first receive, once recorded
          if (status === 'rejected' || (recorded && p.attempts === 1)) {
            events.push({
              ref: p.ref,
              at,
              correlationId: p.lane.correlationId,
              revision: p.lane.revision,
              type: status,
              detail: { destination: p.lane.destination, reason: gate.reason },
            });
          }
          outcomes.set(p.message.messageId, status === 'waiting' ? 'failed' : 'rejected');
          if (status === 'waiting') {
            retryAfter.set(p.message.messageId, waitSeconds);
            metrics.count('RepairsWaiting', 1);
          } else metrics.count('Rejected', 1);
        }
      } catch (err) {
        deps.logger.error('could not read the state of the breach a repair follows; the message will be retried', {
          messageId: p.message.messageId,
          error: describeError(err),
        });
        outcomes.set(p.message.messageId, 'failed');
      }
    }),
  );
  return ready;
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
async function breachGate(store: DeliverState, read: (wanted: DeliveryRead) => Promise<DeliveryView>, p: Pending, now: string): Promise<BreachGate> {
  if (p.lane.recordType !== 'repair' || p.lane.action !== 'upsert') return { kind: 'go' };
  const repair = p.delivery.record;
  if (typeof repair.data['breachRecordId'] !== 'string') return { kind: 'go' };
  const breach = breachRefOf(repair);
  const destination = p.lane.destination;
  const look = async (): Promise<BreachGate> => {
    const { meta, state, record, unreadable } = await read({ ref: breach, destination });
    if (unreadable) throw new Error(`the breach ${breach.source}/${breach.recordId} cannot be read: ${unreadable}`);
    const latest = meta && record ? { meta, record } : undefined;
    const name = `${breach.source}/${breach.recordId}`;
    if (!latest) return { kind: 'wait', reason: `waiting for its breach ${name}: the exchange has not received it yet` };
    const mismatches = repairMismatches(repair, latest.record);
    if (mismatches.length > 0) return { kind: 'reject', reason: mismatches.map((m) => m.message).join('; ') };
    if (!latest.meta.routedTo.includes(destination))
      return { kind: 'reject', reason: `its breach ${name} is not shared with ${destination}: there is nothing to repair there` };
    // an operator resending both: the breach's earlier delivery does not count, only the one resent
    const resentAt = p.lane.redeliver?.breachResentAt;
    if (state?.status === 'delivered' && (resentAt === undefined || state.updatedAt >= resentAt)) return { kind: 'go' };
    // only the breach's latest revision decides: a newer one may still be on its way; an operator's
    // redeliver waits instead (the breach may be on its way again)
    if (state?.status === 'rejected' && state.revision >= latest.meta.revision && !p.lane.redeliver) {
      return { kind: 'reject', reason: `its breach ${name} was rejected by ${destination}: the repair cannot follow it` };
    }
    return {
      kind: 'wait',
      reason: `waiting for its breach ${name} to be delivered to ${destination} first (${state ? `${state.status} there` : 'not sent there yet'})`,
    };
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

/**
 * `readForDelivery` one read at a time, the reads asked in the same turn of the event loop made
 * together: the batch's repairs look at their breaches with one read.
 */
function coalesced(readMany: DeliverState['readForDelivery']): (wanted: DeliveryRead) => Promise<DeliveryView> {
  let asked: Array<{ wanted: DeliveryRead; resolve: (view: DeliveryView) => void; reject: (err: unknown) => void }> = [];
  const flush = () => {
    const now = asked;
    asked = [];
    // a read that throws at once fails its askers like one that rejects
    Promise.resolve()
      .then(() => readMany(now.map((a) => a.wanted)))
      .then(
        (views) => now.forEach((a, i) => a.resolve(views[i]!)),
        (err: unknown) => now.forEach((a) => a.reject(err)),
      );
  };
  return (wanted) =>
    new Promise<DeliveryView>((resolve, reject) => {
      if (asked.length === 0) queueMicrotask(flush);
      asked.push({ wanted, resolve, reject });
    });
}

/** Sends on the repairs waiting here for these breaches (their deliveries were just recorded). */
export async function wakeRepairs(store: DeliverState, breaches: readonly Pending[], deps: DeliverDeps, routedAt: string): Promise<void> {
  await Promise.all(
    breaches.map(async (p) => {
      try {
        const waits = await store.listRepairWaits(p.ref, p.lane.destination);
        if (waits.length === 0) return;
        const messages = waits.map((w) =>
          outgoingLaneMessage(`${w.repair.source}/${w.repair.recordId}`, {
            ...w.repair,
            revision: w.revision,
            destination: p.lane.destination,
            action: 'upsert',
            correlationId: p.lane.correlationId,
            routedAt,
          }),
        );
        const { failed } = await sendBatch(deps.sqs, deps.config.queueUrl, messages);
        await store.removeRepairWaits(
          p.ref,
          p.lane.destination,
          waits.filter((w) => !failed.has(`${w.repair.source}/${w.repair.recordId}`)),
        );
        deps.logger.info('repairs waiting for a breach sent on', { ...p.ref, destination: p.lane.destination, repairs: waits.length - failed.size });
      } catch (err) {
        // the waiting repairs look again when their visibility ends: later, never lost
        deps.logger.warn('could not send on the repairs waiting for a breach', { ...p.ref, destination: p.lane.destination, error: describeError(err) });
      }
    }),
  );
}
