/**
 * Replay: moves messages from a lane's DLQ back to the lane's queue, so the deliver function
 * tries them again (after an endpoint outage, expired credentials, a repair that waited too long
 * for its breach).
 *
 * Each message is SENT to the queue first and DELETED from the DLQ only once the send succeeded:
 * a crash in between leaves it in both — delivered once all the same (the deliver function skips a
 * revision already delivered, and the endpoint dedupes by idempotency key) — and never in neither.
 * Messages the filter does not match are left in the DLQ untouched: they are held invisible while
 * the scan runs (so the scan sees each message once) and made visible again at the end; if the
 * process dies first, they reappear on their own when the hold ends.
 */
import { ChangeMessageVisibilityBatchCommand, DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../../functions/shared/errors.js';
import { sendBatch } from '../../functions/shared/queue/send-batch.js';
import { laneMessageRef, type LaneMessage } from '../../functions/shared/queue/lane-message.js';
import type { HistoryEvent, SyncState } from '../../functions/shared/state/sync-state.js';
import type { DestinationId } from '../../topology/topology.js';
import { UsageError } from '../context.js';
import { queueDepth, RELEASE_VISIBILITY_SECONDS } from './queues.js';
import { INSTANT_FORMS, parseInstant } from '../options.js';
import type { QueuePair } from '../target.js';

/** What a replay moves; every given condition must hold. */
export interface ReplayFilter {
  /** Record types (any of). */
  recordType?: string[];
  source?: string[];
  recordId?: string[];
  action?: string[];
  /** Text in the destination state's last error (case-insensitive): "HTTP 503", "authentication". */
  error?: string;
  /** Sent to the lane at or after this time (ISO), before `until`. */
  since?: string;
  until?: string;
}

const FILTER_KEYS = ['recordType', 'source', 'recordId', 'action', 'error', 'since', 'until'] as const;

/**
 * `recordType=breach,error=HTTP 503,since=2026-11-28T08:00Z`. A key given twice, or values
 * separated by `|`, means any of them (`recordType=breach|repair`).
 */
export function parseFilter(text: string | undefined): ReplayFilter {
  const filter: ReplayFilter = {};
  if (!text) return filter;
  for (const part of text.split(',')) {
    const at = part.indexOf('=');
    const key = part.slice(0, at).trim();
    const value = part.slice(at + 1).trim();
    if (at < 1 || !value) throw new UsageError(`filter part ${JSON.stringify(part)} is not key=value (keys: ${FILTER_KEYS.join(', ')})`);
    if (!(FILTER_KEYS as readonly string[]).includes(key)) throw new UsageError(`unknown filter key ${JSON.stringify(key)} (keys: ${FILTER_KEYS.join(', ')})`);
    if (key === 'since' || key === 'until') {
      const at = parseInstant(value);
      if (at === undefined) throw new UsageError(`filter ${key}=${value}: expected ${INSTANT_FORMS}`);
      filter[key] = at;
    } else if (key === 'error') {
      filter.error = value;
    } else {
      const list = (filter[key as 'recordType'] ??= []);
      list.push(
        ...value
          .split('|')
          .map((v) => v.trim())
          .filter(Boolean),
      );
    }
  }
  return filter;
}

export const isEmptyFilter = (filter: ReplayFilter): boolean => Object.keys(filter).length === 0;

/** The filter as the audit entry and --json show it. */
export function describeFilter(filter: ReplayFilter): string {
  return Object.entries(filter)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`)
    .join(',');
}

/** What a replay empties: a lane's DLQ into the lane, or the intake DLQ into the intake queue. */
export type ReplayQueue = DestinationId | 'intake';

export interface ReplayOptions {
  lane: ReplayQueue;
  filter: ReplayFilter;
  /** Move (or, dry, count) at most this many. */
  limit?: number;
  /** Messages per second sent to the queue (default: as fast as SQS takes them). */
  ratePerSecond?: number;
  /** Count and list what would move; change nothing. */
  dryRun?: boolean;
  /** Seconds a received message stays invisible while the scan runs (default 300). */
  holdSeconds?: number;
  /** Who asked and under which audit entry: written into each record's history. */
  requestedBy: string;
  auditId?: string;
  signal?: AbortSignal;
  onProgress?: (event: 'matched' | 'moved' | 'kept', n: number) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export interface ReplayedMessage {
  messageId: string;
  recordType?: string;
  source?: string;
  recordId?: string;
  revision?: number;
  action?: string;
}

export interface ReplayResult {
  lane: ReplayQueue;
  dryRun: boolean;
  /** Distinct DLQ messages looked at. */
  scanned: number;
  matched: number;
  moved: number;
  /** Left in the DLQ: not matching the filter, or beyond the limit. */
  kept: number;
  /**
   * Left in the DLQ because they reached it after the replay started — among them this replay's
   * own copies that failed again: moving them again would go round in circles.
   */
  arrivedDuringReplay: number;
  /** Bodies that are not lane messages or records (kept unless no filter is given). */
  unreadable: number;
  /**
   * Intake DLQ only: bodies parked there for a quarantine entry (too large for the table): they are
   * the entry's evidence, not failures — never moved (credex quarantine release re-submits them).
   */
  parked: number;
  /** Messages the DLQ still shows but the scan could not reach (e.g. SQS's in-flight limit): run again. */
  unscanned: number;
  /** Messages that could not be moved, or were sent but not deleted (they may be moved twice: harmless). */
  failures: Array<{ messageId: string; reason: string }>;
  interrupted: boolean;
  /** The matched messages (the first 1,000). */
  messages: ReplayedMessage[];
}

const MAX_LISTED = 1000;
/** Empty receives in a row, with messages still visible, before the scan gives up on them. */
const MAX_EMPTY_RECEIVES = 10;

export async function replayLane(
  deps: { sqs: SQSClient; state: Pick<SyncState, 'getDestinationState' | 'appendEvents'> },
  queues: QueuePair,
  options: ReplayOptions,
): Promise<ReplayResult> {
  if (options.lane === 'intake' && (options.filter.error !== undefined || options.filter.action !== undefined)) {
    throw new UsageError(
      'the intake DLQ holds records, not lane messages: filter by recordType, source, recordId, since or until (error= and action= apply to lanes)',
    );
  }
  const sleep = options.sleep ?? abortableSleep(options.signal);
  const now = options.now ?? (() => new Date());
  const holdSeconds = options.holdSeconds ?? 300;
  const startedAt = now().getTime();
  const result: ReplayResult = {
    lane: options.lane,
    dryRun: options.dryRun === true,
    scanned: 0,
    matched: 0,
    moved: 0,
    kept: 0,
    arrivedDuringReplay: 0,
    unreadable: 0,
    parked: 0,
    unscanned: 0,
    failures: [],
    interrupted: false,
    messages: [],
  };
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  /** Messages held invisible that must be made visible again at the end: id → latest receipt handle. */
  const held = new Map<string, string>();
  /** Ids of the copies this replay sent (SQS keeps a message's id when it redrives it to the DLQ). */
  const ours = new Set<string>();
  const seen = new Set<string>();
  const events: HistoryEvent[] = [];
  let lastSendAt = 0;
  let lastRenewal = Date.now();
  const aborted = () => options.signal?.aborted === true;

  try {
    for (let emptyReceives = 0; ;) {
      if (aborted()) result.interrupted = true;
      if (result.interrupted || result.matched >= limit) break;
      // held messages stay held however long the scan takes: each renewal restarts their hold
      if (held.size > 0 && Date.now() - lastRenewal > (holdSeconds * 1000) / 3) {
        await setVisibility(deps.sqs, queues.dlqUrl, held, holdSeconds);
        lastRenewal = Date.now();
      }
      const { Messages = [] } = await deps.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queues.dlqUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: holdSeconds,
          WaitTimeSeconds: 1,
          MessageAttributeNames: ['All'],
          MessageSystemAttributeNames: ['SentTimestamp'],
        }),
      );
      if (Messages.length === 0) {
        // an empty long poll means nothing visible, as far as SQS knows: check before ending
        emptyReceives++;
        if (emptyReceives < 2) continue;
        const visible = (await queueDepth(deps.sqs, queues.dlqUrl)).visible;
        if (visible === 0) break;
        if (emptyReceives >= MAX_EMPTY_RECEIVES) {
          result.unscanned = visible;
          break;
        }
        continue;
      }
      emptyReceives = 0;

      const toMove: Array<{ message: Message; lane?: LaneMessage }> = [];
      for (const message of Messages) {
        const id = message.MessageId!;
        held.set(id, message.ReceiptHandle!);
        if (seen.has(id)) continue; // came back after a lost hold: counted once
        seen.add(id);
        result.scanned++;
        const sent = Number(message.Attributes?.SentTimestamp);
        if (ours.has(id) || sent >= startedAt) {
          result.arrivedDuringReplay++;
          continue;
        }
        if (message.MessageAttributes?.['quarantineReason']) {
          result.parked++;
          continue;
        }
        const lane = parseLaneMessage(message.Body);
        if (!lane) result.unreadable++;
        let matches: boolean;
        try {
          matches =
            result.matched < limit && (lane ? await matchesFilter(message, lane, options.filter, deps.state, options.lane) : isEmptyFilter(options.filter));
        } catch (err) {
          result.failures.push({ messageId: id, reason: `left in the DLQ: could not read the record's state to apply the filter (${describeError(err)})` });
          continue;
        }
        if (!matches) {
          result.kept++;
          options.onProgress?.('kept', 1);
          continue;
        }
        result.matched++;
        if (result.messages.length < MAX_LISTED) result.messages.push(listed(message, lane));
        options.onProgress?.('matched', 1);
        if (!options.dryRun) toMove.push({ message, ...(lane && { lane }) });
      }

      // paced in chunks no larger than a second's worth, so --rate 1 moves one message a second
      const size = options.ratePerSecond ? Math.min(10, Math.max(1, Math.floor(options.ratePerSecond))) : 10;
      for (let i = 0; i < toMove.length && !result.interrupted; i += size) {
        const chunk = toMove.slice(i, i + size);
        if (options.ratePerSecond) await sleep(lastSendAt + (1000 * chunk.length) / options.ratePerSecond - Date.now());
        // Ctrl-C between two sends: what was not sent stays in the DLQ (held, released at the end)
        if (aborted()) {
          result.interrupted = true;
          break;
        }
        lastSendAt = Date.now();
        const moved = await move(deps.sqs, queues, chunk, options, result);
        for (const [id, copyId] of moved) {
          held.delete(id);
          ours.add(copyId);
          const lane = chunk.find((c) => c.message.MessageId === id)?.lane;
          const where = options.lane === 'intake' ? { queue: 'intake' } : { destination: options.lane };
          if (lane)
            events.push({
              ref: laneMessageRef(lane),
              type: 'replayed',
              at: now().toISOString(),
              correlationId: lane.correlationId ?? 'replay',
              revision: lane.revision,
              detail: { ...where, by: options.requestedBy, ...(options.auditId && { auditId: options.auditId }) },
            });
        }
      }
    }
  } finally {
    // everything still held goes back: unmatched, dry-run, unsent and failed messages alike
    await setVisibility(deps.sqs, queues.dlqUrl, held, RELEASE_VISIBILITY_SECONDS).catch(() => undefined);
    // history is the trail, not the move: a failure here leaves the messages moved
    await deps.state.appendEvents(events).catch(() => undefined);
  }
  return result;
}

