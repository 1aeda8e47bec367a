/**
 * The synthesized stack: durable encrypted queues with DLQs, event sources that report partial
 * batch failures with the plan's settings, the table's protection per stage, alarms per lane, the
 * dashboard, the ingest API's stage, the pull and expiry-sweep schedules, what an audit checks
 * (encrypted logs, bounded concurrency, failed runs kept) — targeted assertions, no whole-template
 * snapshot (which changed with every construct and reviewed nothing).
 */
import { Match } from 'aws-cdk-lib/assertions';
import { DESTINATION_IDS, destinations, topology } from '../../topology/topology.js';
import { concurrencyDemand, planExchange } from '../../infra/plan.js';
import { checkStage, stages } from '../../infra/stages.js';
import { registeredRequestsPerSecond, upstreams } from '../../topology/upstreams.js';
import { DEFAULT_ROUTING_LEASE_SECONDS } from '../../topology/topology.js';
import { STATUS_INDEX, TTL_ATTRIBUTE } from '../../topology/table.js';
import { refId, resourcesOf, stackKeyId, synthesize, synthesized } from './synth.js';
import { stagePlan } from '../../infra/stack.js';

const dev = { template: synthesized('dev') };
const prod = { template: synthesized('prod') };
const plan = planExchange(undefined, Object.fromEntries(Object.entries(stages['dev']!.rateLimits ?? {}).map(([d, r]) => [d, { rateLimitPerSecond: r }])));

const queues = resourcesOf(dev.template, 'AWS::SQS::Queue');
const functions = resourcesOf(dev.template, 'AWS::Lambda::Function');
const mappings = resourcesOf(dev.template, 'AWS::Lambda::EventSourceMapping');
const queueByName = (name: string) => Object.entries(queues).find(([, q]) => q.Properties['QueueName'] === name);

describe('queues', () => {
  const sourceQueues = Object.entries(queues).filter(
    ([, q]) => !String(q.Properties['QueueName']).endsWith('-dlq') && q.Properties['QueueName'] !== 'credex-dev-scheduled-failures',
  );
  const deadLetterQueues = Object.entries(queues).filter(([, q]) => String(q.Properties['QueueName']).endsWith('-dlq'));

  it('has an intake queue, one queue per destination and the evidence queue, each with its own DLQ', () => {
    expect(sourceQueues.map(([, q]) => q.Properties['QueueName']).sort()).toEqual(
      ['credex-dev-intake', ...DESTINATION_IDS.map((d) => `credex-dev-lane-${d}`), 'credex-dev-evidence'].sort(),
    );
    expect(deadLetterQueues).toHaveLength(sourceQueues.length);
    for (const [, queue] of sourceQueues) {
      const redrive = queue.Properties['RedrivePolicy'];
      const dlq = queues[refId(redrive.deadLetterTargetArn)!];
      expect(dlq?.Properties['QueueName']).toBe(`${queue.Properties['QueueName']}-dlq`);
      expect(redrive.maxReceiveCount).toBeGreaterThanOrEqual(5);
    }
  });

  it('encrypts every queue with the stack key and keeps messages 14 days', () => {
    const keyId = stackKeyId(dev.template);
    for (const [, queue] of Object.entries(queues)) {
      expect(refId(queue.Properties['KmsMasterKeyId'])).toBe(keyId);
      expect(queue.Properties['MessageRetentionPeriod']).toBe(14 * 24 * 3600);
    }
  });

  it('retains every queue in production (a DLQ holds messages waiting for replay), not in dev', () => {
    for (const queue of Object.values(resourcesOf(prod.template, 'AWS::SQS::Queue'))) expect(queue.DeletionPolicy).toBe('Retain');
    for (const queue of Object.values(queues)) expect(queue.DeletionPolicy).toBe('Delete');
  });

  it('denies every queue to requests without TLS', () => {
    const policies = Object.values(resourcesOf(dev.template, 'AWS::SQS::QueuePolicy'));
    for (const id of Object.keys(queues)) {
      const policy = policies.find((p) => p.Properties['Queues'].some((q: unknown) => refId(q) === id));
      expect(policy?.Properties['PolicyDocument'].Statement).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
    }
  });
});

