import type { Adapter, EndpointResponse, WireRequest } from '../../../functions/deliver/adapters/types.js';
import { CircuitBreaker, classifyResponse, parseRetryAfter } from '../../../functions/deliver/retry-policy.js';

const request: WireRequest = { method: 'POST', path: '/x', body: '{}', keys: ['k1', 'k2'] };
const response = (status: number, headers: Record<string, string> = {}, body = ''): EndpointResponse => ({ status, headers, body });
const adapter = { interpret: (r: WireRequest) => r.keys.map((key) => ({ key, outcome: 'delivered' as const })) } as unknown as Adapter;

describe('deliver retry policy', () => {
  it.each([
    [408, 'transient'],
    [429, 'transient'],
    [500, 'transient'],
    [503, 'transient'],
    [401, 'transient'],
    [403, 'transient'],
  ])('HTTP %i is %s for every record of the request, whatever the adapter would read', (status, outcome) => {
    expect(classifyResponse(request, response(status), adapter).map((o) => [o.key, o.outcome])).toEqual([
      ['k1', outcome],
      ['k2', outcome],
    ]);
  });

  it('leaves every other answer to the adapter', () => {
    expect(classifyResponse(request, response(200), adapter).map((o) => o.outcome)).toEqual(['delivered', 'delivered']);
    expect(classifyResponse(request, response(422), adapter).map((o) => o.outcome)).toEqual(['delivered', 'delivered']);
  });

  it("carries the endpoint's Retry-After (seconds or an HTTP date), whatever the header's case", () => {
    expect(classifyResponse(request, response(429, { 'Retry-After': '7' }), adapter)[0]).toMatchObject({ retryAfterSeconds: 7 });
    const now = Date.parse('2026-12-07T08:00:00Z');
    expect(parseRetryAfter('Mon, 07 Dec 2026 08:01:30 GMT', now)).toBe(90);
    expect(parseRetryAfter('1.2', now)).toBe(2);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
  });

  it('opens the circuit after the threshold of failed requests in a row; an answer that is not a failure closes the count', () => {
    const breaker = new CircuitBreaker(3);
    breaker.record({ error: 'timeout' });
    breaker.record({ status: 503 });
    breaker.record({ status: 200 });
    expect(breaker.open).toBe(false);
    breaker.record({ status: 429 });
    breaker.record({ error: 'network error' });
    expect(breaker.open).toBe(false);
    breaker.record({ status: 500 });
    expect(breaker.open).toBe(true);
  });
});
