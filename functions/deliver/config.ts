/** The deliver function's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { ENV } from '../../topology/names.js';
import { DESTINATION_IDS, destinations, type DestinationId } from '../../topology/topology.js';
import { optionalNumber, requiredEnv, tableNameFromEnv, type Env } from '../shared/env.js';
import { ConfigurationError } from '../shared/errors.js';
import type { DeliverConfig } from './deliver.js';

/**
 * TABLE_NAME — the sync-state table; DESTINATION — this lane's destination id;
 * ENDPOINT_URL — the destination's base URL; LANE_QUEUE_URL — this lane's queue;
 * CREDENTIALS_SECRET — the Secrets Manager secret (JSON: appKey, secret, fieldKey?);
 * EVIDENCE_QUEUE_URL — where each request's evidence entry goes.
 * The lane settings come from the topology (topology/topology.ts); a stage may override two of them:
 * RATE_LIMIT_PER_SECOND — optional: requests per second the destination accepts (positive);
 * MAX_CONCURRENCY — optional: concurrent invocations of the lane at most (a positive integer); each
 * invocation paces itself to RATE_LIMIT_PER_SECOND / MAX_CONCURRENCY, so it must be the event
 * source's MaximumConcurrency.
 */
export function deliverConfigFromEnv(env: Env): DeliverConfig & { credentialsSecret: string; evidenceQueueUrl: string } {
  const destination = requiredEnv(env, ENV.destination, `this lane's destination (${DESTINATION_IDS.join(', ')})`);
  if (!(DESTINATION_IDS as string[]).includes(destination))
    throw new ConfigurationError(`${ENV.destination} ${destination} is not one of ${DESTINATION_IDS.join(', ')}`);
  const id = destination as DestinationId;
  const rateLimitPerSecond = optionalNumber(env, ENV.rateLimitPerSecond, 'a positive number of requests per second', (v) => Number.isFinite(v) && v > 0);
  const maxConcurrency = optionalNumber(
    env,
    ENV.maxConcurrency,
    'a positive integer (concurrent invocations of the lane)',
    (v) => Number.isSafeInteger(v) && v >= 1,
  );
  return {
    tableName: tableNameFromEnv(env),
    destination: id,
    endpointUrl: requiredEnv(env, ENV.endpointUrl, "the destination's base URL").replace(/\/+$/, ''),
    queueUrl: requiredEnv(env, ENV.laneQueueUrl, "this lane's queue URL"),
    evidenceQueueUrl: requiredEnv(env, ENV.evidenceQueueUrl, 'the evidence queue URL'),
    lane: {
      ...destinations[id].lane,
      ...(rateLimitPerSecond !== undefined && { rateLimitPerSecond }),
      ...(maxConcurrency !== undefined && { maxConcurrency }),
    },
    credentialsSecret: requiredEnv(env, ENV.credentialsSecret, "the Secrets Manager secret with this destination's appKey and secret"),
  };
}
