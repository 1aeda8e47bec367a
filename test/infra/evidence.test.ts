/**
 * The evidence log's infrastructure: the Object Lock bucket (compliance mode, the stage's days,
 * versioned, its own key, no public access, TLS only, access logs, deletes denied to everyone,
 * retained), the signing key (SM2 in the China Regions, retained), the sealer on its schedule, the
 * alarms and the outputs the CLI reads.
 */
import { evidenceKeyFor, EVIDENCE_DENIED_ACTIONS } from '../../infra/constructs/evidence-log.js';
import { OUTPUTS } from '../../infra/outputs.js';
import { planExchange } from '../../infra/plan.js';
import { EVIDENCE_OLDEST_MESSAGE_MINUTES } from '../../infra/stack.js';
import { stages } from '../../infra/stages.js';
import { refId, resourcesOf, stackKeyId, synthesize, synthesized } from './synth.js';

const templates = { dev: synthesized('dev'), prod: synthesized('prod') };
const plan = planExchange();

/** The one resource of a type whose logical id starts with `prefix` (the construct path `Evidence/…`). */
function only(template: (typeof templates)['dev'], type: string, prefix: string) {
  const found = Object.entries(resourcesOf(template, type)).filter(([id]) => id.startsWith(prefix));
  expect(found).toHaveLength(1);
  const [id, resource] = found[0]!;
  return { id, ...resource };
}

const bucketOf = (template: (typeof templates)['dev']) => only(template, 'AWS::S3::Bucket', 'EvidenceBucket');

describe.each(['dev', 'prod'] as const)('the %s evidence bucket', (stage) => {
  const template = templates[stage];
  const bucket = bucketOf(template);

  it("locks every object in COMPLIANCE mode for the stage's days", () => {
    expect(bucket.Properties['ObjectLockEnabled']).toBe(true);
    expect(bucket.Properties['ObjectLockConfiguration']).toEqual({
      ObjectLockEnabled: 'Enabled',
      Rule: { DefaultRetention: { Mode: 'COMPLIANCE', Days: stages[stage]!.evidenceRetentionDays } },
    });
  });

  it('is versioned, and no lifecycle rule removes anything from it', () => {
    expect(bucket.Properties['VersioningConfiguration']).toEqual({ Status: 'Enabled' });
    expect(bucket.Properties['LifecycleConfiguration']).toBeUndefined();
  });

  it('is encrypted with a customer-managed key of its own: symmetric, rotated, retained', () => {
    const [rule] = bucket.Properties['BucketEncryption'].ServerSideEncryptionConfiguration;
    expect(rule.ServerSideEncryptionByDefault.SSEAlgorithm).toBe('aws:kms');
    const keyId = refId(rule.ServerSideEncryptionByDefault.KMSMasterKeyID)!;
    expect(keyId).not.toBe(stackKeyId(template, stage));
    const key = resourcesOf(template, 'AWS::KMS::Key')[keyId]!;
    expect(key.Properties['KeySpec'] ?? 'SYMMETRIC_DEFAULT').toBe('SYMMETRIC_DEFAULT');
    expect(key.Properties['EnableKeyRotation']).toBe(true);
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('blocks all public access and is retained with the stack whatever the stage', () => {
    expect(bucket.Properties['PublicAccessBlockConfiguration']).toEqual({
      BlockPublicAcls: true,
      BlockPublicPolicy: true,
      IgnorePublicAcls: true,
      RestrictPublicBuckets: true,
    });
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('logs server access to a bucket of its own, itself private, TLS-only and retained', () => {
    const logs = only(template, 'AWS::S3::Bucket', 'EvidenceAccessLogs');
    expect(bucket.Properties['LoggingConfiguration']).toEqual({ DestinationBucketName: { Ref: logs.id }, LogFilePrefix: 'evidence/' });
    expect(logs.Properties['PublicAccessBlockConfiguration']).toMatchObject({ BlockPublicAcls: true, RestrictPublicBuckets: true });
    expect(logs).toMatchObject({ DeletionPolicy: 'Retain' });
    const policy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).find((p) => refId(p.Properties['Bucket']) === logs.id)!;
    expect(policy.Properties['PolicyDocument'].Statement).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
  });

  it('denies deleting objects and versions, changing Object Lock and bypassing governance to every principal, and plain HTTP', () => {
    const policy = Object.values(resourcesOf(template, 'AWS::S3::BucketPolicy')).find((p) => refId(p.Properties['Bucket']) === bucket.id)!;
    const statements = policy.Properties['PolicyDocument'].Statement as Array<Record<string, unknown>>;
    const deny = statements.find((st) => st['Sid'] === 'EvidenceIsNeverDeleted')!;
    expect(deny).toMatchObject({ Effect: 'Deny' });
    expect(['*', { AWS: '*' }]).toContainEqual(deny['Principal']);
    expect([deny['Action']].flat().sort()).toEqual([...EVIDENCE_DENIED_ACTIONS].sort());
    expect(deny['Action']).toEqual(
      expect.arrayContaining(['s3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutBucketObjectLockConfiguration', 's3:BypassGovernanceRetention']),
    );
    expect(deny['Condition']).toBeUndefined();
    expect(deny['Resource']).toEqual([{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, '/*']] }]);
    expect(statements).toContainEqual(expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }));
    // a window is never written over: a PUT to windows/ without If-None-Match is refused to everyone
    expect(statements.find((st) => st['Sid'] === 'WindowsAreCreatedOnce')).toMatchObject({
      Effect: 'Deny',
      Action: 's3:PutObject',
      Condition: { Null: { 's3:if-none-match': 'true' } },
      Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucket.id, 'Arn'] }, '/windows/*']] },
    });
  });

  it('nothing in the template allows an evidence delete', () => {
    const allows = JSON.stringify(
      Object.values({ ...resourcesOf(template, 'AWS::IAM::Policy'), ...resourcesOf(template, 'AWS::IAM::ManagedPolicy') }).map(
        (p) => p.Properties['PolicyDocument'],
      ),
    );
    for (const action of EVIDENCE_DENIED_ACTIONS) expect(allows).not.toContain(action);
    expect(allows).not.toMatch(/"s3:\*"|"s3:Delete\*"/);
  });
});

