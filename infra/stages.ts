/**
 * Deployment stages, in one typed configuration: where each destination is, how fast it may be
 * called, where secrets live, who hears the alarms. `checkStage` validates a stage when the app is
 * synthesized and lists every problem at once (docs/deploy.md, "Configuring a stage").
 *
 * The URLs and addresses below are placeholders on reserved `example` domains: a team deploying
 * the exchange replaces them with the addresses the platforms issue to it.
 */
import { DESTINATION_IDS, type DestinationId } from '../topology/topology.js';
import { PULL_FUNCTION } from './plan.js';
import { registeredRequestsPerSecond, SECRET_PREFIX_PATTERN } from '../topology/upstreams.js';

export interface StageConfig {
  /** Lower-case stage name: prefixes every resource name, secret name and metric namespace. */
  name: string;
  /** Where to deploy. Without an account the stack is environment-agnostic. */
  env: { account?: string; region: string };
  /** Production: the table is retained and deletion-protected; alarms must reach someone. */
  production: boolean;
  /** Base URL of each destination's endpoint (https). */
  endpoints: Record<DestinationId, string>;
  /** Base URL of the provincial platform's breach feed, and how often to pull it. */
  feed: { url: string; schedule: string };
  /** A destination whose endpoint takes fewer (or more) requests per second than the topology's. */
  rateLimits?: Partial<Record<DestinationId, number>>;
  /** Secrets Manager names start with this (default `credex/<name>`). */
  secretPrefix?: string;
  alarms: {
    /** E-mail addresses subscribed to the alarm topic (confirmations are sent on deploy). */
    emails: string[];
    /** A queue's oldest message older than this raises an alarm. */
    oldestMessageAgeMinutes: number;
    /** Quarantined / received at intake, over 15 minutes, above this raises an alarm. */
    quarantineRatePercent: number;
  };
  /**
   * API Gateway throttling of the ingest API, for all upstreams together: at least the registered
   * upstreams' limits summed (topology/upstreams.ts), so what an upstream over its own limit sees is the
   * function's per-upstream 429 in the documented shape, not API Gateway's.
   */
  ingest: { rateLimitPerSecond: number; burstLimit: number };
  /**
   * The account's Lambda concurrency limit in the stage's region (default 1000, AWS's default; new
   * accounts may start lower: Service Quotas shows it). The stack refuses to synthesize when the
   * exchange could use more than this less the 100 Lambda keeps unreserved (docs/deploy.md).
   */
  lambdaConcurrencyLimit?: number;
  /** Days CloudWatch keeps the functions' and the API's logs. */
  logRetentionDays: number;
  /**
   * Stack traces in the logs mapped to the TypeScript sources (NODE_OPTIONS=--enable-source-maps).
   * Node then reads and parses each bundle's source map at every cold start: 14–48 ms, which puts
   * every function's init over 100 ms (bench/results/bundles.md). Off, traces point into the
   * minified bundle; its .map ships in the same asset, to decode a trace by hand.
   */
  sourceMappedStackTraces: boolean;
  /**
   * Days every sealed evidence window (and every version of the chain's head) is kept under S3
   * Object Lock in COMPLIANCE mode: nobody, the account's root included, can delete or shorten it
   * before then, and the bucket cannot be emptied or deleted. A production stage keeps at least
   * MIN_PRODUCTION_EVIDENCE_RETENTION_DAYS. A change applies to objects written afterwards only
   * (nothing already locked is shortened), and deploys only once the bucket policy's deny of
   * s3:PutBucketObjectLockConfiguration is lifted (infra/README.md, "Evidence log").
   */
  evidenceRetentionDays: number;
}

/**
 * Five years (5 × 365 days). The legal basis of the evidence's retention period is still to be
 * confirmed by the province; five years is the stricter reading: breach records are published for
 * up to three years, and the repair tiers count from decision dates, so evidence kept five years
 * outlives every publication period it could be asked about.
 */
export const MIN_PRODUCTION_EVIDENCE_RETENTION_DAYS = 1825;
/** S3 Object Lock's longest default retention (100 years). */
export const MAX_EVIDENCE_RETENTION_DAYS = 36_500;

