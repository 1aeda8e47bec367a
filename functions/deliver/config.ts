/** The deliver function's configuration, from its environment (set by the stack or the local runtime). */
import { DESTINATION_IDS, destinations, type DestinationId } from '../../topology/topology.js';
import { ConfigurationError } from '../intake/config.js';
import type { DeliverConfig } from './deliver.js';

/** An optional override: undefined when unset (or empty), else the value `valid` accepts. */
function optionalNumber(env: NodeJS.ProcessEnv, name: string, expected: string, valid: (value: number) => boolean): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!valid(value)) throw new ConfigurationError(`${name} must be ${expected}; got ${JSON.stringify(text)}`);
  return value;
}

/**
 * TABLE_NAME — the sync-state table; DESTINATION — this lane's destination id;
 * ENDPOINT_URL — the destination's base URL; LANE_QUEUE_URL — this lane's queue;
 * CREDENTIALS_SECRET — the Secrets Manager secret (JSON: appKey, secret, fieldKey?).
 * The lane settings come from the topology (topology/topology.ts); a stage may override two of them:
 * RATE_LIMIT_PER_SECOND — optional: requests per second the destination accepts (positive);
 * MAX_CONCURRENCY — optional: concurrent invocations of the lane at most (a positive integer); each
 * invocation paces itself to RATE_LIMIT_PER_SECOND / MAX_CONCURRENCY, so it must be the event
 * source's MaximumConcurrency.
 */
export function deliverConfigFromEnv(env: NodeJS.ProcessEnv): DeliverConfig & { credentialsSecret: string } {
  const required = (name: string, what: string): string => {
    const value = env[name];
    if (!value) throw new ConfigurationError(`${name} is not set: ${what}`);
    return value;
  };
  const destination = required('DESTINATION', `this lane's destination (${DESTINATION_IDS.join(', ')})`);
  if (!(DESTINATION_IDS as string[]).includes(destination)) throw new ConfigurationError(`DESTINATION ${destination} is not one of ${DESTINATION_IDS.join(', ')}`);
  const id = destination as DestinationId;
  const rateLimitPerSecond = optionalNumber(env, 'RATE_LIMIT_PER_SECOND', 'a positive number of requests per second', (v) => Number.isFinite(v) && v > 0);
  const maxConcurrency = optionalNumber(env, 'MAX_CONCURRENCY', 'a positive integer (concurrent invocations of the lane)', (v) => Number.isSafeInteger(v) && v >= 1);
  return {
    tableName: required('TABLE_NAME', 'the sync-state table name'),
    destination: id,
    endpointUrl: required('ENDPOINT_URL', "the destination's base URL").replace(/\/+$/, ''),
    queueUrl: required('LANE_QUEUE_URL', "this lane's queue URL"),
    lane: {
      ...destinations[id].lane,
      ...(rateLimitPerSecond !== undefined && { rateLimitPerSecond }),
      ...(maxConcurrency !== undefined && { maxConcurrency }),
    },
    credentialsSecret: required('CREDENTIALS_SECRET', "the Secrets Manager secret with this destination's appKey and secret"),
  };
}
