/**
 * The reconciliation: where every submission and every record ended, read from the state the
 * pipeline keeps (the sync-state table) and from the DLQs — the first invariant of the design
 * (docs/architecture.md, "nothing is lost") as numbers that must add up.
 *
 *  - each submission ended accepted (its revision is stored), a duplicate (the same revision was
 *    accepted from an earlier submission, and intake recorded acking this one), superseded (a newer
 *    revision was accepted, this one never, and intake recorded superseding it), quarantined
 *    (invalid, kept with its errors), or is waiting in the intake DLQ — or it is unaccounted for,
 *    which is a failure;
 *  - per destination, each accepted revision routed there is delivered, superseded (an older
 *    revision of a record whose latest went on), rejected by the endpoint, waiting in the lane's
 *    DLQ, or still pending (a repair waiting for its breach is pending);
 *  - per destination that publishes, each publication past its last day has ended there (the
 *    expiry sweep's end delivered) or is still pending;
 *  - records accepted and shared nowhere (non-penalty decisions: kept, never sent) are counted apart.
 *
 * It scans the whole table: made for the local runtime and tests, not for a production table
 * (the operator CLI reads the status index there).
 */
import { ChangeMessageVisibilityBatchCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { DestinationId } from '../../topology/topology.js';
import type { DemoSubmission } from '../demo/dataset.js';

export interface DestinationTally {
  /** Accepted revisions routed to this destination. */
  revisions: number;
  delivered: number;
  superseded: number;
  rejected: number;
  inDlq: number;
  pending: number;
  /** Records delivered as published here whose publication the expiry sweep has ended. */
  publicationsEnded: number;
  /** Records delivered as published here, past their last day, whose end is not delivered yet (on its way or in the DLQ). */
  publicationsEnding: number;
}

export interface SubmissionTally {
  total: number;
  accepted: number;
  duplicate: number;
  superseded: number;
  quarantined: number;
  inIntakeDlq: number;
  /** Submissions the state cannot account for: each is a lost record. */
  unaccounted: Array<{ seq: number; why: string }>;
}

export interface Reconciliation {
  submissions?: SubmissionTally;
  destinations: Record<string, DestinationTally>;
  /** Records accepted that no route sends anywhere (non-penalty decisions), by record type. */
  notShared: Record<string, number>;
  /** Quarantine entries in the table (all time). */
  quarantine: number;
  /** Nothing unaccounted for and nothing pending: every record reached its end state. */
  complete: boolean;
}

export interface ReconcileSources {
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  tableName: string;
  intakeDlqUrl: string;
  laneDlqUrls: Readonly<Record<DestinationId, string>>;
  /** The calendar day: a publication past its last day must have ended. */
  today: string;
  /**
   * Seconds a peeked DLQ message stays hidden after the peek: 0 (visible at once) on a server in
   * memory; 1 on fauxqs persisting to a data directory, whose SQLite store loses a message set to 0
   * (docs/local-runtime.md, "State") — a reconciliation within that second may then miss it.
   */
  peekReleaseSeconds?: number;
}

interface RecordView {
  latest: number;
  revisions: Set<number>;
  routedTo: string[];
  /** Routed (accepted and its routing done): a record routed nowhere was shared nowhere. */
  routed: boolean;
  destinations: Map<string, { revision: number; status: string; published?: boolean; publishedUntil?: string; publicationEndedAt?: string }>;
  /** Intake's history of this record: how many messages of each revision it acked as a duplicate or superseded. */
  intakeEvents: Map<string, number>;
}

type Item = Record<string, unknown>;

async function scanAll(doc: DynamoDBDocumentClient, tableName: string): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await doc.send(new ScanCommand({ TableName: tableName, ConsistentRead: true, ...(start && { ExclusiveStartKey: start }) }));
    items.push(...((page.Items ?? []) as Item[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Every message body in a queue, without consuming them: received (hidden for a while) until the
 * queue shows no more, then made visible again (at once, or `releaseSeconds` later). Receiving with visibility 0 instead samples
 * the queue at random and misses messages of a large one (a DLQ of hundreds). Only for queues
 * nothing else consumes meanwhile (the DLQs).
 */
export async function peekBodies(sqs: SQSClient, queueUrl: string, releaseSeconds = 0): Promise<string[]> {
  const seen = new Map<string, { body: string; handle: string }>();
  try {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: PEEK_HIDE_SECONDS, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) break;
      for (const m of Messages) seen.set(m.MessageId!, { body: m.Body ?? '', handle: m.ReceiptHandle! });
    }
  } finally {
    const handles = [...seen.values()].map((m) => m.handle);
    for (let i = 0; i < handles.length; i += 10) {
      const entries = handles.slice(i, i + 10).map((ReceiptHandle, j) => ({ Id: String(j), ReceiptHandle, VisibilityTimeout: releaseSeconds }));
      // a message left hidden shows again by itself after PEEK_HIDE_SECONDS
      await sqs.send(new ChangeMessageVisibilityBatchCommand({ QueueUrl: queueUrl, Entries: entries })).catch(() => undefined);
    }
  }
  return [...seen.values()].map((m) => m.body);
}

/** How long a peeked message is hidden at most (it is made visible again right after the peek). */
const PEEK_HIDE_SECONDS = 30;

const refKey = (recordType: unknown, source: unknown, recordId: unknown) => `${recordType}#${source}#${recordId}`;

function recordsOf(items: readonly Item[]): { records: Map<string, RecordView>; quarantine: Item[] } {
  const records = new Map<string, RecordView>();
  const quarantine: Item[] = [];
  const view = (pk: string): RecordView => {
    let v = records.get(pk);
    if (!v) records.set(pk, (v = { latest: 0, revisions: new Set(), routedTo: [], routed: false, destinations: new Map(), intakeEvents: new Map() }));
    return v;
  };
  for (const item of items) {
    const pk = String(item['pk']);
    const sk = String(item['sk']);
    if (pk.startsWith('QUAR#')) quarantine.push(item);
    if (!pk.startsWith('REC#')) continue;
    const key = pk.slice('REC#'.length);
    if (sk === 'META') {
      const v = view(key);
      v.latest = Number(item['revision']);
      const routed = item['routedTo'];
      v.routedTo = routed instanceof Set ? [...(routed as Set<string>)] : Array.isArray(routed) ? (routed as string[]) : [];
      v.routed = Number(item['routedRevision'] ?? 0) >= v.latest;
    } else if (sk.startsWith('REV#')) view(key).revisions.add(Number(item['revision']));
    else if (sk.startsWith('DEST#')) {
      view(key).destinations.set(sk.slice('DEST#'.length), {
        revision: Number(item['revision']),
        status: String(item['status']),
        ...(typeof item['published'] === 'boolean' && { published: item['published'] }),
        ...(typeof item['publishedUntil'] === 'string' && { publishedUntil: item['publishedUntil'] }),
        ...(typeof item['publicationEndedAt'] === 'string' && { publicationEndedAt: item['publicationEndedAt'] }),
      });
    } else if (
      sk.startsWith('EVT#') &&
      (item['type'] === 'duplicate' || item['type'] === 'superseded') &&
      (item['detail'] as { destination?: string } | undefined)?.destination === undefined
    ) {
      // intake's events (a deliver function's name a destination)
      const events = view(key).intakeEvents;
      const event = `${String(item['type'])}@${item['revision']}`;
      events.set(event, (events.get(event) ?? 0) + 1);
    }
  }
  return { records, quarantine };
}

export async function reconcile(sources: ReconcileSources, submissions?: readonly DemoSubmission[]): Promise<Reconciliation> {
  const { records, quarantine } = recordsOf(await scanAll(sources.doc, sources.tableName));

  const destinations: Record<string, DestinationTally> = {};
  let pending = 0;
  for (const [destination, dlqUrl] of Object.entries(sources.laneDlqUrls)) {
    const inDlq = new Set<string>();
    for (const body of await peekBodies(sources.sqs, dlqUrl, sources.peekReleaseSeconds)) {
      try {
        const m = JSON.parse(body) as Record<string, unknown>;
        inDlq.add(`${refKey(m['recordType'], m['source'], m['recordId'])}@${m['revision']}`);
      } catch {
        // not a lane message: counted by nobody, so it shows as pending below
      }
    }
    const tally: DestinationTally = {
      revisions: 0,
      delivered: 0,
      superseded: 0,
      rejected: 0,
      inDlq: 0,
      pending: 0,
      publicationsEnded: 0,
      publicationsEnding: 0,
    };
    for (const [key, record] of records) {
      if (!record.routedTo.includes(destination)) continue;
      tally.revisions += record.revisions.size;
      tally.superseded += [...record.revisions].filter((r) => r < record.latest).length;
      const state = record.destinations.get(destination);
      const inItsDlq = inDlq.has(`${key}@${record.latest}`);
      if (state && state.revision >= record.latest && state.status === 'delivered') {
        tally.delivered++;
        // a publication past its last day has ended here, or its end is on the way (or in the DLQ)
        if (state.publicationEndedAt !== undefined) tally.publicationsEnded++;
        else if (state.published === true && state.publishedUntil !== undefined && state.publishedUntil < sources.today) tally.publicationsEnding++;
      } else if (state && state.revision >= record.latest && state.status === 'rejected') tally.rejected++;
      else if (inItsDlq) tally.inDlq++;
      else tally.pending++;
    }
    pending += tally.pending + tally.publicationsEnding;
    destinations[destination] = tally;
  }

  let submissionTally: SubmissionTally | undefined;
  if (submissions) {
    const intakeDlq = await peekBodies(sources.sqs, sources.intakeDlqUrl, sources.peekReleaseSeconds);
    submissionTally = classifySubmissions(submissions, records, quarantine, intakeDlq);
  }
  const notShared: Record<string, number> = {};
  for (const [key, record] of records) {
    if (record.routed && record.routedTo.length === 0 && record.latest > 0) {
      const type = key.split('#')[0]!;
      notShared[type] = (notShared[type] ?? 0) + 1;
    }
  }
  return {
    ...(submissionTally && { submissions: submissionTally }),
    destinations,
    notShared,
    quarantine: quarantine.length,
    complete: pending === 0 && (submissionTally?.unaccounted.length ?? 0) === 0,
  };
}

function classifySubmissions(
  submissions: readonly DemoSubmission[],
  records: ReadonlyMap<string, RecordView>,
  quarantine: readonly Item[],
  intakeDlq: readonly string[],
): SubmissionTally {
  const tally: SubmissionTally = { total: submissions.length, accepted: 0, duplicate: 0, superseded: 0, quarantined: 0, inIntakeDlq: 0, unaccounted: [] };
  const seen = new Set<string>();
  const unusedQuarantine = [...quarantine];
  const takeQuarantine = (s: DemoSubmission): boolean => {
    const r = s.record;
    const i = unusedQuarantine.findIndex(
      (q) =>
        q['body'] === s.body ||
        (r !== undefined && q['recordId'] === r['recordId'] && q['source'] === r['source'] && (q['revision'] === undefined || q['revision'] === r['revision'])),
    );
    if (i < 0) return false;
    unusedQuarantine.splice(i, 1);
    return true;
  };
  const unusedDlq = [...intakeDlq];
  // the ingest API enqueues the record re-serialised: match by identity and revision, or by body
  const takeFromDlq = (s: DemoSubmission): boolean => {
    const r = s.record;
    const i = unusedDlq.findIndex((body) => {
      if (body === s.body) return true;
      if (!r) return false;
      try {
        const m = JSON.parse(body) as Record<string, unknown>;
        return m['recordType'] === r['recordType'] && m['source'] === r['source'] && m['recordId'] === r['recordId'] && m['revision'] === r['revision'];
      } catch {
        return false;
      }
    });
    if (i < 0) return false;
    unusedDlq.splice(i, 1);
    return true;
  };
  for (const s of [...submissions].sort((a, b) => a.seq - b.seq)) {
    const r = s.record;
    const record = r && records.get(refKey(r['recordType'], r['source'], r['recordId']));
    const revision = Number(r?.['revision']);
    // a duplicate or superseded submission must have reached intake: one of its events per submission
    // (a crash and retry may add more, never fewer — so a resend lost on the way shows)
    const takeEvent = (type: 'duplicate' | 'superseded'): boolean => {
      const left = record?.intakeEvents.get(`${type}@${revision}`) ?? 0;
      if (left === 0) return false;
      record!.intakeEvents.set(`${type}@${revision}`, left - 1);
      return true;
    };
    if (r && record?.revisions.has(revision)) {
      const key = `${refKey(r['recordType'], r['source'], r['recordId'])}@${revision}`;
      if (!seen.has(key)) {
        seen.add(key);
        tally.accepted++;
      } else if (takeEvent('duplicate')) tally.duplicate++;
      // a resend of a stored revision that a newer one has replaced since is superseded, not a duplicate
      else if (takeEvent('superseded')) tally.superseded++;
      else
        tally.unaccounted.push({
          seq: s.seq,
          why: `a resend of revision ${revision} of ${String(r['recordType'])} ${String(r['recordId'])} never reached intake`,
        });
    } else if (record && record.latest > revision) {
      if (takeEvent('superseded')) tally.superseded++;
      else
        tally.unaccounted.push({ seq: s.seq, why: `older revision ${revision} of ${String(r['recordType'])} ${String(r['recordId'])} never reached intake` });
    } else if (takeQuarantine(s)) tally.quarantined++;
    else if (takeFromDlq(s)) tally.inIntakeDlq++;
    else
      tally.unaccounted.push({
        seq: s.seq,
        why: r ? `revision ${revision} of ${String(r['recordType'])} ${String(r['recordId'])} is not in the table` : 'not quarantined',
      });
  }
  return tally;
}

export interface SettleOptions {
  /** Give up when nothing moved for this long. */
  settleSeconds: number;
  /** Seconds between reconciliations (default 1). */
  intervalSeconds?: number;
  /** Called whenever the reconciliation changed. */
  onChange?: (result: Reconciliation) => void;
  /** Stops waiting early (resolves with the last result). */
  signal?: AbortSignal;
}

/** Reconciles until complete, or until nothing changed for `settleSeconds`; returns the last result. */
export async function settle(check: () => Promise<Reconciliation>, options: SettleOptions): Promise<Reconciliation> {
  let last = '';
  let lastChange = Date.now();
  for (;;) {
    const result = await check();
    const fingerprint = JSON.stringify(result);
    if (fingerprint !== last) {
      last = fingerprint;
      lastChange = Date.now();
      options.onChange?.(result);
    }
    if (result.complete || options.signal?.aborted || Date.now() - lastChange > options.settleSeconds * 1000) return result;
    await new Promise((resolve) => setTimeout(resolve, (options.intervalSeconds ?? 1) * 1000));
  }
}
