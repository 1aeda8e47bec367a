/**
 * Sending the claimed deliveries: the adapter's requests, paced to the invocation's share of the
 * lane's rate limit, signed and sent with a timeout behind a circuit breaker, the credentials
 * reloaded once on 401/403; each answer classified per record by retry-policy.ts.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { canonicalJson } from '../shared/records/content-hash.js';
import { sm3Hex, type EvidenceRecordRef } from '../shared/evidence/format.js';
import { exchangeDigests, isoNow, type EvidenceOutbox } from '../shared/evidence/outbox.js';
import { CONTRACT_VERSION } from '../shared/records/types.js';
import { describeError } from '../shared/errors.js';
import { maskIdNumbersIn } from '../shared/records/identifiers.js';
import type { Credentials } from '../shared/signing/credentials.js';
import { signRequest } from '../shared/signing/sign.js';
import { CircuitBreaker, classifyResponse, isAuthFailure, isTransientStatus } from './retry-policy.js';
import { InFlightLimit, TokenBucket } from './pacing.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../../topology/topology.js';
import { AdapterConfigurationError, type Delivery, type EndpointResponse, type RecordOutcome, type WireRequest } from './adapters/types.js';
import type { DeliverDeps, DeliverMetrics } from './deliver.js';
import type { Pending } from './resolve.js';

/** Sends every request the adapter builds; returns each record's outcome by idempotency key. */
export async function send(
  pending: readonly Pending[],
  deps: DeliverDeps,
  metrics: DeliverMetrics,
  leaseEnds: number,
  outbox?: EvidenceOutbox,
): Promise<Map<string, RecordOutcome>> {
  const results = new Map<string, RecordOutcome>();
  if (pending.length === 0) return results;
  const allTransient = (reason: string) => {
    for (const p of pending)
      if (!results.has(p.delivery.idempotencyKey)) results.set(p.delivery.idempotencyKey, { key: p.delivery.idempotencyKey, outcome: 'transient', reason });
  };
  try {
    await sendAll(pending, deps, metrics, results, leaseEnds, outbox);
  } catch (err) {
    // credentials that cannot be loaded, an adapter without what it needs: nothing wrong with the
    // records — keep what was already answered, retry the rest later
    deps.logger.error('delivery could not proceed; the remaining records will be retried', { destination: deps.config.destination, error: describeError(err) });
    allTransient(`cannot deliver now: ${describeError(err)}`);
  }
  return results;
}

/**
 * Sends the requests concurrently, at the invocation's share of the lane's rate limit (a token
 * bucket without burst: requests start evenly spaced, whether or not the earlier ones have
 * answered), as many in flight as the endpoint's answers allow (InFlightLimit: one after a
 * failure, up to the lane's maxInFlight). Requests that carry the same record go one after
 * another, in the order built, each once the one before it has answered: two revisions of a record
 * never race to the endpoint.
 */
