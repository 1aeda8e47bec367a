/**
 * The whole exchange on one machine, no AWS account: a DynamoDB-compatible server (dynalite, or
 * AWS's DynamoDB Local on request), an SQS-compatible server (fauxqs), the table and queues from
 * the topology's plan (local/provision.ts), one event-source poller per queue running the real
 * Lambda handlers (intake, one deliver per lane), the ingest API on localhost, the pull on a timer,
 * and the four endpoint simulators. The handlers are the ones the stack deploys, built with their
 * factories; only the clients (local endpoints) and the secret source (in memory) differ.
 */
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { composeDeliver } from '../../functions/deliver/compose.js';
import { composeIngestDeps } from '../../functions/ingest/compose.js';
import { composeIntake } from '../../functions/intake/compose.js';
import { composePull } from '../../functions/pull/compose.js';
import type { PullResult } from '../../functions/pull/pull.js';
import { composeSweep } from '../../functions/sweep/compose.js';
import { composeSeal } from '../../functions/seal/compose.js';
import type { SealResult } from '../../functions/seal/seal.js';
import { localSigner, type EvidenceSigner } from '../../functions/shared/evidence/signer.js';
import { fileEvidenceStore, type EvidenceStore } from '../../functions/shared/evidence/store.js';
import type { SweepResult } from '../../functions/sweep/sweep.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { metricsNamespace } from '../../functions/shared/metrics.js';
import { documentClient, type Platform } from '../../functions/shared/platform.js';
import { memorySecretSource, type Credentials } from '../../functions/shared/signing/credentials.js';
import { environmentOf } from '../../topology/environment.js';
import { SERVICES, resourceNames } from '../../topology/names.js';
import { planExchange } from '../../infra/plan.js';
import { destinationSecretName, feedSecretName } from '../../infra/stages.js';
import { DESTINATION_IDS, topology as defaultTopology, type DestinationId, type Topology } from '../../topology/topology.js';
import { resolveUpstreams, upstreams, type UpstreamId } from '../../topology/upstreams.js';
import { LOCAL_REGION, localAwsConfig } from '../emulators/clients.js';
import { LOCAL_STAGE, type ExchangeTarget } from '../../cli/target.js';
import { PortInUseError, startDynamoDbLocal } from '../emulators/dynamodb-local.js';
import { startDynalite } from '../emulators/dynalite.js';
import { startSqs } from '../emulators/sqs.js';
import { startIngestServer, type IngestServer } from '../ingest-server.js';
import { provisionExchange, type ProvisionedExchange } from '../provision.js';
import { startSimulators, type Faults, type Simulators, type SimulatorsOptions } from '../simulators/index.js';
import { SqsEventSource, type InvocationReport, type SqsHandler } from './event-source.js';
import { localPlan, type LocalPlan } from './local-plan.js';
import { beijingCalendar, type Calendar } from './calendar.js';
import { reconcile, type Reconciliation } from './reconcile.js';
import type { DemoSubmission } from '../demo/dataset.js';

/** Secrets live under this prefix locally, as under `credex/<stage>` in a stack. */
export const LOCAL_SECRET_PREFIX = 'credex/local';
const NAME_PREFIX = resourceNames.prefix('local');
/** The namespace the local runtime's metrics would have (they are counted, never published). */
const LOCAL_METRICS_NAMESPACE = 'CreditExchange/local';

export interface RuntimePorts {
  dynamodb?: number;
  sqs?: number;
  ingest?: number;
  simulators?: Partial<Record<DestinationId, number>>;
}

