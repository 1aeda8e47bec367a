/**
 * The ingest API, composed: its dependencies from an environment map (ingestConfigFromEnv) and a
 * platform (functions/shared/platform.ts). Lambda's handler.ts wraps them in the HTTP API (v2)
 * handler; the local runtime's HTTP server (local/ingest-server.ts) serves the same dependencies.
 * The work is handleIngestRequest.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Env } from '../shared/env.js';
import { loggerOf, secretsOf, type Platform } from '../shared/platform.js';
import { ingestConfigFromEnv } from './config.js';
import { createUpstreamSecrets, handleIngestRequest, type IngestDeps, type IngestRequest } from './ingest.js';
import { claimNonce, dynamoOperations, quarantine, readRecordState, throttleRequest } from '../shared/state/dynamo/index.js';

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

/** The sync-state operations this function uses, and so the only table requests its bundle holds (infra/access.ts grants them). */
const STATE_OPERATIONS = { claimNonce, quarantine, readRecordState, throttleRequest };

/** What handleIngestRequest needs, from the environment: config, upstream secrets, nonce store, throttle. */
export function composeIngestDeps(env: Env, platform: Platform): IngestDeps & { logger: Logger } {
  const config = ingestConfigFromEnv(env);
  return {
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    config,
    secrets: createUpstreamSecrets(secretsOf(platform, 'ingest'), config.upstreams),
    logger: loggerOf(platform, 'ingest'),
  };
}

export const composeIngest = (env: Env, platform: Platform) => createIngestHandler(composeIngestDeps(env, platform));
