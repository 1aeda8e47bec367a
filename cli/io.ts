/** What a command may touch of the process, passed in so tests run commands in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream | AsyncIterable<Buffer>;
  stdout: { write(s: string): unknown; isTTY?: boolean; columns?: number };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  /** Aborted on Ctrl-C: long operations stop cleanly between messages. */
  signal?: AbortSignal;
  /** Environment (CREDEX_STAGE, AWS_REGION…); process.env when omitted. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Exit codes every command uses, so scripts can tell the cases apart (docs/runbook.md lists them).
 */
export const ExitCode = {
  ok: 0,
  /** Checked and found wanting: an invalid record (validate, quarantine release), an unhealthy exchange (status --check). */
  invalid: 1,
  /** The input could not be read (missing file, undecodable bytes, malformed JSON) or the usage was wrong. */
  unreadable: 2,
  /** The record, quarantine entry or audit entry asked for does not exist. */
  notFound: 3,
  /** The exchange cannot be reached: no such stack, no credentials, servers down, access denied. */
  unavailable: 4,
  /** The operation finished but some items failed (the output names them); running it again is safe. */
  incomplete: 5,
  /** Stopped by Ctrl-C between two messages; running it again continues safely. */
  interrupted: 130,
} as const;

export async function readAll(source: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  // a stream with setEncoding() yields strings; re-encode so decoding happens in one place
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}

export function isInteractive(stream: CliIo['stdin'] | CliIo['stdout']): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}