describe('event sources', () => {
  it('every mapping reports batch item failures', () => {
    expect(Object.keys(mappings)).toHaveLength(1 + DESTINATION_IDS.length);
    for (const mapping of Object.values(mappings)) expect(mapping.Properties['FunctionResponseTypes']).toEqual(['ReportBatchItemFailures']);
  });

  it("each lane's mapping has the plan's batch size, window and concurrency, the queue ≥ 6 × the function timeout", () => {
    for (const lane of plan.lanes) {
      const [queueId, queue] = queueByName(`credex-dev-lane-${lane.destination}`)!;
      const mapping = Object.values(mappings).find((m) => refId(m.Properties['EventSourceArn']) === queueId)!;
      expect(mapping.Properties).toMatchObject({ BatchSize: lane.consumer.batchSize, ScalingConfig: { MaximumConcurrency: lane.consumer.maxConcurrency } });
      expect(mapping.Properties['MaximumBatchingWindowInSeconds']).toBe(lane.consumer.maxBatchingWindowSeconds);
      const fn = functions[refId(mapping.Properties['FunctionName'])!]!;
      expect(fn.Properties['Environment'].Variables.DESTINATION).toBe(lane.destination);
      expect(queue.Properties['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * fn.Properties['Timeout'] + lane.consumer.maxBatchingWindowSeconds);
      expect(queue.Properties['RedrivePolicy'].maxReceiveCount).toBe(destinations[lane.destination].lane.maxReceiveCount);
    }
  });

  it("a stage's rate limit sets the lane's concurrency and reaches its deliver function", () => {
    const provincial = plan.lanes.find((l) => l.destination === 'provincial')!;
    expect(provincial.lane.rateLimitPerSecond).toBe(stages['dev']!.rateLimits!.provincial);
    const fn = Object.values(functions).find((f) => f.Properties['FunctionName'] === 'credex-dev-deliver-provincial')!;
    expect(fn.Properties['Environment'].Variables).toMatchObject({
      RATE_LIMIT_PER_SECOND: String(provincial.lane.rateLimitPerSecond),
      MAX_CONCURRENCY: String(provincial.lane.maxConcurrency),
    });
  });

  it('the intake queue outlasts a routing lease and 6 × the intake timeout; the lease outlasts an invocation', () => {
    const [, intakeQueue] = queueByName('credex-dev-intake')!;
    const intake = Object.values(functions).find((f) => f.Properties['FunctionName'] === 'credex-dev-intake')!;
    expect(intakeQueue.Properties['VisibilityTimeout']).toBeGreaterThanOrEqual(6 * intake.Properties['Timeout']);
    expect(intakeQueue.Properties['VisibilityTimeout']).toBeGreaterThan(DEFAULT_ROUTING_LEASE_SECONDS);
    expect(intake.Properties['Timeout']).toBeLessThan(DEFAULT_ROUTING_LEASE_SECONDS);
  });
});

describe('functions', () => {
  it('run Node.js 22 on arm64 with tracing, JSON logs into a log group with retention', () => {
    const logGroups = resourcesOf(dev.template, 'AWS::Logs::LogGroup');
    // intake, ingest, pull, the expiry sweep, the evidence sealer and a deliver function per destination
    expect(Object.keys(functions)).toHaveLength(5 + DESTINATION_IDS.length);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      const logGroup = logGroups[refId(fn.Properties['LoggingConfig'].LogGroup)!];
      expect(logGroup?.Properties['RetentionInDays']).toBe(stages['dev']!.logRetentionDays);
      expect(fn.Properties['Environment'].Variables).toMatchObject({ POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/dev' });
      // every function but the sealer, which keeps nothing in the table, is told the table
      expect(fn.Properties['Environment'].Variables['TABLE_NAME'] === undefined).toBe(fn.Properties['FunctionName'] === 'credex-dev-seal');
    }
  });

  it('maps stack traces to the sources in dev only: production starts without reading source maps', () => {
    const nodeOptions = (template: typeof dev.template) =>
      Object.values(resourcesOf(template, 'AWS::Lambda::Function')).map((fn) => fn.Properties['Environment'].Variables['NODE_OPTIONS']);
    expect(new Set(nodeOptions(dev.template))).toEqual(new Set(['--enable-source-maps']));
    expect(new Set(nodeOptions(prod.template))).toEqual(new Set([undefined]));
  });

  it('leaves a failed pull, sweep or seal to the next scheduled run instead of retrying it', () => {
    const idOf = (name: string) => Object.entries(functions).find(([, f]) => f.Properties['FunctionName'] === name)![0];
    const configs = Object.values(resourcesOf(dev.template, 'AWS::Lambda::EventInvokeConfig'));
    expect(configs).toEqual(
      ['credex-dev-pull', 'credex-dev-sweep', 'credex-dev-seal'].map((name) =>
        expect.objectContaining({ Properties: expect.objectContaining({ FunctionName: { Ref: idOf(name) }, MaximumRetryAttempts: 0 }) }),
      ),
    );
  });

  it('keeps log groups in production and deletes them with a dev stack', () => {
    for (const [template, policy] of [
      [dev.template, 'Delete'],
      [prod.template, 'Retain'],
    ] as const) {
      for (const logGroup of Object.values(resourcesOf(template, 'AWS::Logs::LogGroup'))) expect(logGroup.DeletionPolicy).toBe(policy);
    }
  });
});

describe('sync-state table', () => {
  it('is on demand, encrypted with the key, recoverable to a point in time, with its index and TTL', () => {
    dev.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: Match.anyValue() },
      TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true },
      GlobalSecondaryIndexes: [Match.objectLike({ IndexName: STATUS_INDEX, Projection: { ProjectionType: 'ALL' } })],
    });
  });

  it('is retained and deletion-protected in production, and not in dev', () => {
    const [prodTable] = Object.values(resourcesOf(prod.template, 'AWS::DynamoDB::Table'));
    expect(prodTable).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain', Properties: { DeletionProtectionEnabled: true } });
    const [devTable] = Object.values(resourcesOf(dev.template, 'AWS::DynamoDB::Table'));
    expect(devTable).toMatchObject({ DeletionPolicy: 'Delete', Properties: { DeletionProtectionEnabled: false } });
  });
});