export const stages: Record<string, StageConfig> = {
  dev: {
    name: 'dev',
    env: { region: 'cn-north-1' },
    production: false,
    endpoints: {
      provincial: 'https://provincial.credex-dev.example.com',
      municipal: 'https://municipal.credex-dev.example.com',
      publicColumn: 'https://public-column.credex-dev.example.com',
      district: 'https://district.credex-dev.example.com',
    },
    feed: { url: 'https://provincial.credex-dev.example.com', schedule: 'rate(15 minutes)' },
    rateLimits: { provincial: 5, municipal: 2, publicColumn: 2, district: 2 },
    alarms: { emails: [], oldestMessageAgeMinutes: 60, quarantineRatePercent: 20 },
    ingest: { rateLimitPerSecond: 50, burstLimit: 100 },
    logRetentionDays: 14,
    sourceMappedStackTraces: true,
    // locked for good once written: a dev stage keeps its evidence a month, not the legal period
    evidenceRetentionDays: 30,
  },
  prod: {
    name: 'prod',
    env: { region: 'cn-north-1' },
    production: true,
    endpoints: {
      provincial: 'https://provincial.credex.example.com',
      municipal: 'https://municipal.credex.example.com',
      publicColumn: 'https://public-column.credex.example.com',
      district: 'https://district.credex.example.com',
    },
    feed: { url: 'https://provincial.credex.example.com', schedule: 'rate(5 minutes)' },
    alarms: { emails: ['credex-oncall@example.com'], oldestMessageAgeMinutes: 30, quarantineRatePercent: 5 },
    ingest: { rateLimitPerSecond: 50, burstLimit: 100 },
    logRetentionDays: 365,
    // cold starts under 100 ms in production; dev keeps readable traces
    sourceMappedStackTraces: false,
    evidenceRetentionDays: MIN_PRODUCTION_EVIDENCE_RETENTION_DAYS,
  },
};

export const DEFAULT_LAMBDA_CONCURRENCY_LIMIT = 1000;

/** CloudWatch Logs accepts only these retention periods (days). */
export const LOG_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653] as const;

export class StageConfigError extends Error {
  override name = 'StageConfigError';
  constructor(
    readonly stage: string,
    readonly problems: readonly string[],
  ) {
    super(`stage ${stage} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export function secretPrefixOf(stage: StageConfig): string {
  return stage.secretPrefix ?? `credex/${stage.name}`;
}

/** The secret holding a destination's credentials (`{"appKey","secret","fieldKey"?}`). */
export function destinationSecretName(secretPrefix: string, destination: DestinationId): string {
  return `${secretPrefix}/destinations/${destination}`;
}

/** The secret holding the credentials the pull uses to read the provincial breach feed. */
export function feedSecretName(secretPrefix: string): string {
  return `${secretPrefix}/feeds/provincial-breaches`;
}

const httpsUrl = (where: string, value: string, production: boolean): string[] => {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${where}: ${JSON.stringify(value)} is not a URL`];
  }
  const local = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
  if (url.protocol !== 'https:' && !(local && !production)) return [`${where}: ${value} must use https (plain http only to localhost, outside production)`];
  if (production && local) return [`${where}: ${value} points at this machine in a production stage`];
  if (url.search || url.hash) return [`${where}: ${value} must be a base URL, without query or fragment`];
  return [];
};

const RATE_UNIT_SECONDS: Record<string, number> = { minute: 60, hour: 3600, day: 86_400 };

/**
 * A rate(…) or cron(…) expression EventBridge Scheduler accepts (rate: a positive whole number, the
 * unit singular for 1 and plural otherwise), whose rate leaves a pull run time to end before the next.
 */
function scheduleProblems(schedule: string): string[] {
  if (/^cron\(\S+( \S+){5}\)$/.test(schedule)) return [];
  const rate = /^rate\((\d+) (minute|hour|day)(s?)\)$/.exec(schedule);
  if (!rate) return [`feed.schedule: ${JSON.stringify(schedule)} must be an EventBridge Scheduler rate(…) or cron(…) expression, like rate(5 minutes)`];
  const [, count, unit, plural] = rate;
  const n = Number(count);
  if (n < 1) return [`feed.schedule: ${JSON.stringify(schedule)}: the rate must be at least 1`];
  if ((n === 1) !== (plural === '')) return [`feed.schedule: ${JSON.stringify(schedule)}: write rate(1 ${unit}) for one, rate(${n} ${unit}s) for more`];
  if (n * RATE_UNIT_SECONDS[unit!]! <= PULL_FUNCTION.timeoutSeconds)
    return [
      `feed.schedule: ${JSON.stringify(schedule)} fires before a pull run may end (its timeout is ${PULL_FUNCTION.timeoutSeconds} s): use a longer interval`,
    ];
  return [];
}

