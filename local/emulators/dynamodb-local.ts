/**
 * AWS's own DynamoDB Local (the Java server shipped inside the npm package
 * `amplify-dynamodb-simulator`, folder `emulator/`), started as a child process.
 *
 * Used by the local runtime (`npm start`) and by the integration tests' jest global setup.
 * Needs a Java 17+ runtime on PATH (`java`, or `$JAVA_HOME/bin/java`).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { ExchangeError } from '../../functions/shared/errors.js';

export interface DynamoDbLocalOptions {
  /** TCP port; a free one is picked when omitted. */
  port?: number;
  /** Directory for the database file (`-dbPath`, created if missing); omitted → `-inMemory`. */
  dataDir?: string;
  /** Overall time to wait for the server to answer (default 30 000 ms). */
  startTimeoutMs?: number;
  /** Java executable (default `$JAVA_HOME/bin/java` when JAVA_HOME is set, else `java`). */
  javaPath?: string;
  /** JVM options before `-jar` (default FAST_START_JVM_ARGS; `[]` for the JVM's defaults). */
  jvmArgs?: string[];
}

/**
 * C1 JIT only and the serial GC: on a 2-CPU machine DynamoDB Local answers in ~1.7 s instead of
 * ~2.5–3.5 s. Peak throughput is lower, which does not matter for tests and local development.
 */
export const FAST_START_JVM_ARGS: readonly string[] = ['-XX:TieredStopAtLevel=1', '-XX:+UseSerialGC'];

export interface DynamoDbLocal {
  /** `http://127.0.0.1:<port>` — pass to `localAwsConfig()`. */
  endpoint: string;
  port: number;
  /**
   * Kills the server and resolves once it exited. Idempotent. With a dataDir: SIGTERM (clean
   * shutdown), SIGKILL after a grace period; in memory: SIGKILL straight away.
   */
  stop(): Promise<void>;
}

const DEFAULT_START_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 3_000;
const PROBE_TIMEOUT_MS = 1_000;
const PROBE_INTERVAL_MS = 100;
const OUTPUT_TAIL_CHARS = 4_000;

/** The folder holding DynamoDBLocal.jar and DynamoDBLocal_lib/. */
export function dynamoDbLocalEmulatorDir(): string {
  const require = createRequire(import.meta.url);
  let pkg: string;
  try {
    pkg = require.resolve('amplify-dynamodb-simulator/package.json');
  } catch {
    throw new Error('DynamoDB Local not found: the npm package amplify-dynamodb-simulator is not installed (npm install)');
  }
  const dir = join(dirname(pkg), 'emulator');
  if (!existsSync(join(dir, 'DynamoDBLocal.jar'))) {
    throw new Error(`DynamoDB Local not found: ${join(dir, 'DynamoDBLocal.jar')} is missing`);
  }
  return dir;
}

/** A TCP port that was free a moment ago (listen on port 0, read it, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('could not pick a free port'))));
    });
  });
}

/** Starts DynamoDB Local and resolves once it answers ListTables. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  const emulatorDir = dynamoDbLocalEmulatorDir();
  if (options.dataDir !== undefined) mkdirSync(options.dataDir, { recursive: true });
  // Another process may grab a port between freePort() and Java's bind: retry with a new one.
  const attempts = options.port === undefined ? 3 : 1;
  for (let attempt = 1; ; attempt++) {
    const port = options.port ?? (await freePort());
    try {
      return await startOnce(emulatorDir, port, options);
    } catch (error) {
      if (attempt >= attempts || !(error instanceof PortInUseError)) throw error;
    }
  }
}

/** A port another process holds: named, with what to do. */
export class PortInUseError extends ExchangeError {
  override name = 'PortInUseError';
}

/** Fails fast when something already listens on `port` (the readiness probe would otherwise talk to it). */
function assertPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`DynamoDB Local cannot use port ${port}: address already in use`, { cause: error }) : error),
    );
    server.listen(port, () => server.close(() => resolve()));
  });
}

