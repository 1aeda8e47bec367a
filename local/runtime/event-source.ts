/**
 * The AWS Lambda SQS event source mapping, in this process: polls an SQS-compatible queue and
 * invokes a Lambda handler with batches of its messages, by the rules Lambda follows (AWS docs:
 * "Using Lambda with Amazon SQS" — batching window, partial batch responses, maximum concurrency),
 * so that what the local runtime and the tests observe about lost, repeated and partly failed
 * batches is what AWS would do:
 *
 *  - at most `maxConcurrency` invocations at once: one poller per unit of concurrency, each
 *    gathering a batch, invoking, and settling it before it receives again — so no message is
 *    ever held waiting for a free invocation;
 *  - a batch is gathered until it has `batchSize` messages or `maxBatchingWindowSeconds` have
 *    passed since its first message (ReceiveMessage returns at most 10 a call); a window of 0
 *    invokes with what the first receive returned; never with 0 records;
 *  - ReportBatchItemFailures: the messages the handler lists in `batchItemFailures` stay on the
 *    queue (they come back after the visibility timeout), every other one is deleted. A listed
 *    itemIdentifier that is empty, null, missing or not a messageId of the batch, a thrown error
 *    or rejection, or running past `timeoutSeconds` fails the whole batch: nothing is deleted. A
 *    timed-out handler cannot be killed in-process: its late result is ignored, and its poller
 *    starts no new invocation until it has settled (or stop() is called), so the handler code
 *    never runs more than `maxConcurrency` times at once;
 *  - moving a message to the DLQ after maxReceiveCount receives is the queue's RedrivePolicy,
 *    done by the SQS server, not here.
 *
 * stop() stops receiving, lets in-flight invocations finish and their deletes complete, and puts
 * messages gathered but not yet invoked back on the queue at once (visibility 0).
 *
 * Errors talking to SQS are logged once per distinct error and retried with a short backoff;
 * they never reject out of here. Message bodies are never logged (they hold personal data), nor
 * the messages of errors the handler throws (they may quote a body) — only their names.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type BatchResultErrorEntry,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError } from '../../functions/shared/errors.js';
import type { ConsumerPlan } from '../../infra/plan.js';
import { queueIdentity, toSqsRecord } from './sqs-event.js';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface EventSourceOptions {
  sqs: SQSClient;
  queueUrl: string;
  /** Lambda function name (for the context and logs). */
  functionName: string;
  /** The event source's settings; `memoryMb`, when given, is the context's memoryLimitInMB (default 256). */
  consumer: Pick<ConsumerPlan, 'batchSize' | 'maxBatchingWindowSeconds' | 'maxConcurrency' | 'timeoutSeconds'> & Partial<Pick<ConsumerPlan, 'memoryMb'>>;
  handler: SqsHandler;
  /** Called after every invocation (for progress and tests). */
  onInvocation?: (report: InvocationReport) => void;
  /** Long-poll wait per ReceiveMessage when idle (whole seconds, 0–20; default 1 s; short so stop() is quick). */
  idleWaitSeconds?: number;
  /** Where log lines go (default: stderr). Lines never hold message bodies. */
  log?: (line: string) => void;
}

export interface InvocationReport {
  functionName: string;
  /** Records the handler was invoked with. */
  records: number;
  /** Records left on the queue to come back (the listed failures, or the whole batch). */
  failed: number;
  /**
   * Why the whole batch failed: the handler's error (`Name: message` — it may quote a record, so
   * do not log it where bodies must not go), `Task timed out after N seconds`, or what was wrong
   * with the batch response.
   */
  error?: string;
  durationMs: number;
  timedOut: boolean;
}

export interface EventSourceStats {
  /** Handler invocations that have ended (or timed out). */
  invocations: number;
  /** Records passed to the handler. */
  records: number;
  /** Records left on the queue after an invocation (listed failures and failed batches). */
  failedRecords: number;
  /** Invocations whose whole batch failed: thrown, timed out, or an invalid batch response. */
  errors: number;
}

