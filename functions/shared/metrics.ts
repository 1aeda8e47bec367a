/**
 * The CloudWatch namespace of every function's Powertools metrics. The stack gives each stage its
 * own (POWERTOOLS_METRICS_NAMESPACE=CreditExchange/<stage>), so two stages in one account never
 * count into each other's metrics and alarms; without it (tests, the local runtime) it is
 * CreditExchange.
 */
import { ENV } from '../../topology/names.js';
import type { Env } from './env.js';

export const DEFAULT_METRICS_NAMESPACE = 'CreditExchange';

export function metricsNamespace(env: Env): string {
  const namespace = env[ENV.metricsNamespace];
  // an empty value counts as unset: Powertools would publish it under its own default namespace
  return namespace === undefined || namespace === '' ? DEFAULT_METRICS_NAMESPACE : namespace;
}

/** Counts a function's named metrics (Powertools in Lambda; tests pass their own). */
export interface Counters<Name extends string> {
  count(name: Name, value: number): void;
}