/** A sleep that ends early on Ctrl-C (the caller checks the signal after it). */
function abortableSleep(signal: AbortSignal | undefined): (ms: number) => Promise<void> {
  return (ms) =>
    new Promise<void>((resolve) => {
      if (ms <= 0 || signal?.aborted) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done, { once: true });
    });
}

function parseLaneMessage(body: string | undefined): LaneMessage | undefined {
  try {
    const parsed = JSON.parse(body ?? '') as Partial<LaneMessage>;
    return typeof parsed.recordType === 'string' &&
      typeof parsed.recordId === 'string' &&
      typeof parsed.source === 'string' &&
      typeof parsed.revision === 'number'
      ? (parsed as LaneMessage)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a message matches. A lane message and a record (an intake DLQ body) share the fields the
 * filter names; `action` and `error` exist for lane messages only.
 */
async function matchesFilter(
  message: Message,
  lane: LaneMessage,
  filter: ReplayFilter,
  syncState: Pick<SyncState, 'getDestinationState'>,
  destination: ReplayQueue,
): Promise<boolean> {
  const anyOf = (values: string[] | undefined, value: string) => values === undefined || values.includes(value);
  if (
    !anyOf(filter.recordType, lane.recordType) ||
    !anyOf(filter.source, lane.source) ||
    !anyOf(filter.recordId, lane.recordId) ||
    !anyOf(filter.action, lane.action)
  )
    return false;
  const sent = Number(message.Attributes?.SentTimestamp);
  if (filter.since && !(sent >= Date.parse(filter.since))) return false;
  if (filter.until && !(sent < Date.parse(filter.until))) return false;
  if (filter.error !== undefined && destination !== 'intake') {
    // the error lives in the record's state at this destination, not in the message
    const state = await syncState.getDestinationState(laneMessageRef(lane), destination);
    if (!state?.lastError?.toLowerCase().includes(filter.error.toLowerCase())) return false;
  }
  return true;
}

function listed(message: Message, lane: LaneMessage | undefined): ReplayedMessage {
  return {
    messageId: message.MessageId!,
    ...(lane && { recordType: lane.recordType, source: lane.source, recordId: lane.recordId, revision: lane.revision, action: lane.action }),
  };
}

/**
 * Send, then delete what was sent. Returns the moved messages (DLQ id → the copy's id); a failure
 * of either step is recorded and leaves the message in the DLQ (a sent, undeleted one may be moved
 * twice later: harmless).
 */
async function move(
  sqs: SQSClient,
  queues: QueuePair,
  batch: ReadonlyArray<{ message: Message; lane?: LaneMessage }>,
  options: ReplayOptions,
  result: ReplayResult,
): Promise<Map<string, string>> {
  const moved = new Map<string, string>();
  const attributesOf = (m: Message): Record<string, string> => {
    const attributes: Record<string, string> = {};
    for (const [name, value] of Object.entries(m.MessageAttributes ?? {}))
      if (value.DataType === 'String' && value.StringValue !== undefined) attributes[name] = value.StringValue;
    if (options.auditId) attributes['replayAuditId'] = options.auditId;
    return attributes;
  };
  let sent: Map<string, string>;
  try {
    const outcome = await sendBatch(
      sqs,
      queues.queueUrl,
      batch.map(({ message }) => ({ key: message.MessageId!, body: message.Body ?? '', attributes: attributesOf(message) })),
    );
    for (const [messageId, reason] of outcome.failed) result.failures.push({ messageId, reason: `not sent (still in the DLQ): ${reason}` });
    sent = outcome.sent;
  } catch (err) {
    for (const { message } of batch) result.failures.push({ messageId: message.MessageId!, reason: `not sent (still in the DLQ): ${describeError(err)}` });
    return moved;
  }
  const toDelete = batch.filter(({ message }) => sent.has(message.MessageId!));
  if (toDelete.length === 0) return moved;
  let failedDeletes: Array<{ Id?: string; Code?: string; Message?: string }>;
  try {
    const deleted = await sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queues.dlqUrl,
        Entries: toDelete.map(({ message }, i) => ({ Id: String(i), ReceiptHandle: message.ReceiptHandle! })),
      }),
    );
    failedDeletes = deleted.Failed ?? [];
  } catch (err) {
    failedDeletes = toDelete.map((_, i) => ({ Id: String(i), Code: 'error', Message: describeError(err) }));
  }
  const notDeleted = new Set(failedDeletes.map((f) => Number(f.Id)));
  for (const f of failedDeletes) {
    const message = toDelete[Number(f.Id)]!.message;
    result.failures.push({
      messageId: message.MessageId!,
      reason: `sent, but not deleted from the DLQ (${f.Code ?? 'error'}: ${f.Message ?? ''}): a later replay may move it again, which is harmless`,
    });
  }
  toDelete.forEach(({ message }, i) => {
    if (!notDeleted.has(i)) moved.set(message.MessageId!, sent.get(message.MessageId!)!);
  });
  result.moved += moved.size;
  options.onProgress?.('moved', moved.size);
  return moved;
}

/** Sets the visibility of held messages: the hold again (renewal), or a release. Best effort per entry. */
async function setVisibility(sqs: SQSClient, dlqUrl: string, held: ReadonlyMap<string, string>, seconds: number): Promise<void> {
  const handles = [...held.values()];
  for (let i = 0; i < handles.length; i += 10) {
    await sqs
      .send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: dlqUrl,
          Entries: handles.slice(i, i + 10).map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle, VisibilityTimeout: seconds })),
        }),
      )
      .catch(() => undefined);
  }
}
