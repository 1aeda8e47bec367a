/**
 * End to end over the local runtime (the servers, pollers, handlers and simulators `npm start`
 * runs): the demo dataset goes in through the ingest API, the intake queue and the provincial feed;
 * every record must end where its routing rules send it, in each destination's format, and the
 * reconciliation must add up. Then a restart mid-run loses nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput } from '../support/capture-output.js';
import { generateDemoDataset, type DemoSubmission } from '../../local/demo/dataset.js';
import { settle } from '../../local/runtime/reconcile.js';
import { startLocalSimulators, startRuntime, type Runtime } from '../../local/runtime/runtime.js';
import { submitAll } from '../../local/runtime/submit.js';
import { DESTINATION_IDS, type DestinationId } from '../../infra/topology.js';
import { fasterTopology, identityNumbers, keysAppliedTwice, linesWithIdentityNumbers, observeEndpoints, olderAfterNewer, repairLinks, repairsBeforeBreaches, targetOf, type Applied } from './support.js';

const SEED = Number(process.env['CREDEX_E2E_SEED'] ?? 20261128);
const TEST_TIMEOUT_MS = 240_000;
const fast = fasterTopology(10);

/** The destinations the routing rules name for a record's latest accepted revision (docs/routing.md). */
function expectedDestinations(record: Record<string, unknown>): DestinationId[] {
  if (record['source'] === 'hlj-credit-platform') return ['district'];
  const data = record['data'] as Record<string, unknown>;
  if (record['recordType'] === 'commitment' && data['publicationType'] === '可向社会公开') return ['provincial', 'municipal', 'publicColumn'];
  return ['provincial', 'municipal'];
}

/** Where a record was applied: keys carry the record id; the public column keys by commitment code. */
function appliedAt(applied: readonly Applied[], record: Record<string, unknown>): DestinationId[] {
  const id = String(record['recordId']);
  const code = (record['data'] as Record<string, unknown>)['commitmentCode'];
  return DESTINATION_IDS.filter((d) => applied.some((a) => a.destination === d && (a.key.includes(`:${id}:`) || (d === 'publicColumn' && a.identity === code))));
}

/** The latest accepted revision of every record, from the submissions the reconciliation accepted. */
function latestRecords(submissions: readonly DemoSubmission[]): Map<string, Record<string, unknown>> {
  const latest = new Map<string, Record<string, unknown>>();
  for (const s of submissions) {
    const r = s.record;
    if (!r || s.expect === 'invalid') continue;
    const key = `${r['recordType']}#${r['source']}#${r['recordId']}`;
    if (!latest.has(key) || Number(latest.get(key)!['revision']) < Number(r['revision'])) latest.set(key, r);
  }
  return latest;
}

describe(`end to end over the local runtime (seed ${SEED})`, () => {
  it(
    'delivers every record exactly where its rules send it, in the destinations’ formats, and accounts for every submission',
    async () => {
      const dataset = generateDemoDataset({ seed: SEED, scale: 1 });
      let runtime: Runtime | undefined;
      let applied: Applied[] = [];
      let result: Awaited<ReturnType<Runtime['reconcile']>> | undefined;
      const output = await captureOutput(async () => {
        runtime = await startRuntime({ logLevel: 'INFO', pullIntervalSeconds: 1, seed: SEED });
        try {
          applied = observeEndpoints(runtime.simulators);
          await submitAll(targetOf(runtime), dataset.submissions);
          const rt = runtime;
          result = await settle(() => rt.reconcile(dataset.submissions), { settleSeconds: 60 });
        } finally {
          await runtime.stop();
        }
      });

      expect(result?.submissions?.unaccounted).toEqual([]);
      expect(result?.complete).toBe(true);
      const s = result!.submissions!;
      expect(s.accepted + s.duplicate + s.superseded + s.quarantined + s.inIntakeDlq).toBe(dataset.submissions.length);
      expect(s.quarantined).toBe(dataset.facts.invalid);
      // the simulators enforce each contract: nothing rejected means every request was in its format
      for (const d of DESTINATION_IDS) expect({ destination: d, rejected: result!.destinations[d]!.rejected, inDlq: result!.destinations[d]!.inDlq }).toEqual({ destination: d, rejected: 0, inDlq: 0 });

      const wrong: string[] = [];
      for (const record of latestRecords(dataset.submissions).values()) {
        if (record['operation'] === 'withdraw') continue;
        const want = expectedDestinations(record).sort();
        const got = appliedAt(applied, record).sort();
        if (JSON.stringify(want) !== JSON.stringify(got)) wrong.push(`${record['recordType']} ${record['recordId']}: expected ${want.join(',')}, applied at ${got.join(',')}`);
      }
      expect(wrong).toEqual([]);

      expect(olderAfterNewer(applied)).toEqual([]);
      expect(keysAppliedTwice(applied)).toEqual([]);
      expect(repairsBeforeBreaches(applied, repairLinks(dataset.submissions))).toEqual([]);
      const ids = identityNumbers(dataset.submissions);
      expect(ids.size).toBeGreaterThan(0);
      expect(output.length).toBeGreaterThan(1000);
      expect(linesWithIdentityNumbers(output, ids)).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'loses nothing when the runtime is stopped mid-run and started again over its data directory',
    async () => {
      const dataset = generateDemoDataset({ seed: SEED + 1, scale: 1 });
      const dataDir = mkdtempSync(join(tmpdir(), 'credex-restart-'));
      // the endpoints outlive the pipeline's restart, as the real platforms would
      const simulators = await startLocalSimulators({ seed: SEED });
      const first = await startRuntime({ dataDir, simulators, topology: fast, pullIntervalSeconds: 1, logLevel: 'SILENT' });
      const applied = observeEndpoints(simulators);
      const half = Math.floor(dataset.submissions.length / 2);
      let second: Runtime | undefined;
      try {
        await submitAll(targetOf(first), dataset.submissions.slice(0, half));
        // stop while the first half is still on its way
        await new Promise((r) => setTimeout(r, 500));
        const midway = await first.reconcile(dataset.submissions.slice(0, half));
        expect(midway.complete).toBe(false);
        await first.stop();

        second = await startRuntime({ dataDir, simulators, topology: fast, pullIntervalSeconds: 1, logLevel: 'SILENT' });
        await submitAll(targetOf(second), dataset.submissions.slice(half));
        const rt = second;
        const result = await settle(() => rt.reconcile(dataset.submissions), { settleSeconds: 60 });
        expect(result.submissions?.unaccounted).toEqual([]);
        expect(result.complete).toBe(true);
        expect(olderAfterNewer(applied)).toEqual([]);
        expect(keysAppliedTwice(applied)).toEqual([]);
      } finally {
        await first.stop();
        await second?.stop();
        await simulators.stop();
        rmSync(dataDir, { recursive: true, force: true });
      }
    },
    TEST_TIMEOUT_MS,
  );
});
