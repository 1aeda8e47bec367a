/**
 * Lambda entry point of a lane's deliver function (SQS event source with ReportBatchItemFailures;
 * one function per destination, told which by DESTINATION). Wiring only: the work is
 * processDeliverBatch. Credentials come from Secrets Manager, cached, refreshed on a 401.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { DestinationId } from '../../topology/topology.js';
import { metricsNamespace } from '../shared/metrics.js';
import { createCredentialsProvider, secretsManagerSource } from '../shared/signing/credentials.js';
import { adapters } from './adapters/index.js';
import { appendEvents, claimSend, dynamoOperations, getDestinationState, getLatestRecord, getMeta, getRevision, listRepairWaits, recordDestinationOutcome, recordUnpublishOutcome, registerRepairWait, releaseSend, removeRepairWaits } from '../shared/state/dynamo/index.js';
import { deliverConfigFromEnv } from './config.js';
import { processDeliverBatch, type DeliverDeps, type DeliverMetrics } from './deliver.js';

/** The lane's Powertools metrics (CloudWatch EMF) in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE); dimensions: service and lane. */
export function deliverMetricsFromEnv(env: NodeJS.ProcessEnv, destination: DestinationId): Metrics {
  return new Metrics({ namespace: metricsNamespace(env), serviceName: 'credex-deliver', defaultDimensions: { lane: destination } });
}

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

let handlerFromEnv: ReturnType<typeof createDeliverHandler> | undefined;

/** Built on the first invocation, so importing this module never reads the environment. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  if (!handlerFromEnv) {
    const { credentialsSecret, ...config } = deliverConfigFromEnv(process.env);
    const secrets = new SecretsManagerClient({});
    const powertoolsMetrics = deliverMetricsFromEnv(process.env, config.destination);
    handlerFromEnv = createDeliverHandler({
      state: dynamoOperations({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableName: config.tableName }, { appendEvents, claimSend, getDestinationState, getLatestRecord, getMeta, getRevision, listRepairWaits, recordDestinationOutcome, recordUnpublishOutcome, registerRepairWait, releaseSend, removeRepairWaits }),
      sqs: new SQSClient({}),
      adapter: adapters[config.destination],
      credentials: createCredentialsProvider({
        source: secretsManagerSource({ getSecretValue: (input) => secrets.send(new GetSecretValueCommand(input)) }),
        secretName: credentialsSecret,
      }),
      config,
      logger: new Logger({ serviceName: 'credex-deliver', persistentKeys: { lane: config.destination } }),
      powertoolsMetrics,
      metrics: powertoolsDeliverMetrics(powertoolsMetrics),
    });
  }
  return handlerFromEnv(event, context);
};
