/**
 * An in-memory stand-in for a destination's HTTP endpoint, for the deliver benchmark: a `fetch`
 * that never touches the network and answers per the contracts in docs/endpoints.md —
 *
 * - provincial `POST /gateway/credit/v1/records:batchUpload`: reads the batch and answers
 *   `200 { code: "0000", total, success, failed: 0, results: [{ recordKey, status: "SUCCESS", receipt }] }`;
 * - municipal `PUT /openapi/v2/credit/{type}/{recordKey}`: `201 { id, result: "created" }`
 *   (`DELETE`: `200 { id, result: "deleted" }`);
 * - with `answer: 'unavailable'`, every request: `503 { code: "SERVICE_UNAVAILABLE", message }`.
 *
 * It counts requests, the bytes sent (body; request line and headers as they would go on the
 * wire, less the HTTP client's own defaults) and received, and the wall time inside itself. With
 * `verify` on it also checks what a simulator checks — the signature (method, timestamp window,
 * nonce), the path, the content type, the idempotency key — and collects every violation in
 * `violations` (a benchmark throws on any); verification is meant for an untimed pass.
 */
import { performance } from 'node:perf_hooks';
import { PROVINCIAL_PATH, PROVINCIAL_MAX_RECORDS } from '../functions/deliver/adapters/provincial.js';
import type { SignatureAlgorithm } from '../functions/deliver/adapters/types.js';
import { MemoryNonceStore, verifyRequest } from '../functions/shared/signing/sign.js';

export type EndpointAnswer = 'ok' | 'unavailable';

export interface EndpointStats {
  requests: number;
  byStatus: Record<string, number>;
  /** Records the requests carried (per the request's body or path). */
  records: number;
  bodyBytes: number;
  /** Request line, the headers the caller set, Host and Content-Length, CRLFs included. */
  headerBytes: number;
  responseBodyBytes: number;
  /** Wall time inside `fetch` (parsing the request, building the answer), ms. */
  fakeMs: number;
}

export const emptyEndpointStats = (): EndpointStats => ({
  requests: 0,
  byStatus: {},
  records: 0,
  bodyBytes: 0,
  headerBytes: 0,
  responseBodyBytes: 0,
  fakeMs: 0,
});

export interface FakeEndpointOptions {
  destination: 'provincial' | 'municipal';
  /** Base URL the deliver function is configured with (no trailing slash). */
  baseUrl: string;
  algorithm: SignatureAlgorithm;
  appKey: string;
  secret: string;
}

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');
const MUNICIPAL_PATH = /^\/openapi\/v2\/credit\/(commitment|breach|repair)\/([^/?]+)$/;
const JSON_TYPE = 'application/json; charset=utf-8';

export class FakeEndpoint {
  stats: EndpointStats = emptyEndpointStats();
  answer: EndpointAnswer = 'ok';
  /** Check every request as a simulator would (slower: use on an untimed pass). */
  verify = false;
  readonly violations: string[] = [];
  private readonly host: string;
  private readonly nonces = new MemoryNonceStore();
  private sequence = 0;

  constructor(private readonly options: FakeEndpointOptions) {
    this.host = new URL(options.baseUrl).host;
  }

