/**
 * The evidence sealer, run on a schedule: takes the entries waiting on the evidence queue, seals
 * them as the next window of the chain (Merkle root, previous window's hash, span, signed), stores
 * it create-only, and only then deletes the messages. A run that dies before the delete leaves the
 * messages to come back: their entries, already sealed, are recognised by id in the latest windows
 * and not sealed twice. A message not in the entry format is never deleted: after five receives it
 * moves to the evidence DLQ, for an operator.
 */
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import { readTip, readWindow, sealWindow, type ChainTip } from '../shared/evidence/chain.js';
import { parseEntryLine } from '../shared/evidence/format.js';
import { ENTRIES_FORMAT, isoNow, type EvidenceMessage } from '../shared/evidence/outbox.js';
import type { EvidenceSigner } from '../shared/evidence/signer.js';
import type { EvidenceStore } from '../shared/evidence/store.js';
import type { MetricName } from '../../topology/names.js';

export interface SealConfig {
  stage: string;
  queueUrl: string;
  /**
   * A window stops taking messages once it holds this many entries (one receive of up to 10
   * messages may take it over); a backlog is sealed as several windows in one run.
   */
  maxEntriesPerWindow: number;
  /**
   * Windows back whose entry ids a returning message is checked against: a message whose delete
   * failed comes back after the visibility timeout (240 s: about 4 windows on AWS).
   */
  lookbackWindows: number;
}

export interface SealDeps {
  sqs: SQSClient;
  store: EvidenceStore;
  signer: EvidenceSigner;
  config: SealConfig;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  metrics: { count(name: MetricName<'seal'>, value: number): void };
  /** Milliseconds the run may still take. */
  remainingMs: () => number;
}

export interface SealResult {
  windows: number;
  entries: number;
  duplicates: number;
  refused: number;
  /** The newest window after the run (-1: none yet). */
  head: number;
}

/** Time kept back at the end of a run for the last window's writes and deletes (at most a quarter of the run). */
const RESERVE_MS = 10_000;

export async function sealPending(deps: SealDeps): Promise<SealResult> {
  const result: SealResult = { windows: 0, entries: 0, duplicates: 0, refused: 0, head: -1 };
  const reserve = Math.min(RESERVE_MS, deps.remainingMs() / 4);
  let tip = await readTip(deps.store);
  const sealed = await recentEntryIds(deps.store, tip, deps.config.lookbackWindows);
  for (;;) {
    if (deps.remainingMs() < reserve) break;
    const batch = await receive(deps, sealed, reserve);
    result.duplicates += batch.duplicates;
    result.refused += batch.refused;
    if (batch.messages.length === 0) break;
    if (batch.lines.length > 0) {
      const outcome = await sealWindow(deps.store, deps.signer, deps.config.stage, tip, batch.lines, { from: batch.firstAt, until: isoNow() });
      if (!outcome.tip) {
        // another run wrote this window number: its messages come back and are checked against it
        deps.logger.warn('another sealer wrote the next window first; this run stops', { seq: tip ? tip.seq + 1 : 0 });
        break;
      }
      tip = outcome.tip;
      for (const id of tip.entryIds) sealed.add(id);
      result.windows += 1;
      result.entries += batch.lines.length;
    }
    await deleteAll(deps, batch.messages);
    // one window a run, unless a backlog filled it: then the next window at once
    if (batch.lines.length < deps.config.maxEntriesPerWindow) break;
  }
  result.head = tip?.seq ?? -1;
  deps.metrics.count('EvidenceWindowsSealed', result.windows);
  deps.metrics.count('EvidenceEntriesSealed', result.entries);
  deps.metrics.count('EvidenceDuplicates', result.duplicates);
  deps.metrics.count('EvidenceMessagesRefused', result.refused);
  return result;
}

async function recentEntryIds(store: EvidenceStore, tip: ChainTip | undefined, lookback: number): Promise<Set<string>> {
  const ids = new Set<string>(tip?.entryIds ?? []);
  if (!tip) return ids;
  for (let seq = tip.seq - 1; seq >= 0 && seq > tip.seq - lookback; seq--) {
    const window = await readWindow(store, seq);
    for (const line of window?.entries ?? []) ids.add((JSON.parse(line) as { id: string }).id);
  }
  return ids;
}

interface Batch {
  /** The messages to delete once their entries are sealed (refused ones are not among them). */
  messages: Message[];
  lines: string[];
  duplicates: number;
  refused: number;
  firstAt: string;
}

/** Messages until the queue is empty or the window is full; entries checked, duplicates set aside. */
async function receive(deps: SealDeps, sealed: Set<string>, reserve: number): Promise<Batch> {
  const batch: Batch = { messages: [], lines: [], duplicates: 0, refused: 0, firstAt: isoNow() };
  const inBatch = new Set<string>();
  while (batch.lines.length < deps.config.maxEntriesPerWindow && deps.remainingMs() >= reserve) {
    const { Messages = [] } = await deps.sqs.send(new ReceiveMessageCommand({ QueueUrl: deps.config.queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }));
    if (Messages.length === 0) break;
    for (const message of Messages) {
      const lines = entriesOf(message, deps.logger);
      if (lines === undefined) {
        batch.refused += 1;
        continue;
      }
      batch.messages.push(message);
      for (const line of lines) {
        const { id } = JSON.parse(line) as { id: string };
        if (sealed.has(id) || inBatch.has(id)) {
          batch.duplicates += 1;
          continue;
        }
        inBatch.add(id);
        batch.lines.push(line);
      }
    }
  }
  return batch;
}

/** The entry lines of a message, or undefined (logged) when it is not an evidence message. */
function entriesOf(message: Message, logger: SealDeps['logger']): string[] | undefined {
  try {
    const body = JSON.parse(message.Body ?? '') as Partial<EvidenceMessage>;
    if (body.format !== ENTRIES_FORMAT || !Array.isArray(body.entries)) throw new Error(`not a ${ENTRIES_FORMAT} message`);
    for (const [index, line] of body.entries.entries()) {
      try {
        if (typeof line !== 'string') throw new Error('not a line of text');
        parseEntryLine(line);
      } catch (err) {
        throw new Error(`entry ${index}: ${(err as Error).message}`, { cause: err });
      }
    }
    return body.entries as string[];
  } catch (err) {
    logger.error('evidence message refused; it stays on the queue and moves to the evidence DLQ after 5 receives', {
      messageId: message.MessageId,
      reason: (err as Error).message,
    });
    return undefined;
  }
}

async function deleteAll(deps: SealDeps, messages: readonly Message[]): Promise<void> {
  for (let i = 0; i < messages.length; i += 10) {
    const chunk = messages.slice(i, i + 10);
    const { Failed = [] } = await deps.sqs.send(
      new DeleteMessageBatchCommand({
        QueueUrl: deps.config.queueUrl,
        Entries: chunk.map((m, index) => ({ Id: String(index), ReceiptHandle: m.ReceiptHandle! })),
      }),
    );
    // not deleted: the message comes back, and its entries are recognised as sealed
    if (Failed.length > 0) deps.logger.warn('some sealed evidence messages could not be deleted; they will come back as duplicates', { failed: Failed.length });
  }
}
