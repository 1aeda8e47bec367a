/** The ingest function's configuration, from its environment (set by the stack or the local runtime). */
import { upstreams as defaultUpstreams } from '../../infra/upstreams.js';
import { DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_RECORDS_PER_REQUEST, type IngestConfig } from './ingest.js';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const text = env[name];
  if (text === undefined || text === '') return fallback;
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value <= 0) throw new ConfigurationError(`${name} must be a positive integer; got ${JSON.stringify(text)}`);
  return value;
}

/**
 * TABLE_NAME — the sync-state table (records, quarantine, nonces, throttle counters);
 * INTAKE_QUEUE_URL — the intake queue;
 * MAX_RECORDS_PER_REQUEST, MAX_BODY_BYTES — optional limits (defaults 100 and 5 MiB).
 * Upstreams come from infra/upstreams.ts.
 */
export function ingestConfigFromEnv(env: NodeJS.ProcessEnv): IngestConfig {
  const tableName = env['TABLE_NAME'];
  if (!tableName) throw new ConfigurationError('TABLE_NAME is not set: the sync-state table name');
  const intakeQueueUrl = env['INTAKE_QUEUE_URL'];
  if (!intakeQueueUrl) throw new ConfigurationError('INTAKE_QUEUE_URL is not set: the intake queue URL');
  return {
    tableName,
    intakeQueueUrl,
    upstreams: defaultUpstreams,
    maxRecordsPerRequest: positiveInteger(env, 'MAX_RECORDS_PER_REQUEST', DEFAULT_MAX_RECORDS_PER_REQUEST),
    maxBodyBytes: positiveInteger(env, 'MAX_BODY_BYTES', DEFAULT_MAX_BODY_BYTES),
  };
}
