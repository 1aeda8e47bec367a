/**
 * The ingest API (docs/api/openapi.yaml): upstream systems push records over HTTPS and read back
 * their delivery state. Pure logic over injected clients; functions/ingest/handler.ts adapts API
 * Gateway events.
 *
 * POST /v1/records, checks in this order, each answering before the next runs:
 *   route (404/405) → size (413) → signature, timestamp (401) → nonce claimed in the shared store
 *   (401 NONCE_REPLAYED) → per-upstream throttle (429) → content type (415) → decode UTF-8 or
 *   GB18030/GBK (400) → JSON (400) → per record: validate and authorise →
 *   accepted ones to the intake queue, rejected ones to quarantine → 200 (all accepted) or 207.
 * Nothing is written before authentication succeeds.
 *
 * The GETs share the checks up to the throttle, then answer from the state: a record's state
 * (read.ts), or a subject's credit check (credit.ts: the creditCheck permission (403) → code and
 * idType (400) → the subject's contributions → the check logged → 200).
 *
 * This module keeps that order; the steps are in http.ts (routes, responses), authentication.ts,
 * body.ts (charset, decoding, JSON limits), push.ts (POST), read.ts and credit.ts (GET).
 */
import { randomUUID } from 'node:crypto';
import { canonicalJson } from '../shared/records/content-hash.js';
import { maskIdNumbersIn } from '../shared/records/identifiers.js';
import { HEADER } from '../shared/signing/sign.js';
import { receivedRecordKey, sm3Hex, type EvidenceEntry, type EvidenceRecordRef } from '../shared/evidence/format.js';
import { exchangeDigests, isoNow, type EvidenceOutbox } from '../shared/evidence/outbox.js';
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { CreditPolicy } from '../../topology/credit-policy.js';
import type { MetricName } from '../../topology/names.js';
import type { UpstreamRegistration } from '../../topology/upstreams.js';
import type { ValidateOptions } from '../shared/records/validate.js';
import { isTransientAwsError } from '../shared/aws-errors.js';
import type { SyncState } from '../shared/state/sync-state.js';
import type { StructuredLogger } from '../shared/logger.js';
import { authenticate, type UpstreamSecrets } from './authentication.js';
import { bodyEncoding, decodeBody, recordsOf } from './body.js';
import { checkCredit } from './credit.js';
import { errorResponse, header, route, type IngestRequest, type IngestResponse } from './http.js';
import { EnqueueError, pushRecords } from './push.js';
import { readRecord } from './read.js';

export { createUpstreamSecrets, type UpstreamSecrets } from './authentication.js';
export { bodyEncoding, decodeBody, MAX_NESTING_DEPTH, nestingDepth, recordsOf, type BodyEncoding } from './body.js';
export { errorResponse, type ErrorCode, type IngestRequest, type IngestResponse } from './http.js';
export type { RecordResult } from './push.js';

export const DEFAULT_MAX_RECORDS_PER_REQUEST = 100;
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;

export interface IngestConfig {
  tableName: string;
  intakeQueueUrl: string;
  /** By upstream id; the requests need no secret names (the secrets come from `secrets`). */
  upstreams: Readonly<Record<string, UpstreamRegistration>>;
  maxRecordsPerRequest?: number;
  maxBodyBytes?: number;
  /** Largest distance between X-Timestamp and the receiver's clock (default 300). */
  signatureWindowSeconds?: number;
  validate?: ValidateOptions;
  /** The red/black points scheme and the credit check's thresholds (default: topology/credit-policy.ts). */
  creditPolicy?: CreditPolicy;
}

/** What the ingest API asks of the sync state (its composition root binds exactly these: least privilege). */
export type IngestState = Pick<SyncState, 'claimNonce' | 'throttleRequest' | 'readRecordState' | 'quarantine' | 'getCreditContributions' | 'recordCreditCheck'>;

/**
 * Counts the ingest API's metrics (topology/names.ts METRICS.ingest), each data point with its own
 * dimensions: CreditChecks with `eligibility`, the answer's.
 */
export interface IngestMetrics {
  count(name: MetricName<'ingest'>, value: number, dimensions: Readonly<Record<string, string>>): void;
}

export interface IngestDeps {
  /**
   * The sync state: records read back, rejected records quarantined, subjects' credit contributions
   * read and credit checks logged, nonces and throttle counters shared by every instance.
   */
  state: IngestState;
  sqs: SQSClient;
  config: IngestConfig;
  secrets: UpstreamSecrets;
  logger: StructuredLogger;
  metrics?: IngestMetrics;
  now?: () => Date;
  /** The calendar day a credit check answers for (YYYY-MM-DD): default the Beijing date of `now`. */
  today?: () => string;
  /** Pause between SendMessageBatch retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
  /** A new outbox per request (requests run side by side): where its evidence entry goes before the answer leaves. */
  evidence?: () => EvidenceOutbox;
}

