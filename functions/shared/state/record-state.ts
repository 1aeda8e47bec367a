/**
 * How a record's stored items read back, whatever stores them: the record's state from the items
 * of its partition, and a string set (as the document client reads one) as a sorted list.
 */
import { DESTINATION_PREFIX, EVENT_PREFIX, META, REVISION_PREFIX } from './keys.js';
import type { RecordMeta, RecordState } from './types.js';

/** A string set sorted, or a list as it is; nothing: []. */
export function setToList(value: unknown): string[] {
  return value instanceof Set ? [...(value as Set<string>)].sort() : Array.isArray(value) ? (value as string[]) : [];
}

/** A record's state from the items of its partition, in sort-key order. */
export function recordStateOf(items: readonly Record<string, unknown>[]): RecordState {
  const state: RecordState = { revisions: [], destinations: [], events: [] };
  for (const item of items) {
    const sk = item['sk'] as string;
    if (sk === META) state.meta = { ...(item as unknown as RecordMeta), routedTo: setToList(item['routedTo']) };
    else if (sk.startsWith(REVISION_PREFIX)) state.revisions.push(item['revision'] as number);
    else if (sk.startsWith(DESTINATION_PREFIX)) {
      // a send claimed but with no outcome yet (claimSend) is pending at the revision being sent
      const pending = item['status'] === undefined ? { status: 'pending', revision: item['sendLeaseRevision'] ?? item['sentRevision'] } : {};
      state.destinations.push({ destination: sk.slice(DESTINATION_PREFIX.length), ...item, ...pending } as RecordState['destinations'][number]);
    } else if (sk.startsWith(EVENT_PREFIX)) state.events.push(item as RecordState['events'][number]);
  }
  return state;
}
