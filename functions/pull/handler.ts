/**
 * Lambda entry point of the provincial breach pull (run by an EventBridge Scheduler schedule).
 * Wiring only: the work is pullBreachFeed.
 *
 * TABLE_NAME, INTAKE_QUEUE_URL, FEED_URL (the provincial platform's base URL), FEED_SOURCE
 * (default hlj-credit-platform), CREDENTIALS_SECRET (Secrets Manager: appKey, secret),
 * POWERTOOLS_METRICS_NAMESPACE (default CreditExchange).
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
import type { Context } from 'aws-lambda';
import { dynamoOperations, getCursor, quarantine, saveCursor } from '../shared/state/dynamo/index.js';
import { ConfigurationError } from '../intake/config.js';
import { metricsNamespace } from '../shared/metrics.js';
import { createCredentialsProvider, secretsManagerSource } from '../shared/signing/credentials.js';
import { pullBreachFeed, type PullDeps, type PullResult } from './pull.js';

/** The pull's Powertools metrics (CloudWatch EMF), in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE). */
export function pullMetricsFromEnv(env: NodeJS.ProcessEnv): Metrics {
  return new Metrics({ namespace: metricsNamespace(env), serviceName: 'credex-pull' });
}

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

let handlerFromEnv: ReturnType<typeof createPullHandler> | undefined;

export const handler = (event: unknown, context: Context): Promise<PullResult> => {
  if (!handlerFromEnv) {
    const env = process.env;
    const required = (name: string): string => {
      const value = env[name];
      if (!value) throw new ConfigurationError(`${name} is not set`);
      return value;
    };
    const secrets = new SecretsManagerClient({});
    const powertoolsMetrics = pullMetricsFromEnv(env);
    handlerFromEnv = createPullHandler({
      state: dynamoOperations({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableName: required('TABLE_NAME') }, { getCursor, quarantine, saveCursor }),
      sqs: new SQSClient({}),
      credentials: createCredentialsProvider({
        source: secretsManagerSource({ getSecretValue: (input) => secrets.send(new GetSecretValueCommand(input)) }),
        secretName: required('CREDENTIALS_SECRET'),
      }),
      config: { tableName: required('TABLE_NAME'), intakeQueueUrl: required('INTAKE_QUEUE_URL'), feedUrl: required('FEED_URL').replace(/\/+$/, ''), source: env['FEED_SOURCE'] ?? 'hlj-credit-platform' },
      logger: new Logger({ serviceName: 'credex-pull' }),
      powertoolsMetrics,
      metrics: { count: (name, value) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value) },
    });
  }
  return handlerFromEnv(event, context);
};
