/**
 * Municipal platform (docs/endpoints.md, "Municipal platform"): one record per request, signed
 * HMAC-SHA256, no field encryption, ISO dates, JSON arrays and booleans.
 *
 *   PUT    /openapi/v2/credit/{type}/{recordKey}   { operation: "upsert", revision, data }
 *   DELETE /openapi/v2/credit/{type}/{recordKey}
 *   DELETE /openapi/v2/credit/{type}/{recordKey}/publication   (ends a publication; stays shared)
 *
 * It publishes (on 信用哈尔滨) the breaches that say so, refuses what the platforms refuse for its
 * meaning (../domain-rules.ts), and answers 409 BREACH_NOT_FOUND to a repair of a breach it does not hold;
 * it takes a verification of a commitment it does not hold (verifications are kept by commitment code, on their own).
 * A record is the key without its revision (`type:source:recordId:destination`); a request whose
 * revision is below the record's latest answers 409 STALE_REVISION.
 */
import type { RecordType } from '../../../functions/shared/records/types.js';
import { breachProblems } from '../domain-rules.js';
import { checkUpsert, fieldCatalogue, MUNICIPAL_PROFILE } from '../fields.js';
import { hashContent } from '../store.js';
import type { Contract, ContractContext, ContractRequest, ContractResponse } from './types.js';
import { badRequest, error, isObject, notFound, parseIdempotencyKey } from './types.js';

export const MUNICIPAL_PREFIX = '/openapi/v2/credit/';
const TYPES: readonly RecordType[] = ['commitment', 'breach', 'repair', 'verification'];
const MAX_BODY_BYTES = 5 * 1024 * 1024;

const unprocessable = (errors: Array<{ field: string; message: string }>, key: string): ContractResponse => ({ status: 422, body: { errors }, keys: [key] });

function put(type: RecordType, key: string, request: ContractRequest, context: ContractContext): ContractResponse {
  const parts = parseIdempotencyKey(key)!;
  const body = request.body;
  if (!isObject(body)) return badRequest('body must be a JSON object { operation, revision, data }', [key]);
  const errors: Array<{ field: string; message: string }> = [];
  if (body.operation !== 'upsert') errors.push({ field: 'operation', message: 'must be "upsert" (DELETE withdraws)' });
  if (!(Number.isSafeInteger(body.revision) && (body.revision as number) >= 1)) errors.push({ field: 'revision', message: 'must be an integer ≥ 1' });
  else if (body.revision !== parts.revision) errors.push({ field: 'revision', message: `must equal the revision in the record key (${parts.revision})` });
  if (!isObject(body.data)) errors.push({ field: 'data', message: 'must be an object of field code → value' });
  if (errors.length > 0) return unprocessable(errors, key);
  const data = body.data as Record<string, unknown>;
  const { values, issues } = checkUpsert(fieldCatalogue(type), data, { profile: MUNICIPAL_PROFILE });
  if (type === 'breach') issues.push(...breachProblems(values, new Set(Object.keys(data)), { publishes: true, district: false }));
  if (issues.length > 0)
    return unprocessable(
      issues.map(({ field, message }) => ({ field: `data.${field}`, message })),
      key,
    );
  const at = new Date(context.now()).toISOString();
  if (type === 'repair') {
    const held = context.store.heldBreach(values);
    if (held === undefined)
      return { ...error(409, 'BREACH_NOT_FOUND', 'no breach with data.XF_YCFWSH and this party is held here: a repair follows its breach'), keys: [key] };
    if (values.get('XF_JG') === '同意') context.store.markRepaired(held, at);
  }

  const store = context.store;
  const revision = parts.revision;
  const current = store.current(parts.identity);
  if (current !== undefined && (current.revision ?? 0) > revision) {
    return { ...error(409, 'STALE_REVISION', `revision ${current.revision} of this record is already here`), keys: [key] };
  }
  const content = Object.fromEntries(Object.keys(data).map((code) => [code, values.get(code)]));
  const hash = hashContent('upsert', content);
  if (current !== undefined && current.key === key && current.operation === 'upsert' && current.hash === hash) {
    return { status: 200, body: { id: current.receipt, result: 'unchanged' }, keys: [key] };
  }
  const live = current !== undefined && current.operation === 'upsert';
  const id = current?.receipt ?? `HRB-${String(store.nextSequence()).padStart(8, '0')}`;
  store.put({
    key,
    identity: parts.identity,
    type,
    operation: 'upsert',
    revision,
    content,
    receipt: id,
    hash,
    acceptedAt: at,
    ...(type === 'breach' && { published: values.get('SX_SFGS') === true }),
  });
  return live ? { status: 200, body: { id, result: 'updated' }, keys: [key] } : { status: 201, body: { id, result: 'created' }, keys: [key] };
}

