/**
 * The provincial breach pull: pages through the provincial platform's breach feed
 * (docs/endpoints.md, "Simulators" → breach feed) from a cursor kept in the sync-state table and
 * enqueues every record to intake. The cursor moves only after its page is enqueued, and only from
 * the version read (two overlapping pulls cannot both move it), so a crash mid-page repeats at most
 * that page — harmless, intake dedupes by revision — and nothing is ever skipped. Feed errors are
 * retried with backoff a few times, then the pull stops where it is and reports (the schedule
 * brings it back; the FeedErrors metric alarms).
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../shared/records/content-hash.js';
import { maskIdNumbersIn } from '../shared/records/identifiers.js';
import { receivedRecordKey, sm3Hex, type EvidenceRecordRef } from '../shared/evidence/format.js';
import { exchangeDigests, isoNow, type EvidenceOutbox } from '../shared/evidence/outbox.js';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { queueRefusedIssue, sendBatch, type OutgoingMessage } from '../shared/queue/send-batch.js';
import type { ValidationIssue } from '../shared/records/validate.js';
import type { Credentials } from '../shared/signing/credentials.js';
import type { StructuredLogger } from '../shared/logger.js';
import { signRequest } from '../shared/signing/sign.js';
import type { QuarantineReason, SyncState } from '../shared/state/sync-state.js';
import { FEED, type MetricName } from '../../topology/names.js';
import type { Counters } from '../shared/metrics.js';

export const BREACH_FEED_PATH = '/gateway/credit/v1/breach-feed';

export interface PullConfig {
  tableName: string;
  intakeQueueUrl: string;
  /** Base URL of the provincial platform (no trailing slash). */
  feedUrl: string;
  /** The envelope source of the feed's records, and the cursor's name. */
  source: string;
  /** Records a page (1–100, default 50). */
  pageSize?: number;
  /** Pages one invocation reads at most (default 20), so a long backlog spans several runs. */
  maxPages?: number;
  /** Seconds one feed request may take (default 10). */
  timeoutSeconds?: number;
  /** Attempts per page before the pull stops (default 3). */
  attempts?: number;
}

/** What the pull asks of the sync state: its cursor, and the quarantine for what it refuses. */
export type PullState = Pick<SyncState, 'getCursor' | 'saveCursor' | 'quarantine'>;

export interface PullDeps {
  state: PullState;
  sqs: SQSClient;
  credentials: { get(): Promise<Credentials>; refresh(): Promise<Credentials> };
  config: PullConfig;
  logger: Pick<StructuredLogger, 'info' | 'error'>;
  metrics?: Counters<MetricName<'pull'>>;
  fetch?: typeof fetch;
  now?: () => Date;
  sleep?: (ms: number) => Promise<void>;
  /** A new outbox per run: where each page read's evidence entry goes, flushed before the cursor moves. */
  evidence?: () => EvidenceOutbox;
}

export type PullStop = 'caughtUp' | 'pageLimit' | 'feedError' | 'cursorMoved';

export interface PullResult {
  pages: number;
  records: number;
  /** The cursor after this run (undefined: still at the start of the feed). */
  cursor?: string;
  stoppedBecause: PullStop;
  error?: string;
}

interface FeedPage {
  items: unknown[];
  nextCursor: string | null;
}

export async function pullBreachFeed(deps: PullDeps): Promise<PullResult> {
  const outbox = deps.evidence?.();
  try {
    return await pullPages(deps, outbox);
  } finally {
    // the reads of a run that stopped (caught up, feed down, an error) are evidence too
    await outbox?.flush();
  }
}

