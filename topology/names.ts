/**
 * Every name that the functions, the stack, the local runtime and the CLI must spell alike, declared
 * once: service names (the logs' `service` key and the metrics' `service` dimension), the metrics
 * each function emits (the stack's alarms and dashboard read them), the environment variables the
 * stack sets and the functions read, the resources' naming rules, and the provincial breach feed.
 */

/** The exchange's functions, by role. */
export const SERVICES = {
  intake: 'credex-intake',
  deliver: 'credex-deliver',
  ingest: 'credex-ingest',
  pull: 'credex-pull',
  sweep: 'credex-sweep',
  seal: 'credex-seal',
} as const;
export type ServiceRole = keyof typeof SERVICES;

/** The metrics (CloudWatch EMF, unit Count unless said) each function emits. */
export const METRICS = {
  /** One data point per batch for each, zeros included: the quarantine rate is Quarantined / Received. */
  intake: ['Received', 'Routed', 'Duplicates', 'Superseded', 'Quarantined', 'Failed', 'CommitmentsFromIneligible'],
  /** Per lane (dimension `lane`); EndpointLatency is in milliseconds. */
  deliver: [
    'Delivered',
    'Rejected',
    'TransientFailures',
    'AuthFailures',
    'Superseded',
    'Duplicates',
    'CircuitOpen',
    'RepairsWaiting',
    'PublicationsEnded',
    'EndpointLatency',
  ],
  pull: ['FeedRecords', 'FeedPages', 'FeedErrors'],
  sweep: ['PublicationsExpired', 'ExpiryEntriesOpen', 'ExpiryErrors', 'OverdueCommitments'],
  /** The credit check (GET /v1/subjects/{code}/credit), per answer (dimension `eligibility`). */
  ingest: ['CreditChecks'],
  /** The evidence sealer: per run. */
  seal: ['EvidenceEntriesSealed', 'EvidenceWindowsSealed', 'EvidenceDuplicates', 'EvidenceMessagesRefused'],
} as const;
export type MetricName<R extends keyof typeof METRICS> = (typeof METRICS)[R][number];

/** The environment variables the stack (and the local runtime) set and the functions' config parsers read. */
export const ENV = {
  /** Every function: the sync-state table. */
  tableName: 'TABLE_NAME',
  /** Every function: the CloudWatch namespace of its metrics (Powertools' own variable). */
  metricsNamespace: 'POWERTOOLS_METRICS_NAMESPACE',
  /** Intake, sweep: JSON object, destination id → lane queue URL. */
  laneQueueUrls: 'LANE_QUEUE_URLS',
  /** Intake: the intake queue's DLQ, where a body too large to quarantine in the table is kept. */
  intakeDlqUrl: 'INTAKE_DLQ_URL',
  /** Deliver: this lane's destination id, its base URL, its queue, its Secrets Manager secret. */
  destination: 'DESTINATION',
  endpointUrl: 'ENDPOINT_URL',
  laneQueueUrl: 'LANE_QUEUE_URL',
  /** Deliver, pull: the Secrets Manager secret holding appKey, secret (and fieldKey). */
  credentialsSecret: 'CREDENTIALS_SECRET',
  /** Deliver: a stage's overrides of the lane's rate limit and concurrency. */
  rateLimitPerSecond: 'RATE_LIMIT_PER_SECOND',
  maxConcurrency: 'MAX_CONCURRENCY',
  /** Ingest, pull: the intake queue. */
  intakeQueueUrl: 'INTAKE_QUEUE_URL',
  /** Ingest: each upstream's secret is `<prefix>/upstreams/<upstreamId>`. */
  secretsPrefix: 'SECRETS_PREFIX',
  /** Ingest: optional request limits. */
  maxRecordsPerRequest: 'MAX_RECORDS_PER_REQUEST',
  maxBodyBytes: 'MAX_BODY_BYTES',
  /** Pull: the provincial platform's base URL, and the source its records are registered under. */
  feedUrl: 'FEED_URL',
  feedSource: 'FEED_SOURCE',
  /** Sweep: expiry entries handled per run at most. */
  maxRecordsPerRun: 'MAX_RECORDS_PER_RUN',
  /** Deliver, pull, ingest, seal: the queue that carries evidence entries to the sealer. */
  evidenceQueueUrl: 'EVIDENCE_QUEUE_URL',
  /** Seal: the stage its windows name, the Object Lock bucket, the KMS signing key and its algorithm. */
  stage: 'STAGE',
  evidenceBucket: 'EVIDENCE_BUCKET',
  evidenceKeyArn: 'EVIDENCE_KEY_ARN',
  evidenceSigningAlgorithm: 'EVIDENCE_SIGNING_ALGORITHM',
} as const;

/** How the exchange's resources are named from a prefix (`credex-<stage>`, locally `credex-local`). */
export const resourceNames = {
  prefix: (stage: string): string => `credex-${stage}`,
  table: (prefix: string): string => `${prefix}-sync-state`,
  queue: (prefix: string, queue: string): string => `${prefix}-${queue}`,
  deadLetterQueue: (prefix: string, queue: string): string => `${prefix}-${queue}-dlq`,
  function: (prefix: string, role: string): string => `${prefix}-${role}`,
};

/**
 * The provincial platform's breach feed, which the pull reads: the source its records are
 * registered under (topology/upstreams.ts, topology/topology.ts) and the record types it serves.
 */
export const FEED = {
  source: 'hlj-credit-platform',
  recordTypes: ['breach', 'repair'],
} as const;
