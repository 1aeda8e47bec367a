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
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Upstream, UpstreamRegistration } from '../../topology/upstreams.js';
import { RECORD_TYPES } from '../shared/records/generated/schema-index.js';
import type { RecordType } from '../shared/records/types.js';
import { boundErrors, describeJsonError, duplicateKeyIssue, validateRecordText, type ValidateOptions, type ValidationIssue } from '../shared/records/validate.js';
import { duplicateKeys } from '../shared/records/duplicate-keys.js';
import { isTransientAwsError } from '../shared/aws-errors.js';
import { queueRefusedIssue, sendBatch, type OutgoingMessage } from '../shared/queue/send-batch.js';
import { createCredentialsProvider, type CredentialsProvider, type SecretSource } from '../shared/signing/credentials.js';
import { HEADER, verifyRequest, type VerifyFailureCode } from '../shared/signing/sign.js';
import { QuarantineBodyTooLargeError, reasonOfInvalid, type QuarantineReason, type RecordState, type SyncState } from '../shared/state/sync-state.js';
import { passThroughNonces } from './nonce-store.js';
import type { StructuredLogger } from '../shared/logger.js';
import { ExchangeError } from '../shared/errors.js';

export const DEFAULT_MAX_RECORDS_PER_REQUEST = 100;
export const DEFAULT_MAX_BODY_BYTES = 5 * 1024 * 1024;
/** Deepest nesting of arrays and objects accepted in a body (records need fewer than 10 levels). */
export const MAX_NESTING_DEPTH = 64;

export interface IngestRequest {
  method: string;
  /** The request path without the query string, as the client signed it. */
  path: string;
  /** The query string without '?', exactly as received. */
  rawQuery?: string | undefined;
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  requestId: string;
  sourceIp?: string | undefined;
}

export interface IngestResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
}

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
}

/** The secret of an upstream, by the app key it sends. */
export interface UpstreamSecrets {
  lookup(appKey: string): Promise<{ upstreamId: string; secret: string } | undefined>;
}

/** What the ingest API asks of the sync state. */
export type IngestState = Pick<SyncState, 'claimNonce' | 'throttleRequest' | 'readRecordState' | 'quarantine'>;

