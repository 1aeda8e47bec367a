/**
 * The operator CLI against a real local runtime: the same servers, handlers and simulators as
 * `npm start`, and `credex` run in-process on the target file the runtime is described by.
 *
 * Intake and the lanes redrive after 2 receives and the clock runs at 1/100, so a message whose
 * endpoint is down reaches its lane's DLQ within seconds.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import { run } from '../../cli/main.js';
import { topology, type DestinationId, type Topology } from '../../topology/topology.js';
import { startRuntime, targetOf, type Runtime, type RuntimeOptions } from '../../local/runtime/runtime.js';
import type { LicensingItemEntry } from '../../functions/shared/credit/types.js';
import { licensingItemEntry } from '../support/records.js';
import { queueDepth } from '../../cli/operations/queues.js';

export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

export interface CliHarness {
  runtime: Runtime;
  targetFile: string;
  /** Runs `credex <argv> --target <file>` in-process. */
  credex(argv: readonly string[], options?: { stdin?: string; signal?: AbortSignal }): Promise<CliOutcome>;
  /** `credex … --json`, parsed. */
  credexJson<T = Record<string, unknown>>(argv: readonly string[]): Promise<T>;
  /** Sends records to the intake queue, as an upstream with queue access does. */
  submit(records: ReadonlyArray<Record<string, unknown>>): Promise<void>;
  /** Visible + in-flight messages of a queue. */
  depth(queueUrl: string): Promise<number>;
  stop(): Promise<void>;
}

/** Intake and lanes that give up after 2 receives: an endpoint outage fills the DLQ in seconds. */
export function quickRedriveTopology(maxReceiveCount = 2): Topology {
  const destinations = Object.fromEntries(
    Object.entries(topology.destinations).map(([id, d]) => [
      id,
      { ...d, lane: { ...d.lane, maxReceiveCount, rateLimitPerSecond: d.lane.rateLimitPerSecond * 10 } },
    ]),
  ) as Topology['destinations'];
  return { ...topology, intake: { ...topology.intake, maxReceiveCount }, destinations };
}

/**
 * The licensing-item list the harness starts with: the commitment fixture's item, and the item code
 * the stats test's commitments name. Seeded into the state (not pushed as records, which every
 * count would then include): these tests are about the CLI, not the list (test/e2e/credit.test.ts
 * pushes the list through the ingest API).
 */
export const HARNESS_LICENSING_ITEMS: readonly LicensingItemEntry[] = [licensingItemEntry(), licensingItemEntry({ itemCode: '230109001' })];

export async function startCliHarness(options: RuntimeOptions = {}): Promise<CliHarness> {
  const runtime = await startRuntime({ topology: quickRedriveTopology(), timeScale: 0.01, pullIntervalSeconds: 0, logLevel: 'SILENT', ...options });
  for (const item of HARNESS_LICENSING_ITEMS) await runtime.state.putLicensingItem(item);
  const dir = await mkdtemp(join(tmpdir(), 'credex-cli-'));
  const targetFile = join(dir, 'target.json');
  await writeFile(targetFile, JSON.stringify(targetOf(runtime)));

  const credex: CliHarness['credex'] = async (argv, opts = {}) => {
    let stdout = '';
    let stderr = '';
    const code = await run([...argv, '--target', targetFile], {
      stdin: Readable.from([Buffer.from(opts.stdin ?? '')]),
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      ...(opts.signal && { signal: opts.signal }),
      env: {},
    });
    return { code, stdout, stderr };
  };

  return {
    runtime,
    targetFile,
    credex,
    async credexJson<T>(argv: readonly string[]): Promise<T> {
      const out = await credex([...argv, '--json']);
      if (out.code !== 0) throw new Error(`credex ${argv.join(' ')} exited ${out.code}: ${out.stderr}`);
      return JSON.parse(out.stdout) as T;
    },
    async submit(records) {
      for (let i = 0; i < records.length; i += 10) {
        const chunk = records.slice(i, i + 10);
        const result = await runtime.clients.sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: runtime.queues.intake.url,
            Entries: chunk.map((r, j) => ({ Id: String(j), MessageBody: JSON.stringify(r) })),
          }),
        );
        if (result.Failed?.length) throw new Error(`could not submit ${result.Failed.length} records`);
      }
    },
    depth: (queueUrl) => queueDepth(runtime.clients.sqs, queueUrl).then((d) => d.visible + d.inFlight),
    async stop() {
      await runtime.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `check` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export type { DestinationId };
