/**
 * Jest global setup: starts one DynamoDB Local and one fauxqs for the whole run and hands their
 * endpoints to the test workers through process.env (workers are forked afterwards and inherit it).
 * Test files get clients and isolated tables/queues from ./servers.ts.
 *
 * Jest loads this file with Node's own loader (no moduleNameMapper), which cannot resolve the
 * project's `./x.js` → `x.ts` imports; so the TypeScript modules are loaded through tsx's scoped
 * `tsImport`, and only types are imported statically.
 */
import { tsImport } from 'tsx/esm/api';
import type * as DynamoDbLocalModule from '../../local/emulators/dynamodb-local.js';
import type * as SqsModule from '../../local/emulators/sqs.js';
import type * as ServersModule from './servers.js';

/** Kept on globalThis for global-teardown.ts (setup and teardown run in the same jest main process). */
export interface TestServerHandles {
  stop(): Promise<void>;
}
export const HANDLES_KEY = '__credexTestServers';

const load = <T>(specifier: string): Promise<T> => tsImport(specifier, import.meta.url) as Promise<T>;

export default async function globalSetup(): Promise<void> {
  const started = performance.now();
  const timings = { dynamoDb: 0, sqs: 0 };
  // The JVM takes longest: spawn it first, load and start fauxqs while it boots.
  const dynamoDbStarting = load<typeof DynamoDbLocalModule>('../../local/emulators/dynamodb-local.ts').then(async ({ startDynamoDbLocal }) => {
    const server = await startDynamoDbLocal();
    timings.dynamoDb = performance.now() - started;
    return server;
  });
  const sqsStarting = load<typeof SqsModule>('../../local/emulators/sqs.ts').then(async ({ startSqs }) => {
    const server = await startSqs();
    timings.sqs = performance.now() - started;
    return server;
  });
  const [dynamoDb, sqs, servers] = await Promise.allSettled([dynamoDbStarting, sqsStarting, load<typeof ServersModule>('./servers.ts')]);
  const stop = async () => {
    await Promise.all([dynamoDb.status === 'fulfilled' ? dynamoDb.value.stop() : undefined, sqs.status === 'fulfilled' ? sqs.value.stop() : undefined]);
  };
  if (dynamoDb.status === 'rejected' || sqs.status === 'rejected' || servers.status === 'rejected') {
    await stop();
    throw [dynamoDb, sqs, servers].flatMap((result) => (result.status === 'rejected' ? [result.reason] : []))[0];
  }
  const { DYNAMODB_ENDPOINT_ENV, SQS_ENDPOINT_ENV } = servers.value;
  (globalThis as Record<string, unknown>)[HANDLES_KEY] = { stop } satisfies TestServerHandles;
  process.env[DYNAMODB_ENDPOINT_ENV] = dynamoDb.value.endpoint;
  process.env[SQS_ENDPOINT_ENV] = sqs.value.endpoint;
  if (process.env.CREDEX_TEST_SERVERS_VERBOSE) {
    const ms = (value: number) => `${Math.round(value)} ms`;
    console.log(
      `\ntest servers up: DynamoDB Local ${dynamoDb.value.endpoint} after ${ms(timings.dynamoDb)}, ` +
        `fauxqs ${sqs.value.endpoint} after ${ms(timings.sqs)} (both including module loading)`,
    );
  }
}
