/**
 * A queue with its dead-letter queue, secure and durable by default: KMS encryption with the
 * stack's key, TLS-only access, 14 days' retention on both, redrive after the plan's
 * maxReceiveCount, and the visibility timeout the plan derived from its consumer.
 */
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { QueuePlan } from '../plan.js';
import { resourceNames } from '../../topology/names.js';

export interface DurableQueueProps {
  /** `credex-<stage>`: the queue is `<prefix>-<plan.name>`, its DLQ `<prefix>-<plan.name>-dlq`. */
  namePrefix: string;
  plan: QueuePlan;
  key: kms.IKey;
  /** Production retains both queues: a DLQ holds messages waiting for an operator's replay. */
  removalPolicy: RemovalPolicy;
}

export class DurableQueue extends Construct {
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: DurableQueueProps) {
    super(scope, id);
    const common = {
      encryption: sqs.QueueEncryption.KMS,
      encryptionMasterKey: props.key,
      // data keys are reused for 15 minutes: far fewer KMS calls (and cost) per message
      dataKeyReuse: Duration.minutes(15),
      enforceSSL: true,
      retentionPeriod: Duration.days(props.plan.retentionDays),
      removalPolicy: props.removalPolicy,
    };
    this.deadLetterQueue = new sqs.Queue(this, 'Dlq', { ...common, queueName: resourceNames.deadLetterQueue(props.namePrefix, props.plan.name) });
    this.queue = new sqs.Queue(this, 'Queue', {
      ...common,
      queueName: resourceNames.queue(props.namePrefix, props.plan.name),
      visibilityTimeout: Duration.seconds(props.plan.visibilityTimeoutSeconds),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.plan.maxReceiveCount },
    });
  }
}
