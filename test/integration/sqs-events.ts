/**
 * Receives messages from a real queue and shapes them as the Lambda SQS event source does
 * (messageId, receiptHandle, body, attributes with ApproximateReceiveCount and SentTimestamp,
 * messageAttributes), so tests drive handlers with what Lambda would pass them. The shaping is the
 * local runtime's own (local/runtime/sqs-event.ts), so tests and the local event source agree.
 */
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { toSqsRecord } from '../../local/runtime/sqs-event.js';

export { toSqsRecord };

/** Up to `max` messages visible now, as SQS event records (they stay in flight until deleted). */
export async function receiveRecords(sqs: SQSClient, queueUrl: string, max = 10): Promise<SQSRecord[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: max,
      WaitTimeSeconds: 0,
      MessageSystemAttributeNames: ['All'],
      MessageAttributeNames: ['All'],
    }),
  );
  return Messages.map((m) => toSqsRecord(m, queueUrl));
}
