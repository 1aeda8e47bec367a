/** The DynamoDB SyncState keeps its contract on a real DynamoDB server (AWS's DynamoDB Local). */
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import { syncStateContract } from '../support/sync-state-contract.js';
import { freshTable, testServers } from './servers.js';

let tableName: Promise<string> | undefined;

// one table for the file: every test uses fresh ids (the contract's rule)
syncStateContract('DynamoDB Local', async () =>
  dynamoSyncState({
    ddb: DynamoDBDocumentClient.from(testServers().ddb, { marshallOptions: { removeUndefinedValues: true } }),
    tableName: await (tableName ??= freshTable('sync-state')),
  }),
);