describe('secrets', () => {
  it('exist per destination, per upstream and for the feed, under the stage prefix, with no value in the template', () => {
    const secrets = Object.values(resourcesOf(dev.template, 'AWS::SecretsManager::Secret'));
    expect(secrets.map((s) => s.Properties['Name']).sort()).toEqual(
      [
        ...DESTINATION_IDS.map((d) => `credex/dev/destinations/${d}`),
        ...Object.keys(upstreams).map((u) => `credex/dev/upstreams/${u}`),
        'credex/dev/feeds/provincial-breaches',
      ].sort(),
    );
    for (const secret of secrets) {
      expect(secret.Properties['SecretString']).toBeUndefined();
      expect(secret.Properties['GenerateSecretString']).toMatchObject({ GenerateStringKey: 'secret' });
      expect(secret.Properties['KmsKeyId']).toBeDefined();
    }
  });
});

describe('alarms and dashboard', () => {
  const alarms = Object.values(resourcesOf(dev.template, 'AWS::CloudWatch::Alarm'));
  const alarmNames = alarms.map((a) => a.Properties['AlarmName']);

  it.each(DESTINATION_IDS)('lane %s has DLQ, oldest-message, auth-failure and function alarms', (destination) => {
    expect(alarmNames).toEqual(
      expect.arrayContaining([
        `credex-dev-lane-${destination}-dlq-not-empty`,
        `credex-dev-lane-${destination}-oldest-message`,
        `credex-dev-lane-${destination}-auth-failures`,
        `credex-dev-deliver-${destination}-errors`,
        `credex-dev-deliver-${destination}-throttles`,
      ]),
    );
  });

  it('watches intake, its quarantine rate, the feed and the ingest API', () => {
    expect(alarmNames).toEqual(
      expect.arrayContaining([
        'credex-dev-intake-dlq-not-empty',
        'credex-dev-intake-oldest-message',
        'credex-dev-quarantine-rate',
        'credex-dev-pull-feed-errors',
        'credex-dev-ingest-5xx',
        'credex-dev-ingest-errors',
        'credex-dev-pull-errors',
      ]),
    );
    const rate = alarms.find((a) => a.Properties['AlarmName'] === 'credex-dev-quarantine-rate')!;
    expect(rate.Properties['Threshold']).toBe(stages['dev']!.alarms.quarantineRatePercent);
    expect(JSON.stringify(rate.Properties['Metrics'])).toContain('"MetricName":"Quarantined"');
  });

  it('every alarm notifies the topic and says what to do', () => {
    const topicId = Object.keys(resourcesOf(dev.template, 'AWS::SNS::Topic'))[0];
    for (const alarm of alarms) {
      expect(alarm.Properties['AlarmActions'].map(refId)).toEqual([topicId]);
      // some descriptions name a queue, so they are Fn::Join tokens rather than plain strings
      expect(JSON.stringify(alarm.Properties['AlarmDescription']).length).toBeGreaterThan(80);
    }
  });

  it("lets this stack's alarms, and only them, publish to the topic and use the key", () => {
    const [policy] = Object.values(resourcesOf(dev.template, 'AWS::SNS::TopicPolicy'));
    const statements = policy!.Properties['PolicyDocument'].Statement as Array<NonNullable<typeof policy>['Properties']>;
    const allow = statements.find((st) => st['Effect'] === 'Allow')!;
    expect(allow).toMatchObject({
      Principal: { Service: 'cloudwatch.amazonaws.com' },
      Action: 'sns:Publish',
      Condition: { StringEquals: { 'aws:SourceAccount': expect.anything() } },
    });
    expect(JSON.stringify(allow['Condition']['ArnLike']['aws:SourceArn'])).toContain(':alarm:credex-dev-*');
    expect(statements.find((st) => st['Effect'] === 'Deny')).toMatchObject({ Condition: { Bool: { 'aws:SecureTransport': 'false' } } });
    const key = resourcesOf(dev.template, 'AWS::KMS::Key')[stackKeyId(dev.template)];
    expect(key!.Properties['KeyPolicy'].Statement).toContainEqual(
      expect.objectContaining({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey'], Effect: 'Allow' }),
    );
  });

  it('subscribes the stage addresses to the encrypted topic', () => {
    const [topic] = Object.values(resourcesOf(prod.template, 'AWS::SNS::Topic'));
    expect(topic?.Properties['KmsMasterKeyId']).toBeDefined();
    prod.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: stages['prod']!.alarms.emails[0] });
  });

  it('has a dashboard with one row per lane', () => {
    const [dashboard] = Object.values(resourcesOf(dev.template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard?.Properties['DashboardBody']);
    for (const destination of DESTINATION_IDS) {
      for (const title of ['records', 'DLQ depth', 'oldest message']) expect(body).toContain(`${destination}: ${title}`);
    }
  });
});

describe('ingest API and pull schedule', () => {
  it('serves the signed routes on the $default stage with throttling and access logs', () => {
    dev.template.resourceCountIs('AWS::ApiGatewayV2::Route', 4);
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /v1/records' });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/subjects/{code}/credit' });
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'GET /v1/records/{recordType}/{recordId}' });
    // every other path and method reaches the function, which answers 404/405 in the documented shape
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    const routes = Object.values(resourcesOf(dev.template, 'AWS::ApiGatewayV2::Route'));
    expect(new Set(routes.map((r) => JSON.stringify(r.Properties['Target']))).size).toBe(1);
    dev.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: stages['dev']!.ingest.rateLimitPerSecond, ThrottlingBurstLimit: stages['dev']!.ingest.burstLimit },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    // personal data: a credit check's path holds the identity number asked about; the log keeps the route only
    const [stage] = Object.values(resourcesOf(dev.template, 'AWS::ApiGatewayV2::Stage'));
    const format = String((stage!.Properties['AccessLogSettings'] as { Format: string }).Format);
    expect(format).toContain('$context.routeKey');
    expect(format).not.toMatch(/\$context\.(path|resourcePath)\b/);
  });

  it('pulls the feed on the stage schedule', () => {
    dev.template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: stages['dev']!.feed.schedule, State: 'ENABLED' });
  });

  it("sweeps expired publications on the topology's schedule, alarming when it cannot end one", () => {
    dev.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      Name: 'credex-dev-sweep',
      ScheduleExpression: topology.expirySweep.everyMinutes === 60 ? 'rate(1 hour)' : `rate(${topology.expirySweep.everyMinutes} minutes)`,
      State: 'ENABLED',
    });
    const sweep = Object.values(functions).find((f) => f.Properties['FunctionName'] === 'credex-dev-sweep')!;
    expect(sweep.Properties['Environment'].Variables).toMatchObject({
      MAX_RECORDS_PER_RUN: String(topology.expirySweep.maxRecordsPerRun),
      LANE_QUEUE_URLS: expect.anything(),
    });
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'credex-dev-sweep-expiry-errors', Threshold: 1 });
  });
});

