/**
 * The intake function's composition root: its handler from an environment map (intakeConfigFromEnv)
 * and a platform (functions/shared/platform.ts). Lambda's handler.ts and the local runtime both
 * build it here. The work is processIntakeBatch; this adds the Powertools middlewares and the
 * batch's metrics.
 */
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Logger } from '@aws-lambda-powertools/logger';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { MetricName } from '../../topology/names.js';
import type { Env } from '../shared/env.js';
import { loggerOf, metricsOf, type Platform } from '../shared/platform.js';
import {
  acceptRevision,
  appendEvents,
  claimRouting,
  dynamoOperations,
  getCreditContributions,
  getLatestRecord,
  getLicensingItem,
  getMeta,
  listEnforcement,
  markRouted,
  putCreditContributions,
  putLicensingItem,
  quarantine,
  recordCommitmentVerified,
  registerEnforcement,
  releaseRouting,
  scheduleExpiry,
  trackCommitmentDue,
} from '../shared/state/dynamo/index.js';
import { intakeConfigFromEnv } from './config.js';
import { processIntakeBatch, type IntakeConfig, type IntakeDeps, type IntakeOutcome } from './intake.js';

/** The metric that counts each outcome of processIntakeBatch (the stack's alarms name them). */
export const OUTCOME_METRICS = {
  routed: 'Routed',
  duplicate: 'Duplicates',
  superseded: 'Superseded',
  quarantined: 'Quarantined',
  failed: 'Failed',
} as const satisfies Record<IntakeOutcome, MetricName<'intake'>>;

/**
 * One batch's counts: Received (messages in the batch) and every outcome's metric, zeros
 * included — so each metric has a data point per batch and the quarantine rate
 * (Quarantined / Received) is defined whenever intake ran.
 */
export function intakeBatchMetrics(received: number, outcomes: Iterable<IntakeOutcome>, flaggedCommitments = 0): Record<MetricName<'intake'>, number> {
  const counts: Record<MetricName<'intake'>, number> = {
    Received: received,
    Routed: 0,
    Duplicates: 0,
    Superseded: 0,
    Quarantined: 0,
    Failed: 0,
    CommitmentsFromIneligible: flaggedCommitments,
  };
  for (const outcome of outcomes) counts[OUTCOME_METRICS[outcome]] += 1;
  return counts;
}

export function createIntakeHandler(deps: IntakeDeps & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async (event) => {
      const { batchItemFailures, outcomes, flaggedCommitments } = await processIntakeBatch(event.Records, deps);
      const counts: Record<string, number> = {};
      for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
      deps.logger.info('batch processed', { records: event.Records.length, ...counts, ...(flaggedCommitments > 0 && { flaggedCommitments }) });
      for (const [name, value] of Object.entries(intakeBatchMetrics(event.Records.length, outcomes.values(), flaggedCommitments))) {
        deps.powertoolsMetrics.addMetric(name, MetricUnit.Count, value);
      }
      return { batchItemFailures };
    });
}

/** The sync-state operations this function uses, and so the only table requests its bundle holds (infra/access.ts grants them). */
const STATE_OPERATIONS = {
  acceptRevision,
  appendEvents,
  claimRouting,
  getCreditContributions,
  getLatestRecord,
  getLicensingItem,
  getMeta,
  listEnforcement,
  markRouted,
  putCreditContributions,
  putLicensingItem,
  quarantine,
  recordCommitmentVerified,
  registerEnforcement,
  releaseRouting,
  scheduleExpiry,
  trackCommitmentDue,
};

/** `overrides`: settings no environment variable carries (the local runtime's scaled lease, a test's topology). */
export function composeIntake(env: Env, platform: Platform, overrides: Partial<IntakeConfig> = {}) {
  const config = { ...intakeConfigFromEnv(env), ...overrides };
  return createIntakeHandler({
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    config,
    logger: loggerOf(platform, 'intake'),
    powertoolsMetrics: metricsOf(platform, 'intake', env),
    ...(platform.today && { today: platform.today }),
  });
}
