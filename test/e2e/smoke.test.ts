/**
 * The short end-to-end check `npm test` runs (the full suites are `npm run test:e2e`): a small
 * demo dataset through the whole local runtime — ingest API, intake, every lane, the provincial
 * feed, the simulators — must be accounted for, with nothing rejected and nothing in a DLQ; and
 * once the runtime has stopped, `credex evidence verify --local <dir>` holds, with exactly one
 * sealed entry for every request the simulators received.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { run } from '../../cli/main.js';
import { generateDemoDataset } from '../../local/demo/dataset.js';
import { LocalCalendar } from '../../local/runtime/calendar.js';
import { settle } from '../../local/runtime/reconcile.js';
import { startRuntime } from '../../local/runtime/runtime.js';
import { submitInWaves } from '../../local/runtime/submit.js';
import { DESTINATION_IDS } from '../../topology/topology.js';
import { fasterTopology, sealedEntries, targetOf, unevidencedRequests } from './support.js';

describe('smoke: a small dataset end to end over the local runtime', () => {
  it('accounts for every submission, delivers to every destination, rejects nothing', async () => {
    const dataset = generateDemoDataset({ seed: 20261207, scale: 0.1 });
    // the servers in memory, as before; the evidence log in a directory read once the runtime has stopped
    const dataDir = mkdtempSync(join(tmpdir(), 'credex-smoke-'));
    const runtime = await startRuntime({
      evidenceDir: dataDir,
      topology: fasterTopology(10),
      pullIntervalSeconds: 1,
      logLevel: 'SILENT',
      calendar: new LocalCalendar(dataset.today),
    });
    try {
      // wave by wave, as npm start: the licensing-item list is in before the commitments are checked against it
      await submitInWaves(targetOf(runtime), dataset.submissions, async (sent) => {
        await settle(() => runtime.reconcile(sent), { settleSeconds: 60 });
      });
      const result = await settle(() => runtime.reconcile(dataset.submissions), { settleSeconds: 60 });
      expect(result.submissions?.unaccounted).toEqual([]);
      expect(result.complete).toBe(true);
      expect(result.submissions!.quarantined).toBe(dataset.facts.invalid);
      for (const d of DESTINATION_IDS) {
        expect({ destination: d, rejected: result.destinations[d]!.rejected, inDlq: result.destinations[d]!.inDlq }).toEqual({
          destination: d,
          rejected: 0,
          inDlq: 0,
        });
        expect({ destination: d, delivered: result.destinations[d]!.delivered > 0 }).toEqual({ destination: d, delivered: true });
      }
    } finally {
      await runtime.stop();
    }
    try {
      let stdout = '';
      const verified = await run(['evidence', 'verify', '--local', dataDir, '--json'], {
        stdin: Readable.from([]),
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: () => true },
        env: {},
      });
      expect(verified).toBe(0);
      const report = JSON.parse(stdout) as { ok: boolean; windows: number; entries: number };
      expect(report.ok).toBe(true);
      const entries = sealedEntries(dataDir);
      expect(entries.length).toBe(report.entries);
      expect(new Set(entries.map((e) => e.id)).size).toBe(entries.length);
      // every request the platforms received is evidenced, and the pushes through the ingest API too
      expect(unevidencedRequests(entries, runtime.simulators)).toEqual([]);
      expect(entries.filter((e) => e.kind === 'ingest').length).toBeGreaterThan(0);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