export interface RuntimeOptions {
  /** Where the servers keep their state (survives a restart); omitted → in memory. */
  dataDir?: string;
  /**
   * Where the evidence log and its key are (`evidence/`, `keys/`): default the data directory, or
   * without one a temporary directory removed on stop. A test that keeps the servers in memory
   * names one to read the log after the runtime has stopped.
   */
  evidenceDir?: string;
  /** Fixed ports (0 or omitted: a free one). */
  ports?: RuntimePorts;
  /** `dynalite` (default: no Java) or `dynamodb-local` (AWS's, needs Java 17+). */
  dynamodb?: 'dynalite' | 'dynamodb-local';
  /** Multiplies every duration of the plan (local/runtime/local-plan.ts); default 0.1. */
  timeScale?: number;
  topology?: Topology;
  /** Seconds between pulls of the provincial breach feed (0: only pullNow()); default 5. */
  pullIntervalSeconds?: number;
  /** Seconds between runs of the expiry sweep (0: only sweepNow()); default 5. */
  sweepIntervalSeconds?: number;
  /** Seconds between runs of the evidence sealer (0: only sealNow(), and once when the runtime stops); default the plan's, scaled. */
  sealIntervalSeconds?: number;
  /** The day publication is decided on (default the Beijing date of the clock): the demo runs its own. */
  calendar?: Calendar;
  /** Seconds a repair waiting for its breach stays invisible between looks (default: the plan's, scaled). */
  repairWaitSeconds?: number;
  /** Faults of the endpoint simulators, for all or per destination, and their PRNG seed. */
  faults?: Faults | Partial<Record<DestinationId, Faults>>;
  seed?: number;
  /** Simulators already running (tests that restart the pipeline keep them); started otherwise. */
  simulators?: Simulators;
  /** Wraps a handler before it is polled: chaos tests inject crashes here. */
  wrapHandler?: (functionName: string, handler: SqsHandler) => SqsHandler;
  /** Powertools log level of the handlers (default WARN: the terminal shows progress, not logs). */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  onInvocation?: (report: InvocationReport) => void;
}

export interface Runtime {
  plan: LocalPlan;
  tableName: string;
  queues: ProvisionedExchange;
  endpoints: { dynamodb: string; sqs: string; ingest: string; simulators: Record<DestinationId, string> };
  clients: { ddb: DynamoDBClient; doc: DynamoDBDocumentClient; sqs: SQSClient };
  /** The sync state in the runtime's table, as every handler reads and writes it. */
  state: SyncState;
  /** What each upstream signs its pushes with, and what each destination issued to the exchange. */
  credentials: { upstreams: Record<UpstreamId, Credentials>; destinations: Record<DestinationId, Credentials>; feed: Credentials };
  simulators: Simulators;
  eventSources: SqsEventSource[];
  /** Runs the pull once now (as the schedule does). */
  pullNow(): Promise<PullResult>;
  /** Runs the expiry sweep once now (as the schedule does). */
  sweepNow(): Promise<SweepResult>;
  /** Seals the evidence waiting on the evidence queue now (as the schedule does; stop() does it once more). */
  sealNow(): Promise<SealResult>;
  /** The evidence log: its windows (a directory under the data directory) and the key that signs them. */
  evidence: { dir: string; keyFile: string; store: EvidenceStore; signer: EvidenceSigner };
  calendar: Calendar;
  /** Where every record and submission ended (local/runtime/reconcile.ts). */
  reconcile(submissions?: readonly DemoSubmission[]): Promise<Reconciliation>;
  /** Stops pollers (waiting for in-flight invocations), the pull, the ingest API, the simulators it started, the servers. */
  stop(): Promise<void>;
}

/**
 * Powertools metrics that are counted but never printed: EMF lines are for CloudWatch, and
 * locally they would flood the terminal (the progress line and the reconciliation say the same).
 */
class UnpublishedMetrics extends Metrics {
  override publishStoredMetrics(): this {
    this.clearMetrics();
    return this;
  }
}

/** Where this runtime's table and queues are, as the operator CLI reads it (`credex --local`, `--target`). */
export function targetOf(runtime: Pick<Runtime, 'tableName' | 'queues' | 'endpoints' | 'evidence'>, calendarDay?: string): ExchangeTarget {
  const pair = (q: { url: string; dlqUrl: string }) => ({ queueUrl: q.url, dlqUrl: q.dlqUrl });
  return {
    stage: LOCAL_STAGE,
    origin: `local runtime (DynamoDB ${runtime.endpoints.dynamodb}, SQS ${runtime.endpoints.sqs})`,
    region: LOCAL_REGION,
    tableName: runtime.tableName,
    intake: pair(runtime.queues.intake),
    lanes: Object.fromEntries(DESTINATION_IDS.map((d) => [d, pair(runtime.queues.lanes[d])])) as ExchangeTarget['lanes'],
    endpoints: { dynamodb: runtime.endpoints.dynamodb, sqs: runtime.endpoints.sqs },
    evidence: { dir: runtime.evidence.dir, keyFile: runtime.evidence.keyFile, queueUrl: runtime.queues.evidence.url, dlqUrl: runtime.queues.evidence.dlqUrl },
    ...(calendarDay !== undefined && { calendarDay }),
  };
}

