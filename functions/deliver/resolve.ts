/**
 * From a lane message to a delivery: skip it when a newer revision exists or this one is already
 * answered here; otherwise read the revision and state the publication it carries (deliveryOf).
 */
import type { SQSRecord } from 'aws-lambda';
import { publicationRole, routes as defaultRoutes, type DestinationId, type Direction, type Route } from '../../topology/topology.js';
import type { LaneMessage } from '../shared/queue/lane-message.js';
import { beijingDate } from '../shared/records/dates.js';
import { publicationOf, publishedOn } from '../shared/records/publication.js';
import type { CreditRecord } from '../shared/records/types.js';
import type { RecordRef } from '../shared/state/keys.js';
import type { DeliveryView, HistoryEvent } from '../shared/state/sync-state.js';
import { describeError } from '../shared/errors.js';
import { receiveCount } from './retry-policy.js';
import { UNPUBLISH_KEY_SUFFIX, type Delivery } from './adapters/types.js';
import type { BatchRecord, DeliverDeps } from './deliver.js';

/** A message to deliver: its lane message, the record's key, the delivery, and how often the queue has handed it out. */
export interface Pending {
  message: SQSRecord;
  lane: LaneMessage;
  ref: RecordRef;
  delivery: Delivery;
  attempts: number;
  /** This revision was sent here before and failed: its record waits behind those not tried yet (deliver.ts). */
  failedHere?: boolean;
}

/** The idempotency key of a send: the revision's, and for an end of publication its own (UNPUBLISH_KEY_SUFFIX). */
export function idempotencyKey(
  lane: Pick<LaneMessage, 'recordType' | 'source' | 'recordId' | 'revision' | 'destination'> & { action?: LaneMessage['action'] },
): string {
  const key = `${lane.recordType}:${lane.source}:${lane.recordId}:${lane.revision}:${lane.destination}`;
  return lane.action === 'unpublish' ? `${key}${UNPUBLISH_KEY_SUFFIX}` : key;
}

/**
 * Resolves each message (step 1): the deliveries to make; a message skipped or unreadable gets its
 * outcome in `batch`. What the decisions rest on is read for the whole batch at once (readForDelivery).
 */
export async function resolveAll(messages: readonly SQSRecord[], deps: DeliverDeps, batch: BatchRecord): Promise<Pending[]> {
  const { outcomes, events, metrics, now } = batch;
  const unreadable = (message: SQSRecord, what: string, err: unknown) => {
    deps.logger.error(`could not ${what}; it will be retried`, { messageId: message.messageId, error: describeError(err) });
    outcomes.set(message.messageId, 'failed');
  };
  const parsed: Array<{ message: SQSRecord; lane: LaneMessage; ref: RecordRef }> = [];
  for (const message of messages) {
    try {
      parsed.push(parseLaneMessage(message, deps.config.destination));
    } catch (err) {
      unreadable(message, 'resolve the lane message', err);
    }
  }
  let views: DeliveryView[];
  try {
    views = await deps.state.readForDelivery(parsed.map(({ lane, ref }) => ({ ref, destination: lane.destination, revision: lane.revision })));
  } catch (err) {
    for (const { message } of parsed) unreadable(message, 'read the state of the lane message', err);
    return [];
  }
  const pending: Pending[] = [];
  parsed.forEach((p, i) => {
    try {
      const resolved = resolve(p, views[i]!, deps, events, now());
      if (resolved.kind === 'skip') {
        outcomes.set(p.message.messageId, resolved.outcome);
        metrics.count(resolved.outcome === 'superseded' ? 'Superseded' : 'Duplicates', 1);
      } else pending.push(resolved.pending);
    } catch (err) {
      unreadable(p.message, 'resolve the lane message', err);
    }
  });
  return pending;
}

type Resolution = { kind: 'skip'; outcome: 'superseded' | 'duplicate' } | { kind: 'deliver'; pending: Pending };

function parseLaneMessage(message: SQSRecord, destination: DestinationId): { message: SQSRecord; lane: LaneMessage; ref: RecordRef } {
  const lane = JSON.parse(message.body) as LaneMessage;
  if (lane.destination !== destination) throw new Error(`message for lane ${lane.destination} reached the ${destination} lane`);
  return { message, lane, ref: { recordType: lane.recordType as RecordRef['recordType'], source: lane.source, recordId: lane.recordId } };
}

function resolve(
  { message, lane, ref }: { message: SQSRecord; lane: LaneMessage; ref: RecordRef },
  { meta, state, record, unreadable }: DeliveryView,
  deps: DeliverDeps,
  events: HistoryEvent[],
  at: string,
): Resolution {
  if (!meta) throw new Error(`no accepted record ${lane.recordType}/${lane.source}/${lane.recordId}`);
  if (meta.revision > lane.revision) {
    events.push({
      ref,
      type: 'superseded',
      at,
      correlationId: lane.correlationId,
      revision: lane.revision,
      detail: { destination: lane.destination, storedRevision: meta.revision },
    });
    return { kind: 'skip', outcome: 'superseded' };
  }
  if (state && state.revision > lane.revision) return { kind: 'skip', outcome: 'superseded' };
  if (lane.action === 'unpublish') {
    // an end of publication is owed only where this revision was delivered as published and not ended
    // since; a revision not delivered yet states its publication (over by now) when it is sent
    if (!(state && state.revision === lane.revision && state.status === 'delivered' && state.published === true && state.publicationEndedAt === undefined))
      return { kind: 'skip', outcome: 'duplicate' };
  } else if (state && state.revision === lane.revision && (state.status === 'delivered' || state.status === 'rejected') && !lane.redeliver) {
    // an operator's redeliver (credex resync / redeliver) sends an answered revision again
    return { kind: 'skip', outcome: 'duplicate' };
  }
  if (unreadable) throw new Error(`revision ${lane.revision} of ${lane.recordType}/${lane.source}/${lane.recordId} cannot be read: ${unreadable}`);
  if (!record) throw new Error(`revision ${lane.revision} of ${lane.recordType}/${lane.source}/${lane.recordId} is not stored`);
  const today = deps.today?.() ?? beijingDate(deps.now?.() ?? new Date());
  const delivery = deliveryOf(record, lane.destination, lane.action, idempotencyKey(lane), today, deps.config.routes ?? defaultRoutes);
  const failedHere = state !== undefined && state.revision === lane.revision && state.status === 'failed';
  return { kind: 'deliver', pending: { message, lane, ref, delivery, attempts: receiveCount(message), ...(failedHere && { failedHere }) } };
}

/**
 * The delivery of a revision to a destination on `today`: an upsert to a destination that publishes
 * the record type states whether it is published and until when; a destination that holds
 * published records only (the public column) takes down, instead, what is no longer published; a
 * withdrawal is not published.
 */
export function deliveryOf(
  record: CreditRecord,
  destination: DestinationId,
  action: Delivery['action'],
  key: string,
  today: string,
  routes: Readonly<Record<Direction, readonly Route[]>> = defaultRoutes,
): Delivery {
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
