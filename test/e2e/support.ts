/**
 * End-to-end helpers over the local runtime: what each endpoint applied (in order), and the
 * invariants of docs/architecture.md checked against it and against the sync-state table.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { channelFor, type DemoSubmission } from '../../local/demo/dataset.js';
import { settle } from '../../local/runtime/reconcile.js';
import type { Runtime } from '../../local/runtime/runtime.js';
import { submitAll, submitTargetOf, type SubmitTarget } from '../../local/runtime/submit.js';
import type { StoredRecord } from '../../local/simulators/store.js';
import type { Simulators } from '../../local/simulators/index.js';
import { DESTINATION_IDS, topology, type DestinationId, type Topology } from '../../topology/topology.js';

export interface Applied {
  destination: DestinationId;
  key: string;
  identity: string;
  operation: 'upsert' | 'withdraw';
  /** An end of publication (the record stays shared), not a send of the revision. */
  unpublish: boolean;
  /** From the record or its idempotency key (`type:source:recordId:revision:destination`); undefined where the wire has none. */
  revision?: number;
  content: unknown;
  /** Order of application across all endpoints. */
  order: number;
}

/** Idempotency keys carry the revision as their fourth part. */
export function revisionOfKey(key: string): number | undefined {
  const parts = key.split(':');
  if (parts.length !== 5) return undefined;
  const revision = Number(parts[3]);
  return Number.isInteger(revision) ? revision : undefined;
}

/** Records every record an endpoint applies (each put into a simulator's store), in order. */
export function observeEndpoints(simulators: Simulators): Applied[] {
  const applied: Applied[] = [];
  for (const destination of DESTINATION_IDS) {
    const store = simulators.simulators[destination].store;
    const put = store.put.bind(store);
    store.put = (record: StoredRecord) => {
      const revision = record.revision ?? revisionOfKey(record.key);
      const unpublish = record.unpublishedAt !== undefined && record.operation === 'upsert';
      applied.push({
        destination,
        key: record.key,
        identity: record.identity,
        operation: record.operation,
        unpublish,
        ...(revision !== undefined && { revision }),
        content: record.content,
        order: applied.length,
      });
      put(record);
    };
  }
  return applied;
}

/** Invariant 2: per destination and record, the revisions applied never go down. */
export function olderAfterNewer(applied: readonly Applied[]): string[] {
  const highest = new Map<string, number>();
  const problems: string[] = [];
  for (const a of applied) {
    if (a.revision === undefined) continue;
    const id = `${a.destination}|${a.identity}`;
    const top = highest.get(id) ?? 0;
    if (a.revision < top) problems.push(`${a.destination}: revision ${a.revision} of ${a.identity} applied after revision ${top}`);
    highest.set(id, Math.max(top, a.revision));
  }
  return problems;
}

/**
 * Invariant 3: an idempotency key (one revision of one record at one destination) is applied once —
 * its send once, and its end of publication (the expiry sweep's) at most once.
 */
export function keysAppliedTwice(applied: readonly Applied[]): string[] {
  const seen = new Map<string, number>();
  for (const a of applied) {
    if (revisionOfKey(a.key) === undefined) continue;
    const send = a.unpublish ? `${a.key} (end of publication)` : a.key;
    seen.set(send, (seen.get(send) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key, n]) => `${key} applied ${n} times`);
}

/** Where a record is live at the end: each destination whose last application of it is an upsert. */
export function liveAt(applied: readonly Applied[], record: Record<string, unknown>): DestinationId[] {
  const id = String(record['recordId']);
  const code = (record['data'] as Record<string, unknown>)['commitmentCode'];
  return DESTINATION_IDS.filter((d) => {
    // the column keys a commitment by its code (a verification names the same code, and never goes there)
    const mine = applied.filter(
      (a) => a.destination === d && (a.key.includes(`:${id}:`) || (d === 'publicColumn' && record['recordType'] === 'commitment' && a.identity === code)),
    );
    return mine.length > 0 && mine.at(-1)!.operation === 'upsert';
  });
}

/** Invariant 4: at every destination, a repair's breach was applied before the repair. */
export function repairsBeforeBreaches(applied: readonly Applied[], repairs: ReadonlyArray<{ repairId: string; breachId: string }>): string[] {
  const problems: string[] = [];
  for (const { repairId, breachId } of repairs) {
    for (const destination of DESTINATION_IDS) {
      const here = applied.filter((a) => a.destination === destination);
      const repair = here.find((a) => a.key.includes(`:${repairId}:`) || a.identity.includes(repairId));
      if (!repair) continue;
      const breach = here.find((a) => a.key.includes(`:${breachId}:`) || a.identity.includes(breachId));
      if (!breach || breach.order > repair.order) problems.push(`${destination}: repair ${repairId} applied before its breach ${breachId}`);
    }
  }
  return problems;
}

/** Invariant 5: no line of the captured output holds one of these identity numbers. */
export function linesWithIdentityNumbers(output: string, identityNumbers: ReadonlySet<string>): string[] {
  return output.split('\n').filter((line) => [...identityNumbers].some((id) => line.includes(id)));
}

/**
 * The topology with every lane's rate limit multiplied: the simulators have no rate limit of their
 * own, and at the platforms' real rates thousands of records take minutes of waiting, not testing.
 */
