/**
 * In-memory stand-ins for what intake and deliver talk to, for the intake and deliver benchmarks:
 * no servers, no network, no SDK middleware.
 *
 * - The sync state is test/support/in-memory-sync-state.ts (the SyncState the unit tests use: the
 *   same items and guards as the DynamoDB implementation, kept in maps), wrapped by `CountedState`,
 *   which counts its operations and the time spent inside them.
 * - FakeSqs stands for an SQSClient: SendMessageBatch (≤ 10 entries, distinct ids), SendMessage,
 *   ChangeMessageVisibility and ChangeMessageVisibilityBatch (≤ 10 entries); every entry succeeds.
 *   Cast it to the client type at the call site. It counts requests as SQS bills them (see
 *   `SqsStats`).
 *
 * Both measure the wall time spent inside their own calls (synchronous code on the one thread, so
 * about its CPU time), which the benchmarks report apart from the function's.
 */
import { performance } from 'node:perf_hooks';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import type { SyncState } from '../functions/shared/state/sync-state.js';

const KB = 1024;
const SQS_BATCH_LIMIT = 10;
/** SQS bills each 64 KiB chunk of a request's payload as one request. */
const SQS_BILLING_CHUNK = 64 * KB;

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
const validation = (message: string): Error => named('ValidationException', message);
const unsupported = (what: string): Error => named('FakeUnsupported', `the fake does not implement ${what}`);

// ---------------------------------------------------------------- the sync state

/** What was asked of a state (or a table): calls by operation, and the wall time inside them. */
export interface StateStats {
  calls: Record<string, number>;
  fakeMs: number;
}

export const emptyStateStats = (): StateStats => ({ calls: {}, fakeMs: 0 });

/**
 * A SyncState that counts each call of `inner` by operation and adds the time inside it to
 * `stats.fakeMs`. The in-memory state does all of an operation's work before it returns its
 * promise, so the time measured is the operation's.
 */
export class CountedState {
  stats: StateStats = emptyStateStats();
  readonly state: SyncState;

  constructor(inner: SyncState) {
    this.state = new Proxy(inner, {
      get: (target, name, receiver) => {
        const value: unknown = Reflect.get(target, name, receiver);
        if (typeof value !== 'function') return value;
        const operation = String(name);
        return (...args: unknown[]) => {
          this.stats.calls[operation] = (this.stats.calls[operation] ?? 0) + 1;
          const started = performance.now();
          try {
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          } finally {
            this.stats.fakeMs += performance.now() - started;
          }
        };
      },
    });
  }
}

// ---------------------------------------------------------------- SQS

export interface SentMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, string>;
}

export interface SqsStats {
  /** API calls by operation. */
  requests: Record<string, number>;
  /** Messages whose visibility timeout was changed (ChangeMessageVisibility and its batch form). */
  visibilityChanges: number;
  /** Requests as SQS bills them: each 64 KiB chunk of a request's payload is one. */
  billedRequests: number;
  messages: number;
  /** Payload bytes: bodies plus message attributes (name, type, value). */
  payloadBytes: number;
  fakeMs: number;
}

export const emptySqsStats = (): SqsStats => ({ requests: {}, visibilityChanges: 0, billedRequests: 0, messages: 0, payloadBytes: 0, fakeMs: 0 });

function attributeBytes(attributes: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes ?? {}))
    n += utf8(name) + utf8(a.DataType ?? '') + utf8(a.StringValue ?? '') + (a.BinaryValue?.byteLength ?? 0);
  return n;
}

function attributeStrings(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    if (a.DataType !== 'String' && a.DataType !== 'Number') throw unsupported(`message attribute type ${String(a.DataType)}`);
    out[name] = a.StringValue ?? '';
  }
  return out;
}

