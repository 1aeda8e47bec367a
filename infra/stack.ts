/**
 * The credit exchange as one CDK stack per stage, built from the topology (topology/topology.ts) and
 * the plan derived from it (infra/plan.ts), configured by the stage (infra/stages.ts):
 *
 *   ingest API ─┐
 *   pull (schedule) ─┴─▶ intake queue ─▶ intake fn ─▶ lane queue per destination ─▶ deliver fn ─▶ endpoint
 *                              (+DLQ)                       (+DLQ each)   ▲
 *   expiry sweep (schedule) ──────────────────────────────────────────────┘ (ends of publication)
 *   ingest, pull, deliver ─▶ evidence queue (+DLQ) ─▶ seal fn (schedule) ─▶ signed windows in the
 *                                                     evidence bucket (Object Lock, compliance)
 *   every function but seal ─▶ sync-state table;  alarms ─▶ SNS topic;  one dashboard
 *
 * Secure by default: one customer-managed KMS key (rotated) encrypts queues, table, secrets and the
 * alarm topic; queues refuse plain HTTP; every function's role holds only what is granted here
 * (infra/access.ts lists the table actions each one's code issues, and all the sealer may do). The
 * evidence log has keys and buckets of its own, retained whatever the stage
 * (infra/constructs/evidence-log.ts). Operators get the managed
 * policy `credex-<stage>-operator`: what the `credex` CLI needs, on this stack's resources only
 * (infra/operator-access.ts).
 */
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { STATUS_INDEX } from '../topology/table.js';
import { sealAccess, STACK_KEY_ACTIONS, tableAccess, type EvidenceResource, type ExchangeFunctionRole } from './access.js';
import { DurableQueue } from './constructs/durable-queue.js';
import { EvidenceLog } from './constructs/evidence-log.js';
import { ExchangeFunction } from './constructs/exchange-function.js';
import { Monitoring } from './constructs/monitoring.js';
import { SyncStateTable } from './constructs/sync-state-table.js';
import { OPERATOR_KEY_ACTIONS, operatorPolicyGrants, type OperatorResource } from './operator-access.js';
import { OUTPUTS } from './outputs.js';
import { concurrencyDemand, planExchange, UNRESERVED_MINIMUM, type ConsumerPlan, type ExchangePlan } from './plan.js';
import { DEFAULT_LAMBDA_CONCURRENCY_LIMIT, destinationSecretName, feedSecretName, secretPrefixOf, StageConfigError, type StageConfig } from './stages.js';
import { topology as defaultTopology, type DestinationId, type Topology } from '../topology/topology.js';
import { upstreamSecretName, upstreams } from '../topology/upstreams.js';
import { environmentOf, type CommonResources } from '../topology/environment.js';
import { METRICS, SERVICES, resourceNames } from '../topology/names.js';

export { OUTPUTS } from './outputs.js';

/** An evidence entry waiting longer than this to be sealed means sealing has stopped (it runs every minute). */
export const EVIDENCE_OLDEST_MESSAGE_MINUTES = 10;

export interface CreditExchangeStackProps extends StackProps {
  stage: StageConfig;
  /** Tests pass variants; the deployed stack uses topology/topology.ts. */
  topology?: Topology;
}

/** Names of the stack outputs the operator CLI reads. */

/** The plan of a stage's exchange: the topology's, with the stage's rate limits and ingest burst. */
export function stagePlan(stage: StageConfig, topology: Topology = defaultTopology): ExchangePlan {
  return planExchange(
    topology,
    Object.fromEntries(Object.entries(stage.rateLimits ?? {}).map(([d, rate]) => [d, { rateLimitPerSecond: rate }])),
    stage.ingest.burstLimit,
  );
}

export class CreditExchangeStack extends Stack {
  readonly plan: ExchangePlan;
  readonly key: kms.Key;
  readonly table: SyncStateTable;
  readonly intakeQueue: DurableQueue;
  /** The evidence queue, the signing key and the Object Lock bucket the sealer writes. */
  readonly evidence: EvidenceLog;
  readonly lanes = new Map<DestinationId, { queue: DurableQueue; deliver: ExchangeFunction; secret: secretsmanager.Secret }>();
  readonly functions = new Map<string, ExchangeFunction>();
  readonly monitoring: Monitoring;
  readonly api: apigw.HttpApi;
  /** For the operators' role or permission set: what the `credex` CLI needs (infra/operator-access.ts). */
  readonly operatorPolicy: iam.ManagedPolicy;

  private readonly stage: StageConfig;
  private readonly namePrefix: string;
  private readonly namespace: string;
  /** Production keeps what holds data or history (table, queues, key, secrets, logs); other stages delete all. */
  private readonly removalPolicy: RemovalPolicy;