/** Deterministic local credentials: the same after a restart, so kept state and simulators agree. */
function localSecret(label: string, bytes = 24): string {
  return createHash('sha256').update(`credex-local:${label}`).digest().subarray(0, bytes).toString('base64url');
}

export function localCredentials(): Runtime['credentials'] {
  const destinations = Object.fromEntries(
    DESTINATION_IDS.map((d) => [
      d,
      {
        appKey: `credex-local-${d}`,
        secret: localSecret(`destination:${d}`),
        fieldKey: createHash('sha256').update(`credex-local:field:${d}`).digest('hex').slice(0, 32),
      },
    ]),
  ) as Record<DestinationId, Credentials>;
  const upstreamCredentials = Object.fromEntries(
    Object.entries(upstreams).map(([id, u]) => [id, { appKey: u.appKey, secret: localSecret(`upstream:${id}`) }]),
  ) as Record<UpstreamId, Credentials>;
  // the feed is the provincial platform's: the exchange reads it with the app key that platform issued
  return { upstreams: upstreamCredentials, destinations, feed: destinations.provincial };
}

async function listenOr<T>(what: string, port: number | undefined, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    if ((error as { code?: string }).code === 'EADDRINUSE') {
      throw new PortInUseError(
        `${port ? `port ${port}` : 'a port'} (${what}) is already in use: stop what holds it, or choose another port (npm start -- --help)`,
      );
    }
    throw error;
  }
}

/** The four endpoint simulators, holding the credentials the local runtime signs with. */
export function startLocalSimulators(options: Pick<SimulatorsOptions, 'faults' | 'seed' | 'ports'> = {}): Promise<Simulators> {
  return startSimulators({ credentials: localCredentials().destinations as SimulatorsOptions['credentials'], ...options });
}

const LAMBDA_CONTEXT_DEFAULTS = { callbackWaitsForEmptyEventLoop: false };

export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const cleanups: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    return await start(options, cleanups, stopAll);
  } catch (error) {
    await stopAll();
    throw error;
  }
}

