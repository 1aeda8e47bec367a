/** Helpers the adapters share: grouping and splitting deliveries, and reading answers. */
import { headerOf, parseRetryAfter } from '../retry-policy.js';
import type { EndpointResponse, RecordOutcome, WireRequest } from './types.js';

/**
 * Splits `items` into chunks of at most `max`, one group (`groupOf`) per chunk, groups in order
 * of first appearance and items in order within a group. Two items with the same `idOf` never
 * share a chunk (a batch answers per record id, so the second goes into a later chunk).
 * `weightOf` with `maxWeight` also bounds a chunk's total weight (body bytes).
 */
export function chunk<T>(
  items: readonly T[],
  max: number,
  {
    groupOf = () => '',
    idOf,
    weightOf = () => 0,
    maxWeight = Number.POSITIVE_INFINITY,
  }: {
    groupOf?: (item: T) => string;
    idOf: (item: T) => string;
    weightOf?: (item: T) => number;
    maxWeight?: number;
  },
): T[][] {
  interface Open {
    items: T[];
    ids: Set<string>;
    weight: number;
  }
  const groups = new Map<string, Open[]>();
  for (const item of items) {
    const group = groupOf(item);
    let chunks = groups.get(group);
    if (chunks === undefined) groups.set(group, (chunks = []));
    const id = idOf(item);
    const weight = weightOf(item);
    // The first chunk after the last one holding this id that still has room.
    let start = 0;
    for (let i = chunks.length - 1; i >= 0; i--) {
      if (chunks[i]!.ids.has(id)) {
        start = i + 1;
        break;
      }
    }
    let target = chunks.slice(start).find((c) => c.items.length < max && (c.items.length === 0 || c.weight + weight <= maxWeight));
    if (target === undefined) chunks.push((target = { items: [], ids: new Set(), weight: 0 }));
    target.items.push(item);
    target.ids.add(id);
    target.weight += weight;
  }
  return [...groups.values()].flat().map((c) => c.items);
}

/** Parses a JSON body; undefined when it is empty or not JSON. */
export function parseBody(body: string | undefined): unknown {
  if (body === undefined || body.trim() === '') return undefined;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}

export const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined;

/** `code: message` (either alone when the other is missing) from an error body, or a fallback. */
export function errorText(response: EndpointResponse, fallback: string): string {
  const body = parseBody(response.body);
  if (!isObject(body)) return fallback;
  const code = text(body['code']);
  const message = text(body['message']);
  if (code && message) return `${code}: ${message}`;
  return code ?? message ?? fallback;
}

export const allRejected = (request: WireRequest, reason: string): RecordOutcome[] => request.keys.map((key) => ({ key, outcome: 'rejected', reason }));

export const allTransient = (request: WireRequest, reason: string, retryAfter?: number): RecordOutcome[] =>
  request.keys.map((key) =>
    retryAfter === undefined ? { key, outcome: 'transient', reason } : { key, outcome: 'transient', reason, retryAfterSeconds: retryAfter },
  );

/**
 * The answers every contract shares (docs/endpoints.md, "Errors every destination may answer")
 * for a status the adapter has no specific reading of: 400/422 rejected, 413 transient (the
 * adapter split wrongly), anything else transient — an undocumented answer is retried and ends in
 * the lane's DLQ rather than marking records as refused for what they are.
 */
export function commonOutcomes(destination: string, request: WireRequest, response: EndpointResponse): RecordOutcome[] {
  const { status } = response;
  if (status === 400 || status === 422) return allRejected(request, errorText(response, `HTTP ${status}`));
  if (status === 413) {
    return allTransient(
      request,
      `batch too large (HTTP 413 ${errorText(response, 'BATCH_TOO_LARGE')}): ${destination} adapter split wrongly, ${request.keys.length} records in the request`,
    );
  }
  return allTransient(
    request,
    `unexpected answer from ${destination}: HTTP ${status} ${errorText(response, '')}`.trimEnd(),
    parseRetryAfter(headerOf(response, 'Retry-After')),
  );
}

/** Outcomes for a batch answer read per key; a key the answer does not mention is transient. */
export function perKey(request: WireRequest, destination: string, outcomeOf: (key: string) => RecordOutcome | undefined): RecordOutcome[] {
  return request.keys.map((key) => outcomeOf(key) ?? { key, outcome: 'transient', reason: `${destination} answered without a result for this record` });
}

/** Bytes of `value` as UTF-8 JSON. */
export const jsonBytes = (value: unknown): number => Buffer.byteLength(JSON.stringify(value), 'utf8');
