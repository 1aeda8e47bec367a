/** The pull's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { ENV, FEED } from '../../topology/names.js';
import { requiredEnv, tableNameFromEnv, type Env } from '../shared/env.js';
import type { PullConfig } from './pull.js';

/**
 * TABLE_NAME — the sync-state table (the feed's cursor); INTAKE_QUEUE_URL — where pulled records go;
 * FEED_URL — the provincial platform's base URL; CREDENTIALS_SECRET — the Secrets Manager secret
 * (appKey, secret) the platform issued; FEED_SOURCE — optional: the source its records are
 * registered under (default hlj-credit-platform); EVIDENCE_QUEUE_URL — where each page read's evidence entry goes.
 */
export function pullConfigFromEnv(env: Env): PullConfig & { credentialsSecret: string; evidenceQueueUrl: string } {
  return {
    tableName: tableNameFromEnv(env),
    intakeQueueUrl: requiredEnv(env, ENV.intakeQueueUrl, 'the intake queue URL'),
    feedUrl: requiredEnv(env, ENV.feedUrl, "the provincial platform's base URL").replace(/\/+$/, ''),
    source: env[ENV.feedSource] || FEED.source,
    credentialsSecret: requiredEnv(env, ENV.credentialsSecret, "the Secrets Manager secret with the feed's appKey and secret"),
    evidenceQueueUrl: requiredEnv(env, ENV.evidenceQueueUrl, 'the evidence queue URL'),
  };
}
