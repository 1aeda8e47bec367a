/**
 * Public commitment column (docs/endpoints.md, "Public commitment column"): publish and revoke,
 * signed HMAC-SM3, at most 50 items a request, identity numbers masked (first 6 and last 4 kept),
 * no other personal data. Answers `{ accepted: [cnbm], rejected: [{ cnbm, reason }] }`.
 *
 *   POST /commitment-column/api/v1/publish   { items: [{ cnbm, ztmc, ztlb, ztdm, … }] }
 *   POST /commitment-column/api/v1/revoke    { items: [{ cnbm, reason }] }
 */
import { isUscc, USCC_PLACEHOLDER } from '../../../functions/shared/records/identifiers.js';
import { fieldCatalogue, PROVINCIAL_PROFILE, wireDate } from '../fields.js';
import { hashContent } from '../store.js';
import type { Contract, ContractContext, ContractRequest, ContractResponse } from './types.js';
import { badRequest, error, isObject, notFound } from './types.js';

export const PUBLISH_PATH = '/commitment-column/api/v1/publish';
export const REVOKE_PATH = '/commitment-column/api/v1/revoke';
export const PUBLIC_COLUMN_MAX_ITEMS = 50;
const MAX_BODY_BYTES = 5 * 1024 * 1024;

/** Item field → the commitment field code whose values it takes (enums shared with the schema). */
const ITEM_FIELDS = {
  cnbm: 'CN_CNBM',
  ztmc: 'CN_CNZTMC',
  ztlb: 'CN_CNZTLB',
  ztdm: 'CN_CNZTDM',
  cnlx: 'CN_CNLX',
  cnsy: 'CN_CNSY',
  cnnr: 'CN_CNNR',
  wnzr: 'CN_WNZR',
  cnrq: 'CN_CNRQ',
  yxq: undefined,
  sldw: 'CN_SLDW',
  sxmc: 'CN_SXMC',
  lyzt: 'CN_LYZT',
} as const satisfies Record<string, string | undefined>;
type ItemField = keyof typeof ITEM_FIELDS;

/** Required in a publish item: the column's fields the commitment schema requires. */
const REQUIRED: readonly ItemField[] = ['cnbm', 'ztmc', 'ztlb', 'ztdm', 'cnlx', 'cnsy', 'cnnr', 'wnzr', 'cnrq', 'sldw'];
const COMMITMENT_CODE = /^[1-9]\d{5}(19|20)\d{6}\d{6}$/;
/** An identity number in clear: 17 digits and a digit or X, no mask. */
const UNMASKED_ID = /^\d{17}[\dX]$/;
/** A masked identity number: first 6 and last 4 kept, the middle starred (all stars for 10 characters or fewer). */
const MASKED_ID = /^(?:[0-9A-Z()-]{6}\*+[0-9A-Z()-]{4}|\*{1,10})$/;

type Rejection = { cnbm: string; reason: string };

/** Why a publish item is rejected, or undefined when it is acceptable. */
function publishProblem(item: Record<string, unknown>): string | undefined {
  const unknown = Object.keys(item).filter((k) => !(k in ITEM_FIELDS));
  if (unknown.length > 0) return `unknown or non-public fields: ${unknown.join(', ')}`;
  const missing = REQUIRED.filter((k) => typeof item[k] !== 'string' || (item[k] as string).trim() === '');
  if (missing.length > 0) return `required fields missing: ${missing.join(', ')}`;
  for (const [name, value] of Object.entries(item)) {
    if (typeof value !== 'string' || value.trim() === '') return `${name} must be a non-empty string`;
  }
  const catalogue = fieldCatalogue('commitment');
  for (const [name, code] of Object.entries(ITEM_FIELDS)) {
    const kind = code === undefined ? undefined : catalogue.codes.get(code);
    const value = item[name];
    if (value === undefined || kind === undefined) continue;
    if (kind.kind === 'enum' && !kind.values.includes(value as string)) return `${name} must be one of ${kind.values.join(', ')}`;
  }
  const { cnbm, ztlb, ztdm, cnrq, yxq } = item as Record<string, string>;
  if (!COMMITMENT_CODE.test(cnbm!)) return 'cnbm must be a 20-digit commitment code';
  if (wireDate(cnrq, PROVINCIAL_PROFILE) === undefined) return 'cnrq must be a real date written YYYY/MM/DD';
  if (yxq !== undefined) {
    const [from, to, ...extra] = yxq.split('-');
    const a = wireDate(from, PROVINCIAL_PROFILE);
    const b = wireDate(to, PROVINCIAL_PROFILE);
    if (extra.length > 0 || a === undefined || b === undefined || a > b) return 'yxq must be YYYY/MM/DD-YYYY/MM/DD, from not after to';
  }
  const code = ztdm!;
  // 18 digits (or 17 and X) that are no valid USCC, nor the individual-business placeholder:
  // an identity number someone forgot to mask.
  if (UNMASKED_ID.test(code) && !isUscc(code) && code !== USCC_PLACEHOLDER)
    return 'ztdm is an unmasked identity number: mask it (first 6 and last 4 characters kept)';
  if (ztlb === '自然人') {
    if (!MASKED_ID.test(code)) return 'ztdm of a natural person must keep the first 6 and last 4 characters and star the rest';
  } else if (code !== USCC_PLACEHOLDER && !/^[0-9A-Z]{18}$/.test(code)) {
    return 'ztdm of an organisation must be its 18-character unified social credit code';
  }
  return undefined;
}

