/**
 * The sync-state table (docs/sync-state.md), keyed from the same definition the local runtime and
 * the integration tests create it from: on-demand, point-in-time recovery, encrypted with the
 * stack's key, TTL on `expiresAt` (ingest nonces and throttle counters expire by it). A production
 * stage retains the table and turns on deletion protection.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import type * as kms from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import { TTL_ATTRIBUTE, syncStateTableDefinition } from '../../topology/table.js';

export interface SyncStateTableProps {
  tableName: string;
  key: kms.IKey;
  production: boolean;
}

const attribute = (definition: ReturnType<typeof syncStateTableDefinition>, name: string): dynamodb.Attribute => {
  const type = definition.AttributeDefinitions?.find((a) => a.AttributeName === name)?.AttributeType;
  if (type !== 'S' && type !== 'N' && type !== 'B') throw new Error(`sync-state table definition: attribute ${name} has no scalar type`);
  return { name, type: { S: dynamodb.AttributeType.STRING, N: dynamodb.AttributeType.NUMBER, B: dynamodb.AttributeType.BINARY }[type] };
};

const keyOf = (
  definition: ReturnType<typeof syncStateTableDefinition>,
  schema: ReadonlyArray<{ AttributeName?: string; KeyType?: string }> | undefined,
  kind: 'HASH' | 'RANGE',
) => {
  const name = schema?.find((k) => k.KeyType === kind)?.AttributeName;
  return name === undefined ? undefined : attribute(definition, name);
};

export class SyncStateTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string, props: SyncStateTableProps) {
    super(scope, id);
    const definition = syncStateTableDefinition(props.tableName);
    const partitionKey = keyOf(definition, definition.KeySchema, 'HASH');
    if (!partitionKey) throw new Error('sync-state table definition has no partition key');
    this.table = new dynamodb.Table(this, 'Table', {
      tableName: props.tableName,
      partitionKey,
      sortKey: keyOf(definition, definition.KeySchema, 'RANGE'),
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: dynamodb.TableEncryption.CUSTOMER_MANAGED,
      encryptionKey: props.key,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      deletionProtection: props.production,
      removalPolicy: props.production ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    for (const index of definition.GlobalSecondaryIndexes ?? []) {
      const indexPartitionKey = keyOf(definition, index.KeySchema, 'HASH');
      if (!index.IndexName || !indexPartitionKey) throw new Error('sync-state table definition: a GSI has no name or partition key');
      this.table.addGlobalSecondaryIndex({
        indexName: index.IndexName,
        partitionKey: indexPartitionKey,
        sortKey: keyOf(definition, index.KeySchema, 'RANGE'),
        projectionType: (index.Projection?.ProjectionType ?? 'ALL') as dynamodb.ProjectionType,
      });
    }
  }
}
