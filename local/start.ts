/**
 * `npm start`: the whole exchange on this machine (local/runtime/runtime.ts), loaded with the demo
 * dataset (local/demo/dataset.ts), watched until every record reached its end, reconciled per
 * destination — then serving until Ctrl-C, or exiting with `--once` (0 when everything is
 * accounted for, 1 otherwise).
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Command } from 'commander';
import { integer, number } from '../cli/options.js';
import { table } from '../cli/render.js';
import { DEFAULT_LOCAL_DATA_DIR, localTargetFile } from '../cli/target.js';
import { summaryLines } from '../cli/commands/stats.js';
import { aggregateStats, readLatestRecords, type StatsFigures } from '../cli/operations/stats.js';
import { DESTINATION_IDS, sources } from '../topology/topology.js';
import { generateDemoDataset } from './demo/dataset.js';
import { LocalCalendar } from './runtime/calendar.js';
import { settle, type Reconciliation } from './runtime/reconcile.js';
import { PortInUseError } from './emulators/dynamodb-local.js';
import { startRuntime, targetOf, type Runtime } from './runtime/runtime.js';
import { submitInWaves, submitTargetOf } from './runtime/submit.js';

interface StartOptions {
  once: boolean;
  seed: number;
  scale: number;
  dataDir: string;
  inMemory: boolean;
  reset: boolean;
  ingestPort: number;
  dynamodbPort: number;
  sqsPort: number;
  simulatorPort: number;
  dynamodb: 'dynalite' | 'dynamodb-local';
  timeScale: number;
  faults: boolean;
  settleSeconds: number;
  verbose: boolean;
}

/** What a data directory remembers of the dataset loaded into it. */
interface LoadedMarker {
  seed: number;
  scale: number;
  submissions: number;
  loadedAt: string;
  /** The local calendar's day (the dataset's "today", then the day after). */
  day: string;
}

/** Mild endpoint faults for the demo: some 5xx and 429s, so retries and backoff show. */
const DEMO_FAULTS = { errorRate: 0.05, tooManyRequests: { rate: 0.02, retryAfterSeconds: 1 }, latencyMs: [5, 40] as [number, number] };

export function formatReconciliation(result: Reconciliation, figures?: StatsFigures): string {
  const lines: string[] = [];
  const s = result.submissions;
  if (s) {
    lines.push(
      `submitted ${s.total} = accepted ${s.accepted} + duplicates ${s.duplicate} + superseded ${s.superseded} + quarantined ${s.quarantined} + in intake DLQ ${s.inIntakeDlq}` +
        (s.unaccounted.length ? ` + UNACCOUNTED ${s.unaccounted.length}` : ''),
    );
  }
  const rows = [['destination', 'revisions', 'delivered', 'superseded', 'rejected', 'in DLQ', 'pending', 'publication ended']];
  for (const [d, t] of Object.entries(result.destinations)) {
    const ended = t.publicationsEnding > 0 ? `${t.publicationsEnded} (+${t.publicationsEnding} pending)` : String(t.publicationsEnded);
    rows.push([d, ...[t.revisions, t.delivered, t.superseded, t.rejected, t.inDlq, t.pending].map(String), ended]);
  }
  lines.push('', table(rows));
  const notShared = Object.entries(result.notShared).map(([type, n]) => `${n} ${type}`);
  if (notShared.length > 0)
    lines.push(
      `kept and shared nowhere: ${notShared.join(', ')} (the licensing-item list is the district's own; decisions not to punish are not dishonesty information)`,
    );
  if (figures) lines.push('', ...summaryLines(figures));
  lines.push('', result.complete ? 'every record is accounted for' : 'NOT every record is accounted for: see pending / UNACCOUNTED above');
  return lines.join('\n');
}

function progressLine(result: Reconciliation): string {
  const sum = (k: 'revisions' | 'delivered' | 'rejected' | 'inDlq' | 'pending' | 'superseded') =>
    Object.values(result.destinations).reduce((n, t) => n + t[k], 0);
  const s = result.submissions;
  return `${s ? `accepted ${s.accepted}, quarantined ${s.quarantined}, superseded ${s.superseded}, duplicates ${s.duplicate} · ` : ''}delivered ${sum('delivered')}, rejected ${sum('rejected')}, superseded ${sum('superseded')}, in DLQ ${sum('inDlq')}, pending ${sum('pending')}`;
}

