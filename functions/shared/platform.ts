/**
 * What a function is built from besides its environment: the AWS clients, where secrets come
 * from, how it logs and counts, and its calendar. Lambda passes `awsClients()` (the SDK's defaults:
 * region and endpoints from the environment) and takes the rest by default; the local runtime
 * passes local clients, secrets in memory, a quieter logger and metrics it never prints.
 * Each function's composition root (functions/<fn>/compose.ts) takes an environment map and a
 * Platform, so both build the same handler through the same config parser.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { Context } from 'aws-lambda';
import { SERVICES, type ServiceRole } from '../../topology/names.js';
import type { Env } from './env.js';
import { ConfigurationError } from './errors.js';
import { metricsNamespace } from './metrics.js';
import type { SecretSource } from './signing/credentials.js';

export interface Platform {
  ddb: DynamoDBDocumentClient;
  sqs: SQSClient;
  /** Needed by the functions that sign (deliver, pull) or verify (ingest). */
  secrets?: SecretSource;
  /** Default: a Powertools Logger named for the service (its level from POWERTOOLS_LOG_LEVEL). */
  logger?: (service: ServiceRole, persistentKeys?: Record<string, string>) => Logger;
  /** Default: Powertools Metrics in the environment's namespace (POWERTOOLS_METRICS_NAMESPACE). */
  metrics?: (service: ServiceRole, env: Env, defaultDimensions?: Record<string, string>) => Metrics;
  /** The calendar day publication is decided on (YYYY-MM-DD); default the Beijing date of the clock. */
  today?: () => string;
}

/** The document client every function uses: undefined attributes are left out, not refused. */
export function documentClient(ddb: DynamoDBClient): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
}

/** Lambda's clients: the SDK's defaults (region, credentials, AWS_ENDPOINT_URL_* from the environment). */
export function awsClients(): Pick<Platform, 'ddb' | 'sqs'> {
  return { ddb: documentClient(new DynamoDBClient({})), sqs: new SQSClient({}) };
}

export function loggerOf(platform: Platform, service: ServiceRole, persistentKeys?: Record<string, string>): Logger {
  return platform.logger ? platform.logger(service, persistentKeys) : new Logger({ serviceName: SERVICES[service], ...(persistentKeys && { persistentKeys }) });
}

/** Each function's Powertools metrics, in the stage's namespace; dimension `service` (and the lane's, for deliver). */
export function metricsOf(platform: Platform, service: ServiceRole, env: Env, defaultDimensions?: Record<string, string>): Metrics {
  return (platform.metrics ?? powertoolsMetrics)(service, env, defaultDimensions);
}

/** Lambda's metrics: CloudWatch EMF in the environment's namespace (POWERTOOLS_METRICS_NAMESPACE). */
export function powertoolsMetrics(service: ServiceRole, env: Env, defaultDimensions?: Record<string, string>): Metrics {
  return new Metrics({ namespace: metricsNamespace(env), serviceName: SERVICES[service], ...(defaultDimensions && { defaultDimensions }) });
}

/** The platform's secret source, for the functions that sign or verify: its absence is a wiring mistake. */
export function secretsOf(platform: Platform, service: ServiceRole): SecretSource {
  if (!platform.secrets) throw new ConfigurationError(`${SERVICES[service]} needs a secret source: the platform has none`);
  return platform.secrets;
}

/** A Lambda entry point built on its first invocation, so importing the module never reads the environment. */
export function builtOnFirstCall<E, R>(build: () => (event: E, context: Context) => Promise<R>): (event: E, context: Context) => Promise<R> {
  let built: ((event: E, context: Context) => Promise<R>) | undefined;
  return (event, context) => (built ??= build())(event, context);
}
