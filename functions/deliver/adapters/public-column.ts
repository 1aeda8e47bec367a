/**
 * 信用黑龙江 市场主体承诺专栏 (docs/endpoints.md, "Public commitment column"): commitments whose
 * 公开类型 is 可向社会公开 only, while their publication runs, at most 50 items a request, published
 * with the column's own item names; a withdrawal or an end of publication is a revoke with its reason. Public data: identity numbers masked (first 6 and last 4 characters kept), and no other
 * personal data — an item is built from an explicit list of fields, never from the whole record.
 */
import { destinations } from '../../../topology/topology.js';
import { maskResidentId } from '../../shared/records/identifiers.js';
import { readPointer } from '../../shared/records/rules.js';
import { allTransient, chunk, commonOutcomes, isObject, parseBody, perKey } from './common.js';
import type { Adapter, AdapterContext, Delivery, EndpointResponse, RecordOutcome, WireRequest } from './types.js';

export const PUBLISH_PATH = '/commitment-column/api/v1/publish';
export const REVOKE_PATH = '/commitment-column/api/v1/revoke';
export const PUBLIC_COLUMN_MAX_ITEMS = destinations.publicColumn.maxRecordsPerRequest;
export const PUBLIC_PUBLICATION_TYPE = '可向社会公开';
/** Why a commitment leaves the column: retracted, its publication stopped (licence no longer in force), or its period over. */
export const REVOKE_REASONS = { retracted: '承诺撤回', stopped: '停止公示', expired: '公示期届满' } as const;

function revokeReason(delivery: Delivery): string {
  if (delivery.action === 'unpublish') return REVOKE_REASONS.expired;
  return delivery.record.operation === 'withdraw' ? REVOKE_REASONS.retracted : REVOKE_REASONS.stopped;
}

/** Item name → canonical path, for the fields copied as they are (ztdm, cnrq and yxq are derived). */
const COPIED: readonly (readonly [string, string])[] = [
  ['cnbm', '/data/commitmentCode'],
  ['ztmc', '/data/party/name'],
  ['ztlb', '/data/party/category'],
  ['cnlx', '/data/commitmentType'],
  ['cnsy', '/data/reason'],
  ['cnnr', '/data/content'],
  ['wnzr', '/data/breachLiability'],
  ['sldw', '/data/acceptingUnit'],
  ['sxmc', '/data/licensingItem/itemName'],
  ['lyzt', '/data/fulfilmentStatus'],
];

/** The item order of the contract's example. */
const ITEM_ORDER = ['cnbm', 'ztmc', 'ztlb', 'ztdm', 'cnlx', 'cnsy', 'cnnr', 'wnzr', 'cnrq', 'yxq', 'sldw', 'sxmc', 'lyzt'] as const;

const str = (delivery: Delivery, path: string): string | undefined => {
  const value = readPointer(delivery.record, path);
  return typeof value === 'string' && value !== '' ? value : undefined;
};

const slashDate = (date: string): string => date.replaceAll('-', '/');

function commitmentCode(delivery: Delivery): string {
  const cnbm = str(delivery, '/data/commitmentCode');
  if (cnbm === undefined) throw new Error(`publicColumn: delivery ${delivery.idempotencyKey} has no commitment code`);
  return cnbm;
}

/**
 * 主体代码, as CN_CNZTDM: the USCC (for an individual business without one, the placeholder
 * 00000000000000000X as the record has it); for a natural person the identity number, masked.
 */
function committerCode(delivery: Delivery): string | undefined {
  const uscc = str(delivery, '/data/party/uscc');
  if (uscc !== undefined) return uscc;
  const idNumber = str(delivery, '/data/party/idNumber');
  return idNumber === undefined ? undefined : maskResidentId(idNumber);
}

/** A publish item: only the contract's fields; a natural person's identity number masked. */
export function publishItem(delivery: Delivery): Record<string, string> {
  const values: Record<string, string | undefined> = {};
  for (const [name, path] of COPIED) values[name] = str(delivery, path);
  values['ztdm'] = committerCode(delivery);
  const date = str(delivery, '/data/commitmentDate');
  values['cnrq'] = date === undefined ? undefined : slashDate(date);
  const from = str(delivery, '/data/validFrom');
  const to = str(delivery, '/data/validTo');
  values['yxq'] = from !== undefined && to !== undefined ? `${slashDate(from)}-${slashDate(to)}` : undefined;
  const item: Record<string, string> = {};
  for (const name of ITEM_ORDER) if (values[name] !== undefined) item[name] = values[name];
  return item;
}