describe('the signing key', () => {
  it.each(['dev', 'prod'] as const)('is SM2 for SIGN_VERIFY in the %s stage (cn-north-1), never rotated, retained', (stage) => {
    expect(stages[stage]!.env.region).toBe('cn-north-1');
    const key = only(templates[stage], 'AWS::KMS::Key', 'EvidenceSigningKey');
    expect(key.Properties).toMatchObject({ KeySpec: 'SM2', KeyUsage: 'SIGN_VERIFY', EnableKeyRotation: false });
    expect(key).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
  });

  it('is SM2 with SM2DSA in the China Regions, where KMS offers SM2, and ECC P-256 with ECDSA_SHA_256 elsewhere', () => {
    expect(evidenceKeyFor('cn-north-1')).toEqual({ keySpec: 'SM2', signingAlgorithm: 'SM2DSA' });
    expect(evidenceKeyFor('cn-northwest-1')).toEqual({ keySpec: 'SM2', signingAlgorithm: 'SM2DSA' });
    expect(evidenceKeyFor('eu-west-1')).toEqual({ keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' });
    expect(evidenceKeyFor('us-east-1')).toEqual({ keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' });
  });

  it('is ECC_NIST_P256 in a stage outside China, and the sealer and the outputs say ECDSA_SHA_256', () => {
    const { template } = synthesize({ stage: { ...stages['dev']!, name: 'eu', env: { region: 'eu-west-1' } } });
    expect(only(template, 'AWS::KMS::Key', 'EvidenceSigningKey').Properties).toMatchObject({ KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' });
    const seal = Object.values(resourcesOf(template, 'AWS::Lambda::Function')).find((f) => f.Properties['FunctionName'] === 'credex-eu-seal')!;
    expect(seal.Properties['Environment'].Variables['EVIDENCE_SIGNING_ALGORITHM']).toBe('ECDSA_SHA_256');
    expect(template.toJSON().Outputs[OUTPUTS.evidenceSigningAlgorithm].Value).toBe('ECDSA_SHA_256');
  });
});

describe('the sealer', () => {
  const functions = resourcesOf(templates.dev, 'AWS::Lambda::Function');
  const [sealId, seal] = Object.entries(functions).find(([, f]) => f.Properties['FunctionName'] === 'credex-dev-seal')!;

  it("runs one at a time with the plan's size, told the queue, the bucket, the key and its algorithm", () => {
    expect(seal.Properties).toMatchObject({
      ReservedConcurrentExecutions: 1,
      Timeout: plan.evidence.seal.timeoutSeconds,
      MemorySize: plan.evidence.seal.memoryMb,
    });
    const variables = seal.Properties['Environment'].Variables;
    expect(variables).toMatchObject({ STAGE: 'dev', EVIDENCE_SIGNING_ALGORITHM: 'SM2DSA', POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/dev' });
    expect(refId(variables['EVIDENCE_BUCKET'])).toBe(bucketOf(templates.dev).id);
    expect(refId(variables['EVIDENCE_KEY_ARN'])).toBe(only(templates.dev, 'AWS::KMS::Key', 'EvidenceSigningKey').id);
    const queues = resourcesOf(templates.dev, 'AWS::SQS::Queue');
    expect(queues[refId(variables['EVIDENCE_QUEUE_URL'])!]?.Properties['QueueName']).toBe('credex-dev-evidence');
  });

  it('runs every minute on an EventBridge Scheduler schedule, as the pull and the sweep', () => {
    expect(plan.evidence.intervalSeconds).toBe(60);
    const schedule = Object.values(resourcesOf(templates.dev, 'AWS::Scheduler::Schedule')).find((s) => s.Properties['Name'] === 'credex-dev-seal')!;
    expect(schedule.Properties).toMatchObject({ ScheduleExpression: 'rate(1 minute)', State: 'ENABLED' });
    expect(refId(schedule.Properties['Target'].Arn)).toBe(sealId);
    expect(schedule.Properties['Target'].RetryPolicy).toEqual({ MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 300 });
  });

  it("the evidence queue keeps a message invisible for two of the sealer's runs and moves one refused five times to its DLQ", () => {
    const queues = resourcesOf(templates.dev, 'AWS::SQS::Queue');
    const [, queue] = Object.entries(queues).find(([, q]) => q.Properties['QueueName'] === 'credex-dev-evidence')!;
    expect(queue.Properties['VisibilityTimeout']).toBe(2 * plan.evidence.seal.timeoutSeconds);
    expect(queue.Properties['RedrivePolicy'].maxReceiveCount).toBe(100);
    expect(queues[refId(queue.Properties['RedrivePolicy'].deadLetterTargetArn)!]?.Properties['QueueName']).toBe('credex-dev-evidence-dlq');
  });
});

describe('alarms and outputs', () => {
  const alarms = Object.values(resourcesOf(templates.dev, 'AWS::CloudWatch::Alarm'));
  const alarm = (name: string) => alarms.find((a) => a.Properties['AlarmName'] === name);

  it('alarms on a message in the evidence DLQ, and on an entry waiting over 10 minutes (sealing stopped)', () => {
    expect(alarm('credex-dev-evidence-dlq-not-empty')?.Properties).toMatchObject({ Threshold: 1, MetricName: 'ApproximateNumberOfMessagesVisible' });
    expect(EVIDENCE_OLDEST_MESSAGE_MINUTES).toBe(10);
    expect(alarm('credex-dev-evidence-oldest-message')?.Properties).toMatchObject({
      Threshold: 600,
      MetricName: 'ApproximateAgeOfOldestMessage',
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    });
    expect(alarm('credex-dev-seal-errors')).toBeDefined();
    // throttled by design when a trigger finds a run still going
    expect(alarm('credex-dev-seal-throttles')).toBeUndefined();
  });

  it('names the bucket, the signing key and algorithm, the evidence queue and its DLQ for the CLI', () => {
    const outputs = templates.dev.toJSON().Outputs as Record<string, { Value: unknown }>;
    const queues = resourcesOf(templates.dev, 'AWS::SQS::Queue');
    const queueName = (key: string) => queues[refId(outputs[key]?.Value)!]?.Properties['QueueName'];
    expect(refId(outputs[OUTPUTS.evidenceBucketName]?.Value)).toBe(bucketOf(templates.dev).id);
    expect(outputs[OUTPUTS.evidenceSigningKeyArn]?.Value).toEqual({ 'Fn::GetAtt': [only(templates.dev, 'AWS::KMS::Key', 'EvidenceSigningKey').id, 'Arn'] });
    expect(outputs[OUTPUTS.evidenceSigningAlgorithm]?.Value).toBe('SM2DSA');
    expect(queueName(OUTPUTS.evidenceQueueUrl)).toBe('credex-dev-evidence');
    expect(queueName(OUTPUTS.evidenceDlqUrl)).toBe('credex-dev-evidence-dlq');
  });
});
