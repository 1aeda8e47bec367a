/**
 * Lambda entry point of the ingest API (API Gateway HTTP API, payload format 2.0). Wiring only:
 * the work is handleIngestRequest. API Gateway's own stage/route throttling caps the total rate
 * in front of this function; the per-upstream limit is enforced inside it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManager } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { secretsManagerSource } from '../shared/signing/credentials.js';
import { claimNonce, dynamoOperations, quarantine, readRecordState, throttleRequest } from '../shared/state/dynamo/index.js';
import { ingestConfigFromEnv } from './config.js';
import { createUpstreamSecrets, handleIngestRequest, type IngestDeps, type IngestRequest } from './ingest.js';

/**
 * The request handleIngestRequest takes, from an HTTP API (v2) event. Upstreams sign the path they
 * call, and routing and verification both use rawPath — so the API must be served from the
 * `$default` stage, and behind a custom domain through an API mapping with no path (on a named
 * stage rawPath starts with `/<stage>`; a mapping's path never appears in rawPath). The stack serves
 * it from `$default` (infra/stack.ts); a custom domain added later needs a path-less mapping.
 */
export function requestFromEvent(event: APIGatewayProxyEventV2): IngestRequest {
  const raw = event.body ?? '';
  return {
    method: event.requestContext.http.method,
    path: event.rawPath,
    rawQuery: event.rawQueryString || undefined,
    headers: event.headers ?? {},
    body: Buffer.from(raw, event.isBase64Encoded ? 'base64' : 'utf8'),
    requestId: event.requestContext.requestId,
    sourceIp: event.requestContext.http.sourceIp,
  };
}

export function createIngestHandler(deps: IngestDeps & { logger: Logger }) {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .handler(async (event) => {
      const response = await handleIngestRequest(requestFromEvent(event), deps);
      return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
    });
}

let handlerFromEnv: ReturnType<typeof createIngestHandler> | undefined;

/** Built on the first invocation, so importing this module never reads the environment. */
export const handler = (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  if (!handlerFromEnv) {
    const config = ingestConfigFromEnv(process.env);
    handlerFromEnv = createIngestHandler({
      state: dynamoOperations({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }), tableName: config.tableName }, { claimNonce, quarantine, readRecordState, throttleRequest }),
      sqs: new SQSClient({}),
      config,
      secrets: createUpstreamSecrets(secretsManagerSource(new SecretsManager({})), config.upstreams),
      logger: new Logger({ serviceName: 'credex-ingest' }),
    });
  }
  return handlerFromEnv(event, context);
};