function remove(type: RecordType, key: string, request: ContractRequest, context: ContractContext): ContractResponse {
  if (request.body !== undefined) return badRequest('DELETE has no body', [key]);
  const parts = parseIdempotencyKey(key)!;
  const store = context.store;
  const current = store.current(parts.identity);
  if (current === undefined || current.operation === 'withdraw') {
    if (current !== undefined && (current.revision ?? 0) > parts.revision) {
      return { ...error(409, 'STALE_REVISION', `revision ${current.revision} of this record is already here`), keys: [key] };
    }
    return { ...error(404, 'NOT_FOUND', 'no such record to withdraw'), keys: [key] };
  }
  if ((current.revision ?? 0) > parts.revision) {
    return { ...error(409, 'STALE_REVISION', `revision ${current.revision} of this record is already here`), keys: [key] };
  }
  store.put({
    key,
    identity: parts.identity,
    type,
    operation: 'withdraw',
    revision: parts.revision,
    content: null,
    receipt: current.receipt,
    hash: hashContent('withdraw', null),
    acceptedAt: new Date(context.now()).toISOString(),
  });
  return { status: 200, body: { id: current.receipt, result: 'deleted' }, keys: [key] };
}

/** DELETE …/{recordKey}/publication: the record's publication ends; it stays shared. */
function unpublish(key: string, request: ContractRequest, context: ContractContext): ContractResponse {
  if (request.body !== undefined) return badRequest('DELETE has no body', [key]);
  const parts = parseIdempotencyKey(key)!;
  const current = context.store.current(parts.identity);
  if (current === undefined || current.operation !== 'upsert' || current.published !== true) {
    return { ...error(404, 'NOT_FOUND', 'no published record to stop publishing'), keys: [key] };
  }
  if ((current.revision ?? 0) > parts.revision)
    return { ...error(409, 'STALE_REVISION', `revision ${current.revision} of this record is already here`), keys: [key] };
  context.store.put({ ...current, key, published: false, unpublishedAt: new Date(context.now()).toISOString() });
  return { status: 200, body: { id: current.receipt, result: 'unpublished' }, keys: [key] };
}

export const municipalContract: Contract = {
  destination: 'municipal',
  title: '哈尔滨市公共信用信息共享平台',
  algorithm: 'HMAC-SHA256',
  maxBodyBytes: MAX_BODY_BYTES,
  handle(request, context) {
    const { method, pathname } = request;
    if (!pathname.startsWith(MUNICIPAL_PREFIX)) return notFound(method, pathname);
    const rest = pathname.slice(MUNICIPAL_PREFIX.length).split('/');
    const publication = rest.length === 3 && rest[2] === 'publication';
    if ((rest.length !== 2 && !publication) || !TYPES.includes(rest[0] as RecordType)) return notFound(method, pathname);
    const type = rest[0] as RecordType;
    let key: string;
    try {
      key = decodeURIComponent(rest[1]!);
    } catch {
      return badRequest('recordKey is not valid URL encoding');
    }
    const parts = parseIdempotencyKey(key);
    if (parts === undefined) return badRequest('recordKey must be recordType:source:recordId:revision:destination', [key]);
    if (parts.recordType !== type) return badRequest(`recordKey is a ${parts.recordType} key on the ${type} path`, [key]);
    if (parts.destination !== 'municipal') return badRequest(`recordKey names destination ${parts.destination}, not municipal`, [key]);
    if (publication)
      return method === 'DELETE'
        ? unpublish(key, request, context)
        : { ...error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`), keys: [key] };
    if (method === 'PUT') return put(type, key, request, context);
    if (method === 'DELETE') return remove(type, key, request, context);
    return { ...error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`), keys: [key] };
  },
};
