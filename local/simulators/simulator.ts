/**
 * A generic destination simulator on node:http: one contract (./contracts/) served on localhost with
 * the common rules of docs/endpoints.md. Per request, in this order:
 *
 *   1. faults (seeded PRNG): latency, outage → 503, connection reset, 429 + Retry-After, error → 500;
 *   2. the body, at most the contract's limit (413 PAYLOAD_TOO_LARGE);
 *   3. signature, timestamp window and nonce with the contract's method (401 AUTH_FAILED /
 *      TIMESTAMP_EXPIRED / NONCE_REPLAYED);
 *   4. JSON (400 BAD_REQUEST);
 *   5. the contract's handler; a slow-response fault then delays the body after the headers.
 *
 * Test/admin endpoints, unsigned and loopback only, never faulted nor recorded:
 *   GET /_sim/records, GET /_sim/published (what the public website shows), GET /_sim/requests,
 *   GET|POST /_sim/faults, POST /_sim/reset,
 *   GET|POST /_sim/feed (contracts that serve a feed).
 *
 * Nothing is logged; secrets and field keys never leave the credentials object.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryNonceStore, verifyRequest } from '../../functions/shared/signing/sign.js';
import type { Credentials } from '../../functions/shared/signing/credentials.js';
import type { Contract, ContractContext, ContractResponse } from './contracts/types.js';
import { isObject } from './contracts/types.js';
import { RecordStore, type RequestEntry } from './store.js';

export interface Faults {
  /** Share of requests answered 500 (0–1). */
  errorRate?: number;
  /** Delay before any answer: fixed ms, or uniformly drawn from [min, max]. */
  latencyMs?: number | [number, number];
  /** Share of requests answered 429, with `Retry-After: retryAfterSeconds` (default 1). */
  tooManyRequests?: { rate: number; retryAfterSeconds?: number };
  /** Every request answered 503 (with Retry-After when given). */
  outage?: boolean | { retryAfterSeconds?: number };
  /** Share of requests whose connection is destroyed without an answer (the client sees a reset). */
  resetRate?: number;
  /** Headers are written at once, the body this many ms later (every answer of the contract). */
  slowResponseMs?: number;
  /**
   * Share of requests processed normally (the records applied) but answered only `ms` later: past
   * the sender's timeout, the nastiest kind — it must retry something that already took effect.
   */
  stall?: { rate: number; ms: number };
}

export interface SimulatorOptions {
  contract: Contract;
  /** TCP port; 0 (default) lets the OS pick a free one. */
  port?: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** The app key(s) the destination issued; several allow credential-rotation tests. */
  credentials: Credentials | readonly Credentials[];
  faults?: Faults;
  /** PRNG seed for the faults (default 1): the same seed and requests give the same faults. */
  seed?: number;
  /** The receiver's clock (default Date.now). */
  now?: () => number;
  /** Timestamp window in seconds (default 300). */
  windowSeconds?: number;
  /** Called after every answered (non-admin) request: method, path, status, keys; never secrets. */
  onRequest?: (entry: RequestEntry) => void;
}

