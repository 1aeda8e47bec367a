/** The intake function's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { ENV } from '../../topology/names.js';
import { laneQueueUrlsFromEnv, tableNameFromEnv, type Env } from '../shared/env.js';
import type { IntakeConfig } from './intake.js';

/**
 * TABLE_NAME — the sync-state table;
 * LANE_QUEUE_URLS — JSON object: destination id → lane queue URL, one per destination of the topology;
 * INTAKE_DLQ_URL — optional: the intake queue's DLQ, for bodies too large to quarantine in the table.
 */
export function intakeConfigFromEnv(env: Env): IntakeConfig {
  const intakeDlqUrl = env[ENV.intakeDlqUrl];
  return { tableName: tableNameFromEnv(env), laneQueueUrls: laneQueueUrlsFromEnv(env), ...(intakeDlqUrl && { intakeDlqUrl }) };
}
