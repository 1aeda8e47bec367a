import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { intakeBatchMetrics, OUTCOME_METRICS } from '../../../functions/intake/compose.js';
import { powertoolsMetrics } from '../../../functions/shared/platform.js';
import type { IntakeOutcome } from '../../../functions/intake/intake.js';
import { captureOutput } from '../../support/capture-output.js';
import { emfBlobs } from '../../support/emf.js';

const ALL_METRICS = ['Received', 'Routed', 'Duplicates', 'Superseded', 'Quarantined', 'Failed', 'CommitmentsFromIneligible'];

describe('intake batch metrics', () => {
  it('count the messages received and each outcome under the names the stack alarms on', () => {
    const outcomes: IntakeOutcome[] = ['routed', 'quarantined', 'routed', 'duplicate', 'superseded', 'failed', 'quarantined', 'routed'];
    expect(intakeBatchMetrics(8, outcomes, 2)).toEqual({
      Received: 8,
      Routed: 3,
      Duplicates: 1,
      Superseded: 1,
      Quarantined: 2,
      Failed: 1,
      CommitmentsFromIneligible: 2,
    });
  });

  it('name every outcome, and report zeros so every batch gives each metric a data point', () => {
    expect(OUTCOME_METRICS).toEqual({ routed: 'Routed', duplicate: 'Duplicates', superseded: 'Superseded', quarantined: 'Quarantined', failed: 'Failed' });
    expect(intakeBatchMetrics(1, ['routed'])).toEqual({
      Received: 1,
      Routed: 1,
      Duplicates: 0,
      Superseded: 0,
      Quarantined: 0,
      Failed: 0,
      CommitmentsFromIneligible: 0,
    });
    expect(intakeBatchMetrics(0, [])).toEqual({
      Received: 0,
      Routed: 0,
      Duplicates: 0,
      Superseded: 0,
      Quarantined: 0,
      Failed: 0,
      CommitmentsFromIneligible: 0,
    });
  });

  it('are published in the stage namespace with the dimension service=credex-intake only', async () => {
    const metrics = powertoolsMetrics('intake', { POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/test' });
    const output = await captureOutput(async () => {
      for (const [name, value] of Object.entries(intakeBatchMetrics(2, ['quarantined', 'routed']))) metrics.addMetric(name, MetricUnit.Count, value);
      metrics.publishStoredMetrics();
    });
    const [emf, ...more] = emfBlobs(output);
    expect(more).toEqual([]);
    const directive = emf!._aws.CloudWatchMetrics[0]!;
    expect(directive.Namespace).toBe('CreditExchange/test');
    expect(directive.Dimensions).toEqual([['service']]);
    expect(emf!['service']).toBe('credex-intake');
    expect(directive.Metrics.map((m) => m.Name).sort()).toEqual([...ALL_METRICS].sort());
    expect(directive.Metrics.every((m) => m.Unit === 'Count')).toBe(true);
    expect(Object.fromEntries(ALL_METRICS.map((name) => [name, emf![name]]))).toEqual({
      Received: 2,
      Routed: 1,
      Duplicates: 0,
      Superseded: 0,
      Quarantined: 1,
      Failed: 0,
      CommitmentsFromIneligible: 0,
    });
  });
});
