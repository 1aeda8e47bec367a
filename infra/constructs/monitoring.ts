/**
 * Alarms to one SNS topic, and a dashboard an operator reads at a glance: one row per lane (in,
 * delivered, rejected, failing, DLQ depth, oldest message), a row for intake and one for the ingest
 * API, and the state of every alarm on top. Each alarm's description says what it means and what
 * to do (docs/deploy.md, "Alarms" repeats it as a runbook).
 */
import { Aws, Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { SERVICES } from '../../topology/names.js';

export interface MonitoringProps {
  /** `credex-<stage>`: names the topic, the dashboard and every alarm. */
  namePrefix: string;
  /** The functions' metric namespace (`CreditExchange/<stage>`). */
  namespace: string;
  key: kms.IKey;
  emails: readonly string[];
  oldestMessageAgeMinutes: number;
}

export interface QueueToWatch {
  /** Short name in alarm names and widget titles (`intake`, `lane-provincial`). */
  name: string;
  queue: sqs.IQueue;
  deadLetterQueue: sqs.IQueue;
  /** The oldest message's age that raises an alarm, when not the stage's (`oldestMessageAgeMinutes`). */
  oldestMessageAgeMinutes?: number;
  /** What the alarms tell the operator, when not the delivery queues' (credex replay). */
  runbooks?: { deadLetters: string; oldestMessage: string };
}

const FIVE_MINUTES = Duration.minutes(5);

export class Monitoring extends Construct {
  readonly topic: sns.Topic;
  readonly dashboard: cloudwatch.Dashboard;
  readonly alarms: cloudwatch.Alarm[] = [];
  private readonly props: MonitoringProps;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    this.props = props;
    this.topic = new sns.Topic(this, 'Alarms', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: 'Credit exchange alarms',
      masterKey: props.key,
      enforceSSL: true,
    });
    // enforceSSL gives the topic a policy of its own, which replaces SNS's default one: CloudWatch
    // may then publish only if allowed here (and decrypt with the key: the stack's key policy)
    const { account, region } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'AllowThisStacksAlarms',
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          StringEquals: { 'aws:SourceAccount': account },
          ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${region}:${account}:alarm:${props.namePrefix}-*` },
        },
      }),
    );
    for (const email of props.emails) this.topic.addSubscription(new subscriptions.EmailSubscription(email));
    this.dashboard = new cloudwatch.Dashboard(this, 'Dashboard', { dashboardName: props.namePrefix, defaultInterval: Duration.hours(3) });
  }

  /** A metric the exchange's functions publish (Powertools EMF: dimension `service`, and more). */
  exchangeMetric(name: string, dimensions: Record<string, string>, statistic = 'Sum', period = FIVE_MINUTES): cloudwatch.Metric {
    return new cloudwatch.Metric({ namespace: this.props.namespace, metricName: name, dimensionsMap: dimensions, statistic, period });
  }

  /** An alarm to the topic; missing data (nothing happening) is never an alarm. */
  alarm(id: string, what: string, metric: cloudwatch.IMetric, threshold: number, runbook: string, evaluationPeriods = 1): cloudwatch.Alarm {
    const alarm = new cloudwatch.Alarm(this, id, {
      alarmName: `${this.props.namePrefix}-${what}`,
      alarmDescription: runbook,
      metric,
      threshold,
      evaluationPeriods,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(this.topic));
    alarm.addOkAction(new actions.SnsAction(this.topic));
    this.alarms.push(alarm);
    return alarm;
  }

  /** DLQ not empty, and the oldest message too old (the consumer is stuck or the endpoint down). */
  watchQueue(watched: QueueToWatch): void {
    const minutes = watched.oldestMessageAgeMinutes ?? this.props.oldestMessageAgeMinutes;
    this.alarm(
      `${watched.name}DlqNotEmpty`,
      `${watched.name}-dlq-not-empty`,
      watched.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ statistic: 'Maximum', period: Duration.minutes(1) }),
      1,
      watched.runbooks?.deadLetters ??
        `Messages of ${watched.name} failed every retry and wait in its DLQ (${watched.deadLetterQueue.queueName}). Find out why (credex status, the function's logs), fix the cause, then replay them: credex replay.`,
    );
    this.alarm(
      `${watched.name}OldestMessage`,
      `${watched.name}-oldest-message`,
      watched.queue.metricApproximateAgeOfOldestMessage({ statistic: 'Maximum', period: FIVE_MINUTES }),
      minutes * 60,
      watched.runbooks?.oldestMessage ??
        `A message has waited in ${watched.name} over ${minutes} minutes: its consumer is failing, throttled or its endpoint is down. Check the function's errors and the endpoint; messages move to the DLQ after the lane's maxReceiveCount.`,
    );
  }

  /**
   * Errors (a crashed invocation, not a reported record failure) and throttles of a function.
   * `trigger` says what happens to the work of a failed or throttled invocation. `throttles: false`
   * for a function throttled by design (the sealer: one run at a time, on a schedule that may fire
   * while a run goes on), whose stalling another alarm reports.
   */
  watchFunction(name: string, fn: lambda.IFunction, trigger: 'queue' | 'schedule' | 'api', options: { throttles?: boolean } = {}): void {
    const retried = {
      queue: ['their messages come back and are retried', 'Messages wait, nothing is lost'],
      schedule: ['the run is abandoned and the next scheduled run does its work (its state did not advance)', 'The run waits for the next schedule'],
      api: ['the upstream was answered 5xx and resends', 'Upstreams were answered 5xx and resend'],
    }[trigger];
    this.alarm(
      `${name}Errors`,
      `${name}-errors`,
      fn.metricErrors({ period: FIVE_MINUTES }),
      1,
      `${name} invocations failed as a whole (a crash, a timeout or a configuration error): ${retried[0]}. Read the function's log group for the error.`,
    );
    if (options.throttles === false) return;
    this.alarm(
      `${name}Throttles`,
      `${name}-throttles`,
      fn.metricThrottles({ period: FIVE_MINUTES }),
      1,
      `${name} was throttled by Lambda: the account's concurrency is exhausted or a reserved concurrency is too low. ${retried[1]}; raise the limit if it persists.`,
    );
  }

  laneRow(destination: string, watched: QueueToWatch): void {
    const lane = { service: SERVICES.deliver, lane: destination };
    this.dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: `### Lane ${destination}`, width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: `${destination}: records`,
        width: 9,
        left: [
          watched.queue.metricNumberOfMessagesSent({ label: 'in', period: FIVE_MINUTES }),
          this.exchangeMetric('Delivered', lane).with({ label: 'delivered' }),
          this.exchangeMetric('Rejected', lane).with({ label: 'rejected' }),
          this.exchangeMetric('TransientFailures', lane).with({ label: 'failing' }),
          this.exchangeMetric('AuthFailures', lane).with({ label: 'auth failures' }),
        ],
      }),
      new cloudwatch.GraphWidget({
        title: `${destination}: DLQ depth`,
        width: 5,
        left: [watched.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ label: 'in DLQ', statistic: 'Maximum', period: Duration.minutes(1) })],
      }),
      new cloudwatch.GraphWidget({
        title: `${destination}: oldest message (s)`,
        width: 5,
        left: [watched.queue.metricApproximateAgeOfOldestMessage({ label: 'age', statistic: 'Maximum', period: Duration.minutes(1) })],
      }),
      new cloudwatch.GraphWidget({
        title: `${destination}: endpoint latency (ms)`,
        width: 5,
        left: [this.exchangeMetric('EndpointLatency', lane, 'p90').with({ label: 'p90' })],
      }),
    );
  }

  addRow(title: string, widgets: cloudwatch.IWidget[]): void {
    this.dashboard.addWidgets(new cloudwatch.TextWidget({ markdown: `### ${title}`, width: 24, height: 1 }), ...widgets);
  }

  /** The state of every alarm: call after all alarms exist and before the rows, so it comes first. */
  addAlarmStatus(): void {
    this.dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: Math.max(3, Math.ceil(this.alarms.length / 4) + 1) }),
    );
  }
}