async function pullPages(deps: PullDeps, outbox: EvidenceOutbox | undefined): Promise<PullResult> {
  const { config } = deps;
  const store = deps.state;
  const now = () => (deps.now?.() ?? new Date()).toISOString();
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const stored = await store.getCursor(config.source);
  let cursor = stored?.value;
  let version = stored?.version ?? 0;
  let pages = 0;
  let records = 0;

  while (pages < (config.maxPages ?? 20)) {
    let page: FeedPage | undefined;
    let lastError = '';
    for (let attempt = 1; attempt <= (config.attempts ?? 3) && !page; attempt++) {
      if (attempt > 1) await sleep(200 * 2 ** (attempt - 1));
      const result = await fetchPage(deps, cursor, attempt > 1, outbox);
      if ('error' in result) lastError = result.error;
      else page = result;
    }
    if (!page) {
      deps.metrics?.count('FeedErrors', 1);
      deps.logger.error('breach feed unavailable; the pull stops at its cursor and resumes on the next run', { source: config.source, error: lastError });
      return { pages, records, ...(cursor !== undefined && { cursor }), stoppedBecause: 'feedError', error: lastError };
    }
    if (page.items.length === 0) return { pages, records, ...(cursor !== undefined && { cursor }), stoppedBecause: 'caughtUp' };

    // enqueue the whole page before moving the cursor past it: the feed's own records to intake,
    // anything else (not an object, another source, a type the province does not send) to quarantine
    // — the feed must not become a way round the ingest API's authorisation
    const position = cursor ?? 'start';
    const at = now();
    const enqueue: OutgoingMessage[] = [];
    const correlationIdOf = (i: number | string) => `pull:${config.source}:${position.slice(0, 80)}:${i}`;
    const keep = (i: number, reason: QuarantineReason, issue: ValidationIssue) =>
      store.quarantine({
        receivedAt: at,
        sentAt: at,
        messageId: correlationIdOf(i),
        reason,
        errors: [issue],
        body: JSON.stringify(page.items[i]) ?? 'undefined',
        correlationId: correlationIdOf(i),
        source: config.source,
      });
    await Promise.all(
      page.items.map(async (item, i) => {
        const refusal = refuse(item, config.source);
        if (!refusal) enqueue.push({ key: String(i), body: JSON.stringify(item), attributes: { correlationId: correlationIdOf(i) } });
        else await keep(i, refusal.reason, refusal.issue);
      }),
    );
    const { failed, refused } = await sendBatch(deps.sqs, config.intakeQueueUrl, enqueue);
    // refused for its content (InvalidMessageContents): it would be refused on every run, holding the
    // cursor for ever; it is kept for operators instead, and the pull reads on
    await Promise.all([...refused].map(([key, reason]) => keep(Number(key), 'invalid', queueRefusedIssue(reason))));
    if (failed.size > refused.size) {
      // nothing is lost: the cursor stays, the next run reads this page again
      throw new Error(
        `${failed.size - refused.size} of ${page.items.length} feed records could not be enqueued to intake: ${[...failed].find(([key]) => !refused.has(key))![1]}`,
      );
    }
    if (page.nextCursor === null) {
      // items without a next cursor (outside the contract): keep the cursor; intake dedupes the re-read
      return { pages: pages + 1, records: records + page.items.length, ...(cursor !== undefined && { cursor }), stoppedBecause: 'caughtUp' };
    }
    await outbox?.flush();
    if (!(await store.saveCursor(config.source, page.nextCursor, version, now()))) {
      deps.logger.info('another pull moved the cursor; this one stops', { source: config.source });
      return { pages, records: records + page.items.length, ...(cursor !== undefined && { cursor }), stoppedBecause: 'cursorMoved' };
    }
    version++;
    cursor = page.nextCursor;
    pages++;
    records += page.items.length;
    deps.metrics?.count('FeedPages', 1);
    deps.metrics?.count('FeedRecords', page.items.length);
  }
  return { pages, records, ...(cursor !== undefined && { cursor }), stoppedBecause: 'pageLimit' };
}