  constructor(scope: Construct, id: string, props: CreditExchangeStackProps) {
    super(scope, id, props);
    const { stage } = props;
    this.stage = stage;
    this.namePrefix = resourceNames.prefix(stage.name);
    this.namespace = `CreditExchange/${stage.name}`;
    this.plan = stagePlan(stage, props.topology);
    this.removalPolicy = stage.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;
    const secretPrefix = secretPrefixOf(stage);

    this.key = new kms.Key(this, 'Key', {
      alias: `alias/${this.namePrefix}`,
      description: `Credit exchange (${stage.name}): queues, sync-state table, secrets, alarm topic`,
      enableKeyRotation: true,
      removalPolicy: this.removalPolicy,
      pendingWindow: Duration.days(stage.production ? 30 : 7),
    });
    // CloudWatch alarms publish to the encrypted topic
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );

    // CloudWatch Logs encrypts the functions' and the API's log groups with the same key, for log
    // groups of this account and region only
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal(`logs.${this.region}.${this.urlSuffix}`)],
        actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
        resources: ['*'],
        conditions: { ArnLike: { 'kms:EncryptionContext:aws:logs:arn': `arn:${this.partition}:logs:${this.region}:${this.account}:log-group:*` } },
      }),
    );
    const demand = concurrencyDemand(this.plan);
    const concurrencyLimit = stage.lambdaConcurrencyLimit ?? DEFAULT_LAMBDA_CONCURRENCY_LIMIT;
    if (demand.total > concurrencyLimit - UNRESERVED_MINIMUM) {
      throw new StageConfigError(stage.name, [
        `lambdaConcurrencyLimit: the exchange may run ${demand.total} executions at once (${demand.reserved} reserved + ${demand.eventSources} event-source maximum), over the account's ${concurrencyLimit} less the ${UNRESERVED_MINIMUM} Lambda keeps unreserved; raise the account's limit (a quota request) and this setting, or lower the lanes' concurrency`,
      ]);
    }

    this.table = new SyncStateTable(this, 'SyncState', { tableName: resourceNames.table(this.namePrefix), key: this.key, production: stage.production });
    this.intakeQueue = new DurableQueue(this, 'IntakeQueue', {
      namePrefix: this.namePrefix,
      plan: this.plan.intake.queue,
      key: this.key,
      removalPolicy: this.removalPolicy,
    });
    this.evidence = new EvidenceLog(this, 'Evidence', {
      namePrefix: this.namePrefix,
      region: stage.env.region,
      queuePlan: this.plan.evidence.queue,
      queueKey: this.key,
      queueRemovalPolicy: this.removalPolicy,
      retentionDays: stage.evidenceRetentionDays,
    });
    const evidenceQueue = this.evidence.queue.queue;

    this.monitoring = new Monitoring(this, 'Monitoring', {
      namePrefix: this.namePrefix,
      namespace: this.namespace,
      key: this.key,
      emails: stage.alarms.emails,
      oldestMessageAgeMinutes: stage.alarms.oldestMessageAgeMinutes,
    });

    for (const lanePlan of this.plan.lanes) {
      const { destination } = lanePlan;
      const queue = new DurableQueue(this, `LaneQueue-${destination}`, {
        namePrefix: this.namePrefix,
        plan: lanePlan.queue,
        key: this.key,
        removalPolicy: this.removalPolicy,
      });
      const secret = this.credentialsSecret(
        `${destination}Credentials`,
        destinationSecretName(secretPrefix, destination),
        `Credentials the exchange signs its requests to ${destination} with: {"appKey","secret","fieldKey"?} as the platform issues them`,
      );
      const deliver = this.exchangeFunction(`Deliver-${destination}`, 'deliver', {
        functionName: resourceNames.function(this.namePrefix, `deliver-${destination}`),
        entry: 'functions/deliver/handler.ts',
        size: lanePlan.consumer,
        description: `Delivers lane ${destination}: adapt, sign, send, record the outcome`,
        environment: environmentOf.deliver({
          ...this.commonResources(),
          destination,
          endpointUrl: stage.endpoints[destination],
          laneQueueUrl: queue.queue.queueUrl,
          credentialsSecret: secret.secretName,
          rateLimitPerSecond: lanePlan.lane.rateLimitPerSecond,
          maxConcurrency: lanePlan.lane.maxConcurrency,
          evidenceQueueUrl: evidenceQueue.queueUrl,
        }),
      });
      this.consume(deliver, queue, lanePlan.consumer);
      // a repair that waited for its breach is sent on, on its own lane, once the breach is delivered
      this.grantSend(deliver, queue.queue);
      // the evidence of each exchange with the destination, before its outcome is recorded
      this.grantSend(deliver, evidenceQueue);
      secret.grantRead(deliver.role);
      this.lanes.set(destination, { queue, deliver, secret });
      new CfnOutput(this, OUTPUTS.laneQueueUrl(destination), { value: queue.queue.queueUrl, description: `Lane ${destination}` });
      new CfnOutput(this, OUTPUTS.laneDlqUrl(destination), { value: queue.deadLetterQueue.queueUrl, description: `Lane ${destination}: DLQ` });
    }

    const intake = this.exchangeFunction('Intake', 'intake', {
      functionName: resourceNames.function(this.namePrefix, 'intake'),
      entry: 'functions/intake/handler.ts',
      size: this.plan.intake.consumer,
      description: 'Validates, normalises, records the revision and routes it to the lanes',
      environment: environmentOf.intake({
        ...this.commonResources(),
        laneQueueUrls: this.laneQueueUrls(),
        intakeDlqUrl: this.intakeQueue.deadLetterQueue.queueUrl,
      }),
    });
    this.consume(intake, this.intakeQueue, this.plan.intake.consumer);
    for (const lane of this.lanes.values()) this.grantSend(intake, lane.queue.queue);
    // a body too large to quarantine in the table is kept in the intake DLQ
    this.grantSend(intake, this.intakeQueue.deadLetterQueue);

    this.api = this.ingestApi(secretPrefix);
    this.pullSchedule(secretPrefix);
    this.expirySweep(props.topology ?? defaultTopology);
    this.evidenceSealer();
    this.alarmsAndDashboard();
    this.operatorPolicy = this.operatorManagedPolicy();

    new CfnOutput(this, OUTPUTS.tableName, { value: this.table.table.tableName, description: 'Sync-state table' });
    new CfnOutput(this, OUTPUTS.intakeQueueUrl, {
      value: this.intakeQueue.queue.queueUrl,
      description: 'Intake queue: upstreams with AWS access may send records here',
    });
    new CfnOutput(this, OUTPUTS.intakeDlqUrl, { value: this.intakeQueue.deadLetterQueue.queueUrl, description: 'Intake DLQ' });
    new CfnOutput(this, OUTPUTS.ingestApiUrl, { value: this.api.apiEndpoint, description: 'Ingest API for upstream systems (docs/api/openapi.yaml)' });
    new CfnOutput(this, OUTPUTS.alarmTopicArn, { value: this.monitoring.topic.topicArn, description: 'Alarm notifications' });
    new CfnOutput(this, OUTPUTS.dashboardName, { value: `${this.namePrefix}`, description: 'CloudWatch dashboard' });
    new CfnOutput(this, OUTPUTS.evidenceBucketName, {
      value: this.evidence.bucket.bucketName,
      description: 'Evidence log: the Object Lock bucket of sealed windows (windows/<seq>.json, head.json)',
    });
    new CfnOutput(this, OUTPUTS.evidenceSigningKeyArn, {
      value: this.evidence.signingKey.keyArn,
      description: 'Evidence log: the KMS key that signs the windows',
    });
    new CfnOutput(this, OUTPUTS.evidenceSigningAlgorithm, { value: this.evidence.signingAlgorithm, description: 'Evidence log: the signing algorithm' });
    new CfnOutput(this, OUTPUTS.evidenceQueueUrl, { value: evidenceQueue.queueUrl, description: 'Evidence log: entries waiting to be sealed' });
    new CfnOutput(this, OUTPUTS.evidenceDlqUrl, {
      value: this.evidence.queue.deadLetterQueue.queueUrl,
      description: 'Evidence log: DLQ (messages the sealer refused)',
    });
    new CfnOutput(this, OUTPUTS.operatorPolicyArn, {
      value: this.operatorPolicy.managedPolicyArn,
      description: 'Managed policy for operators of the credex CLI: attach it to their role or permission set',
    });
  }

  /**
   * The operators' managed policy: per resource of this stack, the actions the `credex` commands
   * need and read access to the evidence log (infra/operator-access.ts), and the key for the
   * table's and queues' data keys. Attached to
   * nothing here: platform engineers attach it to the operators' role or permission set by name.
   * Its name and description are immutable in CloudFormation: changing either replaces the policy,
   * which a fixed name does not allow — keep both as they are (the statements update in place).
   */
  private operatorManagedPolicy(): iam.ManagedPolicy {
    const lanes = [...this.lanes.values()];
    const tableArn = this.table.table.tableArn;
    const resources: Record<OperatorResource, string[]> = {
      // the stack's own ARN (AWS::StackId), so no other stack's outputs
      stack: [this.stackId],
      table: [tableArn],
      statusIndex: [`${tableArn}/index/${STATUS_INDEX}`],
      intakeQueue: [this.intakeQueue.queue.queueArn],
      intakeDlq: [this.intakeQueue.deadLetterQueue.queueArn],
      laneQueues: lanes.map((lane) => lane.queue.queue.queueArn),
      laneDlqs: lanes.map((lane) => lane.queue.deadLetterQueue.queueArn),
      evidenceBucket: [this.evidence.bucket.bucketArn],
      evidenceObjects: [this.evidence.bucket.arnForObjects('*')],
      evidenceBucketKey: [this.evidence.bucketKey.keyArn],
      evidenceSigningKey: [this.evidence.signingKey.keyArn],
    };
    const statements = Object.entries(operatorPolicyGrants())
      .filter(([, actions]) => actions.length > 0)
      .map(([resource, actions]) => new iam.PolicyStatement({ actions, resources: resources[resource as OperatorResource] }));
    statements.push(new iam.PolicyStatement({ actions: [...OPERATOR_KEY_ACTIONS], resources: [this.key.keyArn] }));
    return new iam.ManagedPolicy(this, 'OperatorPolicy', {
      managedPolicyName: `${this.namePrefix}-operator`,
      description: `Operators of the credit exchange (${this.stage.name}): what the credex CLI needs on stack ${this.stackName}, nothing else`,
      statements,
    });
  }

  /**
   * A function with the stack's environment and its table access (infra/access.ts); one that uses
   * the table also gets the stack key (the table's and the queues' data keys). The sealer uses no
   * table: everything it may do is granted from sealAccess.
   */
  private exchangeFunction(
    id: string,
    role: ExchangeFunctionRole,
    props: Omit<
      ConstructorParameters<typeof ExchangeFunction>[2],
      'logRetentionDays' | 'logRemovalPolicy' | 'logKey' | 'environment' | 'sourceMappedStackTraces'
    > & { environment: Record<string, string> },
  ): ExchangeFunction {
    const fn = new ExchangeFunction(this, id, {
      ...props,
      logRetentionDays: this.stage.logRetentionDays,
      logRemovalPolicy: this.removalPolicy,
      logKey: this.key,
      sourceMappedStackTraces: this.stage.sourceMappedStackTraces,
      environment: props.environment,
    });
    if (tableAccess[role].length > 0) {
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: tableAccess[role].map((a) => `dynamodb:${a}`), resources: [this.table.table.tableArn] }));
      // the table's and the queues' data keys: named actions, not the kms:GenerateDataKey* and
      // kms:ReEncrypt* wildcards CDK's grant helpers add
      fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...STACK_KEY_ACTIONS], resources: [this.key.keyArn] }));
    }
    this.functions.set(props.functionName, fn);
    return fn;
  }

  /** SendMessage (and so SendMessageBatch) to one queue; the key is granted per function. */
  private grantSend(fn: ExchangeFunction, queue: sqs.IQueue): void {
    fn.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [queue.queueArn] }));
  }

  /** The Lambda event source rules of a queue consumer, as the plan sets them. */
  private consume(fn: ExchangeFunction, queue: DurableQueue, consumer: ConsumerPlan): void {
    fn.function.addEventSource(
      new SqsEventSource(queue.queue, {
        batchSize: consumer.batchSize,
        maxBatchingWindow: consumer.maxBatchingWindowSeconds > 0 ? Duration.seconds(consumer.maxBatchingWindowSeconds) : undefined,
        maxConcurrency: consumer.maxConcurrency,
        reportBatchItemFailures: true,
      }),
    );
  }

  /** What every function is told: the table and the stage's metrics namespace (topology/environment.ts). */
  private commonResources(): CommonResources {
    return { tableName: this.table.table.tableName, metricsNamespace: this.namespace };
  }

  private laneQueueUrls(): Record<DestinationId, string> {
    return Object.fromEntries([...this.lanes].map(([d, lane]) => [d, lane.queue.queue.queueUrl])) as Record<DestinationId, string>;
  }

  /** A JSON credentials secret; its value is set after deploy (docs/deploy.md), never in code. */
  private credentialsSecret(id: string, secretName: string, description: string, appKey = 'set-after-deploy'): secretsmanager.Secret {
    return new secretsmanager.Secret(this, id, {
      secretName,
      description,
      encryptionKey: this.key,
      removalPolicy: this.removalPolicy,
      // a random secret until the real one is put: requests signed with it fail closed
      generateSecretString: { secretStringTemplate: JSON.stringify({ appKey }), generateStringKey: 'secret', passwordLength: 48, excludePunctuation: true },
    });
  }

  private ingestApi(secretPrefix: string): apigw.HttpApi {
    const ingest = this.exchangeFunction('Ingest', 'ingest', {
      functionName: resourceNames.function(this.namePrefix, 'ingest'),
      entry: 'functions/ingest/handler.ts',
      size: this.plan.ingest,
      description: 'Ingest API: verifies signatures, validates, answers per record, enqueues to intake',
      environment: environmentOf.ingest({
        ...this.commonResources(),
        intakeQueueUrl: this.intakeQueue.queue.queueUrl,
        secretsPrefix: secretPrefix,
        evidenceQueueUrl: this.evidence.queue.queue.queueUrl,
      }),
    });
    this.grantSend(ingest, this.intakeQueue.queue);
    this.grantSend(ingest, this.evidence.queue.queue);
    for (const [upstreamId, upstream] of Object.entries(upstreams)) {
      // the stack generates each upstream's signing secret; the operator hands it to the upstream
      this.credentialsSecret(
        `Upstream-${upstreamId}`,
        upstreamSecretName(secretPrefix, upstreamId),
        `Signing credentials of upstream ${upstreamId} (${upstream.title})`,
        upstream.appKey,
      ).grantRead(ingest.role);
    }

    const integration = new HttpLambdaIntegration('Ingest', ingest.function);
    const api = new apigw.HttpApi(this, 'IngestApi', {
      apiName: `${this.namePrefix}-ingest`,
      description: 'Credit exchange ingest API (signed requests; docs/api/openapi.yaml)',
      createDefaultStage: false,
      // every other path and method reaches the function too, which answers 404/405 in the
      // documented error shape (API Gateway's own would be {"message": …})
      defaultIntegration: integration,
    });
    api.addRoutes({ path: '/v1/records', methods: [apigw.HttpMethod.POST], integration });
    api.addRoutes({ path: '/v1/records/{recordType}/{recordId}', methods: [apigw.HttpMethod.GET], integration });
    api.addRoutes({ path: '/v1/subjects/{code}/credit', methods: [apigw.HttpMethod.GET], integration });
    const accessLogs = new logs.LogGroup(this, 'IngestAccessLogs', {
      logGroupName: `/aws/apigateway/${this.namePrefix}-ingest`,
      retention: this.stage.logRetentionDays as logs.RetentionDays,
      removalPolicy: this.removalPolicy,
      encryptionKey: this.key,
    });
    // upstreams sign the path they call: rawPath must be that path, so the $default stage (a named
    // stage would prefix it), and behind a custom domain an API mapping without a path
    new apigw.HttpStage(this, 'IngestStage', {
      httpApi: api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: this.stage.ingest.rateLimitPerSecond, burstLimit: this.stage.ingest.burstLimit },
      accessLogSettings: {
        destination: new apigw.LogGroupLogDestination(accessLogs),
        format: apigateway.AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            ip: '$context.identity.sourceIp',
            method: '$context.httpMethod',
            // the route, never the path: a credit check's path holds the identity number it asks about
            route: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            latencyMs: '$context.responseLatency',
            integrationStatus: '$context.integrationStatus',
            integrationError: '$context.integrationErrorMessage',
          }),
        ),
      },
    });
    this.monitoring.alarm(
      'Ingest5xx',
      'ingest-5xx',
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName: '5xx',
        dimensionsMap: { ApiId: api.apiId, Stage: '$default' },
        statistic: 'Sum',
        period: Duration.minutes(5),
      }),
      5,
      'The ingest API answered 5xx at least 5 times in 5 minutes: the ingest function fails (its Errors alarm, its logs) or cannot reach the table or intake queue. Upstreams retry; tell them if it lasts.',
    );
    return api;
  }

  private scheduledFailuresQueue?: sqs.Queue;

  /**
   * Where a scheduled run that failed is kept (Lambda's on-failure destination, and the schedule's
   * dead-letter queue for an invocation that never started): the event and the error, for operators.
   * A message here raises the `scheduled-failures` alarm.
   */
  private scheduledFailures(): sqs.Queue {
    if (this.scheduledFailuresQueue) return this.scheduledFailuresQueue;
    const queue = new sqs.Queue(this, 'ScheduledFailures', {
      queueName: `${this.namePrefix}-scheduled-failures`,
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: this.key,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
      removalPolicy: this.removalPolicy,
    });
    this.monitoring.alarm(
      'ScheduledFailures',
      'scheduled-failures',
      queue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(5) }),
      1,
      `A scheduled run of the pull or the expiry sweep failed, or a schedule (the evidence sealer's too) could not start its function: the failed event and its error are in ${queue.queueName}. Read the function's logs at that time; the next run reads on from its cursor. Delete the messages once understood.`,
    );
    this.scheduledFailuresQueue = queue;
    return queue;
  }

  private schedulerRoleOf?: iam.Role;

  /**
   * The role EventBridge Scheduler invokes the scheduled functions with, and writes to their
   * dead-letter queue (scheduled-failures) as: the target grants it lambda:InvokeFunction and
   * sqs:SendMessage; the queue's key needs naming here (the key's data keys, no wildcards).
   */
  private schedulerRole(): iam.Role {
    if (this.schedulerRoleOf) return this.schedulerRoleOf;
    const role = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': this.account } } }),
      description: `${this.namePrefix}: EventBridge Scheduler invoking the pull, the expiry sweep and the evidence sealer`,
    });
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt', 'kms:GenerateDataKey'], resources: [this.key.keyArn] }));
    this.schedulerRoleOf = role;
    return role;
  }

  /**
   * The scheduled-failures queue as an on-failure destination. Not CDK's SqsDestination, whose grant
   * adds the kms:GenerateDataKey* and kms:ReEncrypt* wildcards: the function gets sqs:SendMessage
   * (grantSend) and already holds the key's named actions.
   */
  private scheduledFailureDestination(): lambda.IDestination {
    const queue = this.scheduledFailures();
    return { bind: () => ({ destination: queue.queueArn }) };
  }

  private pullSchedule(secretPrefix: string): void {
    const feedSecret = this.credentialsSecret(
      'FeedCredentials',
      feedSecretName(secretPrefix),
      'Credentials the pull reads the provincial breach feed with: {"appKey","secret"}',
    );
    const pull = this.exchangeFunction('Pull', 'pull', {
      functionName: resourceNames.function(this.namePrefix, 'pull'),
      entry: 'functions/pull/handler.ts',
      size: this.plan.pull,
      description: 'Pulls the provincial breach feed from its cursor into intake',
      environment: environmentOf.pull({
        ...this.commonResources(),
        intakeQueueUrl: this.intakeQueue.queue.queueUrl,
        feedUrl: this.stage.feed.url,
        credentialsSecret: feedSecret.secretName,
        evidenceQueueUrl: this.evidence.queue.queue.queueUrl,
      }),
      // a failed run is not retried: the next scheduled one reads on from the cursor. Runs never
      // overlap on schedule (the stage's interval must exceed the timeout); if one ever did, the
      // cursor's conditional save lets only one advance it, and intake acks the repeats as duplicates
      async: { retryAttempts: 0, maxEventAge: Duration.minutes(5), onFailure: this.scheduledFailureDestination() },
    });
    this.grantSend(pull, this.intakeQueue.queue);
    this.grantSend(pull, this.evidence.queue.queue);
    this.grantSend(pull, this.scheduledFailures());
    feedSecret.grantRead(pull.role);
    new scheduler.Schedule(this, 'PullSchedule', {
      scheduleName: `${this.namePrefix}-pull`,
      description: 'Pull the provincial breach feed',
      schedule: scheduler.ScheduleExpression.expression(this.stage.feed.schedule),
      // a missed run is harmless: the next one reads on from the cursor
      target: new targets.LambdaInvoke(pull.function, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: this.scheduledFailures(),
        role: this.schedulerRole(),
      }),
    });
  }

  /**
   * Publication ends by itself (NDRC Order 2025 No. 36): the sweep runs on a schedule and sends the
   * end of every publication past its last day where it was published (functions/sweep).
   */
  private expirySweep(topology: Topology): void {
    const sweep = this.exchangeFunction('Sweep', 'sweep', {
      functionName: resourceNames.function(this.namePrefix, 'sweep'),
      entry: 'functions/sweep/handler.ts',
      size: this.plan.sweep,
      description: 'Ends publications past their last day where they were published',
      environment: environmentOf.sweep({
        ...this.commonResources(),
        laneQueueUrls: this.laneQueueUrls(),
        maxRecordsPerRun: topology.expirySweep.maxRecordsPerRun,
      }),
      // a failed run is not retried: the next scheduled one reads on from its cursor (the sweep is idempotent)
      async: { retryAttempts: 0, maxEventAge: Duration.minutes(5), onFailure: this.scheduledFailureDestination() },
    });
    for (const lane of this.lanes.values()) this.grantSend(sweep, lane.queue.queue);
    this.grantSend(sweep, this.scheduledFailures());
    new scheduler.Schedule(this, 'SweepSchedule', {
      scheduleName: `${this.namePrefix}-sweep`,
      description: 'End publications past their last day',
      schedule: scheduler.ScheduleExpression.rate(Duration.minutes(topology.expirySweep.everyMinutes)),
      target: new targets.LambdaInvoke(sweep.function, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: this.scheduledFailures(),
        role: this.schedulerRole(),
      }),
    });
  }

  /**
   * The evidence sealer (functions/seal): every plan.evidence.intervalSeconds it seals the entries
   * waiting on the evidence queue into the next signed window of the chain, one run at a time
   * (reserved concurrency 1: windows form one chain). Its timeout is longer than the interval, so
   * a trigger may find a run still going: Lambda then holds it back (throttled) and drops it after
   * a minute, when the next trigger has come — nothing is lost, the queue keeps the entries. No
   * retry of a failed run and no on-failure destination: the next trigger is a minute away; a
   * crash raises seal-errors, sealing that stopped raises evidence-oldest-message.
   */
  private evidenceSealer(): void {
    const { queue, bucket, bucketKey, signingKey, signingAlgorithm } = this.evidence;
    const seal = this.exchangeFunction('Seal', 'seal', {
      functionName: resourceNames.function(this.namePrefix, 'seal'),
      entry: 'functions/seal/handler.ts',
      size: this.plan.evidence.seal,
      description: 'Seals the waiting evidence entries into the next signed window of the evidence chain',
      environment: environmentOf.seal({
        metricsNamespace: this.namespace,
        stage: this.stage.name,
        evidenceQueueUrl: queue.queue.queueUrl,
        evidenceBucket: bucket.bucketName,
        evidenceKeyArn: signingKey.keyArn,
        signingAlgorithm,
      }),
      async: { retryAttempts: 0, maxEventAge: Duration.seconds(this.plan.evidence.intervalSeconds) },
    });
    const resources: Record<EvidenceResource, string> = {
      evidenceQueue: queue.queue.queueArn,
      evidenceBucket: bucket.bucketArn,
      evidenceObjects: bucket.arnForObjects('*'),
      evidenceBucketKey: bucketKey.keyArn,
      signingKey: signingKey.keyArn,
      stackKey: this.key.keyArn,
    };
    for (const [resource, actions] of Object.entries(sealAccess) as Array<[EvidenceResource, readonly string[]]>)
      seal.role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: [...actions], resources: [resources[resource]] }));
    new scheduler.Schedule(this, 'SealSchedule', {
      scheduleName: `${this.namePrefix}-seal`,
      description: 'Seal the waiting evidence entries into the next window',
      schedule: scheduler.ScheduleExpression.rate(Duration.seconds(this.plan.evidence.intervalSeconds)),
      // a missed run is harmless: the next one seals what waits
      target: new targets.LambdaInvoke(seal.function, {
        retryAttempts: 0,
        maxEventAge: Duration.minutes(5),
        deadLetterQueue: this.scheduledFailures(),
        role: this.schedulerRole(),
      }),
    });
  }

  private alarmsAndDashboard(): void {
    const m = this.monitoring;
    const intakeService = { service: SERVICES.intake };
    const watchedIntake = { name: 'intake', queue: this.intakeQueue.queue, deadLetterQueue: this.intakeQueue.deadLetterQueue };
    m.watchQueue(watchedIntake);
    for (const [destination, lane] of this.lanes) {
      m.watchQueue({ name: `lane-${destination}`, queue: lane.queue.queue, deadLetterQueue: lane.queue.deadLetterQueue });
      m.alarm(
        `${destination}AuthFailures`,
        `lane-${destination}-auth-failures`,
        m.exchangeMetric('AuthFailures', { service: SERVICES.deliver, lane: destination }),
        1,
        `${destination} refused the exchange's credentials (401/403) even after reloading them: the credentials in ${lane.secret.secretName} are wrong or expired. Put the platform's current ones (docs/deploy.md, "Rotating secrets"); failed records retry, then wait in the DLQ for credex replay.`,
      );
    }
    const evidence = this.evidence.queue;
    const evidenceMinutes = EVIDENCE_OLDEST_MESSAGE_MINUTES;
    m.watchQueue({
      name: 'evidence',
      queue: evidence.queue,
      deadLetterQueue: evidence.deadLetterQueue,
      oldestMessageAgeMinutes: evidenceMinutes,
      runbooks: {
        deadLetters: `The sealer refused messages of the evidence queue five times (not in the entry format, or an entry it cannot read) and they wait in ${evidence.deadLetterQueue.queueName}: the evidence they carry is not sealed. Read the seal logs ("evidence message refused": the message id and why), fix the sender, and keep the messages until the entries are accounted for; never purge them unread.`,
        oldestMessage: `Evidence entries have waited over ${evidenceMinutes} minutes to be sealed (the sealer runs every ${this.plan.evidence.intervalSeconds} s): sealing has stopped. Check the seal function's errors and logs (the bucket's Object Lock, the signing key, a window another run wrote first); entries stay on the queue ${this.plan.evidence.queue.retentionDays} days, so fix it well within that.`,
      },
    });
    const scheduled = new Set(['pull', 'sweep', 'seal']);
    for (const [fullName, fn] of this.functions) {
      const name = fullName.slice(this.namePrefix.length + 1);
      // the sealer is throttled by design when a trigger finds a run still going (evidenceSealer)
      m.watchFunction(name, fn.function, name === 'ingest' ? 'api' : scheduled.has(name) ? 'schedule' : 'queue', { throttles: name !== 'seal' });
    }
    const window = Duration.minutes(15);
    m.alarm(
      'QuarantineRate',
      'quarantine-rate',
      new cloudwatch.MathExpression({
        label: 'quarantined %',
        expression: 'IF(received > 0, 100 * quarantined / received, 0)',
        usingMetrics: {
          quarantined: m.exchangeMetric('Quarantined', intakeService, 'Sum', window),
          received: m.exchangeMetric('Received', intakeService, 'Sum', window),
        },
        period: window,
      }),
      this.stage.alarms.quarantineRatePercent,
      `Over ${this.stage.alarms.quarantineRatePercent}% of the records intake received in 15 minutes were quarantined as invalid: an upstream is sending bad data. See which (credex quarantine list), tell its owner, release corrected records (credex quarantine release).`,
    );
    m.alarm(
      'FeedErrors',
      'pull-feed-errors',
      m.exchangeMetric('FeedErrors', { service: SERVICES.pull }, 'Sum', window),
      1,
      'The provincial breach feed failed (network, 5xx, 401, or an unreadable page): inbound breaches are not arriving. The cursor did not move; the next run retries. Check the pull logs and the feed credentials.',
    );
    m.alarm(
      'ExpiryErrors',
      'sweep-expiry-errors',
      m.exchangeMetric('ExpiryErrors', { service: SERVICES.sweep }, 'Sum', Duration.hours(1)),
      1,
      'Publications past their last day are not ended (the sweep could not read or enqueue them, a destination refused the end, or the end is undelivered two days on): records may stay published longer than the law allows. Read the sweep logs (record, destination), credex inspect it; replay the lane DLQ, or credex redeliver the record (docs/deploy.md, Alarms).',
    );
    m.alarm(
      'OverdueCommitments',
      'commitments-overdue',
      m.exchangeMetric('OverdueCommitments', { service: SERVICES.sweep }, 'Maximum', Duration.hours(1)),
      1,
      'Commitments are past their fulfilment deadline (commitment date + the licensing item time limit) and nobody has verified them (核查): the reform needs every commitment checked. List them per department (credex overdue) and send them to the departments; the alarm clears when their verifications arrive (docs/runbook.md, Overdue commitments).',
    );
    m.alarm(
      'CommitmentsFromIneligible',
      'commitments-from-ineligible',
      m.exchangeMetric('CommitmentsFromIneligible', { service: SERVICES.intake }, 'Sum', window),
      1,
      'A commitment was accepted from a subject that was notEligible for 告知承诺 on its commitment date (an unrepaired 严重 breach, a false commitment, or the points band): the licence may have been granted against the rules (国办发〔2020〕42号). Find it (credex inspect: its accepted event says why; credex subject <code>) and tell the accepting department.',
    );

    m.addAlarmStatus();
    m.addRow('Intake', [
      new cloudwatch.GraphWidget({
        title: 'intake: records',
        width: 14,
        left: METRICS.intake.map((name) => m.exchangeMetric(name, intakeService).with({ label: name.toLowerCase() })),
      }),
      ...queueWidgets('intake', watchedIntake),
    ]);
    for (const [destination, lane] of this.lanes)
      m.laneRow(destination, { name: `lane-${destination}`, queue: lane.queue.queue, deadLetterQueue: lane.queue.deadLetterQueue });
    const apiMetric = (metricName: string, statistic = 'Sum') =>
      new cloudwatch.Metric({
        namespace: 'AWS/ApiGateway',
        metricName,
        dimensionsMap: { ApiId: this.api.apiId, Stage: '$default' },
        statistic,
        period: Duration.minutes(5),
      });
    m.addRow('Ingest API and pull', [
      new cloudwatch.GraphWidget({
        title: 'ingest: requests',
        width: 10,
        left: [apiMetric('Count').with({ label: 'requests' }), apiMetric('4xx').with({ label: '4xx' }), apiMetric('5xx').with({ label: '5xx' })],
      }),
      new cloudwatch.GraphWidget({ title: 'ingest: latency (ms)', width: 6, left: [apiMetric('Latency', 'p90').with({ label: 'p90' })] }),
      new cloudwatch.GraphWidget({
        title: 'pull: feed',
        width: 8,
        left: METRICS.pull.map((name) => m.exchangeMetric(name, { service: SERVICES.pull }).with({ label: name })),
      }),
    ]);
    m.addRow('Expiry sweep', [
      new cloudwatch.GraphWidget({
        title: 'sweep: publications',
        width: 24,
        left: METRICS.sweep
          .filter((name) => name !== 'OverdueCommitments')
          .map((name) => m.exchangeMetric(name, { service: SERVICES.sweep }).with({ label: name })),
      }),
    ]);
    m.addRow('Evidence log', [
      new cloudwatch.GraphWidget({
        title: 'seal: entries and windows',
        width: 14,
        left: METRICS.seal.map((name) => m.exchangeMetric(name, { service: SERVICES.seal }).with({ label: name })),
      }),
      ...queueWidgets('evidence', evidence),
    ]);
    m.addRow('Credit', [
      new cloudwatch.GraphWidget({
        title: 'credit checks, by answer',
        width: 12,
        left: (['eligible', 'eligibleWithConditions', 'notEligible'] as const).map((eligibility) =>
          m.exchangeMetric('CreditChecks', { service: SERVICES.ingest, eligibility }).with({ label: eligibility }),
        ),
      }),
      new cloudwatch.GraphWidget({
        title: 'commitments: overdue, and from ineligible subjects',
        width: 12,
        left: [m.exchangeMetric('OverdueCommitments', { service: SERVICES.sweep }, 'Maximum', Duration.hours(1)).with({ label: 'overdue (unverified)' })],
        right: [m.exchangeMetric('CommitmentsFromIneligible', { service: SERVICES.intake }).with({ label: 'from ineligible subjects' })],
      }),
    ]);
  }
}

/** A queue's two dashboard widgets: its DLQ's depth and its oldest message's age. */
function queueWidgets(name: string, queues: { queue: sqs.IQueue; deadLetterQueue: sqs.IQueue }): cloudwatch.GraphWidget[] {
  return [
    new cloudwatch.GraphWidget({
      title: `${name}: DLQ depth`,
      width: 5,
      left: [queues.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) })],
    }),
    new cloudwatch.GraphWidget({
      title: `${name}: oldest message (s)`,
      width: 5,
      left: [queues.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: Duration.minutes(1) })],
    }),
  ];
}
