/** The plan derives timeouts, visibility and concurrency from the topology by AWS's rules. */
import { adapters } from '../../functions/deliver/adapters/index.js';
import { DEFAULT_ROUTING_LEASE_SECONDS } from '../../topology/topology.js';
import { deliverTimeoutSeconds, planExchange, PlanError, worstCaseRequests } from '../../infra/plan.js';
import { concurrencyFor, topology } from '../../topology/topology.js';

describe('plan', () => {
  const plan = planExchange();

  it('gives every queue a visibility timeout of 6 × its consumer timeout plus the batching window', () => {
    for (const { queue, consumer } of [plan.intake, ...plan.lanes]) {
      expect(queue.visibilityTimeoutSeconds).toBe(6 * consumer.timeoutSeconds + consumer.maxBatchingWindowSeconds);
      expect(queue.retentionDays).toBe(14);
    }
  });

  it("sizes a deliver timeout for every request of a batch timing out, paced to the lane's share", () => {
    for (const { destination, lane, consumer } of plan.lanes) {
      const requests = worstCaseRequests(lane.batchSize, adapters[destination].maxBatchSize);
      expect(consumer.timeoutSeconds).toBeGreaterThanOrEqual(requests * lane.sendTimeoutSeconds);
      expect(consumer.timeoutSeconds).toBeLessThanOrEqual(900);
    }
    // single-record contracts send one request per record; batch contracts far fewer
    expect(worstCaseRequests(5, 1)).toBe(5);
    expect(worstCaseRequests(100, 100)).toBeLessThan(10);
    // a lane whose worst batch cannot finish within Lambda's 15 minutes is refused, not capped
    expect(() =>
      deliverTimeoutSeconds(
        { batchSize: 100, maxBatchingWindowSeconds: 0, maxConcurrency: 2, maxInFlight: 8, maxReceiveCount: 5, rateLimitPerSecond: 1, sendTimeoutSeconds: 30 },
        1,
      ),
    ).toThrow(/100 requests .* over Lambda's 900 s/);
  });

  it('derives concurrency from the rate limit and the requests an invocation has in flight, at least the event source minimum of 2', () => {
    expect(concurrencyFor(1)).toBe(2);
    expect(concurrencyFor(20)).toBe(2);
    expect(concurrencyFor(100)).toBe(7); // 50 requests in flight at 0.5 s, 8 per invocation
    expect(concurrencyFor(20, 1)).toBe(10); // one request at a time: one invocation per request in flight
    const provincial = planExchange(topology, { provincial: { rateLimitPerSecond: 40 } }).lanes.find((l) => l.destination === 'provincial')!;
    expect(provincial.lane).toMatchObject({ rateLimitPerSecond: 40, maxConcurrency: concurrencyFor(40) });
    expect(provincial.consumer.maxConcurrency).toBe(concurrencyFor(40));
  });

  it("keeps the intake routing lease between the function timeout and the queue's visibility", () => {
    expect(plan.intake.consumer.timeoutSeconds).toBeLessThan(DEFAULT_ROUTING_LEASE_SECONDS);
    expect(plan.intake.queue.visibilityTimeoutSeconds).toBeGreaterThan(DEFAULT_ROUTING_LEASE_SECONDS);
  });

  it('refuses a rate limit that is not a positive number', () => {
    expect(() => planExchange(topology, { municipal: { rateLimitPerSecond: 0 } })).toThrow(PlanError);
  });
});