export async function main(argv: readonly string[]): Promise<number> {
  const program = new Command('npm start --')
    .description('Run the whole credit exchange locally: servers, queues, table, pipeline, ingest API, endpoint simulators, and a demo dataset')
    .option('--once', 'exit after the reconciliation: 0 when every record is accounted for, 1 otherwise', false)
    .option('--seed <n>', 'seed of the demo dataset and the simulated faults', integer('--seed', 0), 2026)
    .option('--scale <n>', 'demo dataset size (1: 108 enterprises; 10: over 2,000 submissions)', integer('--scale', 1), 1)
    .option('--data-dir <dir>', 'where state is kept between runs', '.credex-local')
    .option('--in-memory', 'keep no state on disk', false)
    .option('--reset', 'delete the data directory first', false)
    .option('--ingest-port <port>', 'ingest API', integer('--ingest-port', 0), 4580)
    .option('--dynamodb-port <port>', 'DynamoDB-compatible server', integer('--dynamodb-port', 0), 4581)
    .option('--sqs-port <port>', 'SQS-compatible server', integer('--sqs-port', 0), 4582)
    .option(
      '--simulator-port <port>',
      'first of four consecutive ports for the endpoint simulators (provincial, municipal, publicColumn, district)',
      integer('--simulator-port', 0),
      4583,
    )
    .option('--dynamodb <server>', 'dynalite (no Java) or dynamodb-local (AWS DynamoDB Local, needs Java 17+)', 'dynalite')
    .option('--time-scale <x>', 'multiplies timeouts, visibility and backoff (1 = as on AWS)', number('--time-scale', 0.001, 1), 0.1)
    .option('--no-faults', 'no simulated endpoint faults (default: 5% 5xx, 2% 429, 5–40 ms latency)')
    .option('--settle-seconds <n>', 'give up waiting when nothing moved for this long', integer('--settle-seconds', 1), 60)
    .option('--verbose', 'handler logs (INFO) on the terminal', false)
    .exitOverride();
  let options: StartOptions;
  try {
    options = program.parse(argv, { from: 'user' }).opts<StartOptions>();
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code ?? 2;
  }
  if (options.dynamodb !== 'dynalite' && options.dynamodb !== 'dynamodb-local') {
    console.error(`--dynamodb must be dynalite or dynamodb-local; got ${options.dynamodb}`);
    return 2;
  }

  const tty = process.stdout.isTTY === true;
  const write = (line: string, final = false) => {
    if (tty && !final) process.stdout.write(`\r\x1b[2K${line}`);
    else process.stdout.write(`${tty ? '\r\x1b[2K' : ''}${line}\n`);
  };

  const dataDir = options.inMemory ? undefined : resolve(options.dataDir);
  if (dataDir && options.reset) rmSync(dataDir, { recursive: true, force: true });
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const markerPath = dataDir && join(dataDir, 'demo.json');
  const marker = markerPath && existsSync(markerPath) ? (JSON.parse(readFileSync(markerPath, 'utf8')) as LoadedMarker) : undefined;
  const dataset = generateDemoDataset({ seed: marker?.seed ?? options.seed, scale: marker?.scale ?? options.scale });
  // the exchange decides publication on the local calendar's day: the dataset's, then the next
  const calendar = new LocalCalendar(marker?.day ?? dataset.today);

  const interrupted = new AbortController();
  const stopping = new Promise<void>((resolveStop) => {
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.once(signal, () => {
        interrupted.abort();
        resolveStop();
      });
  });

  const ports = {
    ingest: options.ingestPort,
    dynamodb: options.dynamodbPort,
    sqs: options.sqsPort,
    simulators: Object.fromEntries(DESTINATION_IDS.map((d, i) => [d, options.simulatorPort === 0 ? 0 : options.simulatorPort + i])),
  };
  let runtime: Runtime;
  try {
    runtime = await startRuntime({
      ...(dataDir && { dataDir }),
      ports,
      dynamodb: options.dynamodb,
      timeScale: options.timeScale,
      seed: options.seed,
      ...(options.faults && { faults: DEMO_FAULTS }),
      logLevel: options.verbose ? 'INFO' : 'ERROR',
      calendar,
    });
  } catch (error) {
    if (error instanceof PortInUseError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }

  // the operator CLI finds this runtime through this file (`npx credex status --local`)
  const targetDir = resolve(options.dataDir);
  mkdirSync(targetDir, { recursive: true });
  const targetFile = localTargetFile(targetDir);
  // the operator CLI counts publication on the local calendar's day: rewritten when the day moves on
  const writeTarget = () => writeFileSync(targetFile, `${JSON.stringify(targetOf(runtime, calendar.today()), null, 2)}\n`);
  writeTarget();

  try {
    const row = (label: string, value: string) => console.log(`  ${label.padEnd(22)}${value}`);
    console.log('credit exchange running locally');
    row('ingest API', `${runtime.endpoints.ingest}/v1/records`);
    row('DynamoDB', `${runtime.endpoints.dynamodb}   table ${runtime.tableName}`);
    row('SQS', `${runtime.endpoints.sqs}   intake queue ${runtime.queues.intake.url}`);
    for (const d of DESTINATION_IDS) row(`${d} endpoint`, `${runtime.endpoints.simulators[d]}   (simulator: GET /_sim/records)`);
    row('state', `${dataDir ?? 'in memory'}   time scale ${options.timeScale}   calendar ${calendar.today()}`);
    row('operator CLI', `npx credex status --local${targetDir === resolve(DEFAULT_LOCAL_DATA_DIR) ? '' : ` ${targetDir}`}   (npx credex --help)`);
    console.log('');

    const { seed, scale } = dataset;
    const saveMarker = (submissions: number, loadedAt: string) => {
      if (markerPath) writeFileSync(markerPath, JSON.stringify({ seed, scale, submissions, loadedAt, day: calendar.today() } satisfies LoadedMarker, null, 2));
    };
    if (marker) {
      console.log(`state kept from ${marker.loadedAt}: the demo dataset (seed ${seed}, scale ${scale}, ${marker.submissions} submissions) is already loaded`);
      // the feed lives in the provincial simulator's memory, the pull's cursor (an offset) in the
      // table: serve the same feed again, so what the pull had not read yet is still there
      for (const s of dataset.submissions) if (s.channel === 'feed') runtime.simulators.simulators.provincial.feed.push(s.record);
    } else {
      console.log(`loading the demo dataset: seed ${seed}, scale ${scale}, ${dataset.submissions.length} submissions`);
      const started = Date.now();
      // wave by wave: the licensing-item list is in before the commitments, the province's breaches before the commitments they flag
      await submitInWaves(
        submitTargetOf(runtime),
        dataset.submissions,
        async (sent) => {
          await settle(() => runtime.reconcile(sent), { settleSeconds: options.settleSeconds, signal: interrupted.signal });
        },
        { onProgress: (n) => write(`submitted ${n}/${dataset.submissions.length}`), signal: interrupted.signal },
      );
      if (interrupted.signal.aborted) return 130;
      write(`submitted ${dataset.submissions.length} in ${((Date.now() - started) / 1000).toFixed(1)} s`, true);
      saveMarker(dataset.submissions.length, new Date().toISOString());
    }

    const watch = async (): Promise<Reconciliation | undefined> => {
      const started = Date.now();
      const result = await settle(() => runtime.reconcile(dataset.submissions), {
        settleSeconds: options.settleSeconds,
        signal: interrupted.signal,
        onChange: (r) => write(progressLine(r)),
      });
      if (interrupted.signal.aborted) return undefined;
      write(`settled in ${((Date.now() - started) / 1000).toFixed(1)} s`, true);
      return result;
    };
    let result = await watch();
    if (!result) return 130;
    if (!marker) {
      // the next day: publications whose last day was today end by themselves (the expiry sweep)
      const day = calendar.advance();
      saveMarker(dataset.submissions.length, new Date().toISOString());
      writeTarget();
      const swept = await runtime.sweepNow();
      console.log(
        `the local calendar moves on to ${day}: the expiry sweep ends ${swept.publications} publication(s) past their last day, where they were published (${swept.enqueued} sends)`,
      );
      result = await watch();
      if (!result) return 130;
    }
    const latest = await readLatestRecords(runtime.state);
    console.log('');
    console.log(formatReconciliation(result, aggregateStats(latest.records, sources, calendar.today())));
    if (options.once) return result.complete ? 0 : 1;

    console.log('');
    console.log('serving until Ctrl-C — push a record: see "Push a record" in the README');
    await stopping;
    return 0;
  } finally {
    process.stdout.write('stopping… ');
    rmSync(targetFile, { force: true });
    await runtime.stop();
    process.stdout.write('stopped\n');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    },
  );
}
