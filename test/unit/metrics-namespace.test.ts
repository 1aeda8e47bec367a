/** Each stage's functions publish their metrics in the stage's namespace (POWERTOOLS_METRICS_NAMESPACE). */
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { powertoolsMetrics } from '../../functions/shared/platform.js';
import { DEFAULT_METRICS_NAMESPACE, metricsNamespace } from '../../functions/shared/metrics.js';
import { captureOutput } from '../support/capture-output.js';
import { emfBlobs } from '../support/emf.js';

/** The namespace and dimensions of what `metrics` publishes. */
async function published(metrics: Metrics): Promise<{ namespace: string; dimensions: Record<string, unknown> }> {
  const output = await captureOutput(async () => {
    metrics.addMetric('Probe', MetricUnit.Count, 1);
    metrics.publishStoredMetrics();
  });
  const [emf] = emfBlobs(output);
  const directive = emf!._aws.CloudWatchMetrics[0]!;
  return { namespace: directive.Namespace, dimensions: Object.fromEntries(directive.Dimensions.flat().map((d) => [d, emf![d]])) };
}

describe('metricsNamespace', () => {
  it('is POWERTOOLS_METRICS_NAMESPACE, else CreditExchange', () => {
    expect(metricsNamespace({ POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/prod' })).toBe('CreditExchange/prod');
    expect(metricsNamespace({})).toBe('CreditExchange');
    expect(metricsNamespace({ POWERTOOLS_METRICS_NAMESPACE: '' })).toBe('CreditExchange');
    expect(DEFAULT_METRICS_NAMESPACE).toBe('CreditExchange');
  });
});

describe.each([
  ['intake', (env: NodeJS.ProcessEnv) => powertoolsMetrics('intake', env), { service: 'credex-intake' }],
  ['deliver', (env: NodeJS.ProcessEnv) => powertoolsMetrics('deliver', env, { lane: 'municipal' }), { service: 'credex-deliver', lane: 'municipal' }],
  ['pull', (env: NodeJS.ProcessEnv) => powertoolsMetrics('pull', env), { service: 'credex-pull' }],
])('the %s function', (_name, metricsFromEnv, dimensions) => {
  it('publishes in the namespace the stack sets for its stage', async () => {
    expect(await published(metricsFromEnv({ POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/staging' }))).toEqual({
      namespace: 'CreditExchange/staging',
      dimensions,
    });
  });

  it('publishes in CreditExchange when no namespace is set', async () => {
    expect(await published(metricsFromEnv({}))).toEqual({ namespace: 'CreditExchange', dimensions });
  });
});
