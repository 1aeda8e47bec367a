/**
 * End to end over the local runtime (the servers, pollers, handlers and simulators `npm start`
 * runs): the demo dataset goes in through the ingest API, the intake queue and the provincial feed;
 * every record must end where its routing rules send it, in each destination's format, and the
 * reconciliation must add up — through the next day too, when the expiry sweep ends the
 * publications whose last day was the dataset's. Then a restart mid-run loses nothing.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { captureOutput } from '../support/capture-output.js';
import { generateDemoDataset, submissionWaves, type DemoDataset, type DemoSubmission } from '../../local/demo/dataset.js';
import { creditAnswer, subjectForCode } from '../../functions/shared/credit/check.js';
import { settle } from '../../local/runtime/reconcile.js';
import { startLocalSimulators, startRuntime, type Runtime } from '../../local/runtime/runtime.js';
import { LocalCalendar } from '../../local/runtime/calendar.js';
import { publicationOf, publishedOn } from '../../functions/shared/records/publication.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { submitAll, submitInWaves } from '../../local/runtime/submit.js';
import { DESTINATION_IDS, topology, type DestinationId } from '../../topology/topology.js';
import {
  fasterTopology,
  identityNumbers,
  keysAppliedTwice,
  linesWithIdentityNumbers,
  liveAt,
  observeEndpoints,
  olderAfterNewer,
  repairLinks,
  repairsBeforeBreaches,
  targetOf,
  type Applied,
} from './support.js';

const SEED = Number(process.env['CREDEX_E2E_SEED'] ?? 20261128);
const TEST_TIMEOUT_MS = 600_000;
const fast = fasterTopology(10);

/**
 * Where a record's latest accepted revision is live at the end, by the routing rules
 * (docs/routing.md): a non-penalty decision and a licensing item nowhere; the province's records
 * at the district; a commitment in the public column only while its publication runs; a
 * verification at the sharing platforms.
 */