async function startOnce(emulatorDir: string, port: number, options: DynamoDbLocalOptions): Promise<DynamoDbLocal> {
  await assertPortFree(port);
  const java = options.javaPath ?? (process.env.JAVA_HOME ? join(process.env.JAVA_HOME, 'bin', 'java') : 'java');
  const args = [
    ...(options.jvmArgs ?? FAST_START_JVM_ARGS),
    `-Djava.library.path=${join(emulatorDir, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(emulatorDir, 'DynamoDBLocal.jar'),
    '-sharedDb',
    '-port',
    String(port),
    ...(options.dataDir === undefined ? ['-inMemory'] : ['-dbPath', options.dataDir]),
    '-disableTelemetry',
  ];
  const child = spawn(java, args, {
    cwd: emulatorDir,
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });

  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  // The child must not outlive us, nor keep the event loop alive on its own.
  const killOnExit = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  process.on('exit', killOnExit);
  child.unref();
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();

  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      process.off('exit', killOnExit);
      resolve();
    });
  });
  let spawnError: NodeJS.ErrnoException | undefined;
  child.once('error', (error: NodeJS.ErrnoException) => {
    spawnError = error;
    process.off('exit', killOnExit);
  });

  const endpoint = `http://127.0.0.1:${port}`;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    // In memory there is nothing to flush: SIGKILL exits in ~20 ms, a graceful JVM shutdown takes ~350 ms.
    stopping ??= stopChild(child, exited, options.dataDir === undefined ? 'SIGKILL' : 'SIGTERM');
    return stopping;
  };

  try {
    await waitUntilReady(child, endpoint, options.startTimeoutMs ?? DEFAULT_START_TIMEOUT_MS, () => spawnError);
  } catch (error) {
    await stop();
    const tail = output.trim() ? `\n--- DynamoDB Local output (tail) ---\n${output.trim()}` : '';
    if (spawnError?.code === 'ENOENT') {
      throw new Error(`java not found (${java}): DynamoDB Local needs a Java 17+ runtime on PATH or JAVA_HOME`, {
        cause: error,
      });
    }
    if (/UnsupportedClassVersionError/.test(output)) {
      throw new Error(`DynamoDB Local needs a Java 17+ runtime; ${java} is older${tail}`, { cause: error });
    }
    if (/Address already in use|BindException/i.test(output)) {
      throw new PortInUseError(`DynamoDB Local could not bind port ${port}: address already in use${tail}`, { cause: error });
    }
    throw new Error(`DynamoDB Local did not start on port ${port}: ${(error as Error).message}${tail}`, {
      cause: error,
    });
  }
  return { endpoint, port, stop };
}

async function waitUntilReady(child: ChildProcess, endpoint: string, timeoutMs: number, spawnError: () => Error | undefined): Promise<void> {
  // Loaded here, not at the top: the JVM boots while the SDK loads (~0.5 s saved on a cold start).
  const [{ DynamoDBClient, ListTablesCommand }, { localAwsConfig }] = await Promise.all([import('@aws-sdk/client-dynamodb'), import('./clients.js')]);
  const client = new DynamoDBClient({ ...localAwsConfig(endpoint), maxAttempts: 1 });
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  try {
    for (;;) {
      const error = spawnError();
      if (error) throw new Error(`could not run java: ${error.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`the process exited early (${child.exitCode !== null ? `code ${child.exitCode}` : child.signalCode})`);
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }), { abortSignal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
        return;
      } catch (probeError) {
        lastError = probeError;
      }
      if (Date.now() >= deadline) {
        const reason = lastError instanceof Error ? lastError.message : String(lastError);
        throw new Error(`no answer within ${timeoutMs} ms (last probe: ${reason})`);
      }
      await new Promise((resolve) => setTimeout(resolve, PROBE_INTERVAL_MS));
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess, exited: Promise<void>, signal: NodeJS.Signals): Promise<void> {
  if (child.pid === undefined) return; // never spawned (e.g. java not found)
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.ref(); // keep the event loop alive until it has exited
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  try {
    await exited;
  } finally {
    clearTimeout(timer);
  }
}
