/**
 * Provincial platform (docs/endpoints.md, "Provincial platform"): batch upload signed HMAC-SM3,
 * identity numbers SM4-encrypted, per-record results; and the breach feed the pull function reads.
 *
 *   POST /gateway/credit/v1/records:batchUpload   (operations UPSERT, DELETE, UNPUBLISH)
 *   GET  /gateway/credit/v1/breach-feed?cursor=<opaque>&limit=<n>
 *
 * It publishes (on 信用黑龙江) the breaches that say so, until an UNPUBLISH or a DELETE, and
 * refuses what the platforms refuse for its meaning (../domain-rules.ts): a decision not to punish
 * sent as a penalty, the district's black points, a publication against the tier, and a repair of
 * a breach it does not hold (E106). A verification (HC) of a commitment it does not hold is
 * accepted: the platform keys verifications by commitment code and holds them on their own.
 */
import type { RecordType } from '../../../functions/shared/records/types.js';
import { breachProblems } from '../domain-rules.js';
import { checkUpsert, decodeFields, fieldCatalogue, PROVINCIAL_PROFILE, summariseIssues, type FieldIssue } from '../fields.js';
import { hashContent } from '../store.js';
import type { Contract, ContractContext, ContractRequest, ContractResponse } from './types.js';
import { badRequest, error, isObject, notFound } from './types.js';

export const PROVINCIAL_BATCH_PATH = '/gateway/credit/v1/records:batchUpload';
export const BREACH_FEED_PATH = '/gateway/credit/v1/breach-feed';
export const PROVINCIAL_MAX_RECORDS = 100;
export const FEED_DEFAULT_LIMIT = 50;
export const FEED_MAX_LIMIT = 100;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

export const DATA_TYPES = { CN: 'commitment', CF: 'breach', XF: 'repair', HC: 'verification' } as const satisfies Record<string, RecordType>;
type DataType = keyof typeof DATA_TYPES;

/** The key fields a DELETE carries (and that identify a record at the platform). */
const KEY_FIELDS: Record<DataType, { all: string[]; oneOf?: string[] }> = {
  CN: { all: ['CN_CNBM'] },
  CF: { all: ['CF_WSH'], oneOf: ['CF_XDR_SHXYM', 'CF_XDR_ZJHM'] },
  XF: { all: ['XF_JDWH'] },
  // a verification has no number of its own: the commitment it verifies and the day
  HC: { all: ['HC_CNBM', 'HC_HCRQ'] },
};

type RecordResult =
  { recordKey: string; status: 'SUCCESS' | 'DUPLICATE'; receipt: string } | { recordKey: string; status: 'FAILED'; errorCode: string; message: string };

/** The identity of a record at the platform from its (decoded) key fields, or undefined if one is missing. */
function identityOf(dataType: DataType, values: ReadonlyMap<string, unknown>): string | undefined {
  const keys = KEY_FIELDS[dataType];
  const parts: string[] = [];
  for (const code of keys.all) {
    const v = values.get(code);
    if (typeof v !== 'string') return undefined;
    parts.push(v);
  }
  if (keys.oneOf) {
    const code = keys.oneOf.find((c) => typeof values.get(c) === 'string');
    if (code === undefined) return undefined;
    parts.push(`${code}=${values.get(code) as string}`);
  }
  return `${dataType}:${parts.join('|')}`;
}

function missingKeyFields(dataType: DataType, fields: Record<string, unknown>): string[] {
  const keys = KEY_FIELDS[dataType];
  const missing = keys.all.filter((code) => fields[code] === undefined);
  if (keys.oneOf && !keys.oneOf.some((code) => fields[code] !== undefined)) missing.push(keys.oneOf.join(' or '));
  return missing;
}

type Operation = 'UPSERT' | 'DELETE' | 'UNPUBLISH';
const OPERATIONS = new Set<unknown>(['UPSERT', 'DELETE', 'UNPUBLISH']);

