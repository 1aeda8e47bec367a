/** The intake function's configuration, from its environment (set by the stack or the local runtime). */
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import type { IntakeConfig } from './intake.js';

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

/**
 * TABLE_NAME — the sync-state table;
 * LANE_QUEUE_URLS — JSON object: destination id → lane queue URL, one per destination of the topology;
 * INTAKE_DLQ_URL — optional: the intake queue's DLQ, for bodies too large to quarantine in the table.
 */
export function intakeConfigFromEnv(env: NodeJS.ProcessEnv): IntakeConfig {
  const tableName = env['TABLE_NAME'];
  if (!tableName) throw new ConfigurationError('TABLE_NAME is not set: the sync-state table name');
  return { tableName, laneQueueUrls: laneQueueUrlsFromEnv(env), ...(env['INTAKE_DLQ_URL'] && { intakeDlqUrl: env['INTAKE_DLQ_URL'] }) };
}

/** LANE_QUEUE_URLS — JSON object: destination id → lane queue URL, one per destination of the topology. */
export function laneQueueUrlsFromEnv(env: NodeJS.ProcessEnv): Record<DestinationId, string> {
  let lanes: unknown;
  try {
    lanes = JSON.parse(env['LANE_QUEUE_URLS'] ?? '');
  } catch {
    throw new ConfigurationError(`LANE_QUEUE_URLS must be a JSON object of destination → queue URL (destinations: ${DESTINATION_IDS.join(', ')})`);
  }
  const laneQueueUrls: Partial<Record<DestinationId, string>> = {};
  for (const destination of DESTINATION_IDS) {
    const url = (lanes as Record<string, unknown> | null)?.[destination];
    if (typeof url !== 'string' || url === '') throw new ConfigurationError(`LANE_QUEUE_URLS has no queue URL for destination ${destination}`);
    laneQueueUrls[destination] = url;
  }
  return laneQueueUrls as Record<DestinationId, string>;
}
