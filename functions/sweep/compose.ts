/**
 * The expiry sweep, composed: its handler from an environment map (sweepConfigFromEnv) and a
 * platform (functions/shared/platform.ts). Lambda's handler.ts and the local runtime both build it
 * here. The work is sweepExpiredPublications.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Env } from '../shared/env.js';
import { loggerOf, metricsOf, type Platform } from '../shared/platform.js';
import {
  appendEvents,
  countOverdueCommitments,
  dynamoOperations,
  getCursor,
  getLatestRecord,
  listDestinationStates,
  listExpired,
  markExpiryEnqueued,
  removeExpiry,
  saveCursor,
} from '../shared/state/dynamo/index.js';
import { sweepConfigFromEnv } from './config.js';
import { sweepExpiredPublications, type SweepConfig, type SweepDeps, type SweepResult } from './sweep.js';

export function createSweepHandler(deps: SweepDeps & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<unknown, SweepResult>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async () => {
      const result = await sweepExpiredPublications(deps);
      deps.logger.info('expiry sweep done', { ...result });
      return result;
    });
}

/** The sync-state operations this function uses, and so the only table requests its bundle holds (infra/access.ts grants them). */
const STATE_OPERATIONS = {
  appendEvents,
  countOverdueCommitments,
  getCursor,
  getLatestRecord,
  listDestinationStates,
  listExpired,
  markExpiryEnqueued,
  removeExpiry,
  saveCursor,
};

/** `overrides`: settings no environment variable carries (a test's topology). */
export function composeSweep(env: Env, platform: Platform, overrides: Partial<SweepConfig> = {}) {
  const config = { ...sweepConfigFromEnv(env), ...overrides };
  const powertoolsMetrics = metricsOf(platform, 'sweep', env);
  return createSweepHandler({
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    config,
    logger: loggerOf(platform, 'sweep'),
    powertoolsMetrics,
    metrics: { count: (name, value) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value) },
    ...(platform.today && { today: platform.today }),
  });
}