// ---------------------------------------------------------------- the request

export async function handleIngestRequest(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  const sentAt = Date.now();
  const response = await answer(request, deps);
  if (!deps.evidence) return response;
  const outbox = deps.evidence();
  outbox.add(ingestEvidence(request, response, sentAt, deps.config));
  try {
    await outbox.flush();
    return response;
  } catch (err) {
    // no answer leaves without its evidence: the upstream sends again (accepted records are deduplicated by revision)
    deps.logger.error('the evidence of an ingest request could not be queued', {
      requestId: request.requestId,
      error: err instanceof Error ? err.message : String(err),
    });
    return serviceUnavailable(request.requestId);
  }
}

/** 503: a backing service (the table, the intake or evidence queue) cannot be reached now. */
const serviceUnavailable = (requestId: string): IngestResponse =>
  errorResponse(
    503,
    'SERVICE_UNAVAILABLE',
    'a backing service is unavailable; retry the request later (a push: records already accepted are deduplicated by revision)',
    requestId,
    { 'retry-after': '5' },
  );

async function answer(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  try {
    return await handle(request, deps);
  } catch (err) {
    deps.logger.error('ingest request failed', { requestId: request.requestId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    const transient = err instanceof EnqueueError || isTransientAwsError(err);
    return transient
      ? serviceUnavailable(request.requestId)
      : errorResponse(500, 'INTERNAL_ERROR', 'internal error; the request id identifies it in the logs', request.requestId);
  }
}

async function handle(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  const { config } = deps;
  const { requestId } = request;
  const routed = route(request);
  if (routed.kind === 'error') return routed.response;

  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (request.body.length > maxBodyBytes)
    return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body is ${request.body.length} bytes; the limit is ${maxBodyBytes}`, requestId);

  // ---- authentication first (the signature covers the raw bytes): nothing is decoded, parsed or
  // written for a caller who cannot sign
  const nowDate = deps.now?.() ?? new Date();
  const admitted = await authenticate(request, deps, nowDate.getTime());
  if (admitted.kind === 'refused') return admitted.response;
  const { upstreamId, upstream } = admitted;

  if (routed.kind === 'read') return readRecord(routed.recordType, routed.recordId, request, upstream, deps);
  if (routed.kind === 'credit') return checkCredit(routed.code, request, upstreamId, upstream, deps, nowDate);
  const encoding = bodyEncoding(header(request.headers, 'content-type'));
  if ('error' in encoding) return errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', encoding.error, requestId);
  const decoded = decodeBody(request.body, encoding.encoding);
  if ('error' in decoded) return errorResponse(400, 'INVALID_ENCODING', decoded.error, requestId);
  return pushRecords(decoded.text, request, upstreamId, upstream, deps, nowDate, config.maxRecordsPerRequest ?? DEFAULT_MAX_RECORDS_PER_REQUEST);
}

/**
 * The evidence entry of one ingest request: who claimed to send it (the X-App-Key header of a
 * registered upstream, verified or not: the status says; anything else `unregistered`, never the
 * text a stranger sent), digests of the exact body received and answered, and for a push the
 * records it carried (when its body is UTF-8 JSON and their keys have the contract's shape) with
 * what became of each.
 */
function ingestEvidence(request: IngestRequest, response: IngestResponse, sentAt: number, config: IngestConfig): EvidenceEntry {
  return {
    v: 1,
    id: randomUUID(),
    kind: 'ingest',
    party: registeredAppKey(header(request.headers, HEADER.appKey), config),
    method: request.method.toUpperCase(),
    path: maskIdNumbersIn(`${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`),
    ...exchangeDigests(request.body, response),
    status: response.status,
    error: null,
    sentAt: isoNow(sentAt),
    answeredAt: isoNow(),
    records: pushedRecords(request, response),
    reference: request.requestId,
  };
}

function registeredAppKey(claimed: string | undefined, config: IngestConfig): string {
  if (claimed === undefined) return 'none';
  return Object.values(config.upstreams).some((u) => u.appKey === claimed) ? claimed : 'unregistered';
}

function pushedRecords(request: IngestRequest, response: IngestResponse): EvidenceRecordRef[] {
  if (response.status !== 200 && response.status !== 207) return [];
  try {
    const parsed = recordsOf(JSON.parse(request.body.toString('utf8')));
    const { results } = JSON.parse(response.body) as { results?: Array<{ index: number; status: string }> };
    if ('error' in parsed || !Array.isArray(results)) return [];
    const { records } = parsed;
    return results.flatMap((result) => {
      const r = records[result.index];
      const key = receivedRecordKey(r);
      return key === undefined ? [] : [{ key, recordDigest: sm3Hex(canonicalJson(r)), outcome: result.status }];
    });
  } catch {
    return [];
  }
}