/** ReceiveMessage, DeleteMessageBatch and ChangeMessageVisibilityBatch take at most 10. */
const SQS_BATCH_LIMIT = 10;
/** ReceiveMessage's longest long poll. */
const MAX_WAIT_SECONDS = 20;
/** Lambda's limits for an SQS event source mapping (CreateEventSourceMapping). */
const MAX_BATCH_SIZE = 10_000;
const MAX_BATCHING_WINDOW_SECONDS = 300;
const MAX_FUNCTION_TIMEOUT_SECONDS = 900;
/** Backoff after a failed ReceiveMessage: doubling from the first to the last. */
const RETRY_FIRST_MS = 100;
const RETRY_MAX_MS = 2_000;
/** Pause between short polls while the last second of a batching window runs out (or when idleWaitSeconds is 0). */
const SHORT_POLL_PAUSE_MS = 50;
/** Distinct errors remembered as already logged (then the memory starts over). */
const LOGGED_ERRORS_LIMIT = 200;
const DEFAULT_MEMORY_MB = 256;

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });

/** Resolves when `promise` settles or `signal` aborts, whichever is first (the listener is removed either way). */
const settledOrAborted = (promise: Promise<unknown>, signal: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      signal.removeEventListener('abort', done);
      resolve();
    };
    signal.addEventListener('abort', done, { once: true });
    promise.then(done, done);
  });

const chunks = <T>(items: readonly T[], size: number): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

const recordsLeft = (count: number): string => `${count === 1 ? 'its record is' : `its ${count} records are`} left on the queue`;
const errorName = (error: unknown): string => (error instanceof Error ? error.name : typeof error);

function validate(options: EventSourceOptions): void {
  const { batchSize, maxBatchingWindowSeconds: window, maxConcurrency, timeoutSeconds } = options.consumer;
  const fail = (message: string) => {
    throw new RangeError(`${options.functionName}: ${message}`);
  };
  if (!(Number.isInteger(batchSize) && batchSize >= 1 && batchSize <= MAX_BATCH_SIZE))
    fail(`batchSize must be an integer from 1 to ${MAX_BATCH_SIZE}; got ${batchSize}`);
  if (!(window >= 0 && window <= MAX_BATCHING_WINDOW_SECONDS)) fail(`maxBatchingWindowSeconds must be from 0 to ${MAX_BATCHING_WINDOW_SECONDS}; got ${window}`);
  if (batchSize > SQS_BATCH_LIMIT && window < 1)
    fail(`a batchSize over ${SQS_BATCH_LIMIT} needs a maxBatchingWindowSeconds of at least 1 (as Lambda requires); got ${window}`);
  // Lambda's minimum is 2; 1 is allowed here (a serial consumer is handy locally)
  if (!(Number.isInteger(maxConcurrency) && maxConcurrency >= 1)) fail(`maxConcurrency must be a positive integer; got ${maxConcurrency}`);
  if (!(timeoutSeconds > 0 && timeoutSeconds <= MAX_FUNCTION_TIMEOUT_SECONDS))
    fail(`timeoutSeconds must be over 0 and at most ${MAX_FUNCTION_TIMEOUT_SECONDS}; got ${timeoutSeconds}`);
  const idle = options.idleWaitSeconds;
  if (idle !== undefined && !(Number.isInteger(idle) && idle >= 0 && idle <= MAX_WAIT_SECONDS))
    fail(`idleWaitSeconds must be a whole number of seconds from 0 to ${MAX_WAIT_SECONDS}; got ${idle}`);
}

