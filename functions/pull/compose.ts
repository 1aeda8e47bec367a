/**
 * The provincial breach pull, composed: its handler from an environment map (pullConfigFromEnv)
 * and a platform (functions/shared/platform.ts). Lambda's handler.ts and the local runtime both
 * build it here. The work is pullBreachFeed.
 */
import { sqsEvidenceOutbox } from '../shared/evidence/outbox.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Env } from '../shared/env.js';
import { loggerOf, metricsOf, secretsOf, type Platform } from '../shared/platform.js';
import { createCredentialsProvider } from '../shared/signing/credentials.js';
import { dynamoOperations, getCursor, quarantine, saveCursor } from '../shared/state/dynamo/index.js';
import { pullConfigFromEnv } from './config.js';
import { pullBreachFeed, type PullDeps, type PullResult } from './pull.js';

export function createPullHandler(deps: PullDeps & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<unknown, PullResult>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async () => {
      const result = await pullBreachFeed(deps);
      deps.logger.info('breach feed pulled', { ...result });
      return result;
    });
}

/** The sync-state operations this function uses, and so the only table requests its bundle holds (infra/access.ts grants them). */
const STATE_OPERATIONS = { getCursor, quarantine, saveCursor };

export function composePull(env: Env, platform: Platform) {
  const { credentialsSecret, evidenceQueueUrl, ...config } = pullConfigFromEnv(env);
  const powertoolsMetrics = metricsOf(platform, 'pull', env);
  return createPullHandler({
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    credentials: createCredentialsProvider({ source: secretsOf(platform, 'pull'), secretName: credentialsSecret }),
    config,
    logger: loggerOf(platform, 'pull'),
    powertoolsMetrics,
    metrics: { count: (name, value) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value) },
    evidence: () => sqsEvidenceOutbox(platform.sqs, evidenceQueueUrl),
  });
}