function expectedDestinations(record: Record<string, unknown>, today: string): DestinationId[] {
  if (record['recordType'] === 'nonPenalty' || record['recordType'] === 'licensingItem') return [];
  if (record['source'] === 'hlj-credit-platform') return ['district'];
  if (record['recordType'] === 'commitment' && publishedOn(publicationOf(record as unknown as CreditRecord), today))
    return ['provincial', 'municipal', 'publicColumn'];
  return ['provincial', 'municipal'];
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

/**
 * What the running exchange says of the dataset's credit scenarios on the dataset's day: commitments
 * overdue, the commitments intake flagged (their accepted events), and the credit check's answers
 * (the subject's contributions, folded as the ingest API folds them).
 */
async function readCredit(rt: Runtime, dataset: DemoDataset, into: Record<string, unknown>): Promise<void> {
  const { scenarios } = dataset.facts;
  const answer = async (uscc: string) => {
    const lookup = subjectForCode(uscc);
    if (!lookup.ok) throw new Error(lookup.message);
    return creditAnswer(lookup.subject, await rt.state.getCreditContributions(lookup.subject.digest), dataset.today, topology.credit).answer;
  };
  const flagged: string[] = [];
  for (const s of dataset.submissions) {
    const r = s.record;
    if (r?.['recordType'] !== 'commitment' || s.expect !== 'accepted' || r['revision'] !== 1) continue;
    const { events } = await rt.state.readRecordState({ recordType: 'commitment', source: String(r['source']), recordId: String(r['recordId']) });
    const accepted = events.find((e) => e.type === 'accepted');
    if ((accepted?.detail as Record<string, unknown> | undefined)?.['ineligibleOnCommitmentDate'] !== undefined)
      flagged.push(String((r['data'] as Record<string, unknown>)['commitmentCode']));
  }
  const repaired = scenarios.repaired ? await answer(scenarios.repaired.uscc) : undefined;
  Object.assign(into, {
    overdue: await rt.state.countOverdueCommitments(dataset.today),
    flagged: [...new Set(flagged)],
    ineligible: (await answer(scenarios.ineligible.uscc)).eligibility,
    repaired: repaired ? [repaired.eligibility, repaired.points.black] : undefined,
    falseCommitment: (await answer(scenarios.falseCommitment.uscc)).eligibility,
    redPoints: (await answer(scenarios.redPoints.example.uscc)).points.red,
  });
}

describe(`end to end over the local runtime (seed ${SEED})`, () => {
  it(
    'delivers every record exactly where its rules send it, in the destinations’ formats, and accounts for every submission',
    async () => {
      const dataset = generateDemoDataset({ seed: SEED, scale: 1 });
      const calendar = new LocalCalendar(dataset.today);
      let runtime: Runtime | undefined;
      let applied: Applied[] = [];
      let result: Awaited<ReturnType<Runtime['reconcile']>> | undefined;
      let nextDay: Awaited<ReturnType<Runtime['reconcile']>> | undefined;
      const credit: Record<string, unknown> = {};
      const output = await captureOutput(async () => {
        runtime = await startRuntime({ logLevel: 'INFO', pullIntervalSeconds: 1, seed: SEED, calendar });
        try {
          applied = observeEndpoints(runtime.simulators);
          const rt = runtime;
          await submitInWaves(targetOf(rt), dataset.submissions, async (sent) => {
            await settle(() => rt.reconcile(sent), { settleSeconds: 60 });
          });
          result = await settle(() => rt.reconcile(dataset.submissions), { settleSeconds: 60 });
          await readCredit(rt, dataset, credit);
          // the next day: what was published until the dataset's day ends by itself
          calendar.advance();
          await rt.sweepNow();
          nextDay = await settle(() => rt.reconcile(dataset.submissions), { settleSeconds: 60 });
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
      for (const d of DESTINATION_IDS)
        expect({ destination: d, rejected: result!.destinations[d]!.rejected, inDlq: result!.destinations[d]!.inDlq }).toEqual({
          destination: d,
          rejected: 0,
          inDlq: 0,
        });

      const wrong: string[] = [];
      for (const record of latestRecords(dataset.submissions).values()) {
        const want = record['operation'] === 'withdraw' ? [] : expectedDestinations(record, dataset.today).sort();
        const got = liveAt(applied, record).sort();
        if (JSON.stringify(want) !== JSON.stringify(got))
          wrong.push(`${record['recordType']} ${record['recordId']}: expected live at ${want.join(',')}, live at ${got.join(',')}`);
      }
      expect(wrong).toEqual([]);
      // a non-penalty decision and the licensing-item list are kept and shared nowhere
      expect(result!.notShared).toEqual({ nonPenalty: dataset.facts.nonPenalties, licensingItem: dataset.facts.licensingItemsPushed });

      // the next day the sweep ended the publications whose last day was the dataset's, at both platforms that publish them
      expect(nextDay?.complete).toBe(true);
      for (const d of ['provincial', 'municipal'] as const) {
        expect(nextDay!.destinations[d]).toMatchObject({ publicationsEnding: 0 });
        expect(nextDay!.destinations[d]!.publicationsEnded).toBeGreaterThanOrEqual(1);
      }
      const ended = applied.filter((a) => a.unpublish).map((a) => a.destination);
      expect(new Set(ended)).toEqual(new Set(['provincial', 'municipal']));

      expect(olderAfterNewer(applied)).toEqual([]);
      expect(keysAppliedTwice(applied)).toEqual([]);
      expect(repairsBeforeBreaches(applied, repairLinks(dataset.submissions))).toEqual([]);

      // the reform's loop, as the dataset expects it: what is overdue, what intake flagged, what the credit check answers
      const { scenarios } = dataset.facts;
      expect(credit).toEqual({
        overdue: dataset.facts.overdueCommitments,
        flagged: dataset.facts.flaggedCommitments,
        ineligible: scenarios.ineligible.eligibility,
        repaired: scenarios.repaired ? [scenarios.repaired.eligibility, scenarios.repaired.blackPoints] : undefined,
        falseCommitment: scenarios.falseCommitment.eligibility,
        redPoints: scenarios.redPoints.example.redPoints,
      });
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
      const calendar = new LocalCalendar(dataset.today);
      const first = await startRuntime({ dataDir, simulators, topology: fast, pullIntervalSeconds: 1, logLevel: 'SILENT', calendar });
      const applied = observeEndpoints(simulators);
      // the licensing-item list first (the commitments are checked against it), then the rest, stopped midway
      const [list, ...rest] = submissionWaves(dataset.submissions);
      const later = rest.flat();
      const half = Math.floor(later.length / 2);
      let second: Runtime | undefined;
      try {
        await submitAll(targetOf(first), list!);
        const listed = await settle(() => first.reconcile(list!), { settleSeconds: 60 });
        expect(listed.complete).toBe(true);
        await submitAll(targetOf(first), later.slice(0, half));
        // stop while the first half is still on its way
        await new Promise((r) => setTimeout(r, 500));
        const midway = await first.reconcile([...list!, ...later.slice(0, half)]);
        expect(midway.complete).toBe(false);
        await first.stop();

        second = await startRuntime({ dataDir, simulators, topology: fast, pullIntervalSeconds: 1, logLevel: 'SILENT', calendar });
        await submitAll(targetOf(second), later.slice(half));
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
