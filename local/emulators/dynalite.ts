/**
 * A DynamoDB-compatible server in this process, with no Java: dynalite (LevelDB; in memory, or
 * persisted in a directory so state survives a restart). The local runtime's default; the test
 * suite runs AWS's own DynamoDB Local (local/emulators/dynamodb-local.ts), the reference.
 *
 * Known gaps versus DynamoDB: no TTL API (UpdateTimeToLive is unknown: expired nonce and throttle
 * items stay, which is harmless locally); ReturnValuesOnConditionCheckFailure is ignored.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

interface DynaliteOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

// dynalite is CommonJS without type declarations: one factory returning an http.Server
const dynalite = createRequire(import.meta.url)('dynalite') as (options: DynaliteOptions) => Server;

export interface DynaliteServerOptions {
  /** TCP port; the OS picks a free one when omitted. */
  port?: number;
  /** Directory for the LevelDB files (created if missing); omitted → in memory. */
  dataDir?: string;
}

export interface LocalDynamoDb {
  /** `http://127.0.0.1:<port>` — pass to `localAwsConfig()`. */
  endpoint: string;
  port: number;
  /** Closes the server and its store; resolves once closed. Idempotent. */
  stop(): Promise<void>;
}

export async function startDynalite(options: DynaliteServerOptions = {}): Promise<LocalDynamoDb> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  // tables become ACTIVE at once: nothing here waits on provisioning
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0, ...(options.dataDir && { path: options.dataDir }) });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopping: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    stop: () =>
      (stopping ??= new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      })),
  };
}
