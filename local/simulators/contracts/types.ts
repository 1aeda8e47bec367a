/** What a destination contract plugs into the generic simulator (../simulator.ts). */
import type { IncomingHttpHeaders } from 'node:http';
import type { SignatureAlgorithm } from '../../../functions/deliver/adapters/types.js';
import type { DestinationId } from '../../../topology/topology.js';
import type { RecordStore } from '../store.js';
import type { Credentials } from '../../../functions/shared/signing/credentials.js';

/** A request that passed the size limit, signature, timestamp, nonce and JSON checks. */
export interface ContractRequest {
  method: string;
  /** Path with query string, exactly as sent (what was signed). */
  rawPath: string;
  /** Decoded path segments are the contract's business; this is the raw path without the query. */
  pathname: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON body, or undefined when there was none. */
  body: unknown;
  /** The credentials of the verified app key. */
  credentials: Credentials;
}

export interface ContractResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Record keys the request carried, for the request history. */
  keys?: string[];
}

export interface ContractContext {
  store: RecordStore;
  /** The breach feed (provincial): canonical records in the order they were pushed. */
  feed: unknown[];
  /** The simulator's clock (ms). */
  now(): number;
}

export interface Contract {
  destination: DestinationId;
  title: string;
  algorithm: SignatureAlgorithm;
  /** Largest request body accepted (413 above). */
  maxBodyBytes: number;
  /** Whether POST /_sim/feed seeds a feed this contract serves. */
  servesFeed?: boolean;
  /** Answers a verified request (404 / 405 for routes it does not serve). */
  handle(request: ContractRequest, context: ContractContext): ContractResponse;
}

export const error = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): ContractResponse => ({
  status,
  body: { code, message, ...extra },
});

export const badRequest = (message: string, keys?: string[]): ContractResponse => ({ ...error(400, 'BAD_REQUEST', message), ...(keys ? { keys } : {}) });

export const notFound = (method: string, path: string): ContractResponse => error(404, 'NOT_FOUND', `no route ${method} ${path}`);

export const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parts of an idempotency key `recordType:source:recordId:revision:destination` (recordId may hold ':'). */
export interface KeyParts {
  recordType: string;
  source: string;
  recordId: string;
  revision: number;
  destination: string;
  /** The key without its revision: the same across revisions of one record. */
  identity: string;
}

export function parseIdempotencyKey(key: string): KeyParts | undefined {
  const parts = key.split(':');
  if (parts.length < 5) return undefined;
  const recordType = parts[0]!;
  const source = parts[1]!;
  const destination = parts[parts.length - 1]!;
  const revisionText = parts[parts.length - 2]!;
  const recordId = parts.slice(2, -2).join(':');
  if (!/^[1-9]\d{0,15}$/.test(revisionText) || recordType === '' || source === '' || recordId === '' || destination === '') return undefined;
  return { recordType, source, recordId, revision: Number(revisionText), destination, identity: `${recordType}:${source}:${recordId}:${destination}` };
}
