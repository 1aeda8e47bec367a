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
import middy from '@middy/core';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { intakeConfigFromEnv } from './config.js';
import { processIntakeBatch, type IntakeDeps } from './intake.js';

export function createIntakeHandler(deps: IntakeDeps & { logger: Logger }) {
  return middy<SQSEvent, SQSBatchResponse>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .handler(async (event) => {
      const { batchItemFailures, outcomes } = await processIntakeBatch(event.Records, deps);
      const counts: Record<string, number> = {};
      for (const outcome of outcomes.values()) counts[outcome] = (counts[outcome] ?? 0) + 1;
      deps.logger.info('batch processed', { records: event.Records.length, ...counts });
      return { batchItemFailures };
    });
}

let handlerFromEnv: ReturnType<typeof createIntakeHandler> | undefined;

/** Built on the first invocation, so importing this module never reads the environment. */
export const handler = (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  handlerFromEnv ??= createIntakeHandler({
    ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
    sqs: new SQSClient({}),
    config: intakeConfigFromEnv(process.env),
    logger: new Logger({ serviceName: 'credex-intake' }),
  });
  return handlerFromEnv(event, context);
};