/** SQS caps a visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export interface VisibilityChange {
  queueUrl: string;
  receiptHandle: string;
  seconds: number;
}

export class FakeSqs {
  /** Every message sent, in order (cleared with `clear`). */
  readonly sent: SentMessage[] = [];
  /** Every visibility change, in order (cleared with `clear`). */
  readonly visibility: VisibilityChange[] = [];
  stats: SqsStats = emptySqsStats();
  private nextId = 1;

  async send(command: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      return this.dispatch(command);
    } finally {
      this.stats.fakeMs += performance.now() - started;
    }
  }

  clear(): void {
    this.sent.length = 0;
    this.visibility.length = 0;
  }

  private dispatch(command: unknown): unknown {
    if (command instanceof SendMessageBatchCommand) {
      const { QueueUrl, Entries = [] } = command.input;
      this.count('SendMessageBatch');
      if (!QueueUrl) throw validation('QueueUrl is required');
      if (Entries.length === 0) throw named('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (Entries.length > SQS_BATCH_LIMIT)
        throw named('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_BATCH_LIMIT}. You have sent ${Entries.length}.`);
      const ids = new Set(Entries.map((e) => e.Id));
      if (ids.size !== Entries.length) throw named('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      let bytes = 0;
      const successful = Entries.map((e) => {
        if (!e.Id || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) throw named('InvalidBatchEntryId', `invalid batch entry id ${String(e.Id)}`);
        bytes += this.accept(QueueUrl, e.MessageBody, e.MessageAttributes);
        return { Id: e.Id, MessageId: this.messageId() };
      });
      this.bill(bytes);
      return { Successful: successful, Failed: [] };
    }
    if (command instanceof SendMessageCommand) {
      const { QueueUrl, MessageBody, MessageAttributes } = command.input;
      this.count('SendMessage');
      if (!QueueUrl) throw validation('QueueUrl is required');
      this.bill(this.accept(QueueUrl, MessageBody, MessageAttributes));
      return { MessageId: this.messageId() };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      const { QueueUrl, ReceiptHandle, VisibilityTimeout } = command.input;
      this.count('ChangeMessageVisibility');
      this.changeVisibility(QueueUrl, ReceiptHandle, VisibilityTimeout);
      this.stats.billedRequests++;
      return {};
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      const { QueueUrl, Entries = [] } = command.input;
      this.count('ChangeMessageVisibilityBatch');
      if (Entries.length === 0) throw named('EmptyBatchRequest', 'There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.');
      if (Entries.length > SQS_BATCH_LIMIT)
        throw named('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_BATCH_LIMIT}. You have sent ${Entries.length}.`);
      if (new Set(Entries.map((e) => e.Id)).size !== Entries.length)
        throw named('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      for (const e of Entries) this.changeVisibility(QueueUrl, e.ReceiptHandle, e.VisibilityTimeout);
      this.stats.billedRequests++;
      return { Successful: Entries.map((e) => ({ Id: e.Id })), Failed: [] };
    }
    throw unsupported(`command ${(command as object | null)?.constructor?.name ?? String(command)}`);
  }

  private count(operation: string): void {
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
  }

  private changeVisibility(queueUrl: string | undefined, receiptHandle: string | undefined, seconds: number | undefined): void {
    if (!queueUrl) throw validation('QueueUrl is required');
    if (!receiptHandle) throw validation('ReceiptHandle is required');
    if (seconds === undefined || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw named('InvalidParameterValue', `VisibilityTimeout must be an integer from 0 to ${MAX_VISIBILITY_SECONDS}, got ${String(seconds)}`);
    }
    this.visibility.push({ queueUrl, receiptHandle, seconds });
    this.stats.visibilityChanges++;
  }

  private accept(queueUrl: string, body: string | undefined, attributes: Record<string, MessageAttributeValue> | undefined): number {
    if (!body) throw validation('MessageBody must not be empty');
    this.sent.push({ queueUrl, body, attributes: attributeStrings(attributes) });
    this.stats.messages++;
    const bytes = utf8(body) + attributeBytes(attributes);
    this.stats.payloadBytes += bytes;
    return bytes;
  }

  private bill(bytes: number): void {
    this.stats.billedRequests += Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK));
  }

  private messageId(): string {
    return `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
  }
}
