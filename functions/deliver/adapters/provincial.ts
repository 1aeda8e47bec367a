/**
 * 黑龙江省公共信用信息共享平台 (docs/endpoints.md, "Provincial platform"): batch upload, one
 * dataType (CN/CF/XF/HC) per request, at most 100 records and 5 MB a batch, identity numbers
 * SM4-encrypted; a withdrawal sent as DELETE and an end of publication as UNPUBLISH, each with the
 * record's key fields only. A breach states its publication (SX_SFGS, CF_GSJZQ): the platform
 * publishes it on 信用黑龙江 only while it says so.
 */
import { destinations } from '../../../topology/topology.js';
import type { RecordType } from '../../shared/records/types.js';
import { allTransient, chunk, commonOutcomes, isObject, jsonBytes, parseBody, perKey } from './common.js';
import { fieldEncryptor } from './field-encryption.js';
import type { Adapter, AdapterContext, Delivery, EndpointResponse, RecordOutcome, WireRequest } from './types.js';
import { keyFieldCodes, PERSONAL_PATHS, PROVINCIAL_CONVENTIONS, wireFields, type WireFields } from './wire-fields.js';

export const PROVINCIAL_PATH = '/gateway/credit/v1/records:batchUpload';
export const PROVINCIAL_MAX_RECORDS = destinations.provincial.maxRecordsPerRequest;
/** The contract's body limit (5 MB, read as 5 × 1024 × 1024 bytes), less room for the envelope. */
export const PROVINCIAL_MAX_BODY_BYTES = 5 * 1024 * 1024;
const ENVELOPE_BYTES = 256;

/** CN 承诺 (a commitment), CF 处罚 (a breach), XF 信用修复 (a repair), HC 核查 (a verification of a commitment). */
type DataType = 'CN' | 'CF' | 'XF' | 'HC';

export const DATA_TYPES: Readonly<Partial<Record<RecordType, DataType>>> = { commitment: 'CN', breach: 'CF', repair: 'XF', verification: 'HC' };

const OPERATIONS = { upsert: 'UPSERT', withdraw: 'DELETE', unpublish: 'UNPUBLISH' } as const;

interface BatchRecord {
  recordKey: string;
  operation: (typeof OPERATIONS)[keyof typeof OPERATIONS];
  fields: WireFields;
}

interface BatchBody {
  dataType: DataType;
  batchNo: string;
  records: BatchRecord[];
}

function buildRequests(deliveries: readonly Delivery[], context: AdapterContext): WireRequest[] {
  if (deliveries.length === 0) return [];
  const field = fieldEncryptor(context, 'provincial');
  // Records first (IVs drawn in delivery order), then batches, then one batch number per batch.
  const entries = deliveries.map((delivery) => {
    const { record, action, idempotencyKey } = delivery;
    const dataType = DATA_TYPES[record.recordType];
    if (dataType === undefined) throw new Error(`provincial: no dataType for record type ${String(record.recordType)}`);
    const encrypt = { paths: PERSONAL_PATHS[record.recordType], field };
    const fields =
      action === 'upsert'
        ? wireFields(record, { ...PROVINCIAL_CONVENTIONS, encrypt, ...(delivery.publication && { publication: delivery.publication }) })
        : wireFields(record, { ...PROVINCIAL_CONVENTIONS, encrypt, codes: keyFieldCodes(record) });
    const entry: BatchRecord = { recordKey: idempotencyKey, operation: OPERATIONS[action], fields };
    return { dataType, entry, bytes: jsonBytes(entry) + 1 };
  });
  const batches = chunk(entries, PROVINCIAL_MAX_RECORDS, {
    groupOf: (e) => e.dataType,
    idOf: (e) => e.entry.recordKey,
    weightOf: (e) => e.bytes,
    maxWeight: PROVINCIAL_MAX_BODY_BYTES - ENVELOPE_BYTES,
  });
  return batches.map((batch) => {
    const body: BatchBody = { dataType: batch[0]!.dataType, batchNo: context.randomBytes(16).toString('hex'), records: batch.map((e) => e.entry) };
    return { method: 'POST', path: PROVINCIAL_PATH, body: JSON.stringify(body), keys: body.records.map((r) => r.recordKey) };
  });
}

function interpret(request: WireRequest, response: EndpointResponse): RecordOutcome[] {
  if (response.status < 200 || response.status > 299) return commonOutcomes('provincial', request, response);
  const body = parseBody(response.body);
  const results = isObject(body) && Array.isArray(body['results']) ? body['results'] : undefined;
  if (results === undefined) return allTransient(request, `provincial answered HTTP ${response.status} without a readable results list`);
  const byKey = new Map<string, Record<string, unknown>>();
  for (const result of results) if (isObject(result) && typeof result['recordKey'] === 'string') byKey.set(result['recordKey'], result);
  return perKey(request, 'provincial', (key): RecordOutcome | undefined => {
    const result = byKey.get(key);
    if (result === undefined) return undefined;
    const receipt = typeof result['receipt'] === 'string' && result['receipt'] !== '' ? result['receipt'] : undefined;
    switch (result['status']) {
      case 'SUCCESS':
        return receipt === undefined ? { key, outcome: 'delivered' } : { key, outcome: 'delivered', receipt };
      case 'DUPLICATE':
        return receipt === undefined ? { key, outcome: 'delivered', duplicate: true } : { key, outcome: 'delivered', receipt, duplicate: true };
      case 'FAILED': {
        const errorCode = String(result['errorCode'] ?? 'FAILED');
        const reason = `${errorCode} ${String(result['message'] ?? '')}`.trim();
        // E104: nothing to delete or unpublish — the withdrawal's goal already holds
        if (errorCode === 'E104') return { key, outcome: 'delivered', duplicate: true };
        // E105: our field key is stale — retry once the credentials are rotated, never reject the record
        // E106: a repair whose breach the platform does not hold (yet) — the breach may be on its way
        if (errorCode === 'E105' || errorCode === 'E106') return { key, outcome: 'transient', reason };
        return { key, outcome: 'rejected', reason };
      }
      default:
        return { key, outcome: 'transient', reason: `provincial answered an unknown status ${JSON.stringify(result['status'])} for this record` };
    }
  });
}

export const provincial: Adapter = {
  destination: 'provincial',
  signatureAlgorithm: 'HMAC-SM3',
  maxBatchSize: PROVINCIAL_MAX_RECORDS,
  buildRequests,
  interpret,
};
