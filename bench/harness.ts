/**
 * A small, honest timing loop. Each case is a pool of distinct inputs and a function; after a
 * warm-up, the cases' timed rounds are interleaved (round 1 of every case, then round 2, …) so a
 * slow phase of the machine hits every case alike instead of one; each round lasts at least
 * `roundMs`. Results feed a sink so no call can be optimised away.
 */
import { performance } from 'node:perf_hooks';

export interface RoundOptions {
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

export interface Throughput {
  /** Items per second, one figure per timed round. */
  perRound: number[];
  median: number;
  min: number;
  max: number;
  /** Microseconds per item at the median rate. */
  usPerItem: number;
  /** Items processed over all timed rounds. */
  items: number;
  /**
   * Items per second of the main thread's CPU time (process.threadCpuUsage), one per round, and
   * their median: unlike wall-clock time, not lowered when other processes take the core away.
   */
  perRoundCpu: number[];
  medianCpu: number;
}

export interface Case {
  name: string;
  /** Overrides the group's round and warm-up length (shorter rounds for the stage timings). */
  roundMs?: number;
  warmupMs?: number;
  /** Runs whole passes over the pool for at least `ms`; returns items done, elapsed and CPU ms. */
  run: (ms: number) => RoundTime;
}

export interface RoundTime {
  items: number;
  elapsedMs: number;
  /** Main-thread CPU time (user + system) spent in the round. */
  cpuMs: number;
}

/** Folded results of every call: printed at the end so no call is dead code. */
let sink = 0;
export const sinkValue = (): number => sink;

export function benchCase<T>(name: string, pool: readonly T[], fn: (item: T) => number, lengths: Pick<Case, 'roundMs' | 'warmupMs'> = {}): Case {
  if (pool.length === 0) throw new Error(`${name}: empty pool`);
  return {
    name,
    ...lengths,
    run(ms) {
      const cpu = process.threadCpuUsage();
      const start = performance.now();
      let items = 0;
      let now: number;
      let acc = 0;
      do {
        for (let i = 0; i < pool.length; i++) acc += fn(pool[i]!);
        items += pool.length;
        now = performance.now();
      } while (now - start < ms);
      const used = process.threadCpuUsage(cpu);
      sink = (sink + acc) % 1_000_003;
      return { items, elapsedMs: now - start, cpuMs: (used.user + used.system) / 1000 };
    },
  };
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function summarise(perRound: number[], perRoundCpu: number[], items: number): Throughput {
  const med = median(perRound);
  return {
    perRound,
    median: med,
    min: Math.min(...perRound),
    max: Math.max(...perRound),
    usPerItem: 1e6 / med,
    items,
    perRoundCpu,
    medianCpu: median(perRoundCpu),
  };
}

/** Warms every case up, then times `rounds` interleaved rounds; results by case name. */
export function measureInterleaved(cases: readonly Case[], options: RoundOptions): Map<string, Throughput> {
  for (const c of cases) c.run(c.warmupMs ?? options.warmupMs);
  const perRound = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const perRoundCpu = new Map<string, number[]>(cases.map((c) => [c.name, []]));
  const items = new Map<string, number>(cases.map((c) => [c.name, 0]));
  for (let r = 0; r < options.rounds; r++) {
    for (const c of cases) {
      const { items: n, elapsedMs, cpuMs } = c.run(c.roundMs ?? options.roundMs);
      perRound.get(c.name)!.push((n / elapsedMs) * 1000);
      perRoundCpu.get(c.name)!.push((n / cpuMs) * 1000);
      items.set(c.name, items.get(c.name)! + n);
    }
  }
  return new Map(cases.map((c) => [c.name, summarise(perRound.get(c.name)!, perRoundCpu.get(c.name)!, items.get(c.name)!)]));
}

/**
 * A fixed reference workload that does not depend on the project's code (FNV-1a over 2 KiB of
 * text): timed in every round beside the real cases, its spread shows how steady the machine was.
 */
export function referenceCase(lengths: Pick<Case, 'roundMs' | 'warmupMs'> = {}): Case {
  const texts = Array.from({ length: 16 }, (_, i) => `${i}:${'信用承诺 credit commitment 2026-03-02 '.repeat(60)}`.slice(0, 2048));
  return benchCase(
    'reference',
    texts,
    (text) => {
      let h = 0x811c9dc5;
      for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
      return h & 1;
    },
    lengths,
  );
}

/**
 * Sends `requests` requests from `concurrency` closed-loop clients (each sends its next when its
 * last is answered): the outcomes in the order they were answered, and the wall time.
 */
export async function closedLoop<T>(requests: number, concurrency: number, send: () => Promise<T>): Promise<{ outcomes: T[]; wallMs: number }> {
  const outcomes: T[] = [];
  let issued = 0;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (issued < requests) {
        issued++;
        outcomes.push(await send());
      }
    }),
  );
  return { outcomes, wallMs: performance.now() - start };
}
