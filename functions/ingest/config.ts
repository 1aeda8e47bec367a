/** The ingest function's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { SECRET_PREFIX_PATTERN, resolveUpstreams, type Upstream } from '../../topology/upstreams.js';
import { ENV } from '../../topology/names.js';
import { positiveInteger, requiredEnv, tableNameFromEnv, type Env } from '../shared/env.js';
import { ConfigurationError } from '../shared/errors.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS_PER_REQUEST, type IngestConfig } from './ingest.js';

/** The secret prefix outside a stack (the local runtime, a single deployment): secrets `credex/upstreams/<upstreamId>`. */
export const DEFAULT_SECRETS_PREFIX = 'credex';

function secretsPrefix(env: Env): string {
  const text = env[ENV.secretsPrefix];
  if (text === undefined || text === '') return DEFAULT_SECRETS_PREFIX;
  if (!SECRET_PREFIX_PATTERN.test(text)) {
    throw new ConfigurationError(
      `${ENV.secretsPrefix} must be Secrets Manager name parts (letters, digits, _+=.@-) separated by single slashes, without a leading or trailing slash; got ${JSON.stringify(text)}`,
    );
  }
  return text;
}

/**
 * TABLE_NAME — the sync-state table (records, quarantine, nonces, throttle counters);
 * INTAKE_QUEUE_URL — the intake queue;
 * MAX_RECORDS_PER_REQUEST, MAX_BODY_BYTES — optional limits (defaults 100 and 5 MiB);
 * SECRETS_PREFIX — optional: each upstream's secret is `<prefix>/upstreams/<upstreamId>` (default
 * `credex`; the stack sets `credex/<stage>`); EVIDENCE_QUEUE_URL — where each request's evidence entry goes.
 * Upstreams come from topology/upstreams.ts.
 */
export function ingestConfigFromEnv(env: Env): IngestConfig & { upstreams: Readonly<Record<string, Upstream>>; evidenceQueueUrl: string } {
  return {
    tableName: tableNameFromEnv(env),
    intakeQueueUrl: requiredEnv(env, ENV.intakeQueueUrl, 'the intake queue URL'),
    evidenceQueueUrl: requiredEnv(env, ENV.evidenceQueueUrl, 'the evidence queue URL'),
    upstreams: resolveUpstreams(secretsPrefix(env)),
    maxRecordsPerRequest: positiveInteger(env, ENV.maxRecordsPerRequest, DEFAULT_MAX_RECORDS_PER_REQUEST),
    maxBodyBytes: positiveInteger(env, ENV.maxBodyBytes, DEFAULT_MAX_BODY_BYTES),
  };
}