function uploadOne(
  dataType: DataType,
  item: { recordKey: string; operation: Operation; fields: Record<string, unknown> },
  fieldKey: string | undefined,
  context: ContractContext,
): RecordResult {
  const { recordKey, operation, fields } = item;
  const catalogue = fieldCatalogue(DATA_TYPES[dataType]);
  const failed = (errorCode: string, message: string): RecordResult => ({ recordKey, status: 'FAILED', errorCode, message });
  const options = { profile: PROVINCIAL_PROFILE, fieldKey };
  let values: Map<string, unknown>;
  let issues: FieldIssue[];
  if (operation === 'UPSERT') {
    ({ values, issues } = checkUpsert(catalogue, fields, options));
    if (dataType === 'CF') issues.push(...breachProblems(values, new Set(Object.keys(fields)), { publishes: true, district: false }));
  } else {
    ({ values, issues } = decodeFields(catalogue, fields, options));
    const allowed = new Set([...KEY_FIELDS[dataType].all, ...(KEY_FIELDS[dataType].oneOf ?? [])]);
    for (const code of missingKeyFields(dataType, fields))
      issues.push({ errorCode: 'E101', field: code, message: `${code} 必填字段缺失 (a ${operation} carries the record's key fields)` });
    for (const code of Object.keys(fields)) {
      if (catalogue.codes.has(code) && !allowed.has(code)) {
        issues.push({
          errorCode: 'E102',
          field: code,
          message: `${code} not allowed in a ${operation}: it carries only the key fields ${[...allowed].join(', ')}`,
        });
      }
    }
  }
  const problem = summariseIssues(issues);
  if (problem) return failed(problem.errorCode, problem.message);

  const identity = identityOf(dataType, values);
  if (identity === undefined) return failed('E101', `key fields missing: ${missingKeyFields(dataType, fields).join(', ')}`);
  const content = Object.fromEntries(Object.keys(fields).map((code) => [code, values.get(code)]));
  const store = context.store;
  const at = new Date(context.now()).toISOString();
  const previous = store.get(recordKey);
  const current = store.current(identity);
  if (operation === 'UNPUBLISH') {
    if (current === undefined || current.operation !== 'upsert') return failed('E104', '记录不存在: no record with these key fields to stop publishing');
    if (current.unpublishedAt !== undefined) return { recordKey, status: 'DUPLICATE', receipt: current.receipt };
    // the record stays shared, under its own entry: only its publication ends
    store.put({ ...current, published: false, unpublishedAt: at });
    return { recordKey, status: 'SUCCESS', receipt: current.receipt };
  }
  const op = operation === 'UPSERT' ? 'upsert' : 'withdraw';
  const hash = hashContent(op, content);
  if (previous !== undefined && previous.hash === hash) return { recordKey, status: 'DUPLICATE', receipt: previous.receipt };
  if (operation === 'DELETE' && current === undefined) return failed('E104', '记录不存在: no record with these key fields to delete');
  if (operation === 'UPSERT' && dataType === 'XF') {
    const held = store.heldBreach(values);
    if (held === undefined) return failed('E106', '原失信记录不存在: no breach (CF) with XF_YCFWSH and this party is held here; a repair follows its breach');
    if (values.get('XF_JG') === '同意') store.markRepaired(held, at);
  }
  const receipt = previous?.receipt ?? `HLJ-${dataType}-${String(store.nextSequence()).padStart(6, '0')}`;
  store.put({
    key: recordKey,
    identity,
    type: dataType,
    operation: op,
    content,
    receipt,
    hash,
    acceptedAt: at,
    ...(op === 'upsert' && dataType === 'CF' && { published: values.get('SX_SFGS') === true }),
  });
  return { recordKey, status: 'SUCCESS', receipt };
}

