/**
 * Lambda entry point of the intake function (SQS event source with ReportBatchItemFailures).
 * Wiring only: the work is processIntakeBatch. The local runtime imports the same handler; AWS
 * SDK clients pick up AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL_SQS there.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { metricsNamespace } from '../shared/metrics.js';
import { acceptRevision, appendEvents, claimRouting, dynamoOperations, getLatestRecord, getMeta, listEnforcement, markRouted, quarantine, registerEnforcement, releaseRouting, scheduleExpiry } from '../shared/state/dynamo/index.js';
import { intakeConfigFromEnv } from './config.js';
import { processIntakeBatch, type IntakeDeps, type IntakeOutcome } from './intake.js';

/** The metric that counts each outcome of processIntakeBatch (the stack's alarms name them). */
export const OUTCOME_METRICS = {
  routed: 'Routed',
  duplicate: 'Duplicates',
  superseded: 'Superseded',
  quarantined: 'Quarantined',
  failed: 'Failed',
} as const satisfies Record<IntakeOutcome, string>;

export type IntakeMetricName = 'Received' | (typeof OUTCOME_METRICS)[IntakeOutcome];

/**
 * One batch's counts: Received (messages in the batch) and every outcome's metric, zeros
 * included — so each metric has a data point per batch and the quarantine rate
 * (Quarantined / Received) is defined whenever intake ran.
 */
export function intakeBatchMetrics(received: number, outcomes: Iterable<IntakeOutcome>): Record<IntakeMetricName, number> {
  const counts: Record<IntakeMetricName, number> = { Received: received, Routed: 0, Duplicates: 0, Superseded: 0, Quarantined: 0, Failed: 0 };
  for (const outcome of outcomes) counts[OUTCOME_METRICS[outcome]] += 1;
  return counts;
}

/** Intake's Powertools metrics (CloudWatch EMF) in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE); one dimension, service. */
export function intakeMetricsFromEnv(env: NodeJS.ProcessEnv): Metrics {
  return new Metrics({ namespace: metricsNamespace(env), serviceName: 'credex-intake' });
}

export function createIntakeHandler(deps: IntakeDeps & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async (event) => {
      const { batchItemFailures, outcomes } = await processIntakeBatch(event.Records, deps);
      const counts: Record<string, number> = {};
      for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
      deps.logger.info('batch processed', { records: event.Records.length, ...counts });
      for (const [name, value] of Object.entries(intakeBatchMetrics(event.Records.length, outcomes.values()))) {
        deps.powertoolsMetrics.addMetric(name, MetricUnit.Count, value);
      }
      return { batchItemFailures };
    });
}

let handlerFromEnv: ReturnType<typeof createIntakeHandler> | undefined;

/** Built on the first invocation, so importing this module never reads the environment. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  handlerFromEnv ??= createIntakeHandler({
    state: dynamoOperations({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableName: intakeConfigFromEnv(process.env).tableName }, { acceptRevision, appendEvents, claimRouting, getLatestRecord, getMeta, listEnforcement, markRouted, quarantine, registerEnforcement, releaseRouting, scheduleExpiry }),
    sqs: new SQSClient({}),
    config: intakeConfigFromEnv(process.env),
    logger: new Logger({ serviceName: 'credex-intake' }),
    powertoolsMetrics: intakeMetricsFromEnv(process.env),
  });
  return handlerFromEnv(event, context);
};
