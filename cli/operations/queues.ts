/** SQS reads the operator commands share: a queue's depth, and the oldest message of a DLQ. */
import { GetQueueAttributesCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';

/**
 * The visibility a released message gets: visible again a second later. Not 0: fauxqs 2.4 with a
 * data directory (`npm start`) fails ChangeMessageVisibility to 0 and loses track of the message
 * until a restart (a NOT NULL constraint on approximate_receive_count); on AWS the second is moot.
 */
export const RELEASE_VISIBILITY_SECONDS = 1;

export interface QueueDepth {
  /** Messages waiting (ApproximateNumberOfMessages). */
  visible: number;
  /** Messages received and not yet deleted (ApproximateNumberOfMessagesNotVisible). */
  inFlight: number;
  /** Messages sent with a delay, not yet visible. */
  delayed: number;
}

export async function queueDepth(sqs: SQSClient, queueUrl: string): Promise<QueueDepth> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: queueUrl,
      AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'],
    }),
  );
  const n = (key: string) => Number(Attributes[key as keyof typeof Attributes] ?? 0) || 0;
  return { visible: n('ApproximateNumberOfMessages'), inFlight: n('ApproximateNumberOfMessagesNotVisible'), delayed: n('ApproximateNumberOfMessagesDelayed') };
}

/**
 * When the oldest of the messages a DLQ shows was first sent (SentTimestamp survives the redrive),
 * looking at up to `sample` of them without taking them: each is received with visibility 0, so
 * it stays visible to everyone. On a deep queue this is the oldest of a sample, and says so.
 */
export async function oldestSentAt(sqs: SQSClient, queueUrl: string, sample = 100): Promise<{ sentAt?: string; seen: number }> {
  const seen = new Set<string>();
  let oldest = Number.POSITIVE_INFINITY;
  for (let round = 0, empty = 0; seen.size < sample && round < Math.ceil(sample / 10) * 3 && empty < 2; round++) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        WaitTimeSeconds: 0,
        MessageSystemAttributeNames: ['SentTimestamp'],
      }),
    );
    empty = Messages.length === 0 ? empty + 1 : 0;
    for (const m of Messages) {
      seen.add(m.MessageId!);
      const sent = Number(m.Attributes?.SentTimestamp);
      if (Number.isFinite(sent)) oldest = Math.min(oldest, sent);
    }
  }
  return { ...(Number.isFinite(oldest) && { sentAt: new Date(oldest).toISOString() }), seen: seen.size };
}
