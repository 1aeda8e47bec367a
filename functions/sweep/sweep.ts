/**
 * The expiry sweep: publication ends by itself. NDRC Order 2025 No. 36 (信用修复管理办法): when a
 * dishonesty record's maximum publication period is reached, its publication stops automatically —
 * nobody has to push anything. Intake schedules the end of every publication it routes to a
 * destination that publishes it (an EXPIRY# item on the publication's last day); this sweep reads
 * the entries whose day has passed and sends the end of publication (`unpublish`) to every such
 * destination where the revision was delivered as published. The record stays shared there.
 *
 * Idempotent and resumable: an entry stays until every destination that published the revision has
 * answered its end (or its record moved on to a newer revision, which carries its own), each
 * destination is sent the end once (the entry remembers where), and a cursor keeps the first month
 * that may still hold open entries. One run handles at most `maxRecordsPerRun` entries; it says when
 * it left some for the next run.
 *
 * Never silent: a destination that refused the end (rejected), and an entry still open
 * STUCK_AFTER_DAYS after its last day (an end in a DLQ, a revision never delivered), count as
 * `ExpiryErrors` — the alarm — and are logged with the record, so an operator acts (docs/runbook.md).
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import { publicationRole, routes as defaultRoutes, type DestinationId, type Direction, type Route } from '../../topology/topology.js';
import type { MetricName } from '../../topology/names.js';
import type { Counters } from '../shared/metrics.js';
import { describeError } from '../shared/errors.js';
import type { StructuredLogger } from '../shared/logger.js';
import { outgoingLaneMessage, type LaneMessage } from '../shared/queue/lane-message.js';
import { sendBatch } from '../shared/queue/send-batch.js';
import { addDays, addMonths, beijingDate } from '../shared/records/dates.js';
import { publicationEndedBy, publicationOf } from '../shared/records/publication.js';
import { EXPIRY_SWEEP_CURSOR } from '../shared/state/keys.js';
import type { ExpiryEntry, HistoryEvent, SyncState } from '../shared/state/sync-state.js';

/** How far back a first run looks: the longest publication (3 years) and a month to spare. */
const FIRST_RUN_LOOKBACK_MONTHS = 37;
/** Entries read per entry a run may handle, so the not-yet-sent ones can be taken first. */
const LOOKAHEAD = 5;
/** Days after its last day an entry may stay open before it counts as an error (an end on its way takes minutes). */
export const STUCK_AFTER_DAYS = 2;

export interface SweepConfig {
  tableName: string;
  /** Queue URL of each destination's lane. */
  laneQueueUrls: Readonly<Partial<Record<DestinationId, string>>>;
  /** Entries one run handles at most. */
  maxRecordsPerRun: number;
  routes?: Readonly<Record<Direction, readonly Route[]>>;
}

/** What the expiry sweep asks of the sync state. */
export type SweepState = Pick<
  SyncState,
  | 'getCursor'
  | 'saveCursor'
  | 'listExpired'
  | 'getLatestRecord'
  | 'listDestinationStates'
  | 'markExpiryEnqueued'
  | 'removeExpiry'
  | 'appendEvents'
  | 'countOverdueCommitments'
>;

export interface SweepDeps {
  state: SweepState;
  sqs: SQSClient;
  config: SweepConfig;
  logger: Pick<StructuredLogger, 'info' | 'warn' | 'error'>;
  metrics?: Counters<MetricName<'sweep'>>;
  now?: () => Date;
  /** The calendar day (YYYY-MM-DD): default the Beijing date of `now`. */
  today?: () => string;
}