export function fasterTopology(factor: number): Topology {
  const destinations = Object.fromEntries(
    Object.entries(topology.destinations).map(([id, d]) => {
      // the same invocations, each paced faster: more pollers would only contend for sockets
      return [id, { ...d, lane: { ...d.lane, rateLimitPerSecond: d.lane.rateLimitPerSecond * factor } }];
    }),
  ) as Topology['destinations'];
  return { ...topology, destinations };
}

/** Where submissions go on a running runtime. */
export const targetOf = (runtime: Runtime): SubmitTarget => submitTargetOf(runtime);

/** Each valid repair and the breach it repairs. */
export function repairLinks(submissions: readonly DemoSubmission[]): Array<{ repairId: string; breachId: string }> {
  return submissions
    .filter((s) => s.record?.['recordType'] === 'repair' && s.expect !== 'invalid')
    .map((s) => ({ repairId: String(s.record!['recordId']), breachId: String((s.record!['data'] as Record<string, unknown>)['breachRecordId']) }));
}

/** Every all-digit 18-character code in the submissions that is not a USCC (those start 9 or 11/12): identity numbers. */
export function identityNumbers(submissions: readonly DemoSubmission[]): Set<string> {
  const found = new Set<string>();
  for (const s of submissions) for (const m of s.body.matchAll(/"(\d{17}[\dX])"/g)) if (!/^(9|1[12])/.test(m[1]!)) found.add(m[1]!);
  return found;
}

/**
 * Pushes records to a running runtime as their upstreams do (the ingest API, signed; the feed for
 * the province's; the queue for what no upstream pushes), keeping every submission, and waits until
 * all of them reached their end (the reconciliation is complete).
 */
export function recordPusher(runtimeOf: () => Runtime): {
  submitted: DemoSubmission[];
  push: (...records: Array<Record<string, unknown>>) => Promise<void>;
  settled: () => Promise<void>;
} {
  const submitted: DemoSubmission[] = [];
  return {
    submitted,
    async push(...records) {
      const submissions = records.map((record, i): DemoSubmission => {
        const { channel, upstreamId } = channelFor(String(record['recordType']), String(record['source']));
        return { seq: submitted.length + i + 1, channel, ...(upstreamId && { upstreamId }), body: JSON.stringify(record), record, expect: 'accepted' };
      });
      submitted.push(...submissions);
      await submitAll(targetOf(runtimeOf()), submissions, { batchSize: 1 });
    },
    async settled() {
      const result = await settle(() => runtimeOf().reconcile(submitted), { settleSeconds: 30, intervalSeconds: 0.5 });
      expect(result.submissions?.unaccounted).toEqual([]);
      expect(result.complete).toBe(true);
    },
  };
}

/** An evidence entry as the tests read it from a sealed window. */
export interface SealedEntry {
  id: string;
  kind: string;
  party: string;
  status: number | null;
  records: Array<{ key: string }>;
}

/** Every entry of every sealed window under `evidenceDir` (the runtime's evidence directory), in log order. */
export function sealedEntries(evidenceDir: string): SealedEntry[] {
  const windowsDir = join(evidenceDir, 'evidence', 'windows');
  return readdirSync(windowsDir)
    .sort()
    .flatMap((f) => (JSON.parse(readFileSync(join(windowsDir, f), 'utf8')) as { entries: string[] }).entries.map((l) => JSON.parse(l) as SealedEntry));
}

const IDEMPOTENCY_KEY = /^[A-Za-z]+:[a-z0-9-]+:.+:\d+:[A-Za-z]+(:unpublish)?$/;

/**
 * What the simulators received that the evidence log does not show: per destination, fewer entries
 * than requests received, more answered entries than requests received (an entry with no answer —
 * a timeout — may be of a request the platform never logged: it was stopped first), and any
 * idempotency key received more often than it is in entries. Empty when every request is evidenced.
 */
export function unevidencedRequests(entries: readonly SealedEntry[], simulators: Simulators): string[] {
  const problems: string[] = [];
  for (const d of DESTINATION_IDS) {
    const mine = entries.filter((e) => (e.kind === 'send' && e.party === d) || (e.kind === 'pull' && d === 'provincial'));
    const received = simulators.simulators[d].store.requests;
    const answered = mine.filter((e) => e.status !== null).length;
    if (mine.length < received.length) problems.push(`${d}: ${received.length} requests received, ${mine.length} entries`);
    if (answered > received.length) problems.push(`${d}: ${answered} entries with an answer, ${received.length} requests received`);
    const inEntries = new Map<string, number>();
    for (const e of mine) for (const r of e.records) inEntries.set(r.key, (inEntries.get(r.key) ?? 0) + 1);
    const inRequests = new Map<string, number>();
    for (const r of received) for (const key of r.keys) if (IDEMPOTENCY_KEY.test(key)) inRequests.set(key, (inRequests.get(key) ?? 0) + 1);
    for (const [key, n] of inRequests)
      if ((inEntries.get(key) ?? 0) < n) problems.push(`${d}: ${key} received ${n} times, in ${inEntries.get(key) ?? 0} entries`);
  }
  return problems;
}

/**
 * Records applied at a platform under their idempotency key (every single-record contract and the
 * provincial batch; the commitment column keys a record by its own code) that no send entry names.
 */
export function unevidencedApplications(entries: readonly SealedEntry[], applied: readonly Applied[]): string[] {
  const evidenced = new Set(entries.filter((e) => e.kind === 'send').flatMap((e) => e.records.map((r) => r.key)));
  return applied.filter((a) => IDEMPOTENCY_KEY.test(a.key) && !evidenced.has(a.key)).map((a) => `${a.destination}: ${a.key}`);
}
