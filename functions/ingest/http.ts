/**
 * The HTTP surface of the ingest API (docs/api/openapi.yaml): the request and response it handles,
 * the error codes it answers with, and its three routes.
 */
import type { VerifyFailureCode } from '../shared/signing/sign.js';

export interface IngestRequest {
  method: string;
  /** The request path without the query string, as the client signed it. */
  path: string;
  /** The query string without '?', exactly as received. */
  rawQuery?: string | undefined;
  headers: Readonly<Record<string, string | undefined>>;
  body: Buffer;
  requestId: string;
  sourceIp?: string | undefined;
}

export interface IngestResponse {
  status: number;
  headers: Record<string, string>;
  /** JSON text. */
  body: string;
}

export type ErrorCode =
  | 'NOT_FOUND'
  | 'METHOD_NOT_ALLOWED'
  | 'HEADERS_TOO_LARGE'
  | 'PAYLOAD_TOO_LARGE'
  | 'TOO_MANY_RECORDS'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'INVALID_ENCODING'
  | 'MALFORMED_JSON'
  | 'INVALID_REQUEST'
  | VerifyFailureCode
  | 'FORBIDDEN'
  | 'THROTTLED'
  | 'INTERNAL_ERROR'
  | 'SERVICE_UNAVAILABLE';

// ---------------------------------------------------------------- responses

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8' };

export function respond(status: number, body: unknown, requestId: string, headers: Record<string, string> = {}): IngestResponse {
  return { status, headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...headers }, body: JSON.stringify(body) };
}

export function errorResponse(status: number, code: ErrorCode, message: string, requestId: string, headers: Record<string, string> = {}): IngestResponse {
  return respond(status, { error: { code, message, requestId } }, requestId, headers);
}

// ---------------------------------------------------------------- routes

const ROUTE_RECORDS = /^\/v1\/records\/?$/;
const ROUTE_RECORD = /^\/v1\/records\/([^/]+)\/([^/]+)\/?$/;
const ROUTE_CREDIT = /^\/v1\/subjects\/([^/]+)\/credit\/?$/;

export type Route =
  { kind: 'push' } | { kind: 'read'; recordType: string; recordId: string } | { kind: 'credit'; code: string } | { kind: 'error'; response: IngestResponse };

const invalidEncoding = (request: IngestRequest): Route => ({
  kind: 'error',
  response: errorResponse(400, 'INVALID_REQUEST', 'the path contains an invalid percent-encoding', request.requestId),
});

export function route(request: IngestRequest): Route {
  const method = request.method.toUpperCase();
  if (ROUTE_RECORDS.test(request.path)) {
    if (method === 'POST') return { kind: 'push' };
    return {
      kind: 'error',
      response: errorResponse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /v1/records; use POST`, request.requestId, { allow: 'POST' }),
    };
  }
  const match = ROUTE_RECORD.exec(request.path);
  if (match) {
    if (method !== 'GET')
      return {
        kind: 'error',
        response: errorResponse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /v1/records/{recordType}/{recordId}; use GET`, request.requestId, {
          allow: 'GET',
        }),
      };
    try {
      return { kind: 'read', recordType: decodeURIComponent(match[1]!), recordId: decodeURIComponent(match[2]!) };
    } catch {
      return invalidEncoding(request);
    }
  }
  const credit = ROUTE_CREDIT.exec(request.path);
  if (credit) {
    if (method !== 'GET')
      return {
        kind: 'error',
        response: errorResponse(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed on /v1/subjects/{code}/credit; use GET`, request.requestId, {
          allow: 'GET',
        }),
      };
    try {
      return { kind: 'credit', code: decodeURIComponent(credit[1]!) };
    } catch {
      return invalidEncoding(request);
    }
  }
  return { kind: 'error', response: errorResponse(404, 'NOT_FOUND', 'no such route; see the OpenAPI document for the routes', request.requestId) };
}

/** A header's value, by case-insensitive name. */
export function header(headers: IngestRequest['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower && value !== undefined) return value;
  return undefined;
}
