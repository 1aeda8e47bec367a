/**
 * The short end-to-end check `npm test` runs (the full suites are `npm run test:e2e`): a small
 * demo dataset through the whole local runtime — ingest API, intake, every lane, the provincial
 * feed, the simulators — must be accounted for, with nothing rejected and nothing in a DLQ.
 */
import { generateDemoDataset } from '../../local/demo/dataset.js';
import { LocalCalendar } from '../../local/runtime/calendar.js';
import { settle } from '../../local/runtime/reconcile.js';
import { startRuntime } from '../../local/runtime/runtime.js';
import { submitInWaves } from '../../local/runtime/submit.js';
import { DESTINATION_IDS } from '../../topology/topology.js';
import { fasterTopology, targetOf } from './support.js';

describe('smoke: a small dataset end to end over the local runtime', () => {
  it('accounts for every submission, delivers to every destination, rejects nothing', async () => {
    const dataset = generateDemoDataset({ seed: 20261207, scale: 0.1 });
    const runtime = await startRuntime({
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
  });
});
