/** SDK client settings and table setup for the local DynamoDB-compatible and SQS-compatible servers. */
import { CreateTableCommand, DescribeTableCommand, ResourceInUseException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { syncStateTableDefinition } from '../../topology/table.js';

export interface LocalAwsConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** Config for `new DynamoDBClient(...)` / `new SQSClient(...)` pointing at a local server (dummy credentials). */
/** The region the local servers are addressed in (any would do; queue URLs and ARNs carry it). */
export const LOCAL_REGION = 'us-east-1';

export function localAwsConfig(endpoint: string): LocalAwsConfig {
  return { endpoint, region: LOCAL_REGION, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } };
}

/**
 * Creates the sync-state table (key schema from `syncStateTableDefinition`) and waits until it and its
 * indexes are ACTIVE. Idempotent: an existing table is not an error.
 */
export async function createSyncStateTable(ddb: DynamoDBClient, tableName: string, options: { timeoutMs?: number } = {}): Promise<void> {
  try {
    await ddb.send(new CreateTableCommand(syncStateTableDefinition(tableName)));
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
  }
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    const { Table } = await ddb.send(new DescribeTableCommand({ TableName: tableName }));
    const indexesActive = (Table?.GlobalSecondaryIndexes ?? []).every((index) => index.IndexStatus === 'ACTIVE');
    if (Table?.TableStatus === 'ACTIVE' && indexesActive) return;
    if (Date.now() >= deadline) {
      throw new Error(`table ${tableName} not ACTIVE after ${options.timeoutMs ?? 30_000} ms (status ${Table?.TableStatus})`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
