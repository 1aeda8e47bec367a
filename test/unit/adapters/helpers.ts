/**
 * Shared by the adapter tests: the example records (schemas/examples/<type>/valid/) and the
 * verification fixtures as canonical records, deliveries, a deterministic AdapterContext, and
 * golden-file comparison.
 *
 * Golden files: test/golden/<destination>/<case>.json hold the WireRequests an adapter builds
 * (method, path, keys, parsed body). After an intended change of the wire format, regenerate them
 * with
 *
 *   UPDATE_GOLDEN=1 npm run test:jest -- test/unit/adapters
 *
 * and review the diff against docs/endpoints.md before committing: the files are the contract as
 * the adapters implement it.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DestinationId } from '../../../topology/topology.js';
import type { AdapterContext, Delivery, WireRequest } from '../../../functions/deliver/adapters/types.js';
import { deliveryOf } from '../../../functions/deliver/deliver.js';
import type { CreditRecord, RecordType } from '../../../functions/shared/records/types.js';
import { validateRecord } from '../../../functions/shared/records/validate.js';
import { verificationCases } from '../../support/records.js';

const EXAMPLES_DIR = fileURLToPath(new URL('../../../schemas/examples/', import.meta.url));
const GOLDEN_DIR = fileURLToPath(new URL('../../golden/', import.meta.url));

/** The field key of the tests (16 bytes as hex). */
export const FIELD_KEY = '0123456789abcdeffedcba9876543210';

/**
 * A context whose random bytes are a counter (0, 1, 2, …, wrapping at 256): reproducible output.
 * `null`: no field key.
 */
export function testContext(fieldKey: string | null = FIELD_KEY): AdapterContext & { drawn: () => number } {
  let next = 0;
  return {
    ...(fieldKey === null ? {} : { fieldKey }),
    randomBytes: (size: number) => Buffer.from(Array.from({ length: size }, () => next++ & 0xff)),
    drawn: () => next,
  };
}

/** The valid example files of a record type, sorted. */
export const exampleFiles = (type: RecordType): string[] =>
  readdirSync(`${EXAMPLES_DIR}${type}/valid`)
    .filter((f) => f.endsWith('.json'))
    .sort();

/** An example record after validation (normalised): what the deliver function reads from the table. */
export function example(type: RecordType, file: string, change: (raw: Record<string, unknown>) => void = () => undefined): CreditRecord {
  const raw = JSON.parse(readFileSync(`${EXAMPLES_DIR}${type}/valid/${file}`, 'utf8')) as Record<string, unknown>;
  change(raw);
  const result = validateRecord(raw);
  if (!result.valid) throw new Error(`${type}/${file} is not valid: ${JSON.stringify(result.errors)}`);
  return result.record as CreditRecord;
}

/** The example whose file name starts with `prefix` (e.g. '03'). */
export function exampleByPrefix(type: RecordType, prefix: string, change?: (raw: Record<string, unknown>) => void): CreditRecord {
  const file = exampleFiles(type).find((f) => f.startsWith(prefix));
  if (file === undefined) throw new Error(`no ${type} example ${prefix}`);
  return example(type, file, change);
}

export const allExamples = (type: RecordType): CreditRecord[] => exampleFiles(type).map((f) => example(type, f));

/** The verification fixtures (test/support/records.ts verificationCases: schemas/examples has none of the type yet), validated. */
export function verifications(): CreditRecord[] {
  return verificationCases().map((raw) => {
    const result = validateRecord(raw);
    if (!result.valid) throw new Error(`verification ${String(raw['recordId'])} is not valid: ${JSON.stringify(result.errors)}`);
    return result.record as CreditRecord;
  });
}

export const idempotencyKey = (record: CreditRecord, destination: DestinationId): string =>
  `${record.recordType}:${record.source}:${record.recordId}:${record.revision}:${destination}`;

/** The day the golden files' publications are stated for. */
export const TODAY = '2026-11-28';

/**
 * A delivery of `record` to `destination` as the deliver function builds it on TODAY (the
 * publication stated where the destination publishes the type); the action defaults to the
 * record's operation.
 */
export function delivery(record: CreditRecord, destination: DestinationId, action: Delivery['action'] = record.operation, today = TODAY): Delivery {
  return deliveryOf(record, destination, action, idempotencyKey(record, destination), today);
}

/** `count` distinct copies of `record` (recordId suffixed with a serial). */
export function copies(record: CreditRecord, count: number, dataChange: (data: Record<string, unknown>, i: number) => void = () => undefined): CreditRecord[] {
  return Array.from({ length: count }, (_, i) => {
    const copy = structuredClone(record);
    copy.recordId = `${record.recordId}-${String(i).padStart(3, '0')}`;
    dataChange(copy.data, i);
    return copy;
  });
}

export interface GoldenRequest {
  method: WireRequest['method'];
  path: string;
  keys: string[];
  body?: unknown;
}

export const parsedBody = (request: WireRequest): unknown => (request.body === undefined ? undefined : (JSON.parse(request.body) as unknown));

export function toGolden(requests: readonly WireRequest[]): GoldenRequest[] {
  return requests.map((r) => ({ method: r.method, path: r.path, keys: r.keys, ...(r.body === undefined ? {} : { body: parsedBody(r) }) }));
}

/** Compares `requests` with test/golden/<destination>/<name>.json, or writes it when UPDATE_GOLDEN=1. */
export function expectGolden(destination: DestinationId, name: string, requests: readonly WireRequest[]): void {
  const file = `${GOLDEN_DIR}${destination}/${name}.json`;
  const actual = toGolden(requests);
  if (process.env['UPDATE_GOLDEN'] === '1') {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(actual, null, 2)}\n`);
    return;
  }
  if (!existsSync(file)) throw new Error(`golden file ${file} is missing: run with UPDATE_GOLDEN=1 to write it, then review it`);
  expect(actual).toEqual(JSON.parse(readFileSync(file, 'utf8')));
}

/** An endpoint answer with a JSON body. */
export const answer = (status: number, body?: unknown, headers: Record<string, string> = {}) => ({
  status,
  headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
  body: body === undefined ? '' : typeof body === 'string' ? body : JSON.stringify(body),
});
