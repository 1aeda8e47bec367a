/**
 * 哈尔滨新区审批监管执法信用一体化平台 (docs/endpoints.md, "District platform", inbound): breach
 * and repair notices from the province, at most 20 a request, fields as the provincial platform's
 * (dates YYYY/MM/DD, ';'-joined categories, 是/否) with identity numbers in clear. A withdrawal
 * carries the record's key fields only, as a provincial DELETE does.
 */
import { destinations } from '../../../topology/topology.js';
import { allTransient, chunk, commonOutcomes, isObject, parseBody, perKey } from './common.js';
import type { Adapter, AdapterContext, Delivery, EndpointResponse, RecordOutcome, WireRequest } from './types.js';
import { keyFieldCodes, PROVINCIAL_CONVENTIONS, wireFields, type WireFields } from './wire-fields.js';

export const DISTRICT_PATH = '/api/integration/v1/breach-notices';
export const DISTRICT_MAX_NOTICES = destinations.district.maxRecordsPerRequest;

interface Notice {
  noticeId: string;
  kind: 'breach' | 'repair';
  action: 'upsert' | 'withdraw';
  fields: WireFields;
}

function notice(delivery: Delivery): Notice {
  const { record, action, idempotencyKey } = delivery;
  const kind = record.recordType;
  if (kind !== 'breach' && kind !== 'repair') {
    throw new Error(`district takes breach and repair notices only; got a ${String(kind)} (${idempotencyKey}): intake never routes one here`);
  }
  if (action === 'unpublish') throw new Error(`district does not publish: no end of publication to send (${idempotencyKey})`);
  // the district's own black points go to the district platform, and nowhere else
  const fields =
    action === 'withdraw'
      ? wireFields(record, { ...PROVINCIAL_CONVENTIONS, codes: keyFieldCodes(record) })
      : wireFields(record, { ...PROVINCIAL_CONVENTIONS, district: true });
  return { noticeId: idempotencyKey, kind, action, fields };
}

function buildRequests(deliveries: readonly Delivery[], _context: AdapterContext): WireRequest[] {
  const notices = deliveries.map(notice);
  return chunk(notices, DISTRICT_MAX_NOTICES, { idOf: (n) => n.noticeId }).map((batch) => ({
    method: 'POST',
    path: DISTRICT_PATH,
    body: JSON.stringify({ notices: batch }),
    keys: batch.map((n) => n.noticeId),
  }));
}

function interpret(request: WireRequest, response: EndpointResponse): RecordOutcome[] {
  if (response.status < 200 || response.status > 299) return commonOutcomes('district', request, response);
  const body = parseBody(response.body);
  const results = isObject(body) && Array.isArray(body['results']) ? body['results'] : undefined;
  if (results === undefined) return allTransient(request, `district answered HTTP ${response.status} without a readable results list`);
  const byId = new Map<string, Record<string, unknown>>();
  for (const r of results) if (isObject(r) && typeof r['noticeId'] === 'string') byId.set(r['noticeId'], r);
  return perKey(request, 'district', (key): RecordOutcome | undefined => {
    const result = byId.get(key);
    if (result === undefined) return undefined;
    switch (result['status']) {
      case 'ACCEPTED':
        return { key, outcome: 'delivered' };
      case 'BREACH_UNKNOWN':
        // a repair whose breach the district does not hold (yet): the breach may be on its way
        return { key, outcome: 'transient', reason: typeof result['reason'] === 'string' ? result['reason'] : 'BREACH_UNKNOWN' };
      case 'DUPLICATE':
        return { key, outcome: 'delivered', duplicate: true };
      case 'INVALID':
        return { key, outcome: 'rejected', reason: typeof result['reason'] === 'string' && result['reason'] !== '' ? result['reason'] : 'INVALID' };
      default:
        return { key, outcome: 'transient', reason: `district answered an unknown status ${JSON.stringify(result['status'])} for this notice` };
    }
  });
}

export const district: Adapter = {
  destination: 'district',
  signatureAlgorithm: 'HMAC-SHA256',
  maxBatchSize: DISTRICT_MAX_NOTICES,
  buildRequests,
  interpret,
};
