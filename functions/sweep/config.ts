/** The expiry sweep's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { ENV } from '../../topology/names.js';
import { expirySweep } from '../../topology/topology.js';
import { laneQueueUrlsFromEnv, positiveInteger, tableNameFromEnv, type Env } from '../shared/env.js';
import type { SweepConfig } from './sweep.js';

/**
 * TABLE_NAME — the sync-state table; LANE_QUEUE_URLS — JSON: destination → lane queue URL;
 * MAX_RECORDS_PER_RUN — optional: expiry entries one run handles (default the topology's).
 */
export function sweepConfigFromEnv(env: Env): SweepConfig {
  return {
    tableName: tableNameFromEnv(env),
    laneQueueUrls: laneQueueUrlsFromEnv(env),
    maxRecordsPerRun: positiveInteger(env, ENV.maxRecordsPerRun, expirySweep.maxRecordsPerRun),
  };
}
