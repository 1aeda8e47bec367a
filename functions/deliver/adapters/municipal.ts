/**
 * 哈尔滨市公共信用信息共享平台 (docs/endpoints.md, "Municipal platform"): one record per request,
 * `PUT`/`DELETE /openapi/v2/credit/{type}/{recordKey}`, and `DELETE …/{recordKey}/publication` to
 * end a publication; ISO dates, arrays as arrays, no field encryption. A breach states its
 * publication (SX_SFGS, CF_GSJZQ): the platform publishes it on 信用哈尔滨 only while it says so.
 */
import { destinations } from '../../../topology/topology.js';
import { allTransient, commonOutcomes, errorText, isObject, parseBody } from './common.js';
import { revisionKeyOf, type Adapter, type AdapterContext, type Delivery, type EndpointResponse, type RecordOutcome, type WireRequest } from './types.js';
import { ISO_CONVENTIONS, wireFields } from './wire-fields.js';

/** The record types the platform takes, each under its own resource type (the record type's name). */
const TYPES = new Set(['commitment', 'breach', 'repair', 'verification']);
/** The sub-resource whose DELETE ends a record's publication (the record stays shared). */
export const PUBLICATION_SUFFIX = '/publication';

/** The resource path of one delivery: the idempotency key URL-encoded as the last segment. */
export function municipalPath(delivery: Delivery): string {
  const type = delivery.record.recordType;
  if (!TYPES.has(type)) throw new Error(`municipal: no resource type for record type ${String(type)}`);
  return `/openapi/v2/credit/${type}/${encodeURIComponent(revisionKeyOf(delivery))}`;
}

function buildRequests(deliveries: readonly Delivery[], _context: AdapterContext): WireRequest[] {
  return deliveries.map((delivery): WireRequest => {
    const path = municipalPath(delivery);
    const keys = [delivery.idempotencyKey];
    if (delivery.action === 'withdraw') return { method: 'DELETE', path, keys };
    if (delivery.action === 'unpublish') return { method: 'DELETE', path: `${path}${PUBLICATION_SUFFIX}`, keys };
    const data = wireFields(delivery.record, { ...ISO_CONVENTIONS, ...(delivery.publication && { publication: delivery.publication }) });
    const body = { operation: 'upsert', revision: delivery.record.revision, data };
    return { method: 'PUT', path, body: JSON.stringify(body), keys };
  });
}

function interpret(request: WireRequest, response: EndpointResponse): RecordOutcome[] {
  const { status } = response;
  const body = parseBody(response.body);
  const id = isObject(body) && typeof body['id'] === 'string' && body['id'] !== '' ? body['id'] : undefined;
  const code = isObject(body) ? body['code'] : undefined;
  const delivered = (duplicate: boolean): RecordOutcome[] =>
    request.keys.map((key) => ({ key, outcome: 'delivered', ...(id === undefined ? {} : { receipt: id }), ...(duplicate ? { duplicate } : {}) }));

  if (request.method === 'DELETE') {
    // The contract documents no body for a successful DELETE: any 2xx withdrew it (or ended its publication).
    if (status >= 200 && status <= 299) return delivered(false);
    // Nothing to withdraw or unpublish: the record was never there (or is gone already).
    if (status === 404) return delivered(true);
  } else if (status >= 200 && status <= 299) {
    const result = isObject(body) ? body['result'] : undefined;
    if (result === 'created' || result === 'updated') return delivered(false);
    if (result === 'unchanged') return delivered(true);
    return allTransient(request, `municipal answered HTTP ${status} without a known result (created, updated, unchanged)`);
  }
  // A newer revision of the record is there already: superseded, nothing to do.
  if (status === 409 && code === 'STALE_REVISION') return delivered(true);
  // A repair whose breach the platform does not hold (yet): the breach may be on its way.
  if (status === 409 && code === 'BREACH_NOT_FOUND') return allTransient(request, errorText(response, 'BREACH_NOT_FOUND'));
  if (status === 422) {
    const errors = isObject(body) && Array.isArray(body['errors']) ? body['errors'] : [];
    const reasons = errors
      .map((e) => (isObject(e) ? [e['field'], e['message']].filter((p) => typeof p === 'string' && p !== '').join(': ') : String(e)))
      .filter((r) => r !== '');
    return request.keys.map((key) => ({ key, outcome: 'rejected', reason: reasons.length > 0 ? reasons.join('; ') : 'HTTP 422 without field errors' }));
  }
  return commonOutcomes('municipal', request, response);
}

export const municipal: Adapter = {
  destination: 'municipal',
  signatureAlgorithm: 'HMAC-SHA256',
  maxBatchSize: destinations.municipal.maxRecordsPerRequest,
  buildRequests,
  interpret,
};
