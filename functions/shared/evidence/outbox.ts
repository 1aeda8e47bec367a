/**
 * How entries reach the sealer: a function gathers the entries of its exchanges and, before it
 * records what they achieved, sends them to the evidence queue — one message per invocation as a
 * rule (a message holds up to ~200 KB of entry lines), no table write per record. A flush that
 * fails fails the invocation: no outcome is recorded whose evidence is not on its way.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { chunksBySize } from '../queue/send-batch.js';
import { entryLine, sm3Hex, type EvidenceEntry } from './format.js';

export const ENTRIES_FORMAT = 'credex-evidence-entries/1';
/** What one queue message carries at most (SQS takes 256 KiB; the rest is headroom for the envelope). */
const MESSAGE_BYTES = 200_000;

export interface EvidenceMessage {
  format: typeof ENTRIES_FORMAT;
  entries: string[];
}

export interface EvidenceOutbox {
  add(entry: EvidenceEntry): void;
  /** Sends what was added since the last flush; resolves once the queue holds it. */
  flush(): Promise<void>;
}

/**
 * An outbox of one invocation (or one request): never shared between invocations that run side by
 * side, so a flush that resolves means this invocation's entries are on the queue.
 */
export function sqsEvidenceOutbox(sqs: SQSClient, queueUrl: string): EvidenceOutbox {
  let lines: string[] = [];
  return {
    add: (entry) => void lines.push(entryLine(entry)),
    async flush() {
      // a line's bytes, and its quotes and comma in the message's JSON
      const pending = chunksBySize(lines, (line) => Buffer.byteLength(line) + 4, MESSAGE_BYTES);
      lines = [];
      while (pending.length > 0) {
        const message: EvidenceMessage = { format: ENTRIES_FORMAT, entries: pending[0]! };
        try {
          await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: JSON.stringify(message) }));
        } catch (err) {
          // what was sent stays sent: only the chunks not sent yet wait for the next flush
          lines = [...pending.flat(), ...lines];
          throw err;
        }
        pending.shift();
      }
    },
  };
}

type Body = string | Uint8Array | undefined;

/** Digest and size of a body as sent or received (no body: SM3 of no bytes, 0). */
function bodyEvidence(body: Body): { digest: string; bytes: number } {
  const bytes = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return { digest: sm3Hex(bytes), bytes: bytes.length };
}

/** An entry's digests of the exact request body and of the response body (`null` when no answer came). */
export function exchangeDigests(
  request: Body,
  response: { body: Body } | null,
): Pick<EvidenceEntry, 'requestDigest' | 'requestBytes' | 'responseDigest' | 'responseBytes'> {
  const sent = bodyEvidence(request);
  const received = response && bodyEvidence(response.body);
  return { requestDigest: sent.digest, requestBytes: sent.bytes, responseDigest: received?.digest ?? null, responseBytes: received?.bytes ?? null };
}

export const isoNow = (ms: number = Date.now()): string => new Date(ms).toISOString();
