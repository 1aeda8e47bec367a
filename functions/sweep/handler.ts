/**
 * Lambda entry point of the expiry sweep (run by an EventBridge Scheduler schedule). Wiring only:
 * the work is sweepExpiredPublications.
 *
 * TABLE_NAME, LANE_QUEUE_URLS (JSON: destination → lane queue URL), MAX_RECORDS_PER_RUN (optional,
 * default the topology's), POWERTOOLS_METRICS_NAMESPACE (default CreditExchange).
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { expirySweep } from '../../topology/topology.js';
import { appendEvents, dynamoOperations, getCursor, getLatestRecord, listDestinationStates, listExpired, markExpiryEnqueued, removeExpiry, saveCursor } from '../shared/state/dynamo/index.js';
import { ConfigurationError, laneQueueUrlsFromEnv } from '../intake/config.js';
import { metricsNamespace } from '../shared/metrics.js';
import { sweepExpiredPublications, type SweepDeps, type SweepResult } from './sweep.js';

/** The sweep's Powertools metrics (CloudWatch EMF), in the stage's namespace. */
export function sweepMetricsFromEnv(env: NodeJS.ProcessEnv): Metrics {
  return new Metrics({ namespace: metricsNamespace(env), serviceName: 'credex-sweep' });
}

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

/** MAX_RECORDS_PER_RUN, when set: a positive integer. */
export function maxRecordsFromEnv(env: NodeJS.ProcessEnv): number {
  const text = env['MAX_RECORDS_PER_RUN'];
  if (text === undefined || text === '') return expirySweep.maxRecordsPerRun;
  const value = Number(text);
  if (!(Number.isSafeInteger(value) && value >= 1)) throw new ConfigurationError(`MAX_RECORDS_PER_RUN must be a positive integer; got ${JSON.stringify(text)}`);
  return value;
}

let handlerFromEnv: ReturnType<typeof createSweepHandler> | undefined;

export const handler = (event: unknown, context: Context): Promise<SweepResult> => {
  if (!handlerFromEnv) {
    const env = process.env;
    const tableName = env['TABLE_NAME'];
    if (!tableName) throw new ConfigurationError('TABLE_NAME is not set: the sync-state table name');
    const powertoolsMetrics = sweepMetricsFromEnv(env);
    handlerFromEnv = createSweepHandler({
      state: dynamoOperations({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableName }, { appendEvents, getCursor, getLatestRecord, listDestinationStates, listExpired, markExpiryEnqueued, removeExpiry, saveCursor }),
      sqs: new SQSClient({}),
      config: { tableName, laneQueueUrls: laneQueueUrlsFromEnv(env), maxRecordsPerRun: maxRecordsFromEnv(env) },
      logger: new Logger({ serviceName: 'credex-sweep' }),
      powertoolsMetrics,
      metrics: { count: (name, value) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value) },
    });
  }
  return handlerFromEnv(event, context);
};