export interface SweepResult {
  today: string;
  /** Entries read whose publication's last day had passed. */
  examined: number;
  /** Publications whose end was sent (to one destination or more). */
  publications: number;
  /** Ends of publication sent (lane messages), one per record and destination. */
  enqueued: number;
  /** Entries closed: ended everywhere, or superseded by a newer revision. */
  closed: number;
  /** Entries left open: a destination has not answered yet (or could not be reached now). */
  open: number;
  /** The run stopped at its limit: more entries are due. */
  more: boolean;
  /** The first month the next run reads from (YYYY-MM). */
  cursor: string;
  /** Commitments past their deadline without a verification (credex overdue lists them); undefined when they could not be counted. */
  overdueCommitments?: number;
}

type Progress = 'closed' | 'open';

export async function sweepExpiredPublications(deps: SweepDeps): Promise<SweepResult> {
  const store = deps.state;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const today = deps.today?.() ?? beijingDate(deps.now?.() ?? new Date());
  const stored = await store.getCursor(EXPIRY_SWEEP_CURSOR);
  const thisMonth = today.slice(0, 7);
  // an intake that read the calendar just before midnight may write an entry of yesterday's month
  // just after a run moved on: the cursor never passes yesterday's month
  const cursorLimit = addDays(today, -1).slice(0, 7);
  let month = stored?.value ?? addMonths(today, -FIRST_RUN_LOOKBACK_MONTHS).slice(0, 7);
  const result: SweepResult = { today, examined: 0, publications: 0, enqueued: 0, closed: 0, open: 0, more: false, cursor: month };
  let firstOpenMonth: string | undefined;

  for (; month <= thisMonth; month = addMonths(`${month}-01`, 1).slice(0, 7)) {
    const budget = deps.config.maxRecordsPerRun - result.examined;
    if (budget <= 0) {
      result.more = true;
      firstOpenMonth ??= month;
      break;
    }
    // publications not yet sent their end come first, entries stuck for days last: those waiting for
    // a delivery must not starve the others
    const due = await store.listExpired(month, today, budget * LOOKAHEAD + 1);
    const stuckBefore = addDays(today, -STUCK_AFTER_DAYS);
    const rank = (e: ExpiryEntry): number => (e.until < stuckBefore ? 2 : e.enqueued.length > 0 ? 1 : 0);
    const entries = [...due].sort((a, b) => rank(a) - rank(b));
    if (entries.length > budget) result.more = true;
    const events: HistoryEvent[] = [];
    let monthOpen = result.more;
    for (const entry of entries.slice(0, budget)) {
      result.examined++;
      let progress: Progress;
      try {
        progress = await sweepEntry(store, entry, deps, today, now(), events, result);
      } catch (err) {
        deps.logger.error('could not sweep an expired publication; the next run tries again', {
          ...entry.ref,
          revision: entry.revision,
          until: entry.until,
          error: describeError(err),
        });
        deps.metrics?.count('ExpiryErrors', 1);
        progress = 'open';
      }
      if (progress === 'closed') result.closed++;
      else {
        result.open++;
        monthOpen = true;
      }
    }
    try {
      await store.appendEvents(events);
    } catch (err) {
      deps.logger.error('history events could not be written', { count: events.length, error: describeError(err) });
    }
    // entries of this month not yet due (until ≥ today) stay for later runs too
    if (monthOpen || month >= cursorLimit) firstOpenMonth ??= month;
    if (result.more) break;
  }
  result.cursor = firstOpenMonth ?? cursorLimit;
  if (result.cursor !== stored?.value) await store.saveCursor(EXPIRY_SWEEP_CURSOR, result.cursor, stored?.version ?? 0, now());
  deps.metrics?.count('PublicationsExpired', result.enqueued);
  deps.metrics?.count('ExpiryEntriesOpen', result.open);
  // the sweep's schedule also counts overdue commitments for their metric and alarm
  try {
    result.overdueCommitments = await store.countOverdueCommitments(today);
    deps.metrics?.count('OverdueCommitments', result.overdueCommitments);
  } catch (err) {
    deps.logger.error('could not count overdue commitments', { error: describeError(err) });
    deps.metrics?.count('ExpiryErrors', 1);
  }
  return result;
}

