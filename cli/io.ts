/** What a command may touch of the process, passed in so tests run commands in-process. */
export interface CliIo {
  stdin: NodeJS.ReadableStream | AsyncIterable<Buffer>;
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
}

/** Exit codes every command uses, so scripts can tell bad records from a bad invocation. */
export const ExitCode = {
  ok: 0,
  /** The input was read and at least one record in it is invalid. */
  invalid: 1,
  /** The input could not be read (missing file, undecodable bytes, malformed JSON) or the usage was wrong. */
  unreadable: 2,
} as const;

export async function readAll(source: AsyncIterable<Uint8Array | string>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  // a stream with setEncoding() yields strings; re-encode so decoding happens in one place
  for await (const chunk of source) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk);
  return Buffer.concat(chunks);
}

export function isInteractive(stream: CliIo['stdin']): boolean {
  return 'isTTY' in stream && stream.isTTY === true;
}
