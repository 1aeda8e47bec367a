/**
 * POST /v1/records once the request is admitted and its body decoded: parse it, validate and
 * authorise each record, quarantine the rejected ones and enqueue the accepted ones to intake,
 * then answer per record (200, or 207 when any is rejected).
 */
import type { UpstreamRegistration } from '../../topology/upstreams.js';
import type { RecordType } from '../shared/records/types.js';
import { boundErrors, duplicateKeyIssue, validateRecordText, type ValidationIssue } from '../shared/records/validate.js';
import { duplicateKeys } from '../shared/records/duplicate-keys.js';
import { queueRefusedIssue, sendBatch, type OutgoingMessage } from '../shared/queue/send-batch.js';
import { QuarantineBodyTooLargeError, reasonOfInvalid, type QuarantineReason } from '../shared/state/sync-state.js';
import { ExchangeError } from '../shared/errors.js';
import { MAX_NESTING_DEPTH, nestingDepth, recordsOf, safeDescribeJsonError } from './body.js';
import { errorResponse, respond, type IngestRequest, type IngestResponse } from './http.js';
import type { IngestDeps, IngestState } from './ingest.js';

export type RecordResult =
  | { index: number; recordId: string; status: 'accepted'; trackingId: string }
  | { index: number; recordId?: string; status: 'rejected'; errors: ValidationIssue[] };

/** Accepted records the intake queue did not take (throttled, unreachable): 503, the caller sends them again. */
export class EnqueueError extends ExchangeError {
  override name = 'EnqueueError';
}

function field(record: unknown, name: string): unknown {
  return record !== null && typeof record === 'object' && !Array.isArray(record) && Object.hasOwn(record, name)
    ? (record as Record<string, unknown>)[name]
    : undefined;
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

/** The push of an admitted upstream, its body decoded; `maxRecords` is the configured limit or its default. */
export async function pushRecords(
  text: string,
  request: IngestRequest,
  upstreamId: string,
  upstream: UpstreamRegistration,
  deps: IngestDeps,
  now: Date,
  maxRecords: number,
): Promise<IngestResponse> {
  const { requestId } = request;
  const { config } = deps;

  if (nestingDepth(text) > MAX_NESTING_DEPTH)
    return errorResponse(400, 'MALFORMED_JSON', `the body nests arrays and objects deeper than ${MAX_NESTING_DEPTH} levels`, requestId);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return errorResponse(400, 'MALFORMED_JSON', safeDescribeJsonError(text, err), requestId);
  }
  const body = recordsOf(parsed);
  if ('error' in body) return errorResponse(400, 'INVALID_REQUEST', body.error, requestId);
  if (body.records.length > maxRecords)
    return errorResponse(413, 'TOO_MANY_RECORDS', `the batch has ${body.records.length} records; the limit is ${maxRecords} per request`, requestId);
  // a batch element is validated as its own JSON text, re-serialised: a property named twice is found here
  const repeated = new Map<number, ValidationIssue[]>();
  if (body.batch) {
    for (const path of duplicateKeys(text, parsed)) {
      const element = /^\/records\/(\d+)(\/.*)$/.exec(path);
      if (!element)
        return errorResponse(400, 'INVALID_REQUEST', `the property ${path} is named more than once; JSON readers disagree on which value counts`, requestId);
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
    if (!upstream.sources.includes(source))
      denied.push({
        path: '/source',
        rule: 'notAuthorised',
        message: `this upstream may not push records of source ${JSON.stringify(source)}; its sources: ${upstream.sources.join(', ')}`,
      });
    if (!upstream.recordTypes.includes(recordType))
      denied.push({
        path: '/recordType',
        rule: 'notAuthorised',
        message: `this upstream may not push ${recordType} records; its record types: ${upstream.recordTypes.join(', ')}`,
      });
    if (denied.length > 0) {
      rejected.push({ index, body: recordText, record, reason: 'unauthorised', errors: denied });
      return;
    }
    // enqueue the record as validated, not the text: a duplicate key ("source" twice) cannot mean
    // one thing here and another to a parser downstream
    accepted.push({
      key: String(index),
      index,
      recordId: stringField(result.record, 'recordId')!,
      body: JSON.stringify(result.record),
      attributes: { correlationId: `${requestId}:${index}`, upstream: upstreamId },
    });
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
      .map((a): Rejected => ({
        index: a.index,
        body: a.body,
        record: body.records[a.index],
        reason: 'invalid',
        errors: [queueRefusedIssue(refused.get(a.key)!)],
      }));
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
    await store.quarantine({
      ...entry,
      body: r.body.slice(0, TRUNCATED_BODY_CHARS),
      bodyHeldIn: `truncated: the first ${TRUNCATED_BODY_CHARS} characters of ${r.body.length} are kept; the upstream holds the rest`,
    });
  }
}
