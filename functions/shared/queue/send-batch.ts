/**
 * SendMessageBatch in chunks of 10 messages and 256 KiB, retrying only the entries SQS reports as
 * failed for a transient reason — a batch request can succeed while some of its entries do not, and
 * an entry SQS refuses as the sender's fault (`InvalidMessageContents`) fails the same way every time.
 */
import { SendMessageBatchCommand, type MessageAttributeValue, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../errors.js';
import type { ValidationIssue } from '../records/validate.js';
import { isPermanentQueueRefusal, isTransientAwsError } from '../aws-errors.js';

export interface OutgoingMessage {
  /** The caller's id for the message, reported back when it could not be sent. */
  key: string;
  body: string;
  attributes?: Record<string, string>;
}

export interface SendBatchOptions {
  /** Rounds of retry for entries that failed (default 3). */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface SendBatchResult {
  /** Keys of the messages that could not be sent, with the last reason. */
  failed: Map<string, string>;
  /** Of `failed`, those SQS refused for their content (InvalidMessageContents): not retried, they would fail the same way again. */
  refused: Map<string, string>;
  /** Of `failed`, those whose whole request failed for a reason retrying cannot mend (a missing queue, access denied). */
  unsendable: Set<string>;
  /** Keys of the messages sent, with the id SQS gave each. */
  sent: Map<string, string>;
  /** SendMessageBatch requests made. */
  requests: number;
}

const SQS_BATCH_LIMIT = 10;
/**
 * Bytes of bodies and attributes per request: SQS allows 1 MiB a request now, but a queue's
 * MaximumMessageSize (default 256 KiB) and older SQS-compatible servers still cap the whole batch there.
 */
const REQUEST_BYTES_LIMIT = 256 * 1024;

/** `items` in order, in chunks of at most `maxCount` items and `maxBytes` by `sizeOf` (a larger item goes alone). */
export function chunksBySize<T>(items: readonly T[], sizeOf: (item: T) => number, maxBytes: number, maxCount = Number.POSITIVE_INFINITY): T[][] {
  const chunks: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === maxCount || bytes + size > maxBytes)) {
      chunks.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

const messageBytes = (m: OutgoingMessage): number =>
  Buffer.byteLength(m.body) + Object.entries(m.attributes ?? {}).reduce((n, [k, v]) => n + Buffer.byteLength(k) + Buffer.byteLength(v) + 6, 0);

/** Chunks of at most 10 messages and 256 KiB (a larger message goes alone). */
export const requestChunks = <T extends OutgoingMessage>(messages: readonly T[]): T[][] =>
  chunksBySize(messages, messageBytes, REQUEST_BYTES_LIMIT, SQS_BATCH_LIMIT);

export async function sendBatch(
  sqs: SQSClient,
  queueUrl: string,
  messages: readonly OutgoingMessage[],
  options: SendBatchOptions = {},
): Promise<SendBatchResult> {
  const retries = options.retries ?? 3;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const failed = new Map<string, string>();
  const refused = new Map<string, string>();
  const unsendable = new Set<string>();
  const sent = new Map<string, string>();
  let requests = 0;
  for (const chunk of requestChunks(messages)) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(50 * 2 ** attempt);
      let lastReason: Map<string, string>;
      try {
        requests++;
        const result = await sqs.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: pending.map((m, index) => ({ Id: String(index), MessageBody: m.body, MessageAttributes: toAttributes(m.attributes) })),
          }),
        );
        for (const ok of result.Successful ?? []) sent.set(pending[Number(ok.Id)]!.key, ok.MessageId ?? '');
        const failedIndexes = new Map<number, string>();
        for (const f of result.Failed ?? []) {
          const reason = `${f.Code ?? 'Failed'}${f.SenderFault ? ' (sender fault)' : ''}: ${f.Message ?? ''}`;
          if (isPermanentQueueRefusal(f.Code, f.SenderFault)) {
            refused.set(pending[Number(f.Id)]!.key, reason);
            failed.set(pending[Number(f.Id)]!.key, reason);
          } else failedIndexes.set(Number(f.Id), reason);
        }
        lastReason = new Map([...failedIndexes].map(([index, reason]) => [pending[index]!.key, reason]));
        pending = pending.filter((_m, index) => failedIndexes.has(index));
      } catch (err) {
        // the whole request failed: throttled or network, every entry is retried; otherwise (a
        // missing queue, access denied) retrying cannot help
        lastReason = new Map(pending.map((m) => [m.key, describeError(err)]));
        if (!isTransientAwsError(err)) {
          for (const m of pending) {
            failed.set(m.key, lastReason.get(m.key)!);
            unsendable.add(m.key);
          }
          break;
        }
      }
      if (attempt >= retries) {
        for (const m of pending) failed.set(m.key, lastReason.get(m.key) ?? 'not sent');
        break;
      }
    }
  }
  return { failed, refused, unsendable, sent, requests };
}

/** The issue a record the queue refused for its content is kept and answered with (rule `queueRefused`). */
export function queueRefusedIssue(reason: string): ValidationIssue {
  return { path: '', rule: 'queueRefused', message: `the intake queue refused the record: ${reason}` };
}

function toAttributes(attributes: Record<string, string> | undefined): Record<string, MessageAttributeValue> | undefined {
  if (!attributes) return undefined;
  return Object.fromEntries(Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]));
}