async function sendAll(
  pending: readonly Pending[],
  deps: DeliverDeps,
  metrics: DeliverMetrics,
  results: Map<string, RecordOutcome>,
  leaseEnds: number,
  outbox: EvidenceOutbox | undefined,
): Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const { lane } = deps.config;
  // each invocation takes its share of the lane's rate limit
  const share = Math.max(lane.rateLimitPerSecond / Math.max(lane.maxConcurrency, 1), 0.001);
  // no burst: a new invocation's bucket must not let the lane go faster than its limit
  const bucket = new TokenBucket(share, 1);
  const slots = new InFlightLimit(lane.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT);
  const breaker = new CircuitBreaker(deps.config.breakerThreshold);
  const byKey = new Map(pending.map((p) => [p.delivery.idempotencyKey, p]));
  const recordOf = (key: string): string => {
    const ref = byKey.get(key)!.ref;
    return `${ref.recordType}\n${ref.source}\n${ref.recordId}`;
  };

  let credentials = await deps.credentials.get();
  let refreshed = false;
  let refreshing: Promise<void> | undefined;
  // credentials may have been rotated: reloaded once for the invocation, whoever is refused first
  const reload = () =>
    (refreshing ??= deps.credentials.refresh().then((fresh) => {
      credentials = fresh;
      refreshed = true;
    }));
  // a request built with credentials since replaced is built again (its field key may have changed)
  const rebuilt = (request: WireRequest) =>
    buildRequests(
      request.keys.map((key) => byKey.get(key)!),
      credentials,
      deps,
      results,
    );
  const unsent = (request: WireRequest, reason: string) => {
    for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason, unsent: true });
  };

  /** Why no request may start `waitMs` from now: the circuit is open, or the claims' lease would run out first. */
  const stopped = (request: WireRequest, waitMs: number): boolean => {
    if (breaker.open) {
      unsent(request, `circuit open: ${breaker.threshold} requests in a row failed`);
      metrics.count('CircuitOpen', request.keys.length);
      return true;
    }
    // past the lease another invocation may hold these records' sends: what is left waits
    if (Date.now() + waitMs + lane.sendTimeoutSeconds * 1000 > leaseEnds) {
      unsent(request, 'the invocation ran out of time before this request');
      return true;
    }
    return false;
  };

  /** One request, once a slot and a token are its: its answer, or undefined when it was not sent. */
  const attempt = async (request: WireRequest, sentWith: Credentials): Promise<Answer | undefined> => {
    await slots.acquire();
    let verdict: boolean | undefined;
    try {
      if (stopped(request, 0)) return undefined;
      const wait = bucket.reserve();
      if (wait > 0) {
        if (stopped(request, wait)) {
          bucket.refund();
          return undefined;
        }
        await sleep(wait);
        if (stopped(request, 0)) return undefined; // the circuit may have opened meanwhile
      }
      const answer = await exchange(request, sentWith, deps, doFetch, metrics);
      verdict = !('error' in answer.response) && !isTransientStatus(answer.response.status);
      return answer;
    } finally {
      slots.release(verdict);
    }
  };

  const run = async (request: WireRequest, builtWith: Credentials): Promise<void> => {
    if (builtWith !== credentials) {
      for (const again of rebuilt(request)) await run(again, credentials);
      return;
    }
    const sentWith = credentials;
    const answer = await attempt(request, sentWith);
    if (answer === undefined) return;
    const { response } = answer;
    if ('error' in response) {
      outbox?.add(evidenceOf(request, answer, byKey, deps));
      breaker.record(response);
      for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason: response.error });
      return;
    }
    // refused with credentials not reloaded yet, or reloaded since it was sent: reload (once) and resend
    if (isAuthFailure(response.status) && (!refreshed || sentWith !== credentials)) {
      outbox?.add(evidenceOf(request, answer, byKey, deps));
      await reload();
      for (const again of rebuilt(request)) await run(again, credentials);
      return;
    }
    const outcomes = classifyResponse(request, response, deps.adapter);
    outbox?.add(evidenceOf(request, answer, byKey, deps, outcomes));
    for (const outcome of outcomes) {
      results.set(outcome.key, outcome.outcome === 'delivered' ? outcome : { ...outcome, reason: scrubReason(outcome.reason) });
    }
    if (isAuthFailure(response.status)) metrics.count('AuthFailures', 1);
    breaker.record(response);
  };

  // each request starts after the last one before it that carries one of its records
  const last = new Map<string, Promise<unknown>>();
  const builtWith = credentials;
  const runs = buildRequests(pending, credentials, deps, results).map((request) => {
    const records = [...new Set(request.keys.map(recordOf))];
    const before = records.flatMap((record) => (last.has(record) ? [last.get(record)!] : []));
    const done = Promise.allSettled(before).then(() => run(request, builtWith));
    for (const record of records) last.set(record, done);
    return done;
  });
  // every request has settled before the results are read; the first error (credentials that
  // cannot be reloaded, an adapter's configuration) is raised then
  const settled = await Promise.allSettled(runs);
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) throw failure.reason;
}

/**
 * The adapter's requests for these deliveries. One record the adapter cannot express must not hold
 * up the others: on an error they are built one by one, and those it refuses are rejected with the
 * reason (retrying would not change them). A configuration error is thrown on: it concerns all.
 */
function buildRequests(all: readonly Pending[], credentials: Credentials, deps: DeliverDeps, results: Map<string, RecordOutcome>): WireRequest[] {
  const context = { ...(credentials.fieldKey && { fieldKey: credentials.fieldKey }), randomBytes };
  const pending = all.filter((p) => {
    const refusal = outdatedContract(p.delivery);
    if (refusal !== undefined) results.set(p.delivery.idempotencyKey, { key: p.delivery.idempotencyKey, outcome: 'rejected', reason: refusal });
    return refusal === undefined;
  });
  try {
    return deps.adapter.buildRequests(
      pending.map((p) => p.delivery),
      context,
    );
  } catch (err) {
    if (err instanceof AdapterConfigurationError) throw err;
  }
  const requests: WireRequest[] = [];
  for (const p of pending) {
    try {
      requests.push(...deps.adapter.buildRequests([p.delivery], context));
    } catch (err) {
      if (err instanceof AdapterConfigurationError) throw err;
      const key = p.delivery.idempotencyKey;
      results.set(key, {
        key,
        outcome: 'rejected',
        reason: `the ${deps.config.destination} adapter cannot send this record: ${err instanceof Error ? err.message : String(err)}`,
      });
    }
  }
  return requests;
}