/**
 * One expired publication: sends its end to the destinations that published the revision and have
 * not ended it, once each; closes the entry once none is left (or a newer revision took over).
 */
async function sweepEntry(
  store: SweepState,
  entry: ExpiryEntry,
  deps: SweepDeps,
  today: string,
  at: string,
  events: HistoryEvent[],
  result: SweepResult,
): Promise<Progress> {
  const latest = await store.getLatestRecord(entry.ref);
  // a newer revision states its own publication (and has its own entry when it ends later)
  if (!latest || latest.meta.revision !== entry.revision || !publicationEndedBy(publicationOf(latest.record), today)) {
    await store.removeExpiry(entry);
    return 'closed';
  }
  const routes = deps.config.routes ?? defaultRoutes;
  const publishing = latest.meta.routedTo.filter((d) => publicationRole(d as DestinationId, entry.ref.recordType, routes).publishes) as DestinationId[];
  const states = new Map((await store.listDestinationStates(entry.ref)).map((s) => [s.destination, s]));
  const toSend: DestinationId[] = [];
  const waitingFor: DestinationId[] = [];
  const refused: Array<{ destination: DestinationId; error: string }> = [];
  for (const destination of publishing) {
    const state = states.get(destination);
    const answered = state !== undefined && state.revision === entry.revision && (state.status === 'delivered' || state.status === 'rejected');
    if (!answered) {
      // not delivered yet: its send will state the publication as over — unless one is in flight
      waitingFor.push(destination);
      continue;
    }
    if (state.status !== 'delivered' || state.published !== true || state.publicationEndedAt !== undefined) continue;
    if (!entry.enqueued.includes(destination)) toSend.push(destination);
    // the destination refused to end it: an answer, final — for an operator (the alarm), not for the sweep
    else if (state.unpublishError?.startsWith('rejected')) refused.push({ destination, error: state.unpublishError });
    else waitingFor.push(destination);
  }
  for (const { destination, error } of refused) {
    deps.metrics?.count('ExpiryErrors', 1);
    deps.logger.error('a destination refused to end a publication past its last day: it may still be published there', {
      ...entry.ref,
      revision: entry.revision,
      until: entry.until,
      destination,
      error,
    });
  }
  if (toSend.length > 0) {
    const sends = await Promise.all(
      toSend.map(async (destination) => {
        const url = deps.config.laneQueueUrls[destination];
        if (!url) throw new Error(`no queue configured for lane ${destination}`);
        const message: LaneMessage = {
          ...entry.ref,
          revision: entry.revision,
          destination,
          action: 'unpublish',
          correlationId: `expiry-sweep:${today}`,
          routedAt: at,
        };
        const { failed } = await sendBatch(deps.sqs, url, [outgoingLaneMessage(destination, message)]);
        return failed.size === 0;
      }),
    );
    const sent = toSend.filter((_, i) => sends[i]);
    await store.markExpiryEnqueued(entry, sent, at);
    result.enqueued += sent.length;
    if (sent.length > 0) {
      result.publications++;
      events.push({
        ref: entry.ref,
        type: 'publicationExpired',
        at,
        correlationId: `expiry-sweep:${today}`,
        revision: entry.revision,
        detail: { until: entry.until, destinations: sent },
      });
      deps.logger.info('publication over: its end sent where it was published', {
        ...entry.ref,
        revision: entry.revision,
        until: entry.until,
        destinations: sent,
      });
    }
    return 'open';
  }
  if (waitingFor.length > 0) {
    if (entry.until < addDays(today, -STUCK_AFTER_DAYS)) {
      deps.metrics?.count('ExpiryErrors', 1);
      deps.logger.error('a publication past its last day is still not ended', {
        ...entry.ref,
        revision: entry.revision,
        until: entry.until,
        destinations: waitingFor,
        reason: 'its revision or its end of publication is not delivered there: in the lane, in its DLQ, or never sent',
      });
    }
    return 'open';
  }
  await store.removeExpiry(entry);
  return 'closed';
}
