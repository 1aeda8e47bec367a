/**
 * SQS messages as the Lambda SQS event source hands them to a function: one `SQSRecord` per
 * message (messageId, receiptHandle, body, the system attributes — ApproximateReceiveCount,
 * SentTimestamp, ... — and the message attributes in Lambda's camel-cased shape), with the queue's
 * ARN and region. The local event source (./event-source.ts) and the integration tests
 * (test/integration/sqs-events.ts) build events with it, so handlers see what Lambda would pass.
 */
import type { Message } from '@aws-sdk/client-sqs';
import type { SQSMessageAttributes, SQSRecord, SQSRecordAttributes } from 'aws-lambda';

const DEFAULT_REGION = 'us-east-1';
/** The account id emulators (fauxqs, LocalStack) put in queue URLs and ARNs. */
const DEFAULT_ACCOUNT = '000000000000';

export interface QueueIdentity {
  name: string;
  region: string;
  account: string;
  arn: string;
}

/**
 * Name, region, account and ARN of a queue from its URL: `https://sqs.<region>.amazonaws.com/<account>/<name>`
 * on AWS, `http://sqs.<region>.localhost:<port>/<account>/<name>` on fauxqs; whatever the URL does
 * not say is us-east-1 / 000000000000.
 */
export function queueIdentity(queueUrl: string): QueueIdentity {
  let host = '';
  let segments: string[];
  try {
    const url = new URL(queueUrl);
    host = url.hostname;
    segments = url.pathname.split('/').filter(Boolean);
  } catch {
    segments = queueUrl.split('/').filter(Boolean);
  }
  const name = segments.at(-1) ?? queueUrl;
  const account = segments.length >= 2 && /^\d{12}$/.test(segments.at(-2)!) ? segments.at(-2)! : DEFAULT_ACCOUNT;
  const region = /^sqs\.([a-z0-9-]+)\./.exec(host)?.[1] ?? DEFAULT_REGION;
  return { name, region, account, arn: `arn:aws:sqs:${region}:${account}:${name}` };
}

function messageAttributesOf(message: Message): SQSMessageAttributes {
  const out: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    out[name] = {
      ...(value.StringValue !== undefined && { stringValue: value.StringValue }),
      ...(value.BinaryValue !== undefined && { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType ?? 'String',
    };
  }
  return out;
}

/** A received message as the record Lambda puts in `event.Records` (receive it with all system and message attributes). */
export function toSqsRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  const now = String(Date.now());
  const queue = queueIdentity(queueUrl);
  const recordAttributes: SQSRecordAttributes = {
    ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
    SentTimestamp: attributes.SentTimestamp ?? now,
    SenderId: attributes.SenderId ?? 'local',
    ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? now,
    ...(attributes.AWSTraceHeader !== undefined && { AWSTraceHeader: attributes.AWSTraceHeader }),
    ...(attributes.SequenceNumber !== undefined && { SequenceNumber: attributes.SequenceNumber }),
    ...(attributes.MessageGroupId !== undefined && { MessageGroupId: attributes.MessageGroupId }),
    ...(attributes.MessageDeduplicationId !== undefined && { MessageDeduplicationId: attributes.MessageDeduplicationId }),
    ...(attributes.DeadLetterQueueSourceArn !== undefined && { DeadLetterQueueSourceArn: attributes.DeadLetterQueueSourceArn }),
  };
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: recordAttributes,
    messageAttributes: messageAttributesOf(message),
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes !== undefined && { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queue.arn,
    awsRegion: queue.region,
  };
}
