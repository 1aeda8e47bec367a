/** The ingest composition root: the state operations it binds, the platform's calendar, and the credit check's metric as CloudWatch gets it. */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { composeIngestDeps, ingestMetrics } from '../../../functions/ingest/compose.js';
import { powertoolsMetrics, type Platform } from '../../../functions/shared/platform.js';
import { memorySecretSource } from '../../../functions/shared/signing/credentials.js';
import { METRICS } from '../../../topology/names.js';
import { captureOutput } from '../../support/capture-output.js';
import { emfBlobs } from '../../support/emf.js';

const env = {
  TABLE_NAME: 't',
  INTAKE_QUEUE_URL: 'https://sqs/intake',
  EVIDENCE_QUEUE_URL: 'https://sqs/evidence',
  POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/test',
};
const platform: Platform = {
  ddb: {} as DynamoDBDocumentClient,
  sqs: {} as SQSClient,
  secrets: memorySecretSource({}),
  today: () => '2026-12-07',
};

describe('composeIngestDeps', () => {
  it('binds exactly the state operations the API uses, the credit check’s read and log among them', () => {
    const deps = composeIngestDeps(env, platform);
    expect(Object.keys(deps.state).sort()).toEqual([
      'claimNonce',
      'getCreditContributions',
      'quarantine',
      'readRecordState',
      'recordCreditCheck',
      'throttleRequest',
    ]);
  });

  it('answers credit checks by the platform’s calendar, and counts them', () => {
    const deps = composeIngestDeps(env, platform);
    expect(deps.today?.()).toBe('2026-12-07');
    expect(deps.metrics).toBeDefined();
    expect(composeIngestDeps(env, { ...platform, today: undefined }).today).toBeUndefined();
  });
});

describe('the CreditChecks metric', () => {
  it('is named in topology/names.ts', () => expect(METRICS.ingest).toEqual(['CreditChecks']));

  it('is published at once per check, in the stage namespace, with the dimensions service and eligibility', async () => {
    const metrics = ingestMetrics((dimensions) => powertoolsMetrics('ingest', env, dimensions));
    const output = await captureOutput(async () => {
      metrics.count('CreditChecks', 1, { eligibility: 'notEligible' });
      metrics.count('CreditChecks', 1, { eligibility: 'eligible' });
      metrics.count('CreditChecks', 1, { eligibility: 'notEligible' });
    });
    const blobs = emfBlobs(output);
    expect(blobs).toHaveLength(3);
    for (const blob of blobs) {
      const directive = blob._aws.CloudWatchMetrics[0]!;
      expect(directive.Namespace).toBe('CreditExchange/test');
      expect(directive.Dimensions.map((d) => [...d].sort())).toEqual([['eligibility', 'service']]);
      expect(directive.Metrics).toEqual([{ Name: 'CreditChecks', Unit: 'Count' }]);
      expect(blob['service']).toBe('credex-ingest');
      expect(blob['CreditChecks']).toBe(1);
    }
    expect(blobs.map((b) => b['eligibility'])).toEqual(['notEligible', 'eligible', 'notEligible']);
  });
});