function items(request: ContractRequest): unknown[] | ContractResponse {
  const body = request.body;
  if (!isObject(body) || !Array.isArray(body.items) || body.items.length === 0) return badRequest('body must be { "items": [ … ] } with at least one item');
  if (body.items.length > PUBLIC_COLUMN_MAX_ITEMS) {
    return error(413, 'BATCH_TOO_LARGE', `at most ${PUBLIC_COLUMN_MAX_ITEMS} items a request (got ${body.items.length})`);
  }
  return body.items;
}

const cnbmOf = (item: unknown): string => (isObject(item) && typeof item.cnbm === 'string' ? item.cnbm : '');

/**
 * A batch answered item by item: `apply` checks one item and applies it, returning why it is
 * refused (or undefined when accepted); the answer lists the accepted and refused commitment codes.
 */
function perItem(request: ContractRequest, apply: (item: Record<string, unknown>, cnbm: string) => string | undefined): ContractResponse {
  const list = items(request);
  if (!Array.isArray(list)) return list;
  const accepted: string[] = [];
  const rejected: Rejection[] = [];
  for (const item of list) {
    const cnbm = cnbmOf(item);
    const reason = isObject(item) ? apply(item, cnbm) : 'an item must be an object';
    if (reason === undefined) accepted.push(cnbm);
    else rejected.push({ cnbm, reason });
  }
  return { status: 200, body: { accepted, rejected }, keys: list.map(cnbmOf) };
}

function publish(request: ContractRequest, context: ContractContext): ContractResponse {
  return perItem(request, (item, cnbm) => {
    const problem = publishProblem(item);
    if (problem !== undefined) return problem;
    const hash = hashContent('upsert', item);
    const current = context.store.current(cnbm);
    if (!(current !== undefined && current.operation === 'upsert' && current.hash === hash)) {
      const receipt = current?.receipt ?? `COL-${String(context.store.nextSequence()).padStart(6, '0')}`;
      context.store.put({
        key: cnbm,
        identity: cnbm,
        type: 'commitment',
        operation: 'upsert',
        content: item,
        receipt,
        hash,
        acceptedAt: new Date(context.now()).toISOString(),
        published: true,
      });
    }
    return undefined;
  });
}

function revoke(request: ContractRequest, context: ContractContext): ContractResponse {
  return perItem(request, (item, cnbm) => {
    const extra = Object.keys(item).filter((k) => k !== 'cnbm' && k !== 'reason');
    if (!COMMITMENT_CODE.test(cnbm)) return 'cnbm must be a 20-digit commitment code';
    if (typeof item['reason'] !== 'string' || item['reason'].trim() === '') return 'reason is required';
    if (extra.length > 0) return `unknown fields: ${extra.join(', ')}`;
    const current = context.store.current(cnbm);
    // Revoking an unknown or already revoked cnbm is accepted and changes nothing.
    if (current !== undefined && current.operation === 'upsert') {
      const content = { ...(current.content as Record<string, unknown>), revokeReason: item['reason'] };
      context.store.put({
        ...current,
        operation: 'withdraw',
        content,
        hash: hashContent('withdraw', content),
        acceptedAt: new Date(context.now()).toISOString(),
      });
    }
    return undefined;
  });
}

export const publicColumnContract: Contract = {
  destination: 'publicColumn',
  title: '信用黑龙江 市场主体承诺专栏',
  algorithm: 'HMAC-SM3',
  maxBodyBytes: MAX_BODY_BYTES,
  handle(request, context) {
    const { method, pathname } = request;
    if (pathname !== PUBLISH_PATH && pathname !== REVOKE_PATH) return notFound(method, pathname);
    if (method !== 'POST') return error(405, 'METHOD_NOT_ALLOWED', `${method} not allowed on ${pathname}`);
    return pathname === PUBLISH_PATH ? publish(request, context) : revoke(request, context);
  },
};