/** Why a feed item must not go to intake, or undefined when it may. */
function refuse(item: unknown, source: string): { reason: QuarantineReason; issue: ValidationIssue } | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    return { reason: 'invalid', issue: { path: '', rule: 'type', message: 'a feed item must be a record (a JSON object)' } };
  }
  const record = item as Record<string, unknown>;
  if (record['source'] !== source) {
    return { reason: 'unauthorised', issue: { path: '/source', rule: 'notAuthorised', message: `the feed may carry only records of source ${source}` } };
  }
  if (!(FEED.recordTypes as readonly unknown[]).includes(record['recordType'])) {
    return {
      reason: 'unauthorised',
      issue: { path: '/recordType', rule: 'notAuthorised', message: `the feed may carry only ${FEED.recordTypes.join(' and ')} records` },
    };
  }
  return undefined;
}

/** One signed feed request; on 401 the credentials are reloaded once (they may have rotated). */
async function fetchPage(
  deps: PullDeps,
  cursor: string | undefined,
  refresh: boolean,
  outbox: EvidenceOutbox | undefined,
): Promise<FeedPage | { error: string }> {
  const { config } = deps;
  const query = new URLSearchParams({ ...(cursor !== undefined && { cursor }), limit: String(config.pageSize ?? 50) });
  const url = new URL(`${config.feedUrl}${BREACH_FEED_PATH}?${query}`);
  let credentials = await deps.credentials.get();
  for (let round = 0; round < 2; round++) {
    const headers = signRequest({ method: 'GET', path: `${url.pathname}${url.search}`, credentials, algorithm: 'HMAC-SM3' });
    let response: Response;
    const sentAt = Date.now();
    const evidence = (answer?: { status: number; bytes: Buffer; items?: unknown[] }, error?: 'timeout' | 'network') => {
      outbox?.add({
        v: 1,
        id: randomUUID(),
        kind: 'pull',
        party: 'provincial-feed',
        method: 'GET',
        path: maskIdNumbersIn(`${url.pathname}${url.search}`),
        ...exchangeDigests(undefined, answer ? { body: answer.bytes } : null),
        status: answer?.status ?? null,
        error: error ?? null,
        sentAt: isoNow(sentAt),
        answeredAt: answer ? isoNow() : null,
        records: (answer?.items ?? []).flatMap((item) => feedRecordRef(item)),
        reference: maskIdNumbersIn(cursor ?? 'start').slice(0, 512),
      });
    };
    try {
      response = await (deps.fetch ?? fetch)(url.href, { headers, signal: AbortSignal.timeout((config.timeoutSeconds ?? 10) * 1000) });
    } catch (err) {
      evidence(undefined, (err as { name?: string }).name === 'TimeoutError' ? 'timeout' : 'network');
      return { error: `network error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}` };
    }
    const bytes = Buffer.from(await response.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    let body: Partial<FeedPage> | undefined;
    try {
      body = JSON.parse(text) as Partial<FeedPage>;
    } catch {
      // not JSON: said below
    }
    const items = Array.isArray(body?.items) ? body.items : undefined;
    evidence({ status: response.status, bytes, ...(items && { items }) });
    if (response.status === 401 && round === 0 && refresh === false) {
      credentials = await deps.credentials.refresh();
      continue;
    }
    if (response.status !== 200) return { error: `HTTP ${response.status} ${text.slice(0, 200)}`.trim() };
    if (body === undefined || body === null) return { error: 'feed answer is not JSON' };
    if (!Array.isArray(body.items) || (body.nextCursor !== null && typeof body.nextCursor !== 'string'))
      return { error: 'feed answer is not { items: [], nextCursor }' };
    return { items: body.items, nextCursor: body.nextCursor };
  }
  return { error: 'authentication failed (HTTP 401) after reloading the credentials' };
}

/** A feed item as an evidence reference: its key and the digest of what was read (nothing for what names no record). */
function feedRecordRef(item: unknown): EvidenceRecordRef[] {
  const key = receivedRecordKey(item);
  return key === undefined ? [] : [{ key, recordDigest: sm3Hex(canonicalJson(item)) }];
}
