/**
 * Reading a function's environment: each parser (functions/<fn>/config.ts) names the variables it
 * needs (topology/names.ts ENV) and says what is wrong with a value, in a ConfigurationError.
 */
import { ENV } from '../../topology/names.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { ConfigurationError } from './errors.js';

export type Env = Readonly<Record<string, string | undefined>>;

/** A variable that must be set and not empty; `what` says what it holds. */
export function requiredEnv(env: Env, name: string, what: string): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`${name} is not set: ${what}`);
  return value;
}

/** An optional number: undefined when unset or empty, else the value `valid` accepts. */
export function optionalNumber(env: Env, name: string, expected: string, valid: (value: number) => boolean): number | undefined {
  const text = env[name];
  if (text === undefined || text === '') return undefined;
  const value = Number(text);
  if (!valid(value)) throw new ConfigurationError(`${name} must be ${expected}; got ${JSON.stringify(text)}`);
  return value;
}

/** An optional positive integer, `fallback` when unset or empty. */
export function positiveInteger(env: Env, name: string, fallback: number): number {
  return optionalNumber(env, name, 'a positive integer', (v) => Number.isSafeInteger(v) && v >= 1) ?? fallback;
}

/** LANE_QUEUE_URLS — JSON object: destination id → lane queue URL, one per destination of the topology. */
export function laneQueueUrlsFromEnv(env: Env): Record<DestinationId, string> {
  let lanes: unknown;
  try {
    lanes = JSON.parse(env[ENV.laneQueueUrls] ?? '');
  } catch {
    throw new ConfigurationError(`${ENV.laneQueueUrls} must be a JSON object of destination → queue URL (destinations: ${DESTINATION_IDS.join(', ')})`);
  }
  const laneQueueUrls: Partial<Record<DestinationId, string>> = {};
  for (const destination of DESTINATION_IDS) {
    const url = (lanes as Record<string, unknown> | null)?.[destination];
    if (typeof url !== 'string' || url === '') throw new ConfigurationError(`${ENV.laneQueueUrls} has no queue URL for destination ${destination}`);
    laneQueueUrls[destination] = url;
  }
  return laneQueueUrls as Record<DestinationId, string>;
}

/** TABLE_NAME — the sync-state table, which every function uses. */
export const tableNameFromEnv = (env: Env): string => requiredEnv(env, ENV.tableName, 'the sync-state table name');
