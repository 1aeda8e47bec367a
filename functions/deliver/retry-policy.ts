/**
 * Deliver's retry policy, in one place: which answers of a destination are worth trying again,
 * when the next try comes (the endpoint's Retry-After, else exponential backoff with jitter), and
 * when an invocation stops sending to a failing endpoint (the circuit breaker). docs/architecture.md
 * ("Retries") has the table. AWS calls have their own answer, functions/shared/aws-errors.ts.
 *
 *   answer                         outcome     next try
 *   network error, timeout         transient   backoff; counts toward the breaker
 *   408, 429, 5xx                  transient   Retry-After, else backoff; counts toward the breaker
 *   401, 403                       transient   credentials reloaded once and the request resent;
 *                                              still refused: backoff, and the AuthFailures alarm
 *   400, 422, a contract's refusal rejected    never (the record is refused for what it is)
 *   413, an undocumented answer    transient   Retry-After, else backoff (ends in the lane's DLQ)
 *   per-record answers             the adapter reads them (adapters/<destination>.ts)
 */
import type { SQSRecord } from 'aws-lambda';
import type { Adapter, EndpointResponse, RecordOutcome, WireRequest } from './adapters/types.js';

/** Backoff of transient failures: base and cap in seconds. */
export const DEFAULT_BACKOFF = { baseSeconds: 10, maxSeconds: 900 } as const;

/** Consecutive failed requests that open the circuit for the rest of an invocation. */
export const DEFAULT_BREAKER_THRESHOLD = 3;

/** SQS caps a message's visibility timeout at 12 hours. */
export const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export const isAuthFailure = (status: number): boolean => status === 401 || status === 403;

/** The endpoint is overloaded or failing, not the request: try again later. */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status >= 500;

const shortBody = (body: string): string => body.slice(0, 200);

/** What each record of a request came to: the HTTP-level classes every destination shares, then the adapter's reading. */
export function classifyResponse(request: WireRequest, response: EndpointResponse, adapter: Adapter): RecordOutcome[] {
  const { status } = response;
  if (isAuthFailure(status))
    return request.keys.map((key) => ({ key, outcome: 'transient', reason: `authentication failed (HTTP ${status}) ${shortBody(response.body)}` }));
  if (isTransientStatus(status)) {
    const retryAfterSeconds = parseRetryAfter(headerOf(response, 'retry-after'));
    return request.keys.map((key) => ({
      key,
      outcome: 'transient',
      reason: `HTTP ${status} ${shortBody(response.body)}`.trim(),
      ...(retryAfterSeconds !== undefined && { retryAfterSeconds }),
    }));
  }
  return adapter.interpret(request, response);
}

/** A header's value, whatever the case of its name. */
export function headerOf(response: EndpointResponse, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(response.headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/** Retry-After in seconds: delta-seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - now) / 1000));
}

/**
 * Seconds until a transient failure's next try (the message's visibility timeout): the endpoint's
 * Retry-After when it gave one, else exponential backoff with "equal jitter" (half fixed, half
 * random: retries of one failure spread out but never hammer), within SQS's 12-hour cap.
 */
export function backoffSeconds(
  attempt: number,
  retryAfterSeconds: number | undefined,
  deps: { config: { backoff?: { baseSeconds: number; maxSeconds: number } }; random?: () => number },
): number {
  if (retryAfterSeconds !== undefined) return Math.min(Math.max(retryAfterSeconds, 1), MAX_VISIBILITY_SECONDS);
  const { baseSeconds, maxSeconds } = deps.config.backoff ?? DEFAULT_BACKOFF;
  const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.max(attempt - 1, 0));
  return Math.min(Math.max(1, Math.round(ceiling / 2 + ((deps.random ?? Math.random)() * ceiling) / 2)), MAX_VISIBILITY_SECONDS);
}

/** Which try of the message this is (SQS's ApproximateReceiveCount). */
export function receiveCount(message: SQSRecord): number {
  const n = Number(message.attributes?.ApproximateReceiveCount);
  return Number.isFinite(n) && n > 0 ? n : 1;
}

/**
 * Stops an invocation sending to an endpoint that keeps failing: after `threshold` failed requests
 * in a row (no answer, or a transient status), what is left is not sent and comes back later.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;

  constructor(readonly threshold = DEFAULT_BREAKER_THRESHOLD) {}

  get open(): boolean {
    return this.consecutiveFailures >= this.threshold;
  }

  /** A request's result: no answer (a network error or timeout), or the answer's status. */
  record(result: { status: number } | { error: string }): void {
    this.consecutiveFailures = 'error' in result || isTransientStatus(result.status) ? this.consecutiveFailures + 1 : 0;
  }
}
