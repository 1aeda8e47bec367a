/** The ingest function's configuration, from its environment (set by the stack or the local runtime). */
import { SECRET_PREFIX_PATTERN, resolveUpstreams, type Upstream } from '../../topology/upstreams.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS_PER_REQUEST, type IngestConfig } from './ingest.js';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/** The secret prefix outside a stack (the local runtime, a single deployment): secrets `credex/upstreams/<upstreamId>`. */
export const DEFAULT_SECRETS_PREFIX = 'credex';

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive integer; got ${JSON.stringify(text)}`);
  return value;
}

function secretsPrefix(env: NodeJS.ProcessEnv): string {
  const text = env['SECRETS_PREFIX'];
  if (text === undefined || text === '') return DEFAULT_SECRETS_PREFIX;
  if (!SECRET_PREFIX_PATTERN.test(text)) {
    throw new ConfigurationError(`SECRETS_PREFIX must be Secrets Manager name parts (letters, digits, _+=.@-) separated by single slashes, without a leading or trailing slash; got ${JSON.stringify(text)}`);
  }
  return text;
}

/**
 * TABLE_NAME — the sync-state table (records, quarantine, nonces, throttle counters);
 * INTAKE_QUEUE_URL — the intake queue;
 * MAX_RECORDS_PER_REQUEST, MAX_BODY_BYTES — optional limits (defaults 100 and 5 MiB);
 * SECRETS_PREFIX — optional: each upstream's secret is `<prefix>/upstreams/<upstreamId>` (default
 * `credex`; the stack sets `credex/<stage>`).
 * Upstreams come from topology/upstreams.ts.
 */
export function ingestConfigFromEnv(env: NodeJS.ProcessEnv): IngestConfig & { upstreams: Readonly<Record<string, Upstream>> } {
  const tableName = env['TABLE_NAME'];
  if (!tableName) throw new ConfigurationError('TABLE_NAME is not set: the sync-state table name');
  const intakeQueueUrl = env['INTAKE_QUEUE_URL'];
  if (!intakeQueueUrl) throw new ConfigurationError('INTAKE_QUEUE_URL is not set: the intake queue URL');
  return {
    tableName,
    intakeQueueUrl,
    upstreams: resolveUpstreams(secretsPrefix(env)),
    maxRecordsPerRequest: positiveInteger(env, 'MAX_RECORDS_PER_REQUEST', DEFAULT_MAX_RECORDS_PER_REQUEST),
    maxBodyBytes: positiveInteger(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
  };
}
