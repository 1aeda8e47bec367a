/**
 * One topology, two runtimes: the CDK stack and the local runtime's provisioning both take their
 * queues from the plan of the same topology. A changed topology changes both, the same way.
 */
import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { DescribeTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { planExchange } from '../../infra/plan.js';
import { stages } from '../../infra/stages.js';
import { topology, type Topology } from '../../topology/topology.js';
import { provisionExchange } from '../../local/provision.js';
import { refId, resourcesOf, synthesize } from '../infra/synth.js';
import { testServers, uniqueName } from './servers.js';

/** The dev stage without rate-limit overrides, so stack and local runtime read the bare topology. */
const stage = { ...stages['dev']!, rateLimits: {} };

/** Per queue name part (`intake`, `lane-municipal`, with `-dlq`): visibility, retention, maxReceiveCount. */
type QueueSettings = Record<string, { visibility: number; retention: number; maxReceiveCount?: number }>;

function stackQueues(variant: Topology): QueueSettings {
  const queues = resourcesOf(synthesize({ stage, topology: variant }).template, 'AWS::SQS::Queue');
  const settings: QueueSettings = {};
  for (const queue of Object.values(queues)) {
    const name = String(queue.Properties['QueueName']).slice('credex-dev-'.length);
    // where Lambda keeps a failed scheduled run: the local runtime runs its schedules in-process and
    // logs a failed run instead (docs/local-runtime.md), so it has no such queue
    if (name === 'scheduled-failures') continue;
    const redrive = queue.Properties['RedrivePolicy'];
    settings[name] = {
      visibility: queue.Properties['VisibilityTimeout'] ?? 30,
      retention: queue.Properties['MessageRetentionPeriod'],
      ...(redrive && { maxReceiveCount: redrive.maxReceiveCount }),
    };
    if (redrive) expect(queues[refId(redrive.deadLetterTargetArn)!]?.Properties['QueueName']).toBe(`credex-dev-${name}-dlq`);
  }
  return settings;
}

async function localQueues(variant: Topology): Promise<QueueSettings> {
  const { sqs, ddb } = testServers();
  const prefix = uniqueName('credex-local', 40);
  const provisioned = await provisionExchange({ sqs, ddb }, planExchange(variant), prefix);
  const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: provisioned.tableName }));
  expect(ttl.TimeToLiveDescription?.AttributeName).toBe('expiresAt');
  const settings: QueueSettings = {};
  for (const { url, dlqUrl } of [provisioned.intake, ...Object.values(provisioned.lanes), provisioned.evidence]) {
    for (const queueUrl of [url, dlqUrl]) {
      const { Attributes = {} } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }));
      const name = queueUrl.slice(queueUrl.lastIndexOf('/') + 1).slice(prefix.length + 1);
      const redrive = Attributes['RedrivePolicy'] ? JSON.parse(Attributes['RedrivePolicy']) : undefined;
      settings[name] = {
        visibility: Number(Attributes['VisibilityTimeout']),
        retention: Number(Attributes['MessageRetentionPeriod']),
        ...(redrive && { maxReceiveCount: Number(redrive.maxReceiveCount) }),
      };
      if (redrive) expect(redrive.deadLetterTargetArn).toMatch(new RegExp(`${name}-dlq$`));
    }
  }
  return settings;
}

/** Synthesizing loads aws-cdk-lib: seconds on a cold worker, over a minute on a loaded 2-core machine (a deadline, not a wait). */
const SYNTH_TIMEOUT_MS = 240_000;

describe('one topology drives the stack and the local runtime', () => {
  it(
    'gives both the same queues with the same settings',
    async () => {
      const [stack, local] = [stackQueues(topology), await localQueues(topology)];
      expect(Object.keys(stack).length).toBeGreaterThan(2);
      expect(local).toEqual(stack);
    },
    SYNTH_TIMEOUT_MS,
  );

  it(
    'one change to a lane reaches both',
    async () => {
      const municipal = topology.destinations.municipal;
      const changed: Topology = {
        ...topology,
        destinations: { ...topology.destinations, municipal: { ...municipal, lane: { ...municipal.lane, maxReceiveCount: 9, sendTimeoutSeconds: 20 } } },
      };
      const [before, stack, local] = [stackQueues(topology), stackQueues(changed), await localQueues(changed)];
      expect(stack['lane-municipal']!.maxReceiveCount).toBe(9);
      expect(stack['lane-municipal']!.visibility).toBeGreaterThan(before['lane-municipal']!.visibility);
      expect(local).toEqual(stack);
    },
    SYNTH_TIMEOUT_MS,
  );
});