export interface Simulator {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  contract: Contract;
  store: RecordStore;
  /** The breach feed (served by contracts with `servesFeed`): push canonical records. */
  feed: unknown[];
  /** Replaces the faults (throws on an invalid fault set). */
  setFaults(faults: Faults): void;
  faults(): Faults;
  /** Clears records, request history, feed and nonces; restores the starting faults and seed. */
  reset(): void;
  /** Closes the server and its connections; idempotent. */
  stop(): Promise<void>;
}

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Throws unless `value` is a valid fault set; returns it typed. */
export function parseFaults(value: unknown): Faults {
  if (!isObject(value)) throw new Error('faults must be a JSON object');
  const known = new Set(['errorRate', 'latencyMs', 'tooManyRequests', 'outage', 'resetRate', 'slowResponseMs', 'stall']);
  for (const key of Object.keys(value)) if (!known.has(key)) throw new Error(`unknown fault ${key}`);
  const rate = (v: unknown, name: string): void => {
    if (v !== undefined && !(typeof v === 'number' && v >= 0 && v <= 1)) throw new Error(`${name} must be a number from 0 to 1`);
  };
  const ms = (v: unknown, name: string): void => {
    if (v !== undefined && !(typeof v === 'number' && Number.isFinite(v) && v >= 0)) throw new Error(`${name} must be a non-negative number of ms`);
  };
  rate(value.errorRate, 'errorRate');
  rate(value.resetRate, 'resetRate');
  ms(value.slowResponseMs, 'slowResponseMs');
  const latency = value.latencyMs;
  if (Array.isArray(latency)) {
    if (latency.length !== 2) throw new Error('latencyMs must be a number or [min, max]');
    ms(latency[0], 'latencyMs[0]');
    ms(latency[1], 'latencyMs[1]');
    if ((latency[0] as number) > (latency[1] as number)) throw new Error('latencyMs: min above max');
  } else ms(latency, 'latencyMs');
  const tmr = value.tooManyRequests;
  if (tmr !== undefined) {
    if (!isObject(tmr)) throw new Error('tooManyRequests must be { rate, retryAfterSeconds? }');
    rate(tmr.rate, 'tooManyRequests.rate');
    if (tmr.rate === undefined) throw new Error('tooManyRequests.rate is required');
    if (tmr.retryAfterSeconds !== undefined && !(Number.isInteger(tmr.retryAfterSeconds) && (tmr.retryAfterSeconds as number) >= 0)) {
      throw new Error('tooManyRequests.retryAfterSeconds must be a non-negative integer');
    }
  }
  const stall = value.stall;
  if (stall !== undefined) {
    if (!isObject(stall)) throw new Error('stall must be { rate, ms }');
    rate(stall.rate, 'stall.rate');
    ms(stall.ms, 'stall.ms');
    if (stall.rate === undefined || stall.ms === undefined) throw new Error('stall needs rate and ms');
  }
  const outage = value.outage;
  if (outage !== undefined && typeof outage !== 'boolean') {
    if (!isObject(outage)) throw new Error('outage must be a boolean or { retryAfterSeconds? }');
    if (outage.retryAfterSeconds !== undefined && !(Number.isInteger(outage.retryAfterSeconds) && (outage.retryAfterSeconds as number) >= 0)) {
      throw new Error('outage.retryAfterSeconds must be a non-negative integer');
    }
  }
  return value as Faults;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

type FaultDecision =
  | { kind: 'none' }
  | { kind: 'outage'; retryAfterSeconds?: number }
  | { kind: 'reset' }
  | { kind: 'tooManyRequests'; retryAfterSeconds: number }
  | { kind: 'error' };

export async function startSimulator(options: SimulatorOptions): Promise<Simulator> {
  const { contract } = options;
  const credentialList = Array.isArray(options.credentials) ? [...options.credentials] : [options.credentials as Credentials];
  if (credentialList.length === 0) throw new Error('a simulator needs at least one set of credentials');
  const byAppKey = new Map(credentialList.map((c) => [c.appKey, c]));
  const now = options.now ?? Date.now;
  const initialFaults = parseFaults(options.faults ?? {});
  const seed = options.seed ?? 1;

  const store = new RecordStore();
  const feed: unknown[] = [];
  let faults: Faults = initialFaults;
  let random = mulberry32(seed);
  let nonces = new MemoryNonceStore(Math.max(600, 2 * (options.windowSeconds ?? 300)));
  const context: ContractContext = { store, feed, now };

  /** Decided synchronously on arrival, in a fixed order, so a seed gives a reproducible sequence. */
  function decideFaults(): { latency: number; decision: FaultDecision; stallMs: number } {
    const f = faults;
    const stallMs = f.stall !== undefined && f.stall.rate > 0 && random() < f.stall.rate ? f.stall.ms : 0;
    const decided = decideFault(f);
    return { ...decided, stallMs };
  }

  function decideFault(f: Faults): { latency: number; decision: FaultDecision } {
    let latency = 0;
    if (Array.isArray(f.latencyMs)) latency = f.latencyMs[0] + random() * (f.latencyMs[1] - f.latencyMs[0]);
    else if (typeof f.latencyMs === 'number') latency = f.latencyMs;
    if (f.outage) {
      const retryAfterSeconds = typeof f.outage === 'object' ? f.outage.retryAfterSeconds : undefined;
      return { latency, decision: retryAfterSeconds === undefined ? { kind: 'outage' } : { kind: 'outage', retryAfterSeconds } };
    }
    if (f.resetRate !== undefined && f.resetRate > 0 && random() < f.resetRate) return { latency, decision: { kind: 'reset' } };
    if (f.tooManyRequests !== undefined && f.tooManyRequests.rate > 0 && random() < f.tooManyRequests.rate) {
      return { latency, decision: { kind: 'tooManyRequests', retryAfterSeconds: f.tooManyRequests.retryAfterSeconds ?? 1 } };
    }
    if (f.errorRate !== undefined && f.errorRate > 0 && random() < f.errorRate) return { latency, decision: { kind: 'error' } };
    return { latency, decision: { kind: 'none' } };
  }

  function record(entry: Omit<RequestEntry, 'at'>): void {
    const full: RequestEntry = { at: new Date(now()).toISOString(), ...entry };
    store.requests.push(full);
    options.onRequest?.(full);
  }

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}, slowMs = 0): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    const head: Record<string, string | number> = { ...headers, 'Content-Length': Buffer.byteLength(text) };
    if (body !== undefined) head['Content-Type'] = JSON_TYPE;
    res.writeHead(status, head);
    if (slowMs <= 0) {
      res.end(text);
      return;
    }
    res.flushHeaders();
    setTimeout(() => {
      if (!res.destroyed) res.end(text);
    }, slowMs).unref();
  }

  /** The body, or undefined after answering 413 (the rest is drained, then the connection closed). */
  async function readBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer | undefined> {
    const limit = contract.maxBodyBytes;
    const declared = Number(req.headers['content-length'] ?? '0');
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= limit && declared <= limit) chunks.push(chunk);
    }
    if (size > limit || declared > limit) {
      res.setHeader('Connection', 'close');
      return undefined;
    }
    return Buffer.concat(chunks);
  }

  async function handleAdmin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const remote = req.socket.remoteAddress ?? '';
    if (!(remote === '127.0.0.1' || remote === '::1' || remote === '::ffff:127.0.0.1')) {
      send(res, 403, { code: 'FORBIDDEN', message: '/_sim endpoints answer localhost only' });
      return;
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req as AsyncIterable<Buffer>) chunks.push(chunk);
    const text = Buffer.concat(chunks).toString('utf8');
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      send(res, 400, { code: 'BAD_REQUEST', message: 'body is not JSON' });
      return;
    }
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'GET /_sim/records':
        return send(res, 200, { records: store.list() });
      case 'GET /_sim/published':
        return send(res, 200, { records: store.published() });
      case 'GET /_sim/requests':
        return send(res, 200, { requests: store.requests });
      case 'GET /_sim/faults':
        return send(res, 200, { faults });
      case 'POST /_sim/faults':
        try {
          faults = parseFaults(body ?? {});
        } catch (err) {
          return send(res, 400, { code: 'BAD_REQUEST', message: (err as Error).message });
        }
        return send(res, 200, { faults });
      case 'POST /_sim/reset':
        simulator.reset();
        return send(res, 200, { reset: true });
      case 'GET /_sim/feed':
      case 'POST /_sim/feed':
        if (!contract.servesFeed) break;
        if (req.method === 'GET') return send(res, 200, { items: feed });
        {
          const items = Array.isArray(body) ? body : [body];
          if (items.some((item) => !isObject(item))) return send(res, 400, { code: 'BAD_REQUEST', message: 'POST a record or an array of records' });
          feed.push(...items);
          return send(res, 200, { pushed: items.length, total: feed.length });
        }
    }
    send(res, 404, { code: 'NOT_FOUND', message: `no admin route ${route}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(rawPath, 'http://simulator.invalid');
    if (url.pathname.startsWith('/_sim/')) return handleAdmin(req, res, url);

    const { latency, decision, stallMs } = decideFaults();
    const slowMs = faults.slowResponseMs ?? 0;
    if (latency > 0) await sleep(latency);

    switch (decision.kind) {
      case 'outage': {
        req.resume();
        const headers: Record<string, string> = decision.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(decision.retryAfterSeconds) };
        send(res, 503, { code: 'SERVICE_UNAVAILABLE', message: 'simulated outage' }, headers);
        return record({ method, path: rawPath, status: 503, keys: [], code: 'SERVICE_UNAVAILABLE', fault: 'outage' });
      }
      case 'reset':
        record({ method, path: rawPath, status: 0, keys: [], fault: 'reset' });
        req.socket.destroy();
        return;
      case 'tooManyRequests':
        req.resume();
        send(res, 429, { code: 'TOO_MANY_REQUESTS', message: 'simulated rate limit' }, { 'Retry-After': String(decision.retryAfterSeconds) });
        return record({ method, path: rawPath, status: 429, keys: [], code: 'TOO_MANY_REQUESTS', fault: 'tooManyRequests' });
      case 'error':
        req.resume();
        send(res, 500, { code: 'INTERNAL_ERROR', message: 'simulated server error' });
        return record({ method, path: rawPath, status: 500, keys: [], code: 'INTERNAL_ERROR', fault: 'error' });
      case 'none':
        break;
    }

    const answer = (response: ContractResponse): void => {
      if (stallMs > 0) setTimeout(() => res.destroyed || send(res, response.status, response.body, response.headers, slowMs), stallMs).unref();
      else send(res, response.status, response.body, response.headers, slowMs);
      const code = response.status >= 300 && isObject(response.body) && typeof response.body.code === 'string' ? response.body.code : undefined;
      record({ method, path: rawPath, status: response.status, keys: response.keys ?? [], ...(code === undefined ? {} : { code }) });
    };

    const bytes = await readBody(req, res);
    if (bytes === undefined) {
      return answer({ status: 413, body: { code: 'PAYLOAD_TOO_LARGE', message: `body larger than ${contract.maxBodyBytes} bytes` } });
    }

    const verified = verifyRequest({
      method,
      path: rawPath,
      body: bytes,
      headers: req.headers,
      lookupSecret: (appKey) => byAppKey.get(appKey)?.secret,
      now: now(),
      nonces,
      algorithm: contract.algorithm,
      ...(options.windowSeconds === undefined ? {} : { windowSeconds: options.windowSeconds }),
    });
    if (!verified.ok) return answer({ status: 401, body: { code: verified.code, message: verified.message } });

    let body: unknown;
    if (bytes.length > 0) {
      const type = String(req.headers['content-type'] ?? '');
      if (!/^application\/json\s*(;|$)/i.test(type))
        return answer({ status: 400, body: { code: 'BAD_REQUEST', message: 'Content-Type must be application/json; charset=utf-8' } });
      try {
        body = JSON.parse(bytes.toString('utf8'));
      } catch {
        return answer({ status: 400, body: { code: 'BAD_REQUEST', message: 'body is not valid JSON' } });
      }
    }

    let response: ContractResponse;
    try {
      response = contract.handle(
        { method, rawPath, pathname: url.pathname, query: url.searchParams, headers: req.headers, body, credentials: byAppKey.get(verified.appKey)! },
        context,
      );
    } catch (err) {
      response = { status: 500, body: { code: 'SIMULATOR_BUG', message: (err as Error).message } };
    }
    answer(response);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) send(res, 500, { code: 'SIMULATOR_BUG', message: (err as Error).message });
      else res.destroy();
    });
  });
  server.keepAliveTimeout = 1000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  let stopping: Promise<void> | undefined;

  const simulator: Simulator = {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    port,
    contract,
    store,
    feed,
    setFaults(next) {
      faults = parseFaults(next);
    },
    faults: () => faults,
    reset() {
      store.clear();
      feed.length = 0;
      nonces = new MemoryNonceStore(Math.max(600, 2 * (options.windowSeconds ?? 300)));
      faults = initialFaults;
      random = mulberry32(seed);
    },
    stop() {
      stopping ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return stopping;
    },
  };
  return simulator;
}
