/**
 * The CloudWatch namespace of every function's Powertools metrics. The stack gives each stage its
 * own (POWERTOOLS_METRICS_NAMESPACE=CreditExchange/<stage>), so two stages in one account never
 * count into each other's metrics and alarms; without it (tests, the local runtime) it is
 * CreditExchange.
 */
export const DEFAULT_METRICS_NAMESPACE = 'CreditExchange';

export function metricsNamespace(env: NodeJS.ProcessEnv): string {
  const namespace = env['POWERTOOLS_METRICS_NAMESPACE'];
  // an empty value counts as unset: Powertools would publish it under its own default namespace
  return namespace === undefined || namespace === '' ? DEFAULT_METRICS_NAMESPACE : namespace;
}
