/**
 * An SQS-compatible server in this process: fauxqs (ESM-only, Node >= 22.5).
 *
 * Known gaps versus AWS: no StartMessageMoveTask; DeleteMessageBatch with a bogus receipt handle
 * reports success (AWS fails that entry) — code and tests must not depend on either.
 */
import { startFauxqs, type FauxqsServer } from 'fauxqs';

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