export interface IngestDeps {
  /** The sync state: records read back, rejected records quarantined, nonces and throttle counters shared by every instance. */
  state: IngestState;
  sqs: SQSClient;
  config: IngestConfig;
  secrets: UpstreamSecrets;
  logger: StructuredLogger;
  now?: () => Date;
  /** Pause between SendMessageBatch retries (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

export type ErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'HEADERS_TOO_LARGE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_RECORDS'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_ENCODING'
  | 'MALFORMED_JSON'
  | 'INVALID_REQUEST'
  | VerifyFailureCode
  | 'FORBIDDEN'
  | 'THROTTLED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

export type RecordResult =
  | { index: number; recordId: string; status: 'accepted'; trackingId: string }
  | { index: number; recordId?: string; status: 'rejected'; errors: ValidationIssue[] };

// ---------------------------------------------------------------- secrets

/** Upstream secrets from a SecretSource (Secrets Manager), each cached for `ttlSeconds`. */
export function createUpstreamSecrets(source: SecretSource, upstreams: Readonly<Record<string, Upstream>>, options: { ttlSeconds?: number; now?: () => number } = {}): UpstreamSecrets {
  const byAppKey = new Map<string, { upstreamId: string; provider: CredentialsProvider }>();
  for (const [upstreamId, upstream] of Object.entries(upstreams)) {
    byAppKey.set(upstream.appKey, { upstreamId, provider: createCredentialsProvider({ source, secretName: upstream.credentialsSecret, ...options }) });
  }
  return {
    async lookup(appKey) {
      const entry = byAppKey.get(appKey);
      if (!entry) return undefined;
      const credentials = await entry.provider.get();
      // a secret issued for another app key must not authenticate this one
      if (credentials.appKey !== appKey) return undefined;
      return { upstreamId: entry.upstreamId, secret: credentials.secret };
    },
  };
}

// ---------------------------------------------------------------- responses

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

function respond(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): IngestResponse {
  return { status, headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(status: number, code: ErrorCode, message: string, requestId: string, headers: Record<string, string> = {}): IngestResponse {
  return respond(status, { error: { code, message, requestId } }, requestId, headers);
}

// ---------------------------------------------------------------- request parsing

const ROUTE_RECORDS = /^\/v1\/records\/?$/;
const ROUTE_RECORD = /^\/v1\/records\/([^/]+)\/([^/]+)\/?$/;

type Route = { kind: 'push' } | { kind: 'read'; recordType: string; recordId: string } | { kind: 'error'; response: IngestResponse };

function route(request: IngestRequest): Route {
  const method = request.method.toUpperCase();
  if (ROUTE_RECORDS.test(request.path)) {
    if (method === 'POST') return { kind: 'push' };
    return { kind: 'error', response: errorResponse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /v1/records; use POST`, request.requestId, { allow: 'POST' }) };
  }
  const match = ROUTE_RECORD.exec(request.path);
  if (match) {
    if (method !== 'GET') return { kind: 'error', response: errorResponse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /v1/records/{recordType}/{recordId}; use GET`, request.requestId, { allow: 'GET' }) };
    try {
      return { kind: 'read', recordType: decodeURIComponent(match[1]!), recordId: decodeURIComponent(match[2]!) };
    } catch {
      return { kind: 'error', response: errorResponse(400, 'INVALID_REQUEST', 'the path contains an invalid percent-encoding', request.requestId) };
    }
  }
  return { kind: 'error', response: errorResponse(404, 'NOT_FOUND', 'no such route; see the OpenAPI document for the routes', request.requestId) };
}

/** A header's value, by case-insensitive name. */
function header(headers: IngestRequest['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower && value !== undefined) return value;
  return undefined;
}

export type BodyEncoding = 'utf-8' | 'gb18030';

/**
 * The body's encoding from its Content-Type: `application/json`, with no charset or one of utf-8,
 * gb18030, gbk, gb2312 (all three decoded as GB18030, their superset). Anything else: a message for 415.
 */
export function bodyEncoding(contentType: string | undefined): { encoding: BodyEncoding } | { error: string } {
  if (contentType === undefined || contentType.trim() === '') return { error: 'Content-Type is missing; send application/json (charset utf-8, gb18030 or gbk)' };
  const [mediaType, ...params] = contentType.split(';').map((part) => part.trim());
  if (mediaType!.toLowerCase() !== 'application/json') return { error: `Content-Type ${JSON.stringify(mediaType)} is not supported; send application/json (charset utf-8, gb18030 or gbk)` };
  let encoding: BodyEncoding = 'utf-8';
  for (const param of params) {
    if (param === '') continue;
    const eq = param.indexOf('=');
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase();
    if (name !== 'charset') continue;
    const value = (eq < 0 ? '' : param.slice(eq + 1)).trim().replace(/^"(.*)"$/, '$1').toLowerCase();
    if (value === 'utf-8' || value === 'utf8') encoding = 'utf-8';
    else if (value === 'gb18030' || value === 'gbk' || value === 'gb2312') encoding = 'gb18030';
    else return { error: `charset ${JSON.stringify(value)} is not supported; use utf-8, gb18030 or gbk` };
  }
  return { encoding };
}

/** Decodes strictly: invalid bytes are an error naming the byte offset, never replacement characters. */
export function decodeBody(body: Buffer, encoding: BodyEncoding): { text: string } | { error: string } {
  try {
    return { text: new TextDecoder(encoding, { fatal: true }).decode(body) };
  } catch {
    return { error: `the body is not valid ${encoding === 'utf-8' ? 'UTF-8' : 'GB18030/GBK'}${firstInvalidOffset(body, encoding)}; check the charset in Content-Type` };
  }
}

/** " (first invalid byte near offset N)" found by bisection over strict decodes of prefixes. */
function firstInvalidOffset(body: Buffer, encoding: BodyEncoding): string {
  const decoder = new TextDecoder(encoding, { fatal: true });
  const valid = (end: number) => {
    try {
      decoder.decode(body.subarray(0, end), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = body.length;
  // streaming decodes accept a truncated final sequence, so the largest valid prefix ends just before the bad byte
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo < body.length ? ` (first invalid byte near offset ${lo})` : '';
}

/** Deepest nesting of arrays/objects in JSON-ish text, stopping early past `limit`. */
export function nestingDepth(text: string, limit = MAX_NESTING_DEPTH): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) max = depth;
      if (max > limit) return max;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}

function safeDescribeJsonError(text: string, err: unknown): string {
  try {
    return describeJsonError(text, err);
  } catch {
    return 'malformed JSON';
  }
}

// ---------------------------------------------------------------- the request

export async function handleIngestRequest(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  try {
    return await handle(request, deps);
  } catch (err) {
    deps.logger.error('ingest request failed', { requestId: request.requestId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    const transient = err instanceof EnqueueError || isTransientAwsError(err);
    return transient
      ? errorResponse(503, 'SERVICE_UNAVAILABLE', 'a backing service is unavailable; retry the request later (records already accepted are deduplicated by revision)', request.requestId, { 'retry-after': '5' })
      : errorResponse(500, 'INTERNAL_ERROR', 'internal error; the request id identifies it in the logs', request.requestId);
  }
}

class EnqueueError extends ExchangeError {
  override name = 'EnqueueError';
}

async function handle(request: IngestRequest, deps: IngestDeps): Promise<IngestResponse> {
  const { config } = deps;
  const { requestId } = request;
  const routed = route(request);
  if (routed.kind === 'error') return routed.response;

  const maxBodyBytes = config.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (request.body.length > maxBodyBytes) return errorResponse(413, 'PAYLOAD_TOO_LARGE', `the body is ${request.body.length} bytes; the limit is ${maxBodyBytes}`, requestId);

  // ---- authentication first (the signature covers the raw bytes): nothing is decoded, parsed or
  // written for a caller who cannot sign
  const nowDate = deps.now?.() ?? new Date();
  const nowMs = nowDate.getTime();
  const appKey = header(request.headers, HEADER.appKey);
  const known = appKey ? await deps.secrets.lookup(appKey) : undefined;
  const nonces = passThroughNonces();
  const signedPath = request.rawQuery ? `${request.path}?${request.rawQuery}` : request.path;
  const verified = verifyRequest({
    method: request.method,
    path: signedPath,
    body: request.body,
    headers: request.headers,
    lookupSecret: (key) => (known && key === appKey ? known.secret : undefined),
    now: nowMs,
    nonces,
    ...(config.signatureWindowSeconds !== undefined && { windowSeconds: config.signatureWindowSeconds }),
  });
  if (!verified.ok || !known || !nonces.last) {
    const code = verified.ok ? 'AUTH_FAILED' : verified.code;
    const message = verified.ok ? 'authentication failed' : verified.message;
    deps.logger.warn('request refused', { requestId, code, appKey, sourceIp: request.sourceIp });
    return errorResponse(401, code, message, requestId);
  }
  if (!(await deps.state.claimNonce(nonces.last.appKey, nonces.last.nonce, nowMs))) {
    deps.logger.warn('request refused', { requestId, code: 'NONCE_REPLAYED', appKey, sourceIp: request.sourceIp });
    return errorResponse(401, 'NONCE_REPLAYED', 'nonce already used', requestId);
  }
  const upstreamId = known.upstreamId;
  const upstream = config.upstreams[upstreamId]!;

  const throttled = await deps.state.throttleRequest(upstreamId, upstream.rateLimitPerMinute, nowMs);
  if (!throttled.allowed) {
    return errorResponse(429, 'THROTTLED', `more than ${upstream.rateLimitPerMinute} requests this minute`, requestId, { 'retry-after': String(throttled.retryAfterSeconds) });
  }

  if (routed.kind === 'read') return readRecord(routed.recordType, routed.recordId, request, upstream, deps);
  const encoding = bodyEncoding(header(request.headers, 'content-type'));
  if ('error' in encoding) return errorResponse(415, 'UNSUPPORTED_MEDIA_TYPE', encoding.error, requestId);
  const decoded = decodeBody(request.body, encoding.encoding);
  if ('error' in decoded) return errorResponse(400, 'INVALID_ENCODING', decoded.error, requestId);
  return pushRecords(decoded.text, request, upstreamId, upstream, deps, nowDate);
}

// ---------------------------------------------------------------- GET /v1/records/{recordType}/{recordId}

const recordTypes: ReadonlySet<string> = new Set(RECORD_TYPES);

async function readRecord(recordType: string, recordId: string, request: IngestRequest, upstream: UpstreamRegistration, deps: IngestDeps): Promise<IngestResponse> {
  const { requestId } = request;
  const source = new URLSearchParams(request.rawQuery ?? '').get('source');
  if (!source) return errorResponse(400, 'INVALID_REQUEST', 'query parameter source is required (the envelope source of the record)', requestId);
  if (!recordTypes.has(recordType)) return errorResponse(400, 'INVALID_REQUEST', `recordType must be one of ${RECORD_TYPES.join(', ')}`, requestId);
  if (!upstream.sources.includes(source) || !upstream.recordTypes.includes(recordType as RecordType)) {
    return errorResponse(403, 'FORBIDDEN', `this upstream is not registered for ${recordType} records of source ${source}`, requestId);
  }
  const state = await deps.state.readRecordState({ recordType: recordType as RecordType, source, recordId });
  const meta = state.meta;
  if (!meta) return errorResponse(404, 'NOT_FOUND', 'no accepted revision of this record (a record just pushed appears once intake has processed it)', requestId);
  return respond(
    200,
    {
      recordType,
      source,
      recordId,
      revision: meta.revision,
      operation: meta.operation,
      acceptedAt: meta.acceptedAt,
      ...(meta.routedRevision !== undefined && { routedRevision: meta.routedRevision }),
      destinations: [
        ...state.destinations,
        // routed there, nothing recorded yet: on its way
        ...meta.routedTo
          .filter((d) => !state.destinations.some((s) => s.destination === d))
          .map((destination): RecordState['destinations'][number] => ({ destination, revision: meta.routedRevision ?? meta.revision, status: 'pending' })),
      ]
        .map((d) => ({
          destination: d.destination,
          revision: d.revision,
          status: d.status,
          ...(typeof d['attempts'] === 'number' && { attempts: d['attempts'] }),
          ...(typeof d['lastError'] === 'string' && { lastError: d['lastError'] }),
          ...(typeof d['updatedAt'] === 'string' && { updatedAt: d['updatedAt'] }),
          // where the destination publishes the record type: what the delivered send stated, and its end
          ...(typeof d['published'] === 'boolean' && { published: d['published'] }),
          ...(typeof d['publishedUntil'] === 'string' && { publishedUntil: d['publishedUntil'] }),
          ...(typeof d['publicationEndedAt'] === 'string' && { publicationEndedAt: d['publicationEndedAt'] }),
        }))
        .sort((a, b) => a.destination.localeCompare(b.destination)),
    },
    requestId,
  );
}

// ---------------------------------------------------------------- POST /v1/records

/** The records of a body: `{ "records": [ … ] }` (a batch) or a single record object. */
export function recordsOf(parsed: unknown): { records: unknown[]; batch: boolean } | { error: string } {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: 'the body must be a JSON object: one record, or {"records": [ … ]}' };
  }
  if (!Object.hasOwn(parsed, 'records')) return { records: [parsed], batch: false };
  const records = (parsed as Record<string, unknown>)['records'];
  if (!Array.isArray(records)) return { error: 'records must be an array of record objects' };
  const others = Object.keys(parsed).filter((k) => k !== 'records');
  if (others.length > 0) return { error: `a batch body has only the property records; found also ${others.slice(0, 5).map((k) => JSON.stringify(k)).join(', ')}` };
  if (records.length === 0) return { error: 'records is empty' };
  return { records, batch: true };
}

function field(record: unknown, name: string): unknown {
  return record !== null && typeof record === 'object' && !Array.isArray(record) && Object.hasOwn(record, name) ? (record as Record<string, unknown>)[name] : undefined;
}
const stringField = (record: unknown, name: string): string | undefined => {
  const value = field(record, name);
  return typeof value === 'string' ? value : undefined;
};

interface Rejected {
  index: number;
  body: string;
  record: unknown;
  reason: QuarantineReason;
  errors: ValidationIssue[];
}

async function pushRecords(text: string, request: IngestRequest, upstreamId: string, upstream: UpstreamRegistration, deps: IngestDeps, now: Date): Promise<IngestResponse> {
  const { requestId } = request;
  const { config } = deps;
  const maxRecords = config.maxRecordsPerRequest ?? DEFAULT_MAX_RECORDS_PER_REQUEST;

  if (nestingDepth(text) > MAX_NESTING_DEPTH) return errorResponse(400, 'MALFORMED_JSON', `the body nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`, requestId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return errorResponse(400, 'MALFORMED_JSON', safeDescribeJsonError(text, err), requestId);
  }
  const body = recordsOf(parsed);
  if ('error' in body) return errorResponse(400, 'INVALID_REQUEST', body.error, requestId);
  if (body.records.length > maxRecords) return errorResponse(413, 'TOO_MANY_RECORDS', `the batch has ${body.records.length} records; the limit is ${maxRecords} per request`, requestId);
  // a batch element is validated as its own JSON text, re-serialised: a property named twice is found here
  const repeated = new Map<number, ValidationIssue[]>();
  if (body.batch) {
    for (const path of duplicateKeys(text, parsed)) {
      const element = /^\/records\/(\d+)(\/.*)$/.exec(path);
      if (!element) return errorResponse(400, 'INVALID_REQUEST', `the property ${path} is named more than once; JSON readers disagree on which value counts`, requestId);
      const index = Number(element[1]);
      repeated.set(index, [...(repeated.get(index) ?? []), duplicateKeyIssue(element[2]!)]);
    }
  }

  const results: RecordResult[] = new Array<RecordResult>(body.records.length);
  const accepted: Array<OutgoingMessage & { index: number; recordId: string }> = [];
  const rejected: Rejected[] = [];

  body.records.forEach((record, index) => {
    // a single record is kept as sent; a batch element as its own JSON text
    const recordText = body.batch ? JSON.stringify(record) : text;
    if (repeated.has(index)) {
      rejected.push({ index, body: recordText, record, reason: 'invalid', errors: boundErrors(repeated.get(index)!, config.validate?.maxErrors) });
      return;
    }
    const result = validateRecordText(recordText, config.validate);
    if (!result.valid) {
      rejected.push({ index, body: recordText, record, reason: reasonOfInvalid(result.errors), errors: result.errors });
      return;
    }
    const source = stringField(result.record, 'source')!;
    const recordType = stringField(result.record, 'recordType') as RecordType;
    const denied: ValidationIssue[] = [];
    if (!upstream.sources.includes(source)) denied.push({ path: '/source', rule: 'notAuthorised', message: `this upstream may not push records of source ${JSON.stringify(source)}; its sources: ${upstream.sources.join(', ')}` });
    if (!upstream.recordTypes.includes(recordType)) denied.push({ path: '/recordType', rule: 'notAuthorised', message: `this upstream may not push ${recordType} records; its record types: ${upstream.recordTypes.join(', ')}` });
    if (denied.length > 0) {
      rejected.push({ index, body: recordText, record, reason: 'unauthorised', errors: denied });
      return;
    }
    // enqueue the record as validated, not the text: a duplicate key ("source" twice) cannot mean
    // one thing here and another to a parser downstream
    accepted.push({ key: String(index), index, recordId: stringField(result.record, 'recordId')!, body: JSON.stringify(result.record), attributes: { correlationId: `${requestId}:${index}`, upstream: upstreamId } });
  });

  // rejected records are kept first: if enqueuing then fails (503, the caller resends), they are safe
  const store = deps.state;
  const at = now.toISOString();
  await Promise.all(rejected.map((r) => keepRejected(store, r, request, upstreamId, at)));

  let enqueued = accepted;
  if (accepted.length > 0) {
    const { failed, refused, unsendable } = await sendBatch(deps.sqs, config.intakeQueueUrl, accepted, deps.sleep ? { sleep: deps.sleep } : {});
    // refused by the queue itself (InvalidMessageContents): the same record fails the same way on
    // every resend, so it is rejected like an invalid one, never answered with "retry later"
    const refusedNow = accepted
      .filter((a) => refused.has(a.key))
      .map((a): Rejected => ({ index: a.index, body: a.body, record: body.records[a.index], reason: 'invalid', errors: [queueRefusedIssue(refused.get(a.key)!)] }));
    rejected.push(...refusedNow);
    await Promise.all(refusedNow.map((r) => keepRejected(store, r, request, upstreamId, at)));
    const notSent = [...failed].filter(([key]) => !refused.has(key));
    if (notSent.length > 0) {
      deps.logger.error('records could not be enqueued', { requestId, failed: Object.fromEntries(notSent) });
      // throttled or unreachable: 503, resend; a missing queue or a denied send: 500, retrying cannot mend it
      if (notSent.some(([key]) => !unsendable.has(key))) throw new EnqueueError(`${notSent.length} of ${accepted.length} records could not be enqueued`);
      throw new Error(`the intake queue refuses this function's sends: ${notSent[0]![1]}`);
    }
    enqueued = accepted.filter((a) => !refused.has(a.key));
    for (const a of enqueued) results[a.index] = { index: a.index, recordId: a.recordId, status: 'accepted', trackingId: `${requestId}:${a.index}` };
  }

  for (const r of rejected) {
    const recordId = stringField(r.record, 'recordId');
    results[r.index] = { index: r.index, ...(recordId !== undefined && { recordId }), status: 'rejected', errors: r.errors };
  }

  deps.logger.info('records received', { requestId, upstream: upstreamId, accepted: enqueued.length, rejected: rejected.length });
  return respond(rejected.length === 0 ? 200 : 207, { requestId, accepted: enqueued.length, rejected: rejected.length, results }, requestId);
}

const TRUNCATED_BODY_CHARS = 64 * 1024;

async function keepRejected(store: IngestState, r: Rejected, request: IngestRequest, upstreamId: string, at: string): Promise<void> {
  const revision = field(r.record, 'revision');
  const entry = {
    receivedAt: at,
    sentAt: at,
    messageId: `${request.requestId}:${r.index}`,
    reason: r.reason,
    errors: r.errors,
    body: r.body,
    correlationId: `${request.requestId}:${r.index}`,
    ...(stringField(r.record, 'source') !== undefined && { source: stringField(r.record, 'source') }),
    ...(stringField(r.record, 'recordType') !== undefined && { recordType: stringField(r.record, 'recordType') }),
    ...(stringField(r.record, 'recordId') !== undefined && { recordId: stringField(r.record, 'recordId') }),
    ...(typeof revision === 'number' && Number.isSafeInteger(revision) && { revision }),
    upstream: upstreamId,
  };
  try {
    await store.quarantine(entry);
  } catch (err) {
    if (!(err instanceof QuarantineBodyTooLargeError)) throw err;
    // the upstream was told the record is rejected and still holds it: keep the start for operators
    await store.quarantine({ ...entry, body: r.body.slice(0, TRUNCATED_BODY_CHARS), bodyHeldIn: `truncated: the first ${TRUNCATED_BODY_CHARS} characters of ${r.body.length} are kept; the upstream holds the rest` });
  }
}