function check(delivery: Delivery): void {
  const { record } = delivery;
  if (record.recordType !== 'commitment') {
    throw new Error(`publicColumn takes commitments only; got a ${String(record.recordType)} (${delivery.idempotencyKey}): intake never routes one here`);
  }
  if (delivery.action === 'upsert' && readPointer(record, '/data/publicationType') !== PUBLIC_PUBLICATION_TYPE) {
    throw new Error(
      `publicColumn publishes only commitments whose 公开类型 is ${PUBLIC_PUBLICATION_TYPE} (${delivery.idempotencyKey}): intake never routes others here`,
    );
  }
  if (delivery.action === 'upsert' && delivery.publication?.published === false) {
    throw new Error(
      `publicColumn holds published commitments only, and ${delivery.idempotencyKey} is not published today: the deliver function revokes it instead`,
    );
  }
}

function buildRequests(deliveries: readonly Delivery[], _context: AdapterContext): WireRequest[] {
  deliveries.forEach(check);
  const chunks = chunk(deliveries, PUBLIC_COLUMN_MAX_ITEMS, { groupOf: (d) => (d.action === 'upsert' ? 'publish' : 'revoke'), idOf: commitmentCode });
  return chunks.map((batch): WireRequest => {
    const revoke = batch[0]!.action !== 'upsert';
    const items = batch.map((d) => (revoke ? { cnbm: commitmentCode(d), reason: revokeReason(d) } : publishItem(d)));
    return { method: 'POST', path: revoke ? REVOKE_PATH : PUBLISH_PATH, body: JSON.stringify({ items }), keys: batch.map((d) => d.idempotencyKey) };
  });
}

/** cnbm → idempotency key of the request's items (a request never holds one cnbm twice). */
function keysByCnbm(request: WireRequest): Map<string, string> {
  const body = parseBody(request.body);
  const items = isObject(body) && Array.isArray(body['items']) ? body['items'] : [];
  const map = new Map<string, string>();
  items.forEach((item, i) => {
    const key = request.keys[i];
    if (isObject(item) && typeof item['cnbm'] === 'string' && key !== undefined) map.set(item['cnbm'], key);
  });
  return map;
}

function interpret(request: WireRequest, response: EndpointResponse): RecordOutcome[] {
  if (response.status < 200 || response.status > 299) return commonOutcomes('publicColumn', request, response);
  const body = parseBody(response.body);
  if (!isObject(body) || !Array.isArray(body['accepted']) || (body['rejected'] !== undefined && !Array.isArray(body['rejected']))) {
    return allTransient(request, `publicColumn answered HTTP ${response.status} without readable accepted/rejected lists`);
  }
  const cnbmOf = new Map([...keysByCnbm(request)].map(([cnbm, key]) => [key, cnbm]));
  const accepted = new Set(body['accepted'].filter((c): c is string => typeof c === 'string'));
  const rejected = new Map<string, string>();
  for (const r of (body['rejected'] ?? []) as unknown[]) {
    if (isObject(r) && typeof r['cnbm'] === 'string')
      rejected.set(r['cnbm'], typeof r['reason'] === 'string' && r['reason'] !== '' ? r['reason'] : 'rejected by the public column');
  }
  return perKey(request, 'publicColumn', (key): RecordOutcome | undefined => {
    const cnbm = cnbmOf.get(key);
    if (cnbm === undefined) return undefined;
    const reason = rejected.get(cnbm);
    if (reason !== undefined) return { key, outcome: 'rejected', reason };
    return accepted.has(cnbm) ? { key, outcome: 'delivered' } : undefined;
  });
}

export const publicColumn: Adapter = {
  destination: 'publicColumn',
  signatureAlgorithm: 'HMAC-SM3',
  maxBatchSize: PUBLIC_COLUMN_MAX_ITEMS,
  buildRequests,
  interpret,
};
