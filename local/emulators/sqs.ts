/**
 * An SQS-compatible server in this process: fauxqs (ESM-only, Node >= 22.5).
 *
 * Known gaps versus AWS: no StartMessageMoveTask; DeleteMessageBatch with a bogus receipt handle
 * reports success (AWS fails that entry) — code and tests must not depend on either.
 *
 * One gap is closed here: fauxqs 2.4 checks message bodies with a regular expression without the
 * `u` flag, so it refuses every surrogate pair — every character beyond U+FFFF, 𠮷 and 𠀀 in real
 * names among them — as InvalidMessageContents, where AWS SQS accepts U+10000–U+10FFFF.
 * `carrySupplementaryPlanes` makes its check AWS's own rule (see the test in
 * test/integration/servers.test.ts, which fails if a fauxqs update moves the check).
 */
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startFauxqs, type FauxqsServer } from 'fauxqs';

/** AWS SQS's rule for message bodies: #x9 | #xA | #xD | #x20–#xD7FF | #xE000–#xFFFD | #x10000–#x10FFFF. */
// eslint-disable-next-line no-control-regex -- the rule is about control characters
export const AWS_INVALID_MESSAGE_BODY_CHAR = /[^\x09\x0A\x0D\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

let carried: Promise<void> | undefined;

/**
 * Points fauxqs's body check (one RegExp shared by SendMessage, SendMessageBatch and its API) at
 * AWS's rule. fauxqs exports only its entry point, so its module is reached by file URL: the same
 * module instance its actions import.
 */
function carrySupplementaryPlanes(): Promise<void> {
  return (carried ??= (async () => {
    // fauxqs's exports allow `import` of its entry only: find its folder the way Node searches
    const file = (createRequire(import.meta.url).resolve.paths('fauxqs') ?? [])
      .map((dir) => join(dir, 'fauxqs', 'dist', 'sqs', 'sqsTypes.js'))
      .find((path) => existsSync(path));
    if (!file) throw new Error('fauxqs/dist/sqs/sqsTypes.js not found: revisit local/emulators/sqs.ts');
    const types = (await import(pathToFileURL(file).href)) as { INVALID_MESSAGE_BODY_CHAR?: RegExp };
    const check = types.INVALID_MESSAGE_BODY_CHAR;
    if (!(check instanceof RegExp))
      throw new Error('fauxqs no longer exports INVALID_MESSAGE_BODY_CHAR from dist/sqs/sqsTypes.js: revisit local/emulators/sqs.ts');
    check.test = (text: string) => AWS_INVALID_MESSAGE_BODY_CHAR.test(text);
  })());
}

export interface SqsOptions {
  /** TCP port; the OS picks a free one when omitted. */
  port?: number;
  /** Directory for fauxqs's SQLite persistence (state survives restarts); omitted → in memory. */
  dataDir?: string;
}

export interface LocalSqs {
  /** `http://127.0.0.1:<port>` — pass to `localAwsConfig()`. */
  endpoint: string;
  port: number;
  /** Closes the server; resolves once closed. Idempotent. */
  stop(): Promise<void>;
  /** The fauxqs server (createQueue, inspectQueue, ...) for tests and the local runtime. */
  server: FauxqsServer;
}

export async function startSqs(options: SqsOptions = {}): Promise<LocalSqs> {
  await carrySupplementaryPlanes();
  const server = await startFauxqs({
    port: options.port ?? 0,
    logger: false,
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
  });
  let stopping: Promise<void> | undefined;
  return {
    endpoint: server.address,
    port: server.port,
    stop: () => (stopping ??= server.stop()),
    server,
  };
}