async function start(options: RuntimeOptions, cleanups: Array<() => Promise<void>>, stopAll: () => Promise<void>): Promise<Runtime> {
  const ports = options.ports ?? {};
  const dataDir = options.dataDir;
  const logLevel = options.logLevel ?? 'WARN';

  const dynamo =
    options.dynamodb === 'dynamodb-local'
      ? await listenOr('DynamoDB', ports.dynamodb, () =>
          startDynamoDbLocal({ ...(ports.dynamodb && { port: ports.dynamodb }), ...(dataDir && { dataDir: join(dataDir, 'dynamodb-local') }) }),
        )
      : await listenOr('DynamoDB', ports.dynamodb, () =>
          startDynalite({ ...(ports.dynamodb && { port: ports.dynamodb }), ...(dataDir && { dataDir: join(dataDir, 'dynalite') }) }),
        );
  cleanups.push(() => dynamo.stop());
  const sqsServer = await listenOr('SQS', ports.sqs, () =>
    startSqs({ ...(ports.sqs && { port: ports.sqs }), ...(dataDir && { dataDir: join(dataDir, 'sqs') }) }),
  );
  cleanups.push(() => sqsServer.stop());

  // every poller holds a long poll open: more sockets than the SDK's default 50
  const requestHandler = { httpAgent: { keepAlive: true, maxSockets: 256 } };
  const ddb = new DynamoDBClient({ ...localAwsConfig(dynamo.endpoint), requestHandler });
  const doc = documentClient(ddb);
  const sqs = new SQSClient({ ...localAwsConfig(sqsServer.endpoint), requestHandler });
  cleanups.push(async () => {
    ddb.destroy();
    sqs.destroy();
  });
  // the evidence log: windows under the data directory (a temporary one without), signed by a key file beside them
  const evidenceRoot = options.evidenceDir ?? dataDir ?? mkdtempSync(join(tmpdir(), 'credex-evidence-'));
  if (!options.evidenceDir && !dataDir) cleanups.push(async () => rmSync(evidenceRoot, { recursive: true, force: true }));
  const evidence = {
    dir: join(evidenceRoot, 'evidence'),
    keyFile: join(evidenceRoot, 'keys', 'evidence-signing-key.json'),
  };
  const evidenceLog = { ...evidence, store: fileEvidenceStore(evidence.dir), signer: localSigner(evidence.keyFile) };
  // sealed once more when the runtime stops, after every poller, the ingest API and the timers:
  // what the last invocations sent is in a window before the servers go
  let sealNow: () => Promise<SealResult> = async () => ({ windows: 0, entries: 0, duplicates: 0, refused: 0, head: -1 });
  cleanups.push(async () => {
    await sealNow().catch(() => undefined);
  });

  const topology = options.topology ?? defaultTopology;
  const plan = localPlan(planExchange(topology), options.timeScale ?? 0.1);
  const calendar = options.calendar ?? beijingCalendar;
  const today = () => calendar.today();
  const queues = await provisionExchange({ ddb, sqs }, plan, NAME_PREFIX);
  const { tableName } = queues;
  const state = dynamoSyncState({ ddb: doc, tableName });
  const credentials = localCredentials();

  let simulators = options.simulators;
  if (!simulators) {
    simulators = await listenOr('a simulator', undefined, () =>
      startLocalSimulators({
        ...(options.faults && { faults: options.faults }),
        ...(options.seed !== undefined && { seed: options.seed }),
        ...(ports.simulators && { ports: ports.simulators }),
      }),
    );
    const started = simulators;
    cleanups.push(() => started.stop());
  }

  // the secrets a stack keeps in Secrets Manager, here in memory under the same names
  const secretValues: Record<string, object> = { [feedSecretName(LOCAL_SECRET_PREFIX)]: credentials.feed };
  for (const d of DESTINATION_IDS) secretValues[destinationSecretName(LOCAL_SECRET_PREFIX, d)] = credentials.destinations[d];
  const resolvedUpstreams = resolveUpstreams(LOCAL_SECRET_PREFIX);
  for (const [id, u] of Object.entries(resolvedUpstreams)) secretValues[u.credentialsSecret] = credentials.upstreams[id as UpstreamId];
  const platform: Platform = {
    ddb: doc,
    sqs,
    secrets: memorySecretSource(secretValues),
    logger: (service, persistentKeys) => new Logger({ serviceName: SERVICES[service], logLevel, ...(persistentKeys && { persistentKeys }) }),
    metrics: (service, env, defaultDimensions) =>
      new UnpublishedMetrics({ namespace: metricsNamespace(env), serviceName: SERVICES[service], ...(defaultDimensions && { defaultDimensions }) }),
    today,
  };

  const eventSources: SqsEventSource[] = [];
  const poll = (functionName: string, queueUrl: string, consumer: LocalPlan['intake']['consumer'], handler: SqsHandler) => {
    const source = new SqsEventSource({
      sqs,
      queueUrl,
      functionName,
      consumer,
      handler: options.wrapHandler ? options.wrapHandler(functionName, handler) : handler,
      ...(options.onInvocation && { onInvocation: options.onInvocation }),
    });
    eventSources.push(source);
  };

  // every handler is built by its function's composition root from the environment the stack
  // would set (topology/environment.ts), plus what no variable carries: the scaled timing and a
  // test's topology
  const laneQueueUrls = Object.fromEntries(DESTINATION_IDS.map((d) => [d, queues.lanes[d].url])) as Record<DestinationId, string>;
  const common = { tableName, metricsNamespace: LOCAL_METRICS_NAMESPACE };
  const testTopology = options.topology && { routes: options.topology.routes };

  const intake = composeIntake(environmentOf.intake({ ...common, laneQueueUrls, intakeDlqUrl: queues.intake.dlqUrl }), platform, {
    routingLeaseSeconds: plan.timing.routingLeaseSeconds,
    creditPolicy: topology.credit,
    ...(options.topology && { sources: options.topology.sources, routes: options.topology.routes }),
  });
  poll(resourceNames.function(NAME_PREFIX, 'intake'), queues.intake.url, plan.intake.consumer, intake);

  for (const lane of plan.lanes) {
    const env = environmentOf.deliver({
      ...common,
      destination: lane.destination,
      endpointUrl: simulators.urls[lane.destination],
      laneQueueUrl: queues.lanes[lane.destination].url,
      credentialsSecret: destinationSecretName(LOCAL_SECRET_PREFIX, lane.destination),
      rateLimitPerSecond: lane.lane.rateLimitPerSecond,
      maxConcurrency: lane.lane.maxConcurrency,
      evidenceQueueUrl: queues.evidence.url,
    });
    const deliver = composeDeliver(env, platform, {
      lane: lane.lane,
      backoff: plan.timing.backoff,
      repairWaitSeconds: options.repairWaitSeconds ?? plan.timing.repairWaitSeconds,
      ...testTopology,
    });
    poll(resourceNames.function(NAME_PREFIX, `deliver-${lane.destination}`), queues.lanes[lane.destination].url, lane.consumer, deliver);
  }

  const ingestDeps = composeIngestDeps(
    environmentOf.ingest({ ...common, intakeQueueUrl: queues.intake.url, secretsPrefix: LOCAL_SECRET_PREFIX, evidenceQueueUrl: queues.evidence.url }),
    platform,
    {
      creditPolicy: topology.credit,
    },
  );
  const ingest: IngestServer = await listenOr('ingest API', ports.ingest, () =>
    startIngestServer({ ...(ports.ingest && { port: ports.ingest }), deps: ingestDeps }),
  );
  cleanups.push(() => ingest.stop());

  const pull = composePull(
    environmentOf.pull({
      ...common,
      intakeQueueUrl: queues.intake.url,
      feedUrl: simulators.urls.provincial,
      credentialsSecret: feedSecretName(LOCAL_SECRET_PREFIX),
      evidenceQueueUrl: queues.evidence.url,
    }),
    platform,
  );
  const pullNow = scheduled('pull', (context) => pull(undefined, context), plan.pull.timeoutSeconds, options.pullIntervalSeconds ?? 5, cleanups);

  const sweep = composeSweep(
    environmentOf.sweep({ ...common, laneQueueUrls, maxRecordsPerRun: topology.expirySweep.maxRecordsPerRun }),
    platform,
    testTopology,
  );
  const sweepNow = scheduled('sweep', (context) => sweep(undefined, context), plan.sweep.timeoutSeconds, options.sweepIntervalSeconds ?? 5, cleanups);

  const seal = composeSeal(
    environmentOf.seal({ metricsNamespace: LOCAL_METRICS_NAMESPACE, stage: LOCAL_STAGE, evidenceQueueUrl: queues.evidence.url }),
    platform,
    evidenceLog,
  );
  sealNow = scheduled(
    'seal',
    (context) => seal(undefined, context),
    plan.evidence.seal.timeoutSeconds,
    options.sealIntervalSeconds ?? plan.evidence.intervalSeconds,
    cleanups,
  );

  for (const source of eventSources) source.start();
  cleanups.push(async () => {
    await Promise.all(eventSources.map((s) => s.stop()));
  });

  let stopping: Promise<void> | undefined;
  return {
    plan,
    tableName,
    queues,
    endpoints: { dynamodb: dynamo.endpoint, sqs: sqsServer.endpoint, ingest: ingest.url, simulators: simulators.urls },
    clients: { ddb, doc, sqs },
    state,
    credentials,
    simulators,
    eventSources,
    pullNow,
    sweepNow,
    sealNow: () => sealNow(),
    evidence: evidenceLog,
    calendar,
    reconcile: (submissions) =>
      reconcile(
        {
          doc,
          sqs,
          tableName,
          intakeDlqUrl: queues.intake.dlqUrl,
          laneDlqUrls: Object.fromEntries(DESTINATION_IDS.map((d) => [d, queues.lanes[d].dlqUrl])) as Record<DestinationId, string>,
          today: calendar.today(),
          // fauxqs persisting to the data directory loses a message whose visibility is set to 0
          ...(dataDir && { peekReleaseSeconds: 1 }),
        },
        submissions,
      ),
    stop: () => (stopping ??= stopAll()),
  };
}

/**
 * A scheduled function as EventBridge Scheduler runs it: every `intervalSeconds` (0: never by
 * itself), one run at a time — a run asked for while one is going joins it. Returns "run now".
 */
function scheduled<T>(
  name: string,
  run: (context: Context) => Promise<T>,
  timeoutSeconds: number,
  intervalSeconds: number,
  cleanups: Array<() => Promise<void>>,
): () => Promise<T> {
  let running: Promise<T> | undefined;
  const now = (): Promise<T> =>
    (running ??= run({
      ...LAMBDA_CONTEXT_DEFAULTS,
      functionName: `${NAME_PREFIX}-${name}`,
      awsRequestId: randomUUID(),
      getRemainingTimeInMillis: () => timeoutSeconds * 1000,
    } as Context).finally(() => {
      running = undefined;
    }));
  if (intervalSeconds > 0) {
    const timer = setInterval(() => void now().catch(() => undefined), intervalSeconds * 1000);
    cleanups.push(async () => {
      clearInterval(timer);
      await running?.catch(() => undefined);
    });
  }
  return now;
}
