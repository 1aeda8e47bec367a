/**
 * The ingest API, composed: its dependencies from an environment map (ingestConfigFromEnv) and a
 * platform (functions/shared/platform.ts). Lambda's handler.ts wraps them in the HTTP API (v2)
 * handler; the local runtime's HTTP server (local/ingest-server.ts) serves the same dependencies.
 * The work is handleIngestRequest.
 */
import { sqsEvidenceOutbox } from '../shared/evidence/outbox.js';
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Env } from '../shared/env.js';
import { loggerOf, metricsOf, secretsOf, type Platform } from '../shared/platform.js';
import { ingestConfigFromEnv } from './config.js';
import { createUpstreamSecrets, handleIngestRequest, type IngestConfig, type IngestDeps, type IngestMetrics, type IngestRequest } from './ingest.js';
import {
  claimNonce,
  dynamoOperations,
  getCreditContributions,
  quarantine,
  readRecordState,
  recordCreditCheck,
  throttleRequest,
} from '../shared/state/dynamo/index.js';

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
const STATE_OPERATIONS = { claimNonce, getCreditContributions, quarantine, readRecordState, recordCreditCheck, throttleRequest };

/**
 * The ingest metrics as Powertools writes them: each data point published at once, in the stage's
 * namespace, with the dimensions it is counted with (one Metrics per set of dimensions, so requests
 * served side by side — the local server — never share one's pending dimensions).
 */
export function ingestMetrics(metricsWith: (dimensions: Record<string, string>) => Metrics): IngestMetrics {
  const byDimensions = new Map<string, Metrics>();
  return {
    count(name, value, dimensions) {
      const key = JSON.stringify(Object.entries(dimensions).sort());
      let metrics = byDimensions.get(key);
      if (!metrics) byDimensions.set(key, (metrics = metricsWith({ ...dimensions })));
      metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    },
  };
}

/**
 * What handleIngestRequest needs, from the environment: config, upstream secrets, nonce store,
 * throttle, metrics and the platform's calendar. `overrides`: settings no environment variable
 * carries (a test's credit policy).
 */
export function composeIngestDeps(env: Env, platform: Platform, overrides: Partial<Omit<IngestConfig, 'upstreams'>> = {}): IngestDeps & { logger: Logger } {
  const config = { ...ingestConfigFromEnv(env), ...overrides };
  return {
    state: dynamoOperations({ ddb: platform.ddb, tableName: config.tableName }, STATE_OPERATIONS),
    sqs: platform.sqs,
    config,
    secrets: createUpstreamSecrets(secretsOf(platform, 'ingest'), config.upstreams),
    logger: loggerOf(platform, 'ingest'),
    metrics: ingestMetrics((dimensions) => metricsOf(platform, 'ingest', env, dimensions)),
    ...(platform.today && { today: platform.today }),
    evidence: () => sqsEvidenceOutbox(platform.sqs, config.evidenceQueueUrl),
  };
}

export const composeIngest = (env: Env, platform: Platform, overrides: Partial<Omit<IngestConfig, 'upstreams'>> = {}) =>
  createIngestHandler(composeIngestDeps(env, platform, overrides));