describe('holds under audit', () => {
  const keyId = stackKeyId(dev.template);

  it('encrypts every log group with the stack key, which lets CloudWatch Logs of this account and region use it', () => {
    const groups = Object.values(resourcesOf(dev.template, 'AWS::Logs::LogGroup'));
    expect(groups.length).toBe(Object.keys(functions).length + 1); // each function's, and the API's access logs
    for (const group of groups)
      expect({ group: group.Properties['LogGroupName'], key: refId(group.Properties['KmsKeyId']) }).toEqual({
        group: group.Properties['LogGroupName'],
        key: keyId,
      });
    const key = resourcesOf(dev.template, 'AWS::KMS::Key')[keyId]!;
    const logs = (key.Properties['KeyPolicy'].Statement as Array<Record<string, unknown>>).find((st) => JSON.stringify(st['Principal']).includes('logs.'));
    expect(logs).toMatchObject({ Effect: 'Allow', Condition: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': expect.anything() } } });
  });

  it("reserves concurrency for ingest (the stage's burst: never throttled behind the API), the pull, the sweep and the sealer (one run at a time)", () => {
    const reserved = Object.fromEntries(Object.values(functions).map((f) => [f.Properties['FunctionName'], f.Properties['ReservedConcurrentExecutions']]));
    expect(reserved['credex-dev-ingest']).toBe(stages['dev']!.ingest.burstLimit);
    expect(reserved['credex-dev-pull']).toBe(1);
    expect(reserved['credex-dev-sweep']).toBe(1);
    expect(reserved['credex-dev-seal']).toBe(1);
    const demand = concurrencyDemand(stagePlan(stages['dev']!));
    expect(demand.total).toBeLessThanOrEqual(1000 - 100);
  });

  it('refuses to synthesize a stage whose account limit the exchange could exceed', () => {
    expect(() => synthesize({ stage: { ...stages['dev']!, name: 'small', lambdaConcurrencyLimit: 120 } })).toThrow(
      /lambdaConcurrencyLimit: the exchange may run \d+ executions at once/,
    );
  });

  it('keeps a failed scheduled run (pull, sweep) in the scheduled-failures queue, alarmed', () => {
    const failures = queueByName('credex-dev-scheduled-failures')![0];
    const configs = Object.values(resourcesOf(dev.template, 'AWS::Lambda::EventInvokeConfig'));
    expect(configs).toHaveLength(3);
    const sealId = Object.entries(functions).find(([, f]) => f.Properties['FunctionName'] === 'credex-dev-seal')![0];
    for (const config of configs) {
      // the sealer's triggers overlap its runs by design: one held back past a minute is dropped, not kept
      if (refId(config.Properties['FunctionName']) === sealId) expect(config.Properties['DestinationConfig']).toBeUndefined();
      else expect(refId(config.Properties['DestinationConfig'].OnFailure.Destination)).toBe(failures);
    }
    for (const schedule of Object.values(resourcesOf(dev.template, 'AWS::Scheduler::Schedule')))
      expect(refId(schedule.Properties['Target'].DeadLetterConfig.Arn)).toBe(failures);
    dev.template.hasResourceProperties('AWS::CloudWatch::Alarm', { AlarmName: 'credex-dev-scheduled-failures', Threshold: 1 });
    // the schedules write their dead letters as their role: it needs the queue's key (named actions)
    const schedulerPolicy = Object.values(resourcesOf(dev.template, 'AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p.Properties['Roles']).includes('SchedulerRole'),
    )!;
    expect(schedulerPolicy.Properties['PolicyDocument'].Statement).toEqual(
      expect.arrayContaining([expect.objectContaining({ Action: ['kms:Decrypt', 'kms:GenerateDataKey'] })]),
    );
  });

  it("throttles the API stage at no less than the registered upstreams' limits summed", () => {
    for (const stage of Object.values(stages)) expect(stage.ingest.rateLimitPerSecond).toBeGreaterThanOrEqual(registeredRequestsPerSecond());
    expect(checkStage({ ...stages['dev']!, ingest: { rateLimitPerSecond: 10, burstLimit: 20 } })).toEqual([
      expect.stringContaining('ingest.rateLimitPerSecond: must be at least 45'),
    ]);
  });
});
