/**
 * Feeds submissions into a running local exchange the way upstreams do: signed HTTP pushes to the
 * ingest API (batches of consecutive records of one upstream), messages straight to the intake
 * queue (systems with AWS access; malformed text goes this way, since the API would refuse it whole),
 * and records on the provincial breach feed for the pull. Submission order is kept: a run of one
 * channel is sent before the next run starts.
 */
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { submissionWaves, type DemoSubmission } from '../demo/dataset.js';
import type { Credentials } from '../../functions/shared/signing/credentials.js';
import { ExchangeError } from '../../functions/shared/errors.js';
import type { Runtime } from './runtime.js';

export interface SubmitTarget {
  ingestUrl: string;
  intakeQueueUrl: string;
  sqs: SQSClient;
  upstreamCredentials: Readonly<Record<string, Credentials>>;
  /** The provincial simulator's breach feed (records the pull will read). */
  feed: unknown[];
}

export interface SubmitOptions {
  /** Records per ingest request (the API takes up to 100). */
  batchSize?: number;
  onProgress?: (submitted: number) => void;
  sleep?: (ms: number) => Promise<void>;
  /** Stops between runs (Ctrl-C): what was handed over stays handed over. */
  signal?: AbortSignal;
}

/** Thrown when the ingest API keeps refusing a request that should go through. */
export class SubmitError extends ExchangeError {
  override name = 'SubmitError';
}

const INGEST_PATH = '/v1/records';
const MAX_ATTEMPTS = 8;

async function pushBatch(target: SubmitTarget, upstreamId: string, batch: readonly DemoSubmission[], sleep: (ms: number) => Promise<void>): Promise<void> {
  const credentials = target.upstreamCredentials[upstreamId];
  if (!credentials) throw new SubmitError(`no local credentials for upstream ${upstreamId}`);
  const body = batch.length === 1 ? batch[0]!.body : `{"records":[${batch.map((s) => s.body).join(',')}]}`;
  for (let attempt = 1; ; attempt++) {
    // a fresh timestamp and nonce per attempt: a resent request is a new request
    const headers = signRequest({ method: 'POST', path: INGEST_PATH, body, credentials, algorithm: 'HMAC-SHA256' });
    const response = await fetch(`${target.ingestUrl}${INGEST_PATH}`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body,
    });
    const text = await response.text();
    // 200: all accepted; 207: some rejected per record (kept in quarantine) — both are answers
    if (response.status === 200 || response.status === 207) return;
    if ((response.status === 429 || response.status >= 500) && attempt < MAX_ATTEMPTS) {
      const retryAfter = Number(response.headers.get('retry-after'));
      await sleep(Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : 200 * attempt);
      continue;
    }
    throw new SubmitError(`ingest answered ${response.status} to ${batch.length} record(s) of ${upstreamId}: ${text.slice(0, 300)}`);
  }
}

async function sendToQueue(target: SubmitTarget, batch: readonly DemoSubmission[]): Promise<void> {
  for (let i = 0; i < batch.length; i += 10) {
    let entries = batch.slice(i, i + 10).map((s) => ({ Id: String(s.seq), MessageBody: s.body }));
    for (let attempt = 1; entries.length > 0; attempt++) {
      const result = await target.sqs.send(new SendMessageBatchCommand({ QueueUrl: target.intakeQueueUrl, Entries: entries }));
      const failed = new Set((result.Failed ?? []).map((f) => f.Id));
      if (failed.size > 0 && attempt >= MAX_ATTEMPTS) throw new SubmitError(`the intake queue refused ${failed.size} message(s) ${MAX_ATTEMPTS} times`);
      entries = entries.filter((e) => failed.has(e.Id));
    }
  }
}

/** Sends every submission through its channel, in order; resolves when all were handed over. */
export async function submitAll(target: SubmitTarget, submissions: readonly DemoSubmission[], options: SubmitOptions = {}): Promise<void> {
  const batchSize = options.batchSize ?? 25;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let done = 0;
  let run: DemoSubmission[] = [];
  const flush = async () => {
    const first = run[0];
    if (!first) return;
    if (first.channel === 'ingest') await pushBatch(target, first.upstreamId!, run, sleep);
    else if (first.channel === 'queue') await sendToQueue(target, run);
    else for (const s of run) target.feed.push(s.record);
    done += run.length;
    options.onProgress?.(done);
    run = [];
  };
  for (const submission of submissions) {
    if (options.signal?.aborted) return;
    const first = run[0];
    const sameRun =
      first &&
      first.channel === submission.channel &&
      first.upstreamId === submission.upstreamId &&
      run.length < (submission.channel === 'ingest' ? batchSize : 100);
    if (!sameRun) await flush();
    run.push(submission);
  }
  await flush();
}

/**
 * Sends a dataset wave by wave (`DemoSubmission.wave`; submissionWaves): a wave goes only once
 * `accountedFor` resolves for everything sent before it — the licensing-item list before any
 * commitment is checked against it, the province's breach before the commitment it makes
 * ineligible. Queues and the feed keep no order between records; waves do.
 */
export async function submitInWaves(
  target: SubmitTarget,
  submissions: readonly DemoSubmission[],
  accountedFor: (sent: readonly DemoSubmission[]) => Promise<void>,
  options: SubmitOptions = {},
): Promise<void> {
  const waves = submissionWaves(submissions);
  const sent: DemoSubmission[] = [];
  for (const [i, wave] of waves.entries()) {
    if (options.signal?.aborted) return;
    if (i > 0) await accountedFor(sent);
    if (options.signal?.aborted) return;
    const before = sent.length;
    await submitAll(target, wave, { ...options, onProgress: (n) => options.onProgress?.(before + n) });
    sent.push(...wave);
  }
}

/** Where submissions go on a running local runtime: its ingest API, intake queue, upstreams' credentials and the provincial feed. */
export function submitTargetOf(runtime: Pick<Runtime, 'endpoints' | 'queues' | 'clients' | 'credentials' | 'simulators'>): SubmitTarget {
  return {
    ingestUrl: runtime.endpoints.ingest,
    intakeQueueUrl: runtime.queues.intake.url,
    sqs: runtime.clients.sqs,
    upstreamCredentials: runtime.credentials.upstreams,
    feed: runtime.simulators.simulators.provincial.feed,
  };
}
