/**
 * The adapter layer: one adapter per destination turns canonical records into that destination's
 * wire requests (docs/endpoints.md) and reads its answers back into per-record results. Adding a
 * destination means one adapter and one topology entry. Adapters are pure: no I/O, no clock, no
 * randomness except through their context.
 */
import type { DestinationId } from '../../../topology/topology.js';
import type { CreditRecord } from '../../shared/records/types.js';
import { ExchangeError } from '../../shared/errors.js';

export type SignatureAlgorithm = 'HMAC-SM3' | 'HMAC-SHA256';

/**
 * What a delivery does at the destination: share (and, where it publishes, publish) the revision;
 * take the record down everywhere (a retraction); or end its publication while it stays shared
 * (the expiry sweep, docs/domain.md).
 */
export type DeliveryAction = 'upsert' | 'withdraw' | 'unpublish';

/** The publication a send states, on the day it is sent (functions/shared/records/publication.ts). */
export interface DeliveryPublication {
  published: boolean;
  /** The last day of publication, when published. */
  until?: string;
}

/** One record to deliver: the revision the lane message points to, and what to do with it. */
export interface Delivery {
  record: CreditRecord;
  action: DeliveryAction;
  /**
   * `recordType:source:recordId:revision:destination`; an end of publication, a second operation on
   * the revision, has its own: the revision's key + `:unpublish` (UNPUBLISH_KEY_SUFFIX).
   */
  idempotencyKey: string;
  /** Where this destination publishes the record type: what the send states about publication. */
  publication?: DeliveryPublication;
}

/** Ends the idempotency key of an end of publication: a platform that caches answers per key must not answer it with the upsert's. */
export const UNPUBLISH_KEY_SUFFIX = ':unpublish';

/** The key of the revision a delivery concerns (without the end-of-publication suffix): what names the record at a platform. */
export function revisionKeyOf(delivery: Pick<Delivery, 'idempotencyKey'>): string {
  const key = delivery.idempotencyKey;
  return key.endsWith(UNPUBLISH_KEY_SUFFIX) ? key.slice(0, -UNPUBLISH_KEY_SUFFIX.length) : key;
}

export interface AdapterContext {
  /** SM4 field key (32 hex characters) where the contract encrypts identity numbers. */
  fieldKey?: string;
  /** Random bytes (IVs, batch numbers): injectable so golden files are reproducible. */
  randomBytes: (size: number) => Buffer;
}

/** One HTTP request an adapter wants sent (the deliver function signs and sends it). */
export interface WireRequest {
  method: 'POST' | 'PUT' | 'DELETE';
  /** Path with query string, exactly as signed. */
  path: string;
  /** JSON text, or undefined for no body. */
  body?: string;
  /** The deliveries this request carries, by idempotency key (one for single-record contracts). */
  keys: string[];
}

export interface EndpointResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export type RecordOutcome =
  /** Accepted (or already there): done. */
  | { key: string; outcome: 'delivered'; receipt?: string; duplicate?: boolean }
  /** Refused for what the record is: terminal, never retried. */
  | { key: string; outcome: 'rejected'; reason: string }
  /** Worth retrying later. `unsent`: never sent (circuit open) — nothing new to record about it. */
  | { key: string; outcome: 'transient'; reason: string; retryAfterSeconds?: number; unsent?: boolean };

/**
 * Thrown by an adapter when its context cannot serve any record (e.g. no field key where the
 * contract encrypts): a configuration problem, transient for every record, never a rejection.
 */
export class AdapterConfigurationError extends ExchangeError {
  override name = 'AdapterConfigurationError';
}

export interface Adapter {
  destination: DestinationId;
  signatureAlgorithm: SignatureAlgorithm;
  /** Records per request at most (1 for single-record contracts). */
  maxBatchSize: number;
  /** The requests that deliver these records (grouped and split as the contract needs). */
  buildRequests(deliveries: readonly Delivery[], context: AdapterContext): WireRequest[];
  /**
   * Per-record outcomes of a 2xx or 4xx answer to `request` (the deliver function handles 401/403,
   * 408, 429, 5xx and network errors the same way for every destination).
   */
  interpret(request: WireRequest, response: EndpointResponse): RecordOutcome[];
}
