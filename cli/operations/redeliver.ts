/**
 * Resync and redeliver: re-enqueue records from their stored canonical form. Each lane message
 * points at the record's LATEST accepted revision (read from META when it is enqueued) and carries
 * the operator's `redeliver` mark, so the deliver function sends it again even where the
 * destination already answered that revision. The revision guard still applies: the deliver
 * function never sends a revision older than one already sent, and a newer revision accepted
 * meanwhile supersedes the message.
 *
 * The action (upsert or withdraw) is planned again by the routing rules, from the latest revision
 * and where the record went before — a commitment no longer public is withdrawn, not re-published.
 */
import { breachDestinations } from '../../functions/intake/intake.js';
import { breachRefOf } from '../../functions/shared/records/cross-record.js';
import { planRoutes } from '../../functions/intake/routing.js';
import { outgoingLaneMessage, type LaneMessage } from '../../functions/shared/queue/lane-message.js';
import { beijingDate } from '../../functions/shared/records/dates.js';
import { sendBatch, type OutgoingMessage } from '../../functions/shared/queue/send-batch.js';
import type { HistoryEvent, RecordRef, SyncState } from '../../functions/shared/state/sync-state.js';
import { sources as registeredSources, type DestinationId } from '../../topology/topology.js';
import type { SQSClient } from '@aws-sdk/client-sqs';

export const RESYNC_STATUSES = ['failed', 'rejected', 'delivered'] as const;
export type ResyncStatus = (typeof RESYNC_STATUSES)[number];

export interface Candidate {
  ref: RecordRef;
  destination: DestinationId;
  /** The destination state the candidate was found by (absent for a redeliver by name). */
  status?: string;
  stateRevision?: number;
}

/**
 * Destination states of one destination and status, oldest update first, from the operators'
 * index (`DEST#<destination>#<status>`, sorted by `<updatedAt>#<pk>`), updated at or after `since`.
 */
export async function* candidatesByStatus(
  state: Pick<SyncState, 'streamByDestinationStatus'>,
  destination: DestinationId,
  status: ResyncStatus,
  since?: string,
): AsyncGenerator<Candidate> {
  for await (const item of state.streamByDestinationStatus(destination, status, since ? { since } : {})) {
    const ref = refOfPk(String(item.pk));
    if (ref) yield { ref, destination, status, stateRevision: Number(item.revision) };
  }
}

/** `REC#<type>#<source>#<recordId>` → its ref (record ids may contain `#`). */
export function refOfPk(pk: string): RecordRef | undefined {
  const [prefix, recordType, source, ...rest] = pk.split('#');
  if (prefix !== 'REC' || !recordType || !source || rest.length === 0) return undefined;
  return { recordType: recordType as RecordRef['recordType'], source, recordId: rest.join('#') };
}

export type Planned = { kind: 'enqueue'; message: LaneMessage } | { kind: 'skip'; reason: string };

export interface RedeliveryMark {
  requestedBy: string;
  auditId: string;
  now: string;
  /** The day routing decides publication on (default: the Beijing date of `now`). */
  today?: string;
  /** When this run enqueued a breach again at a destination (so its repairs wait for that send). */
  breachResentAt?: (breach: RecordRef, destination: DestinationId) => string | undefined;
}

/**
 * The lane message that redelivers a record's latest revision to `destination`, or why there is
 * none. A record found failed gets a plain message (nothing was answered: no need to reopen);
 * any other gets the operator's `redeliver` mark, which lets the deliver function send an
 * answered revision again.
 */
export async function planRedelivery(state: Pick<SyncState, 'getMeta' | 'getRevision'>, candidate: Candidate, mark: RedeliveryMark): Promise<Planned> {
  const { ref, destination } = candidate;
  const meta = await state.getMeta(ref);
  if (!meta) return { kind: 'skip', reason: 'no accepted revision' };
  const source = registeredSources[ref.source];
  if (!source) return { kind: 'skip', reason: `source ${ref.source} is no longer registered` };
  const record = await state.getRevision(ref, meta.revision);
  if (!record) return { kind: 'skip', reason: `revision ${meta.revision} is not stored` };
  const today = mark.today ?? beijingDate(new Date(mark.now));
  const entry = planRoutes(record, {
    direction: source.direction,
    routedBefore: meta.routedTo as DestinationId[],
    breachRoutedTo: await breachDestinations(state, record),
    today,
  }).find((e) => e.destination === destination);
  if (!entry) return { kind: 'skip', reason: `the routing rules do not send this record to ${destination}` };
  const breach = record.recordType === 'repair' ? breachRefOf(record) : undefined;
  const breachResentAt = breach && mark.breachResentAt?.(breach, destination);
  return {
    kind: 'enqueue',
    message: {
      ...ref,
      revision: meta.revision,
      destination,
      action: entry.action,
      correlationId: meta.correlationId,
      routedAt: mark.now,
      ...(candidate.status !== 'failed' && { redeliver: { requestedBy: mark.requestedBy, auditId: mark.auditId, ...(breachResentAt && { breachResentAt }) } }),
    },
  };
}

export interface RedeliverOptions {
  requestedBy: string;
  auditId: string;
  dryRun?: boolean;
  limit?: number;
  ratePerSecond?: number;
  signal?: AbortSignal;
  onProgress?: (event: 'enqueued' | 'skipped', n: number) => void;
  now?: () => Date;
  /** The day routing decides publication on (a local runtime's calendar; default the Beijing date). */
  today?: () => string;
  sleep?: (ms: number) => Promise<void>;
}

