/** Fresh random credentials for every destination, as each destination would issue them. */
import { randomBytes } from 'node:crypto';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';

export type DestinationCredentials = Record<DestinationId, { appKey: string; secret: string; fieldKey: string }>;

export function destinationCredentials(appKeyPrefix: string): DestinationCredentials {
  return Object.fromEntries(
    DESTINATION_IDS.map((d) => [d, { appKey: `${appKeyPrefix}-${d}`, secret: randomBytes(24).toString('base64'), fieldKey: randomBytes(16).toString('hex') }]),
  ) as DestinationCredentials;
}