/** Every problem with a stage, as messages naming the field, what was expected and what was found. */
export function checkStage(stage: StageConfig): string[] {
  const problems: string[] = [];
  if (!/^[a-z][a-z0-9]{1,11}$/.test(stage.name))
    problems.push(`name: ${JSON.stringify(stage.name)} must be 2–12 lower-case letters and digits, starting with a letter`);
  if (stage.env.account !== undefined && !/^\d{12}$/.test(stage.env.account))
    problems.push(`env.account: ${JSON.stringify(stage.env.account)} must be a 12-digit AWS account id`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(stage.env.region))
    problems.push(`env.region: ${JSON.stringify(stage.env.region)} is not an AWS region name (like cn-north-1)`);
  for (const id of DESTINATION_IDS) {
    const url = stage.endpoints[id];
    if (url === undefined) problems.push(`endpoints.${id}: missing; every destination of the topology needs an endpoint`);
    else problems.push(...httpsUrl(`endpoints.${id}`, url, stage.production));
  }
  for (const id of Object.keys(stage.endpoints))
    if (!(DESTINATION_IDS as string[]).includes(id)) problems.push(`endpoints.${id}: not a destination of the topology (${DESTINATION_IDS.join(', ')})`);
  problems.push(...httpsUrl('feed.url', stage.feed.url, stage.production));
  problems.push(...scheduleProblems(stage.feed.schedule));
  for (const [id, rate] of Object.entries(stage.rateLimits ?? {})) {
    if (!(DESTINATION_IDS as string[]).includes(id)) problems.push(`rateLimits.${id}: not a destination of the topology (${DESTINATION_IDS.join(', ')})`);
    else if (!(typeof rate === 'number' && rate > 0 && Number.isFinite(rate)))
      problems.push(`rateLimits.${id}: must be a positive number of requests per second; got ${rate}`);
  }
  const prefix = secretPrefixOf(stage);
  if (!SECRET_PREFIX_PATTERN.test(prefix))
    problems.push(`secretPrefix: ${JSON.stringify(prefix)} may hold only letters, digits, _+=.@- and single slashes between parts`);
  for (const email of stage.alarms.emails)
    if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) problems.push(`alarms.emails: ${JSON.stringify(email)} is not an e-mail address`);
  if (stage.production && stage.alarms.emails.length === 0)
    problems.push('alarms.emails: a production stage needs at least one address, or alarms reach nobody');
  if (!(stage.alarms.oldestMessageAgeMinutes >= 1))
    problems.push(`alarms.oldestMessageAgeMinutes: must be at least 1; got ${stage.alarms.oldestMessageAgeMinutes}`);
  if (!(stage.alarms.quarantineRatePercent > 0 && stage.alarms.quarantineRatePercent <= 100))
    problems.push(`alarms.quarantineRatePercent: must be in (0, 100]; got ${stage.alarms.quarantineRatePercent}`);
  if (!(Number.isInteger(stage.ingest.rateLimitPerSecond) && stage.ingest.rateLimitPerSecond > 0))
    problems.push(`ingest.rateLimitPerSecond: must be a positive integer; got ${stage.ingest.rateLimitPerSecond}`);
  if (!(Number.isInteger(stage.ingest.burstLimit) && stage.ingest.burstLimit >= stage.ingest.rateLimitPerSecond))
    problems.push(`ingest.burstLimit: must be an integer ≥ rateLimitPerSecond (${stage.ingest.rateLimitPerSecond}); got ${stage.ingest.burstLimit}`);
  if (stage.ingest.rateLimitPerSecond < registeredRequestsPerSecond()) {
    problems.push(
      `ingest.rateLimitPerSecond: must be at least ${registeredRequestsPerSecond()}, the registered upstreams' limits summed (topology/upstreams.ts), so an upstream over its own limit gets the function's 429; got ${stage.ingest.rateLimitPerSecond}`,
    );
  }
  if (stage.lambdaConcurrencyLimit !== undefined && !(Number.isInteger(stage.lambdaConcurrencyLimit) && stage.lambdaConcurrencyLimit > 100))
    problems.push(`lambdaConcurrencyLimit: must be an integer over 100; got ${stage.lambdaConcurrencyLimit}`);
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(stage.logRetentionDays))
    problems.push(`logRetentionDays: ${stage.logRetentionDays} is not a CloudWatch retention period (${LOG_RETENTION_DAYS.join(', ')})`);
  if (!(Number.isInteger(stage.evidenceRetentionDays) && stage.evidenceRetentionDays >= 1 && stage.evidenceRetentionDays <= MAX_EVIDENCE_RETENTION_DAYS))
    problems.push(`evidenceRetentionDays: must be a whole number of days from 1 to ${MAX_EVIDENCE_RETENTION_DAYS}; got ${stage.evidenceRetentionDays}`);
  else if (stage.production && stage.evidenceRetentionDays < MIN_PRODUCTION_EVIDENCE_RETENTION_DAYS)
    problems.push(
      `evidenceRetentionDays: a production stage keeps its evidence at least ${MIN_PRODUCTION_EVIDENCE_RETENTION_DAYS} days (5 years); got ${stage.evidenceRetentionDays}`,
    );
  return problems;
}

/** The named stage, checked; throws StageConfigError listing every problem, or naming the stages. */
export function resolveStage(name: string, all: Readonly<Record<string, StageConfig>> = stages): StageConfig {
  const stage = all[name];
  if (!stage) throw new StageConfigError(name, [`no such stage; stages: ${Object.keys(all).join(', ')} (infra/stages.ts)`]);
  const problems = checkStage(stage);
  if (stage.name !== name) problems.unshift(`name: ${JSON.stringify(stage.name)} differs from its key ${JSON.stringify(name)}`);
  if (problems.length > 0) throw new StageConfigError(name, problems);
  return stage;
}