export interface RedeliverResult {
  /** Candidates looked at. */
  considered: number;
  /** Enqueued (dry run: would be). */
  enqueued: number;
  /** Candidates not enqueued, with why (the first 1,000). */
  skipped: Array<{ record: string; destination: string; reason: string }>;
  skippedCount: number;
  failures: Array<{ record: string; destination: string; reason: string }>;
  interrupted: boolean;
  /** What was (or, dry, would be) enqueued (the first 1,000). */
  messages: Array<Pick<LaneMessage, 'recordType' | 'source' | 'recordId' | 'revision' | 'destination' | 'action'>>;
}

const MAX_LISTED = 1000;
const SEND_CHUNK = 10;

/** Plans and enqueues a redelivery for each candidate, 10 messages a request, with a history event each. */
export async function redeliver(
  deps: { sqs: SQSClient; state: Pick<SyncState, 'getMeta' | 'getRevision' | 'appendEvents'>; laneQueueUrls: Readonly<Record<DestinationId, string>> },
  candidates: AsyncIterable<Candidate> | Iterable<Candidate>,
  options: RedeliverOptions,
): Promise<RedeliverResult> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const result: RedeliverResult = { considered: 0, enqueued: 0, skipped: [], skippedCount: 0, failures: [], interrupted: false, messages: [] };
  const seen = new Set<string>();
  let pending: LaneMessage[] = [];
  let lastSendAt = 0;

  const flush = async () => {
    if (pending.length === 0) return;
    const batch = pending;
    pending = [];
    if (options.ratePerSecond) {
      const wait = lastSendAt + (1000 * batch.length) / options.ratePerSecond - Date.now();
      if (wait > 0) await sleep(wait);
      lastSendAt = Date.now();
    }
    const byLane = new Map<DestinationId, OutgoingMessage[]>();
    batch.forEach((m, i) => byLane.set(m.destination, [...(byLane.get(m.destination) ?? []), outgoingLaneMessage(String(i), m)]));
    const failed = new Map<string, string>();
    for (const [lane, messages] of byLane)
      for (const [key, reason] of (await sendBatch(deps.sqs, deps.laneQueueUrls[lane], messages)).failed) failed.set(key, reason);
    const events: HistoryEvent[] = [];
    batch.forEach((m, i) => {
      const reason = failed.get(String(i));
      if (reason) {
        result.failures.push({ record: `${m.recordType}/${m.source}/${m.recordId}`, destination: m.destination, reason });
        return;
      }
      result.enqueued++;
      events.push({
        ref: { recordType: m.recordType as RecordRef['recordType'], source: m.source, recordId: m.recordId },
        type: 'replayed',
        at: now().toISOString(),
        correlationId: m.correlationId,
        revision: m.revision,
        detail: { destination: m.destination, by: options.requestedBy, auditId: options.auditId, redeliver: true },
      });
    });
    options.onProgress?.('enqueued', batch.length - failed.size);
    await deps.state.appendEvents(events).catch(() => undefined);
  };

  // repairs go after every other record, so one whose breach this run resends waits for that send
  const breachesResent = new Map<string, string>();
  const key = (ref: RecordRef, destination: string) => `${ref.recordType}/${ref.source}/${ref.recordId}>${destination}`;
  const repairs: Candidate[] = [];
  const consider = async (candidate: Candidate): Promise<boolean> => {
    if (options.signal?.aborted) {
      result.interrupted = true;
      return false;
    }
    if (options.limit !== undefined && result.considered - result.skippedCount >= options.limit) return false;
    // one record, one destination, once per run (a state may move between index pages)
    const id = key(candidate.ref, candidate.destination);
    if (seen.has(id)) return true;
    seen.add(id);
    result.considered++;
    const at = now().toISOString();
    const planned = await planRedelivery(deps.state, candidate, {
      requestedBy: options.requestedBy,
      auditId: options.auditId,
      now: at,
      ...(options.today && { today: options.today() }),
      breachResentAt: (breach, destination) => breachesResent.get(key(breach, destination)),
    });
    if (planned.kind === 'skip') {
      result.skippedCount++;
      if (result.skipped.length < MAX_LISTED) result.skipped.push({ record: id.split('>')[0]!, destination: candidate.destination, reason: planned.reason });
      options.onProgress?.('skipped', 1);
      return true;
    }
    if (candidate.ref.recordType === 'breach') breachesResent.set(id, at);
    const { recordType, source, recordId, revision, destination, action } = planned.message;
    if (result.messages.length < MAX_LISTED) result.messages.push({ recordType, source, recordId, revision, destination, action });
    if (options.dryRun) {
      result.enqueued++;
      options.onProgress?.('enqueued', 1);
      return true;
    }
    pending.push(planned.message);
    if (pending.length >= SEND_CHUNK) await flush();
    return true;
  };
  let going = true;
  for await (const candidate of candidates) {
    if (candidate.ref.recordType === 'repair') repairs.push(candidate);
    else if (!(going = await consider(candidate))) break;
  }
  if (going) {
    // the breaches' messages leave first
    if (!options.dryRun) await flush();
    for (const candidate of repairs) if (!(await consider(candidate))) break;
  }
  if (!options.dryRun) await flush();
  return result;
}
