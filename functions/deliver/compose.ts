/**
 * A lane's deliver function, composed: its handler from an environment map (deliverConfigFromEnv:
 * which destination, its endpoint, its secret) and a platform (functions/shared/platform.ts).
 * Lambda's handler.ts and the local runtime both build it here. The work is processDeliverBatch;
 * this adds the destination's adapter, its credentials (cached, refreshed on a 401), the Powertools
 * middlewares and the lane's metrics.
 */
import { sqsEvidenceOutbox } from '../shared/evidence/outbox.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { Env } from '../shared/env.js';
import { loggerOf, metricsOf, secretsOf, type Platform } from '../shared/platform.js';
import { createCredentialsProvider } from '../shared/signing/credentials.js';
import {
  appendEvents,
  claimSend,
  dynamoOperations,
  listRepairWaits,
  readForDelivery,
  recordDestinationOutcome,
  recordUnpublishOutcome,
  registerRepairWait,
  releaseSend,
  removeRepairWaits,
} from '../shared/state/dynamo/index.js';
import { adapters } from './adapters/index.js';
import { deliverConfigFromEnv } from './config.js';
import { processDeliverBatch, type DeliverConfig, type DeliverDeps, type DeliverMetrics } from './deliver.js';

/** Powertools metrics (CloudWatch EMF), one dimension: the lane. */
export function powertoolsDeliverMetrics(metrics: Metrics): DeliverMetrics {
  return {
    count: (name, value) => metrics.addMetric(name, MetricUnit.Count, value),
    latency: (ms) => metrics.addMetric('EndpointLatency', MetricUnit.Milliseconds, ms),
  };
}

export function createDeliverHandler(deps: DeliverDeps & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async (event, context) => {
      const { batchItemFailures, outcomes } = await processDeliverBatch(event.Records, { ...deps, remainingMs: () => context.getRemainingTimeInMillis() });
      const counts: Record<string, number> = {};
      for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
      deps.logger.info('batch delivered', { destination: deps.config.destination, records: event.Records.length, ...counts });
      return { batchItemFailures };
    });
}

/** The sync-state operations this function uses, and so the only table requests its bundle holds (infra/access.ts grants them). */
const STATE_OPERATIONS = {
  appendEvents,
  claimSend,
  listRepairWaits,
  readForDelivery,
  recordDestinationOutcome,
  recordUnpublishOutcome,
  registerRepairWait,
  releaseSend,
  removeRepairWaits,
};

/** `overrides`: settings no environment variable carries (the local runtime's scaled timing, a test's topology). */
export function composeDeliver(env: Env, platform: Platform, overrides: Partial<DeliverConfig> = {}) {
  const { credentialsSecret, evidenceQueueUrl, ...config } = deliverConfigFromEnv(env);
  const lane = { lane: config.destination };
  const powertoolsMetrics = metricsOf(platform, 'deliver', env, lane);
  return createDeliverHandler({
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    adapter: adapters[config.destination],
    credentials: createCredentialsProvider({ source: secretsOf(platform, 'deliver'), secretName: credentialsSecret }),
    config: { ...config, ...overrides },
    logger: loggerOf(platform, 'deliver', lane),
    powertoolsMetrics,
    metrics: powertoolsDeliverMetrics(powertoolsMetrics),
    ...(platform.today && { today: platform.today }),
    evidence: () => sqsEvidenceOutbox(platform.sqs, evidenceQueueUrl),
  });
}
