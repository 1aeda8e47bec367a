/**
 * The sync-state table's key schema: one source for the CDK stack, the local runtime and the
 * integration tests (docs/sync-state.md describes the items and access patterns).
 */
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';
/** GSI for operators: all destination states of one destination and status, by update time; and (gsi1pk `DUE#open`) the commitments not yet verified, by deadline. */
export const STATUS_INDEX = 'byDestinationStatus';
export const STATUS_INDEX_PK = 'gsi1pk';
export const STATUS_INDEX_SK = 'gsi1sk';
/** Epoch seconds after which DynamoDB's TTL deletes an item (ingest nonces and throttle counters). */
export const TTL_ATTRIBUTE = 'expiresAt';

/** CreateTable input for a table named `tableName` (on-demand; TTL is set apart — UpdateTimeToLive — and the stack adds encryption and PITR). */
export function syncStateTableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: PARTITION_KEY, AttributeType: 'S' },
      { AttributeName: SORT_KEY, AttributeType: 'S' },
      { AttributeName: STATUS_INDEX_PK, AttributeType: 'S' },
      { AttributeName: STATUS_INDEX_SK, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
      { AttributeName: SORT_KEY, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: STATUS_INDEX,
        KeySchema: [
          { AttributeName: STATUS_INDEX_PK, KeyType: 'HASH' },
          { AttributeName: STATUS_INDEX_SK, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
