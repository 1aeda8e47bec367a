/**
 * For integration test files: SDK clients for the servers started by jest's global setup, and
 * uniquely-named tables and queues so test files running in parallel never share state.
 */
import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, SQSClient } from '@aws-sdk/client-sqs';
import { createSyncStateTable, localAwsConfig } from '../../local/emulators/clients.js';

/** Set by global-setup.ts for the test workers. */
export const DYNAMODB_ENDPOINT_ENV = 'CREDEX_TEST_DYNAMODB_ENDPOINT';
export const SQS_ENDPOINT_ENV = 'CREDEX_TEST_SQS_ENDPOINT';

export interface TestServers {
  ddb: DynamoDBClient;
  sqs: SQSClient;
  dynamoDbEndpoint: string;
  sqsEndpoint: string;
}

let servers: TestServers | undefined;

/** Clients for the run's DynamoDB Local and fauxqs (one pair per test file / worker module registry). */
export function testServers(): TestServers {
  if (servers) return servers;
  const dynamoDbEndpoint = process.env[DYNAMODB_ENDPOINT_ENV];
  const sqsEndpoint = process.env[SQS_ENDPOINT_ENV];
  if (!dynamoDbEndpoint || !sqsEndpoint) {
    throw new Error(
      `${DYNAMODB_ENDPOINT_ENV} / ${SQS_ENDPOINT_ENV} are not set: integration tests must run through jest's ` +
        'global setup (test/integration/global-setup.ts, wired in jest.config.js), e.g. `npm run test:jest`',
    );
  }
  servers = {
    ddb: new DynamoDBClient(localAwsConfig(dynamoDbEndpoint)),
    sqs: new SQSClient(localAwsConfig(sqsEndpoint)),
    dynamoDbEndpoint,
    sqsEndpoint,
  };
  return servers;
}

/** A name unique to this call: `<prefix>-<pid>-<random>` (valid for tables and queues: [A-Za-z0-9_-]). */
export function uniqueName(prefix: string, maxLength = 80): string {
  const suffix = `${process.pid}-${randomUUID().slice(0, 8)}`;
  const safePrefix = prefix.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, Math.max(1, maxLength - suffix.length - 1));
  return `${safePrefix}-${suffix}`;
}

/** Creates a uniquely-named sync-state table (ACTIVE on return) and returns its name. */
export async function freshTable(prefix = 'sync-state'): Promise<string> {
  const tableName = uniqueName(prefix);
  await createSyncStateTable(testServers().ddb, tableName);
  return tableName;
}

/**
 * Creates a uniquely-named queue and returns its URL. A name ending in `.fifo` makes a FIFO queue
 * (the FifoQueue attribute is added); `attributes` are CreateQueue attributes (e.g. VisibilityTimeout, RedrivePolicy).
 */
export async function freshQueue(name = 'queue', attributes: Record<string, string> = {}): Promise<string> {
  const fifo = name.endsWith('.fifo');
  const queueName = fifo ? `${uniqueName(name.slice(0, -'.fifo'.length), 75)}.fifo` : uniqueName(name);
  const { QueueUrl } = await testServers().sqs.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: fifo ? { FifoQueue: 'true', ...attributes } : attributes }),
  );
  if (!QueueUrl) throw new Error(`CreateQueue ${queueName} returned no QueueUrl`);
  return QueueUrl;
}
