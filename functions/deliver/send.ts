/**
 * Sending the claimed deliveries: the adapter's requests, paced to the invocation's share of the
 * lane's rate limit, signed and sent with a timeout behind a circuit breaker, the credentials
 * reloaded once on 401/403; each answer classified per record by retry-policy.ts.
 */
import { randomBytes } from 'node:crypto';
import { CONTRACT_VERSION } from '../shared/records/types.js';
import { describeError } from '../shared/errors.js';
import { maskIdNumbersIn } from '../shared/records/identifiers.js';
import type { Credentials } from '../shared/signing/credentials.js';
import { signRequest } from '../shared/signing/sign.js';
import { CircuitBreaker, classifyResponse, isAuthFailure } from './retry-policy.js';
import { AdapterConfigurationError, type Delivery, type EndpointResponse, type RecordOutcome, type WireRequest } from './adapters/types.js';
import type { DeliverDeps, DeliverMetrics } from './deliver.js';
import type { Pending } from './resolve.js';

/** Sends every request the adapter builds; returns each record's outcome by idempotency key. */
export async function send(pending: readonly Pending[], deps: DeliverDeps, metrics: DeliverMetrics, leaseEnds: number): Promise<Map<string, RecordOutcome>> {
  const results = new Map<string, RecordOutcome>();
  if (pending.length === 0) return results;
  const allTransient = (reason: string) => {
    for (const p of pending)
      if (!results.has(p.delivery.idempotencyKey)) results.set(p.delivery.idempotencyKey, { key: p.delivery.idempotencyKey, outcome: 'transient', reason });
  };
  try {
    await sendAll(pending, deps, metrics, results, leaseEnds);
  } catch (err) {
    // credentials that cannot be loaded, an adapter without what it needs: nothing wrong with the
    // records — keep what was already answered, retry the rest later
    deps.logger.error('delivery could not proceed; the remaining records will be retried', { destination: deps.config.destination, error: describeError(err) });
    allTransient(`cannot deliver now: ${describeError(err)}`);
  }
  return results;
}

async function sendAll(
  pending: readonly Pending[],
  deps: DeliverDeps,
  metrics: DeliverMetrics,
  results: Map<string, RecordOutcome>,
  leaseEnds: number,
): Promise<void> {
  const doFetch = deps.fetch ?? fetch;
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let credentials = await deps.credentials.get();
  let requests = buildRequests(pending, credentials, deps, results);
  // each invocation takes its share of the lane's rate limit
  const interval = 1000 / Math.max(deps.config.lane.rateLimitPerSecond / Math.max(deps.config.lane.maxConcurrency, 1), 0.001);
  const breaker = new CircuitBreaker(deps.config.breakerThreshold);
  let refreshed = false;
  let lastSent = 0;

  for (let i = 0; i < requests.length; i++) {
    const request = requests[i]!;
    if (breaker.open) {
      for (const key of request.keys)
        results.set(key, { key, outcome: 'transient', reason: `circuit open: ${breaker.threshold} requests in a row failed`, unsent: true });
      metrics.count('CircuitOpen', request.keys.length);
      continue;
    }
    const wait = lastSent + interval - Date.now();
    if (wait > 0) await sleep(wait);
    // past the lease another invocation may hold these records' sends: what is left waits
    if (Date.now() + deps.config.lane.sendTimeoutSeconds * 1000 > leaseEnds) {
      for (const key of request.keys)
        results.set(key, { key, outcome: 'transient', reason: 'the invocation ran out of time before this request', unsent: true });
      continue;
    }
    lastSent = Date.now();
    const response = await exchange(request, credentials, deps, doFetch, metrics);
    if ('error' in response) {
      breaker.record(response);
      for (const key of request.keys) results.set(key, { key, outcome: 'transient', reason: response.error });
      continue;
    }
    if (isAuthFailure(response.status) && !refreshed) {
      // credentials may have been rotated: reload them once, rebuild what is left (a field key may
      // have changed too) and resend from this request on
      refreshed = true;
      credentials = await deps.credentials.refresh();
      const left = new Set(requests.slice(i).flatMap((r) => r.keys));
      requests = [
        ...requests.slice(0, i),
        ...buildRequests(
          pending.filter((p) => left.has(p.delivery.idempotencyKey)),
          credentials,
          deps,
          results,
        ),
      ];
      i--;
      continue;
    }
    for (const outcome of classifyResponse(request, response, deps.adapter)) {
      results.set(outcome.key, outcome.outcome === 'delivered' ? outcome : { ...outcome, reason: scrubReason(outcome.reason) });
    }
    if (isAuthFailure(response.status)) metrics.count('AuthFailures', 1);
    breaker.record(response);
  }
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

/** One signed request with a timeout; a network error or timeout comes back as `{ error }`. */
async function exchange(
  request: WireRequest,
  credentials: Credentials,
  deps: DeliverDeps,
  doFetch: typeof fetch,
  metrics: DeliverMetrics,
): Promise<EndpointResponse | { error: string }> {
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
    const body = await response.text();
    metrics.latency(Date.now() - started);
    return { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch (err) {
    metrics.latency(Date.now() - started);
    const name = (err as { name?: string }).name;
    return { error: name === 'TimeoutError' ? `no answer within ${deps.config.lane.sendTimeoutSeconds} s` : `network error: ${describeError(err)}` };
  }
}

/**
 * Endpoint reasons are stored and logged: mask any identity number an endpoint echoed back
 * (personal data never reaches logs or the state, whoever wrote it).
 */
export const scrubReason = maskIdNumbersIn;
