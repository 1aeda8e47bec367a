/**
 * The local runtime's resources from the same plan the CDK stack deploys (infra/plan.ts): the
 * sync-state table, and every queue with its DLQ, visibility timeout, retention and redrive
 * (maxReceiveCount) — so a topology change reaches the emulators exactly as it reaches AWS.
 * Idempotent: provisioning again over existing resources updates their attributes.
 */
import { UpdateTimeToLiveCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateQueueCommand, GetQueueAttributesCommand, SetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { ExchangePlan, QueuePlan } from '../infra/plan.js';
import type { DestinationId } from '../topology/topology.js';
import { TTL_ATTRIBUTE } from '../topology/table.js';
import { resourceNames } from '../topology/names.js';
import { createSyncStateTable } from './emulators/clients.js';

export interface ProvisionedQueue {
  url: string;
  dlqUrl: string;
}

export interface ProvisionedExchange {
  tableName: string;
  intake: ProvisionedQueue;
  lanes: Record<DestinationId, ProvisionedQueue>;
  evidence: ProvisionedQueue;
}

async function provisionQueue(sqs: SQSClient, namePrefix: string, plan: QueuePlan): Promise<ProvisionedQueue> {
  const retention = String(plan.retentionDays * 24 * 3600);
  const dlqUrl = await createOrUpdate(sqs, resourceNames.deadLetterQueue(namePrefix, plan.name), { MessageRetentionPeriod: retention });
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
  const url = await createOrUpdate(sqs, resourceNames.queue(namePrefix, plan.name), {
    MessageRetentionPeriod: retention,
    VisibilityTimeout: String(plan.visibilityTimeoutSeconds),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.['QueueArn'], maxReceiveCount: plan.maxReceiveCount }),
  });
  return { url, dlqUrl };
}

async function createOrUpdate(sqs: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  // CreateQueue refuses different attributes for an existing name: create bare, then set them
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  if (!QueueUrl) throw new Error(`the SQS server returned no URL for queue ${name}`);
  await sqs.send(new SetQueueAttributesCommand({ QueueUrl, Attributes: attributes }));
  return QueueUrl;
}

/** Creates (or updates) the table and queues for `plan`, names prefixed `namePrefix` (`credex-local`). */
export async function provisionExchange(
  clients: { ddb: DynamoDBClient; sqs: SQSClient },
  plan: ExchangePlan,
  namePrefix: string,
): Promise<ProvisionedExchange> {
  const tableName = resourceNames.table(namePrefix);
  await createSyncStateTable(clients.ddb, tableName);
  try {
    await clients.ddb.send(new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TTL_ATTRIBUTE, Enabled: true } }));
  } catch (error) {
    // already enabled (a restart over kept data) is fine; dynalite has no TTL API at all, and
    // locally expired nonce and throttle items may simply stay
    const name = error instanceof Error ? error.name : '';
    if (!(name === 'UnknownOperationException' || (error instanceof Error && /already enabled/i.test(error.message)))) throw error;
  }
  const intake = await provisionQueue(clients.sqs, namePrefix, plan.intake.queue);
  const lanes = {} as Record<DestinationId, ProvisionedQueue>;
  for (const lane of plan.lanes) lanes[lane.destination] = await provisionQueue(clients.sqs, namePrefix, lane.queue);
  const evidence = await provisionQueue(clients.sqs, namePrefix, plan.evidence.queue);
  return { tableName, intake, lanes, evidence };
}
