/** Part of intake's bundle alone (bench/bundles.bench.ts): the AWS SDK clients and the commands it uses. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageBatchCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { BatchWriteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export const handler = (): unknown[] => [
  DynamoDBClient,
  SQSClient,
  SendMessageBatchCommand,
  SendMessageCommand,
  DynamoDBDocumentClient,
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
];
