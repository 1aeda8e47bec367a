/** The deliver function's configuration, from its environment (set by the stack or the local runtime). */
import { DESTINATION_IDS, destinations, type DestinationId } from '../../infra/topology.js';
import { ConfigurationError } from '../intake/config.js';
import type { DeliverConfig } from './deliver.js';

/**
 * TABLE_NAME — the sync-state table; DESTINATION — this lane's destination id;
 * ENDPOINT_URL — the destination's base URL; LANE_QUEUE_URL — this lane's queue;
 * CREDENTIALS_SECRET — the Secrets Manager secret (JSON: appKey, secret, fieldKey?).
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
  return {
    tableName: required('TABLE_NAME', 'the sync-state table name'),
    destination: id,
    endpointUrl: required('ENDPOINT_URL', "the destination's base URL").replace(/\/+$/, ''),
    queueUrl: required('LANE_QUEUE_URL', "this lane's queue URL"),
    lane: destinations[id].lane,
    credentialsSecret: required('CREDENTIALS_SECRET', "the Secrets Manager secret with this destination's appKey and secret"),
  };
}