/**
 * A stored revision written against an older contract is never sent as content: its meaning may
 * have changed (a 1.0 breach could be a first-offence exemption, which 2.0 never shares, and had no
 * publication decision). Its source sends it again under the current contract. A withdrawal or an
 * end of publication carries only key fields, and goes.
 */
function outdatedContract(delivery: Delivery): string | undefined {
  if (delivery.action !== 'upsert' || delivery.record.schemaVersion === CONTRACT_VERSION) return undefined;
  return (
    `stored under record contract ${String(delivery.record.schemaVersion)}: it is not sent as ${CONTRACT_VERSION} content; ` +
    `its source must send it again under contract ${CONTRACT_VERSION} (docs/contract.md, "What changed in 2.0")`
  );
}

/** A request's answer (or why none came), and when it was sent and answered: what its evidence entry holds. */
interface Answer {
  response: EndpointResponse | { error: string; kind: 'timeout' | 'network' };
  /** The response body exactly as received. */
  bytes?: Buffer;
  sentAt: number;
  answeredAt: number;
}

/**
 * The evidence entry of one request (functions/shared/evidence/format.ts): the records it carried,
 * each with the digest of its canonical record and what the answer meant for it; digests of the
 * exact bodies; the status; the times. Reasons are left out: an endpoint may echo personal data.
 */
function evidenceOf(request: WireRequest, answer: Answer, byKey: ReadonlyMap<string, Pending>, deps: DeliverDeps, outcomes: readonly RecordOutcome[] = []) {
  const byOutcome = new Map(outcomes.map((o) => [o.key, o]));
  const records = request.keys.map((key): EvidenceRecordRef => {
    const outcome = byOutcome.get(key);
    const record = byKey.get(key)?.delivery.record;
    return {
      key,
      ...(record && { recordDigest: sm3Hex(canonicalJson(record)) }),
      ...(outcome && { outcome: outcome.outcome }),
      ...(outcome?.outcome === 'delivered' && outcome.receipt !== undefined && { receipt: outcome.receipt }),
    };
  });
  const { response } = answer;
  return {
    v: 1 as const,
    id: randomUUID(),
    kind: 'send' as const,
    party: deps.config.destination,
    method: request.method,
    path: maskIdNumbersIn(request.path),
    ...exchangeDigests(request.body, 'error' in response ? null : { body: answer.bytes ?? response.body }),
    status: 'error' in response ? null : response.status,
    error: 'error' in response ? response.kind : null,
    sentAt: isoNow(answer.sentAt),
    answeredAt: 'error' in response ? null : isoNow(answer.answeredAt),
    records,
  };
}

/** One signed request with a timeout; a network error or timeout comes back as `{ error }`. */
async function exchange(request: WireRequest, credentials: Credentials, deps: DeliverDeps, doFetch: typeof fetch, metrics: DeliverMetrics): Promise<Answer> {
  // the signature covers the path the endpoint sees, base path of ENDPOINT_URL included
  const url = new URL(`${deps.config.endpointUrl}${request.path}`);
  const headers: Record<string, string> = {
    'content-type': 'application/json; charset=utf-8',
    ...signRequest({
      method: request.method,
      path: `${url.pathname}${url.search}`,
      ...(request.body !== undefined && { body: request.body }),
      credentials,
      algorithm: deps.adapter.signatureAlgorithm,
    }),
  };
  if (request.keys.length === 1) headers['Idempotency-Key'] = request.keys[0]!;
  const started = Date.now();
  try {
    const response = await doFetch(url.href, {
      method: request.method,
      headers,
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.timeout(deps.config.lane.sendTimeoutSeconds * 1000),
    });
    // the evidence digests the exact bytes; the adapter reads them as text() would (UTF-8, a BOM dropped)
    const bytes = Buffer.from(await response.arrayBuffer());
    const answeredAt = Date.now();
    metrics.latency(answeredAt - started);
    const body = new TextDecoder().decode(bytes);
    return { response: { status: response.status, headers: Object.fromEntries(response.headers), body }, bytes, sentAt: started, answeredAt };
  } catch (err) {
    const answeredAt = Date.now();
    metrics.latency(answeredAt - started);
    const timeout = (err as { name?: string }).name === 'TimeoutError';
    return {
      response: timeout
        ? { error: `no answer within ${deps.config.lane.sendTimeoutSeconds} s`, kind: 'timeout' }
        : { error: `network error: ${describeError(err)}`, kind: 'network' },
      sentAt: started,
      answeredAt,
    };
  }
}

/**
 * Endpoint reasons are stored and logged: mask any identity number an endpoint echoed back
 * (personal data never reaches logs or the state, whoever wrote it).
 */
export const scrubReason = maskIdNumbersIn;
