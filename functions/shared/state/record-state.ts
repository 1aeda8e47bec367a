/**
 * How a record's stored items read back, whatever stores them: the record's state from the items
 * of its partition, its history from the items that hold events, and a string set (as the document
 * client reads one) as a sorted list.
 */
import { DESTINATION_PREFIX, EVENT_PREFIX, META, REVISION_PREFIX, eventSk, recordPk, type RecordRef } from './keys.js';
import { unpackRecord } from './record-compression.js';
import type { CreditRecord } from '../records/types.js';
import type { DeliveryView, DestinationOutcome, DestinationState, HistoryEvent, HistoryItem, RecordMeta, RecordState } from './types.js';

/** A string set sorted, or a list as it is; nothing: []. */
export function setToList(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)].sort() : Array.isArray(value) ? (value as string[]) : [];
}

/** A META item as the record's META (its routedTo a sorted list). */
export function metaOf(item: Record<string, unknown>): RecordMeta {
  return { ...(item as unknown as Omit<RecordMeta, 'routedTo'>), routedTo: setToList(item['routedTo']) };
}

/** The canonical record a REV# item holds; undefined without one. */
export function revisionRecordOf(item: Record<string, unknown> | undefined): CreditRecord | undefined {
  const json = unpackRecord(item);
  return json === undefined ? undefined : (JSON.parse(json) as CreditRecord);
}

/** What deliver decides a lane message on, from its record's META, DEST# and REV# items (each undefined when not stored). */
export function deliveryViewOf(
  meta: Record<string, unknown> | undefined,
  state: Record<string, unknown> | undefined,
  revision: Record<string, unknown> | undefined,
): DeliveryView {
  const view: DeliveryView = { ...(meta && { meta: metaOf(meta) }), ...(state && { state: state as unknown as DestinationState }) };
  try {
    const record = revisionRecordOf(revision);
    if (record) view.record = record;
  } catch (err) {
    view.unreadable = err instanceof Error ? err.message : String(err);
  }
  return view;
}

/**
 * The attribute of a destination state that holds the event its last outcome write recorded
 * (DestinationOutcome.event). The write that replaces it moves the one it replaces to an EVT# item
 * (lastEventReplaced): one event per item, whatever the number of deliveries.
 */
export const DESTINATION_LAST_EVENT = 'lastEvent';

/** The EVT# item of a history event (`id` makes its key unique among events of the same millisecond). */
export function historyEventItem(e: HistoryEvent, id: string): Record<string, unknown> & { pk: string; sk: string } {
  return {
    pk: recordPk(e.ref),
    sk: eventSk(e.at, id),
    type: e.type,
    at: e.at,
    correlationId: e.correlationId,
    ...(e.revision !== undefined && { revision: e.revision }),
    ...(e.detail && { detail: e.detail }),
    ...(e.routed && { routed: e.routed }),
  };
}

/** A destination state's `lastEvent` as the history event it stands for (moved to an EVT# item when replaced). */
export function lastEventReplaced(ref: RecordRef, destination: string, entry: Record<string, unknown>): HistoryEvent {
  return {
    ref,
    type: entry['type'] as HistoryEvent['type'],
    at: String(entry['at']),
    correlationId: String(entry['correlationId']),
    ...(typeof entry['revision'] === 'number' && { revision: entry['revision'] }),
    detail: { destination, ...(entry['detail'] as Record<string, unknown> | undefined) },
  };
}

/** The `lastEvent` of a destination state for the event its outcome is (its destination is the item's). */
export function destinationHistoryEntry(outcome: DestinationOutcome & { event: NonNullable<DestinationOutcome['event']> }): Record<string, unknown> {
  const { destination: _destination, ...detail } = outcome.event.detail ?? {};
  return {
    type: outcome.event.type,
    at: outcome.event.at,
    revision: outcome.revision,
    correlationId: outcome.event.correlationId,
    ...(Object.keys(detail).length > 0 && { detail }),
  };
}

/**
 * A record's history from the items of its partition, oldest first: every EVT# item — an
 * `accepted` one that carries its `routed` event read as the two events it stands for — and the
 * event each destination state keeps as its `lastEvent` (its destination in the detail).
 * Each event gets a sort key of its own (its item's, suffixed), for a stable order within one time.
 */
export function historyOf(items: readonly Record<string, unknown>[]): HistoryItem[] {
  const events: HistoryItem[] = [];
  for (const item of items) {
    const sk = item['sk'] as string;
    if (sk.startsWith(EVENT_PREFIX)) {
      const { routed, ...event } = item as HistoryItem & { routed?: { at: string; detail: Record<string, unknown> } };
      events.push(event);
      if (routed)
        events.push({
          sk: `${sk}#routed`,
          type: 'routed',
          at: routed.at,
          correlationId: event['correlationId'],
          ...(event['revision'] !== undefined && { revision: event['revision'] }),
          detail: routed.detail,
        });
    } else if (sk.startsWith(DESTINATION_PREFIX) && item[DESTINATION_LAST_EVENT] !== undefined) {
      const entry = item[DESTINATION_LAST_EVENT] as Pick<HistoryItem, 'type' | 'at'> & Record<string, unknown>;
      events.push({
        ...entry,
        sk: `${sk}#last`,
        detail: { destination: sk.slice(DESTINATION_PREFIX.length), ...(entry['detail'] as Record<string, unknown> | undefined) },
      });
    }
  }
  return events.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.sk < b.sk ? -1 : a.sk > b.sk ? 1 : 0));
}

/** A record's state from the items of its partition, in sort-key order. */
export function recordStateOf(items: readonly Record<string, unknown>[]): RecordState {
  const state: RecordState = { revisions: [], destinations: [], events: historyOf(items) };
  for (const item of items) {
    const sk = item['sk'] as string;
    if (sk === META) state.meta = { ...(item as unknown as RecordMeta), routedTo: setToList(item['routedTo']) };
    else if (sk.startsWith(REVISION_PREFIX)) state.revisions.push(item['revision'] as number);
    else if (sk.startsWith(DESTINATION_PREFIX)) {
      // a send claimed but with no outcome yet (claimSend) is pending at the revision being sent
      const pending = item['status'] === undefined ? { status: 'pending', revision: item['sendLeaseRevision'] ?? item['sentRevision'] } : {};
      // its last event is read as history, above
      const fields = { ...item };
      delete fields[DESTINATION_LAST_EVENT];
      state.destinations.push({ destination: sk.slice(DESTINATION_PREFIX.length), ...fields, ...pending } as RecordState['destinations'][number]);
    }
  }
  return state;
}