function batchUpload(request: ContractRequest, context: ContractContext): ContractResponse {
  const body = request.body;
  if (!isObject(body)) return badRequest('body must be a JSON object { dataType, batchNo, records }');
  const { dataType, batchNo, records } = body;
  if (typeof dataType !== 'string' || !(dataType in DATA_TYPES)) return badRequest('dataType must be CN, CF, XF or HC');
  if (typeof batchNo !== 'string' || !/^[0-9A-Za-z_-]{1,64}$/.test(batchNo)) return badRequest('batchNo must be 1–64 letters, digits, - or _');
  if (!Array.isArray(records) || records.length === 0) return badRequest('records must be a non-empty array');
  const keys = records.map((r) => (isObject(r) && typeof r.recordKey === 'string' ? r.recordKey : '')).filter(Boolean);
  if (records.length > PROVINCIAL_MAX_RECORDS) {
    return { ...error(413, 'BATCH_TOO_LARGE', `at most ${PROVINCIAL_MAX_RECORDS} records a batch (got ${records.length})`), keys };
  }
  const items: Array<{ recordKey: string; operation: Operation; fields: Record<string, unknown> }> = [];
  for (const [i, r] of records.entries()) {
    if (!isObject(r)) return badRequest(`records[${i}] must be an object`, keys);
    if (typeof r.recordKey !== 'string' || r.recordKey.length === 0 || r.recordKey.length > 512)
      return badRequest(`records[${i}].recordKey must be a non-empty string`, keys);
    if (!OPERATIONS.has(r.operation)) return badRequest(`records[${i}].operation must be UPSERT, DELETE or UNPUBLISH`, keys);
    if (!isObject(r.fields)) return badRequest(`records[${i}].fields must be an object of field code → value`, keys);
    items.push({ recordKey: r.recordKey, operation: r.operation as Operation, fields: r.fields });
  }
  const results = items.map((item) => uploadOne(dataType as DataType, item, request.credentials.fieldKey, context));
  const failed = results.filter((r) => r.status === 'FAILED').length;
  return { status: 200, body: { code: '0000', total: results.length, success: results.length - failed, failed, results }, keys };
}

const encodeCursor = (offset: number): string => Buffer.from(`feed:${offset}`).toString('base64url');

function decodeCursor(cursor: string): number | undefined {
  const m = /^feed:(\d{1,15})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return m === null ? undefined : Number(m[1]);
}

function breachFeed(request: ContractRequest, context: ContractContext): ContractResponse {
  const cursor = request.query.get('cursor');
  const limitText = request.query.get('limit');
  let offset = 0;
  if (cursor !== null && cursor !== '') {
    const decoded = decodeCursor(cursor);
    if (decoded === undefined) return badRequest('cursor is not one this feed issued');
    offset = decoded;
  }
  let limit = FEED_DEFAULT_LIMIT;
  if (limitText !== null) {
    if (!/^\d{1,4}$/.test(limitText) || Number(limitText) < 1 || Number(limitText) > FEED_MAX_LIMIT)
      return badRequest(`limit must be an integer from 1 to ${FEED_MAX_LIMIT}`);
    limit = Number(limitText);
  }
  const items = context.feed.slice(offset, offset + limit);
  // nextCursor continues after the last item returned; null when nothing was returned (caught up:
  // ask again later with the same cursor).
  const nextCursor = items.length === 0 ? null : encodeCursor(offset + items.length);
  const keys = items.map((item) =>
    isObject(item) ? `${String(item.recordType)}:${String(item.source)}:${String(item.recordId)}:${String(item.revision)}` : '',
  );
  return { status: 200, body: { items, nextCursor }, keys };
}

export const provincialContract: Contract = {
  destination: 'provincial',
  title: '黑龙江省公共信用信息共享平台',
  algorithm: 'HMAC-SM3',
  maxBodyBytes: MAX_BODY_BYTES,
  servesFeed: true,
  handle(request, context) {
    const { method, pathname } = request;
    if (pathname === PROVINCIAL_BATCH_PATH) {
      return method === 'POST' ? batchUpload(request, context) : error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`);
    }
    if (pathname === BREACH_FEED_PATH) {
      return method === 'GET' ? breachFeed(request, context) : error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`);
    }
    return notFound(method, pathname);
  },
};