/** Which messages the handler's response leaves on the queue, or why the response fails the whole batch. */
export function failedItems(response: unknown, messageIds: ReadonlySet<string>): { failed: Set<string> } | { invalid: string } {
  const failed = new Set<string>();
  if (response === undefined || response === null) return { failed };
  if (typeof response !== 'object' || Array.isArray(response))
    return { invalid: `the response is not a batch response object (${Array.isArray(response) ? 'array' : typeof response})` };
  const items = (response as { batchItemFailures?: unknown }).batchItemFailures;
  if (items === undefined || items === null) return { failed };
  if (!Array.isArray(items)) return { invalid: 'batchItemFailures is not a list' };
  for (const [index, item] of items.entries()) {
    const id: unknown = typeof item === 'object' && item !== null ? (item as { itemIdentifier?: unknown }).itemIdentifier : undefined;
    if (typeof id !== 'string' || id === '') return { invalid: `batchItemFailures[${index}] has no itemIdentifier (empty, null, missing, or not a string)` };
    // the identifier itself is not quoted: a handler could have put anything in it
    if (!messageIds.has(id)) return { invalid: `batchItemFailures[${index}].itemIdentifier is not a messageId of the batch` };
    failed.add(id);
  }
  return { failed };
}

type Outcome = { kind: 'returned'; value: unknown } | { kind: 'threw'; error: unknown } | { kind: 'timedOut' };

export class SqsEventSource {
  readonly stats: EventSourceStats = { invocations: 0, records: 0, failedRecords: 0, errors: 0 };
  readonly #options: EventSourceOptions;
  readonly #idleWaitSeconds: number;
  readonly #log: (line: string) => void;
  readonly #queue: ReturnType<typeof queueIdentity>;
  #run: { controller: AbortController; pollers: Promise<void> } | undefined;
  #stopping: Promise<void> | undefined;
  readonly #loggedErrors = new Set<string>();

  constructor(options: EventSourceOptions) {
    validate(options);
    this.#options = options;
    this.#idleWaitSeconds = options.idleWaitSeconds ?? 1;
    this.#log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.#queue = queueIdentity(options.queueUrl);
  }

  /** The function this source invokes (`credex-local-deliver-municipal`…). */
  get functionName(): string {
    return this.#options.functionName;
  }

