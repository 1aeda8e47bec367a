/** The pace of an invocation's requests: the token bucket's waits and the in-flight limit's slow start. */
import { InFlightLimit, TokenBucket } from '../../../functions/deliver/pacing.js';

describe('TokenBucket', () => {
  it('lets a burst go at once, then spaces requests 1/rate apart, refilling with time up to the burst', () => {
    let now = 0;
    const bucket = new TokenBucket(2.5, 2, () => now);
    expect([bucket.reserve(), bucket.reserve()]).toEqual([0, 0]);
    // reserved one after another without time passing: 400 ms apart, each counted from now
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([400, 800, 1200]);
    now = 1200; // the debt is paid
    expect(bucket.reserve()).toBeCloseTo(400);
    now = 60_000; // a long pause refills no more than the burst
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()].map(Math.round)).toEqual([0, 0, 400]);
  });

  it('never lets more start in any window than the burst plus the rate over it', () => {
    let now = 0;
    const bucket = new TokenBucket(5, 5, () => now);
    const starts: number[] = [];
    for (let i = 0; i < 200; i++) {
      starts.push(now + bucket.reserve());
      now += i % 7 === 0 ? 900 : 13; // uneven arrivals
    }
    for (const t of starts) expect(starts.filter((s) => s >= t && s < t + 1000).length).toBeLessThanOrEqual(5 + 5);
  });
});

describe('InFlightLimit', () => {
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('starts with one in flight, grows by one per good answer up to its max, and falls back to one after a failure', async () => {
    const limit = new InFlightLimit(3);
    let running = 0;
    const started: number[] = [];
    const holders = Array.from({ length: 8 }, () => limit.acquire().then(() => started.push(++running)));
    await flush();
    expect(started).toEqual([1]);
    running--;
    limit.release(true); // limit 2
    await flush();
    expect(started).toEqual([1, 1, 2]);
    running -= 2;
    limit.release(true); // limit 3
    limit.release(true); // limit 3 (its max)
    await flush();
    expect(started.slice(3)).toEqual([1, 2, 3]);
    limit.release(false); // back to one: the two others still out, nothing starts
    await flush();
    expect(started).toHaveLength(6);
    limit.release(true); // one out, limit 2: one more
    await flush();
    expect(started).toHaveLength(7);
    limit.release(true);
    limit.release(true);
    await Promise.all(holders);
    expect(started).toHaveLength(8);
  });
});
