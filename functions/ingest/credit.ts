/**
 * GET /v1/subjects/{code}/credit: the credit check — may the subject a code names use 告知承诺
 * (notify and commit) today, and why — for an upstream whose registration has the `creditCheck`
 * permission (topology/upstreams.ts). The answer is functions/shared/credit/check.ts's, from one
 * query of the subject's credit contributions, as of today's Beijing date.
 *
 * Every check is logged before it is answered (SyncState.recordCreditCheck: who asked about whom,
 * when, what was answered): a check the log did not take is not answered. The answer, the log
 * entry and the log line hold no identity number — a natural person's code is masked, and the log
 * line names no person (the check log does, by the masked code and the digest).
 */
import { randomUUID } from 'node:crypto';
import { creditPolicy as defaultCreditPolicy } from '../../topology/credit-policy.js';
import type { UpstreamPermission, UpstreamRegistration } from '../../topology/upstreams.js';
import { isTransientAwsError } from '../shared/aws-errors.js';
import { creditAnswer, subjectForCode } from '../shared/credit/check.js';
import type { CreditCheckEntry } from '../shared/credit/types.js';
import { describeError } from '../shared/errors.js';
import { beijingDate } from '../shared/records/dates.js';
import { errorResponse, respond, type IngestRequest, type IngestResponse } from './http.js';
import type { IngestDeps } from './ingest.js';

/** The permission the credit check needs. */
export const CREDIT_CHECK_PERMISSION: UpstreamPermission = 'creditCheck';

/** The only query parameter: the identity document type of a natural person (absent: the code is a USCC). */
const QUERY_PARAMETERS: ReadonlySet<string> = new Set(['idType']);

/** A credit answer is about a person or company as of today: never stored by a cache on the way. */
const NO_STORE = { 'cache-control': 'no-store' };

export async function checkCredit(
  rawCode: string,
  request: IngestRequest,
  upstreamId: string,
  upstream: UpstreamRegistration,
  deps: IngestDeps,
  now: Date,
): Promise<IngestResponse> {
  const { requestId } = request;
  if (!(upstream.permissions ?? []).includes(CREDIT_CHECK_PERMISSION)) {
    deps.logger.warn('credit check refused', { requestId, upstream: upstreamId, code: 'FORBIDDEN' });
    return errorResponse(
      403,
      'FORBIDDEN',
      `this upstream may not ask for credit checks: its registration lacks the permission ${CREDIT_CHECK_PERMISSION} (topology/upstreams.ts)`,
      requestId,
    );
  }

  // the query and the code are never echoed or logged: either may hold an identity number
  const query = new URLSearchParams(request.rawQuery ?? '');
  if ([...query.keys()].some((name) => !QUERY_PARAMETERS.has(name)))
    return errorResponse(400, 'INVALID_REQUEST', 'the only query parameter is idType; the check always answers as of today (Beijing date)', requestId);
  const idTypes = query.getAll('idType');
  if (idTypes.length > 1) return errorResponse(400, 'INVALID_REQUEST', 'idType is given more than once', requestId);
  const lookup = subjectForCode(rawCode, idTypes[0]);
  if (!lookup.ok) return errorResponse(400, 'INVALID_REQUEST', lookup.message, requestId);
  const { subject } = lookup;

  const contributions = await deps.state.getCreditContributions(subject.digest);
  const asOf = deps.today?.() ?? beijingDate(now);
  const { answer } = creditAnswer(subject, contributions, asOf, deps.config.creditPolicy ?? defaultCreditPolicy);
  const checkId = randomUUID();
  const entry: CreditCheckEntry = {
    id: checkId,
    at: now.toISOString(),
    upstream: upstreamId,
    subject: { category: subject.category, code: subject.code, digest: subject.digest },
    eligibility: answer.eligibility,
    rules: answer.reasons.map((r) => r.rule),
    blackPoints: answer.points.black,
    redPoints: answer.points.red,
    requestId,
  };
  try {
    await deps.state.recordCreditCheck(entry);
  } catch (err) {
    deps.logger.error('credit check not logged, so not answered', { requestId, checkId, upstream: upstreamId, error: describeError(err) });
    // a fault that would fail the same way again (a refused write, a bug) is the handler's 500
    if (!isTransientAwsError(err)) throw err;
    return errorResponse(
      503,
      'SERVICE_UNAVAILABLE',
      'the check could not be logged, and an unlogged check is not answered; retry the request later',
      requestId,
      {
        'retry-after': '5',
      },
    );
  }

  deps.metrics?.count('CreditChecks', 1, { eligibility: answer.eligibility });
  deps.logger.info('credit check answered', {
    requestId,
    checkId,
    upstream: upstreamId,
    category: subject.category,
    // an organisation's USCC is no personal data; a person is not named at all (the check log, by
    // checkId, says whom: an unsalted digest of an identity number could be reversed by trying them)
    ...(subject.category === 'organisation' && { uscc: subject.code }),
    asOf,
    eligibility: answer.eligibility,
    rules: entry.rules,
    blackPoints: entry.blackPoints,
    redPoints: entry.redPoints,
  });
  return respond(200, { checkId, ...answer }, requestId, NO_STORE);
}
