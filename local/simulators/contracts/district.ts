/**
 * District platform, inbound (docs/endpoints.md, "District platform"): breach notices from the
 * province, signed HMAC-SHA256, fields as the provincial platform's (YYYY/MM/DD, `;`-joined lists,
 * 是/否) but identity numbers in clear; at most 20 notices a request.
 *
 *   POST /api/integration/v1/breach-notices   { notices: [{ noticeId, kind, action, fields }] }
 *   → 200 { results: [{ noticeId, status: ACCEPTED | DUPLICATE | INVALID | BREACH_UNKNOWN, reason? }] }
 *
 * The district keeps its own black points (SX_HMDJF), refused by the provincial and municipal
 * platforms; a repair of a breach it does not hold is BREACH_UNKNOWN (the sender retries).
 */
import { breachProblems } from '../domain-rules.js';
import { checkUpsert, decodeFields, DISTRICT_PROFILE, fieldCatalogue, summariseIssues } from '../fields.js';
import { hashContent } from '../store.js';
import type { Contract, ContractContext, ContractRequest, ContractResponse } from './types.js';
import { badRequest, error, isObject, notFound, parseIdempotencyKey } from './types.js';

export const BREACH_NOTICES_PATH = '/api/integration/v1/breach-notices';
export const DISTRICT_MAX_NOTICES = 20;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Fields a withdraw must carry to name its record (as a provincial DELETE). */
const WITHDRAW_KEYS = { breach: { all: ['CF_WSH'], oneOf: ['CF_XDR_SHXYM', 'CF_XDR_ZJHM'] }, repair: { all: ['XF_JDWH'], oneOf: [] } } as const;

type NoticeResult = { noticeId: string; status: 'ACCEPTED' | 'DUPLICATE' } | { noticeId: string; status: 'INVALID' | 'BREACH_UNKNOWN'; reason: string };

function receive(notice: unknown, context: ContractContext): NoticeResult {
  const noticeId = isObject(notice) && typeof notice.noticeId === 'string' ? notice.noticeId : '';
  const invalid = (reason: string): NoticeResult => ({ noticeId, status: 'INVALID', reason });
  if (!isObject(notice)) return invalid('a notice must be an object');
  const { kind, action, fields } = notice;
  if (noticeId === '') return invalid('noticeId is required');
  if (kind !== 'breach' && kind !== 'repair') return invalid('kind must be breach or repair');
  if (action !== 'upsert' && action !== 'withdraw') return invalid('action must be upsert or withdraw');
  if (!isObject(fields)) return invalid('fields must be an object of field code → value');
  const parts = parseIdempotencyKey(noticeId);
  if (parts === undefined) return invalid('noticeId must be recordType:source:recordId:revision:district');
  if (parts.recordType !== kind) return invalid(`noticeId is a ${parts.recordType} key but kind is ${kind}`);
  if (parts.destination !== 'district') return invalid(`noticeId names destination ${parts.destination}, not district`);

  const catalogue = fieldCatalogue(kind);
  const checked =
    action === 'upsert' ? checkUpsert(catalogue, fields, { profile: DISTRICT_PROFILE }) : decodeFields(catalogue, fields, { profile: DISTRICT_PROFILE });
  if (action === 'upsert' && kind === 'breach')
    checked.issues.push(...breachProblems(checked.values, new Set(Object.keys(fields)), { publishes: false, district: true }));
  if (action === 'withdraw') {
    const keys = WITHDRAW_KEYS[kind];
    for (const code of keys.all)
      if (fields[code] === undefined) checked.issues.push({ errorCode: 'E101', field: code, message: `${code} required to name the record withdrawn` });
    if (keys.oneOf.length > 0 && !keys.oneOf.some((code) => fields[code] !== undefined)) {
      checked.issues.push({ errorCode: 'E101', field: keys.oneOf.join(' or '), message: `${keys.oneOf.join(' or ')} required to name the record withdrawn` });
    }
  }
  const problem = summariseIssues(checked.issues);
  if (problem !== undefined) return invalid(problem.message);

  const content = Object.fromEntries(Object.keys(fields).map((code) => [code, checked.values.get(code)]));
  const hash = hashContent(action, content);
  const store = context.store;
  const previous = store.get(noticeId);
  if (previous !== undefined && previous.hash === hash) return { noticeId, status: 'DUPLICATE' };
  if (kind === 'repair' && action === 'upsert' && store.heldBreach(checked.values) === undefined) {
    return { noticeId, status: 'BREACH_UNKNOWN', reason: 'no breach notice with XF_YCFWSH and this party is held here: a repair follows its breach' };
  }
  const current = store.current(parts.identity);
  // An older revision arriving after a newer one is acknowledged but does not replace it.
  if (current === undefined || (current.revision ?? 0) <= parts.revision) {
    store.put({
      key: noticeId,
      identity: parts.identity,
      type: kind,
      operation: action,
      revision: parts.revision,
      content,
      receipt: previous?.receipt ?? `XQ-${String(store.nextSequence()).padStart(6, '0')}`,
      hash,
      acceptedAt: new Date(context.now()).toISOString(),
    });
  }
  return { noticeId, status: 'ACCEPTED' };
}

function breachNotices(request: ContractRequest, context: ContractContext): ContractResponse {
  const body = request.body;
  if (!isObject(body) || !Array.isArray(body.notices) || body.notices.length === 0)
    return badRequest('body must be { "notices": [ … ] } with at least one notice');
  const keys = body.notices.map((n) => (isObject(n) && typeof n.noticeId === 'string' ? n.noticeId : ''));
  if (body.notices.length > DISTRICT_MAX_NOTICES) {
    return { ...error(413, 'BATCH_TOO_LARGE', `at most ${DISTRICT_MAX_NOTICES} notices a request (got ${body.notices.length})`), keys };
  }
  return { status: 200, body: { results: body.notices.map((n) => receive(n, context)) }, keys };
}

export const districtContract: Contract = {
  destination: 'district',
  title: '哈尔滨新区审批监管执法信用一体化平台',
  algorithm: 'HMAC-SHA256',
  maxBodyBytes: MAX_BODY_BYTES,
  handle(request, context) {
    const { method, pathname } = request;
    if (pathname !== BREACH_NOTICES_PATH) return notFound(method, pathname);
    if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`);
    return breachNotices(request, context);
  },
};