  /** The `fetch` to give the deliver function. */
  readonly fetch = (async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const started = performance.now();
    try {
      return this.exchange(String(input), init ?? {});
    } finally {
      this.stats.fakeMs += performance.now() - started;
    }
  }) as typeof fetch;

  private exchange(url: string, init: RequestInit): Response {
    const { destination, baseUrl } = this.options;
    if (!url.startsWith(baseUrl)) throw new TypeError(`fetch failed: ${url} is not under ${baseUrl}`);
    const path = url.slice(baseUrl.length);
    const method = (init.method ?? 'GET').toUpperCase();
    if (init.body !== undefined && init.body !== null && typeof init.body !== 'string') throw new TypeError('the fake endpoint reads string bodies only');
    const body = (init.body as string | null | undefined) ?? undefined;
    const headers = (init.headers ?? {}) as Record<string, string>;
    if (Array.isArray(init.headers) || init.headers instanceof Headers) throw new TypeError('the fake endpoint reads plain header objects only');

    const bodyBytes = body === undefined ? 0 : utf8(body);
    let headerBytes =
      utf8(`${method} ${path} HTTP/1.1\r\n`) + utf8(`host: ${this.host}\r\n`) + (body === undefined ? 0 : utf8(`content-length: ${bodyBytes}\r\n`)) + 2;
    for (const name in headers) headerBytes += utf8(`${name}: ${headers[name]}\r\n`);
    this.stats.requests++;
    this.stats.bodyBytes += bodyBytes;
    this.stats.headerBytes += headerBytes;
    if (this.verify) this.check(method, path, body, headers);

    let status: number;
    let answer: unknown;
    if (destination === 'provincial') {
      const batch = JSON.parse(body ?? '{}') as { dataType?: string; records?: Array<{ recordKey?: string }> };
      const records = batch.records ?? [];
      this.stats.records += records.length;
      if (this.answer === 'unavailable') {
        [status, answer] = [503, { code: 'SERVICE_UNAVAILABLE', message: 'simulated outage' }];
      } else {
        const results = records.map((r) => ({
          recordKey: r.recordKey,
          status: 'SUCCESS',
          receipt: `HLJ-${String(batch.dataType)}-${String(++this.sequence).padStart(6, '0')}`,
        }));
        [status, answer] = [200, { code: '0000', total: results.length, success: results.length, failed: 0, results }];
      }
    } else {
      this.stats.records++;
      if (this.answer === 'unavailable') [status, answer] = [503, { code: 'SERVICE_UNAVAILABLE', message: 'simulated outage' }];
      else if (method === 'DELETE') [status, answer] = [200, { id: `HRB-${String(++this.sequence).padStart(8, '0')}`, result: 'deleted' }];
      else [status, answer] = [201, { id: `HRB-${String(++this.sequence).padStart(8, '0')}`, result: 'created' }];
    }
    const text = JSON.stringify(answer);
    this.stats.responseBodyBytes += utf8(text);
    this.stats.byStatus[status] = (this.stats.byStatus[status] ?? 0) + 1;
    return new Response(text, { status, headers: { 'content-type': JSON_TYPE } });
  }

  /** What a simulator would refuse, as violations (the request is still answered). */
  private check(method: string, path: string, body: string | undefined, headers: Record<string, string>): void {
    const { destination, algorithm, appKey, secret } = this.options;
    const problem = (text: string): void => {
      this.violations.push(`${destination} ${method} ${path}: ${text}`);
    };
    const verdict = verifyRequest({
      method,
      path,
      body,
      headers,
      lookupSecret: (key) => (key === appKey ? secret : undefined),
      now: Date.now(),
      nonces: this.nonces,
      algorithm,
    });
    if (!verdict.ok) problem(`signature refused: ${verdict.code} ${verdict.message}`);
    const lower = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
    if (lower['content-type'] !== JSON_TYPE) problem(`content-type ${String(lower['content-type'])}`);
    if (destination === 'provincial') {
      if (method !== 'POST' || path !== PROVINCIAL_PATH) problem('not the batch upload');
      const batch = JSON.parse(body ?? '{}') as {
        dataType?: string;
        batchNo?: string;
        records?: Array<{ recordKey?: string; operation?: string; fields?: object }>;
      };
      const records = batch.records ?? [];
      if (!['CN', 'CF', 'XF'].includes(String(batch.dataType))) problem(`dataType ${String(batch.dataType)}`);
      if (!/^[0-9a-f]{32}$/.test(String(batch.batchNo))) problem('batchNo');
      if (records.length === 0 || records.length > PROVINCIAL_MAX_RECORDS) problem(`${records.length} records in a batch`);
      for (const r of records) {
        if (!String(r.recordKey).endsWith(':provincial') || !['UPSERT', 'DELETE'].includes(String(r.operation)) || typeof r.fields !== 'object')
          problem(`record ${JSON.stringify(r).slice(0, 120)}`);
      }
      if (records.length === 1 ? lower['idempotency-key'] !== records[0]!.recordKey : lower['idempotency-key'] !== undefined) problem('idempotency key header');
    } else {
      const m = MUNICIPAL_PATH.exec(path);
      if (!m) return problem('not a record resource');
      const key = decodeURIComponent(m[2]!);
      if (!key.startsWith(`${m[1]}:`) || !key.endsWith(':municipal')) problem(`record key ${key}`);
      if (lower['idempotency-key'] !== key) problem(`Idempotency-Key ${String(lower['idempotency-key'])} is not the path's key`);
      if (method === 'PUT') {
        const parsed = JSON.parse(body ?? '{}') as { operation?: string; revision?: number; data?: object };
        if (parsed.operation !== 'upsert' || !Number.isInteger(parsed.revision) || typeof parsed.data !== 'object') problem('body');
        if (String(parsed.revision) !== key.split(':').at(-2)) problem('revision differs from the key');
      } else if (method !== 'DELETE') problem('method');
    }
  }
}
