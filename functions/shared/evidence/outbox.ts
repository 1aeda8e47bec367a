/**
 * How entries reach the sealer: a function gathers the entries of its exchanges and, before it
 * records what they achieved, sends them to the evidence queue — one message per invocation as a
 * rule (a message holds up to ~200 KB of entry lines), no table write per record. A flush that
 * fails fails the invocation: no outcome is recorded whose evidence is not on its way.
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
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
      const pending = chunks(lines);
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

function chunks(lines: readonly string[]): string[][] {
  const out: string[][] = [];
  let current: string[] = [];
  let bytes = 0;
  for (const line of lines) {
    const size = Buffer.byteLength(line) + 4;
    if (current.length > 0 && bytes + size > MESSAGE_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(line);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** Digest and size of a body as sent or received (no body: SM3 of no bytes, 0). */
export function bodyEvidence(body: string | Uint8Array | undefined): { digest: string; bytes: number } {
  const bytes = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
  return { digest: sm3Hex(bytes), bytes: bytes.length };
}

export const isoNow = (ms: number = Date.now()): string => new Date(ms).toISOString();