  /** Starts the pollers; a no-op while running. */
  start(): void {
    if (this.#stopping) throw new Error(`${this.#options.functionName}: start() while stop() is in progress`);
    if (this.#run) return;
    const controller = new AbortController();
    const pollers = Array.from({ length: this.#options.consumer.maxConcurrency }, () => this.#poll(controller.signal));
    this.#run = { controller, pollers: Promise.all(pollers).then(() => undefined) };
  }

  /** Stops receiving, waits for in-flight invocations (and their deletes), returns gathered messages to the queue. Idempotent. */
  stop(): Promise<void> {
    if (this.#stopping) return this.#stopping;
    const run = this.#run;
    if (!run) return Promise.resolve();
    run.controller.abort();
    this.#stopping = run.pollers.finally(() => {
      this.#run = undefined;
      this.#stopping = undefined;
    });
    return this.#stopping;
  }

  /** One unit of concurrency: gather a batch, invoke, settle it; again until stopped. Never rejects. */
  async #poll(signal: AbortSignal): Promise<void> {
    let retryMs = RETRY_FIRST_MS;
    while (!signal.aborted) {
      let messages: Message[];
      try {
        messages = await this.#gather(signal);
        retryMs = RETRY_FIRST_MS;
      } catch (error) {
        this.#logOnce('ReceiveMessage', error, `retrying in ${retryMs} ms and backing off`);
        await sleep(retryMs, signal);
        retryMs = Math.min(retryMs * 2, RETRY_MAX_MS);
        continue;
      }
      if (messages.length === 0) {
        if (this.#idleWaitSeconds === 0) await sleep(SHORT_POLL_PAUSE_MS, signal);
        continue;
      }
      if (signal.aborted) {
        await this.#release(messages);
        break;
      }
      try {
        await this.#invoke(messages, signal);
      } catch (error) {
        // #invoke settles everything itself; this is a bug guard, never a crash
        this.#logOnce('invoke', error, 'the batch comes back after its visibility timeout');
      }
    }
  }

  async #receive(max: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: Math.min(SQS_BATCH_LIMIT, max),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  /**
   * A batch: the first receive long-polls (idleWaitSeconds); once it returned messages, more are
   * received until batchSize or the window since then has passed. Rejects only if the first
   * receive fails; a later failure ends the gathering with what it has.
   */
  async #gather(signal: AbortSignal): Promise<Message[]> {
    const { batchSize, maxBatchingWindowSeconds } = this.#options.consumer;
    const batch = await this.#receive(batchSize, this.#idleWaitSeconds);
    if (batch.length === 0 || maxBatchingWindowSeconds <= 0) return batch;
    const deadline = performance.now() + maxBatchingWindowSeconds * 1000;
    while (batch.length < batchSize && !signal.aborted) {
      const remainingMs = deadline - performance.now();
      if (remainingMs <= 0) break;
      // long polls end early when a message arrives; kept short so stop() is not held up
      const waitSeconds = Math.min(Math.floor(remainingMs / 1000), this.#idleWaitSeconds, MAX_WAIT_SECONDS);
      let more: Message[];
      try {
        more = await this.#receive(batchSize - batch.length, waitSeconds);
      } catch (error) {
        this.#logOnce('ReceiveMessage', error, 'invoking with the messages gathered so far');
        break;
      }
      batch.push(...more);
      if (more.length === 0 && waitSeconds === 0) await sleep(Math.min(remainingMs, SHORT_POLL_PAUSE_MS), signal);
    }
    return batch;
  }

  #context(requestId: string, deadline: number): Context {
    const { functionName, consumer } = this.#options;
    const { region, account } = this.#queue;
    const unsupported = (name: string) => () => {
      throw new Error(`context.${name}() is not supported by the local event source: return or throw from the handler`);
    };
    const day = new Date().toISOString().slice(0, 10).replaceAll('-', '/');
    return {
      callbackWaitsForEmptyEventLoop: true,
      functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${region}:${account}:function:${functionName}`,
      memoryLimitInMB: String(consumer.memoryMb ?? DEFAULT_MEMORY_MB),
      awsRequestId: requestId,
      logGroupName: `/aws/lambda/${functionName}`,
      logStreamName: `${day}/[$LATEST]${randomBytes(16).toString('hex')}`,
      getRemainingTimeInMillis: () => Math.max(0, Math.floor(deadline - performance.now())),
      done: unsupported('done'),
      fail: unsupported('fail'),
      succeed: unsupported('succeed'),
    };
  }

  async #invoke(messages: Message[], signal: AbortSignal): Promise<void> {
    const { functionName, consumer, handler } = this.#options;
    const records = messages.map((m) => toSqsRecord(m, this.#options.queueUrl));
    // what to delete comes from the messages as received, not from records the handler could change
    const received = messages.map((m) => ({ messageId: m.MessageId ?? '', receiptHandle: m.ReceiptHandle ?? '' }));
    const requestId = randomUUID();
    const started = performance.now();
    const timeoutMs = consumer.timeoutSeconds * 1000;
    const context = this.#context(requestId, started + timeoutMs);

    const handled: Promise<Outcome> = Promise.resolve()
      .then(() => handler({ Records: records }, context))
      .then(
        (value): Outcome => ({ kind: 'returned', value }),
        (error: unknown): Outcome => ({ kind: 'threw', error }),
      );
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: 'timedOut' }), timeoutMs);
    });
    const outcome = await Promise.race([handled, timedOut]);
    clearTimeout(timer);
    const durationMs = performance.now() - started;

    let failed: Set<string> | 'all';
    let error: string | undefined;
    if (outcome.kind === 'timedOut') {
      failed = 'all';
      error = `Task timed out after ${consumer.timeoutSeconds.toFixed(2)} seconds`;
      this.#log(`${functionName} ${requestId}: ${error}; ${recordsLeft(records.length)}`);
    } else if (outcome.kind === 'threw') {
      failed = 'all';
      error = describeError(outcome.error);
      this.#log(`${functionName} ${requestId}: the handler failed (${errorName(outcome.error)}); ${recordsLeft(records.length)}`);
    } else {
      const result = failedItems(outcome.value, new Set(received.map((m) => m.messageId)));
      if ('invalid' in result) {
        failed = 'all';
        error = `invalid batch response: ${result.invalid}`;
        this.#log(`${functionName} ${requestId}: ${error}; ${recordsLeft(records.length)}`);
      } else {
        failed = result.failed;
      }
    }

    const toDelete = failed === 'all' ? [] : received.filter((m) => !(failed as Set<string>).has(m.messageId));
    await this.#delete(toDelete);

    const failedCount = received.length - toDelete.length;
    this.stats.invocations += 1;
    this.stats.records += records.length;
    this.stats.failedRecords += failedCount;
    if (error !== undefined) this.stats.errors += 1;
    const report: InvocationReport = {
      functionName,
      records: records.length,
      failed: failedCount,
      ...(error !== undefined && { error }),
      durationMs,
      timedOut: outcome.kind === 'timedOut',
    };
    try {
      this.#options.onInvocation?.(report);
    } catch (callbackError) {
      this.#logOnce('onInvocation', callbackError, 'ignored');
    }

    // Lambda would have ended the runaway; here the slot stays taken until it settles (or stop())
    if (outcome.kind === 'timedOut') await settledOrAborted(handled, signal);
  }

  /** DeleteMessageBatch in tens; a message not deleted comes back after its visibility timeout (at least once, as on AWS). */
  async #delete(messages: { messageId: string; receiptHandle: string }[]): Promise<void> {
    await Promise.all(
      chunks(messages, SQS_BATCH_LIMIT).map(async (chunk) => {
        try {
          const { Failed = [] } = await this.#options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: this.#options.queueUrl,
              Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.receiptHandle })),
            }),
          );
          this.#logFailedEntries('DeleteMessageBatch', Failed, 'those messages come back after their visibility timeout');
        } catch (error) {
          this.#logOnce('DeleteMessageBatch', error, `${chunk.length} messages come back after their visibility timeout`);
        }
      }),
    );
  }

  /** Gathered but not invoked (stopping): visible again at once. */
  async #release(messages: Message[]): Promise<void> {
    await Promise.all(
      chunks(messages, SQS_BATCH_LIMIT).map(async (chunk) => {
        try {
          const { Failed = [] } = await this.#options.sqs.send(
            new ChangeMessageVisibilityBatchCommand({
              QueueUrl: this.#options.queueUrl,
              // 1, not 0: fauxqs 2.4 with a data directory fails a change to 0 and loses the message until a restart
              Entries: chunk.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 1 })),
            }),
          );
          this.#logFailedEntries('ChangeMessageVisibilityBatch', Failed, 'those messages come back after their visibility timeout');
        } catch (error) {
          this.#logOnce('ChangeMessageVisibilityBatch', error, `${chunk.length} messages come back after their visibility timeout`);
        }
      }),
    );
  }

  #logFailedEntries(operation: string, failed: BatchResultErrorEntry[], consequence: string): void {
    for (const entry of failed) this.#logOnce(operation, `${entry.Code ?? 'entry failed'}: ${entry.Message ?? ''}`, consequence);
  }

  /** Logs an SQS error the first time it is seen (by operation and message); repeats stay quiet. */
  #logOnce(operation: string, error: unknown, consequence: string): void {
    const key = `${operation}: ${describeError(error)}`;
    if (this.#loggedErrors.has(key)) return;
    if (this.#loggedErrors.size >= LOGGED_ERRORS_LIMIT) this.#loggedErrors.clear();
    this.#loggedErrors.add(key);
    this.#log(`${this.#options.functionName} ${this.#queue.name}: ${key} — ${consequence} (this error is logged once)`);
  }
}
