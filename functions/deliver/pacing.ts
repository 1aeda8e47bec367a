/**
 * The pace of one invocation's requests to a destination: its share of the lane's rate limit as a
 * token bucket, and a cap on the requests it has in flight at once.
 */

/**
 * Requests start no faster than `perSecond` on average, and at most `burst` at once after a pause.
 * `reserve` takes a token now, running into debt when there is none, and says how long to wait
 * before the request it was taken for may start: requests reserved one after another start
 * 1/perSecond apart once the burst is spent, whether or not the earlier ones have answered.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    readonly perSecond: number,
    readonly burst: number,
    private readonly clock: () => number = Date.now,
  ) {
    this.tokens = burst;
    this.last = clock();
  }

  /** Gives back a token reserved for a request that will not be sent after all. */
  refund(): void {
    this.tokens = Math.min(this.burst, this.tokens + 1);
  }

  /** Milliseconds to wait before the request this token is for may start (0: now). */
  reserve(): number {
    const now = this.clock();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.perSecond) * 1000;
  }
}

/**
 * How many requests may be in flight, found out as TCP's slow start does: one at first, one more
 * after each answer that was not a failure, up to `max`; back to one after a failure. An endpoint
 * failing from the start so sees one request at a time — the circuit breaker opens after as many
 * requests as when they were sent one by one (one that starts failing with several requests out
 * gets those) — and a healthy one soon sees `max`.
 */
export class InFlightLimit {
  private held = 0;
  private limit = 1;
  private readonly waiting: Array<() => void> = [];

  readonly max: number;

  constructor(max: number) {
    this.max = Math.max(1, Math.floor(max));
  }

  async acquire(): Promise<void> {
    if (this.held < this.limit) {
      this.held++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  /** A request ended: answered well (true), failed (false), or never sent (undefined: the limit stays). */
  release(ok: boolean | undefined): void {
    this.held--;
    if (ok !== undefined) this.limit = ok ? Math.min(this.max, this.limit + 1) : 1;
    while (this.held < this.limit && this.waiting.length > 0) {
      this.held++;
      this.waiting.shift()!();
    }
  }
}
