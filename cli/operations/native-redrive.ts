/**
 * SQS's own DLQ redrive (StartMessageMoveTask): moves every message of a DLQ back to its source
 * queue inside SQS, with no client in the loop — the fastest way to empty a big DLQ when nothing
 * needs filtering. AWS only: the local SQS server does not implement it.
 */
import {
  CancelMessageMoveTaskCommand,
  GetQueueAttributesCommand,
  ListMessageMoveTasksCommand,
  StartMessageMoveTaskCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { QueuePair } from '../target.js';

export interface NativeRedriveResult {
  status: string;
  moved: number;
  toMove?: number;
  failureReason?: string;
  interrupted: boolean;
}

async function queueArn(sqs: SQSClient, queueUrl: string): Promise<string> {
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }));
  if (!Attributes?.QueueArn) throw new Error(`no ARN for ${queueUrl}`);
  return Attributes.QueueArn;
}

/** Starts the move task and follows it until it ends; Ctrl-C cancels it (what moved stays moved). */
export async function nativeRedrive(
  sqs: SQSClient,
  queues: QueuePair,
  options: {
    ratePerSecond?: number;
    pollSeconds?: number;
    signal?: AbortSignal;
    onProgress?: (moved: number, toMove?: number) => void;
    sleep?: (ms: number) => Promise<void>;
  },
): Promise<NativeRedriveResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const [sourceArn, destinationArn] = await Promise.all([queueArn(sqs, queues.dlqUrl), queueArn(sqs, queues.queueUrl)]);
  const { TaskHandle } = await sqs.send(
    new StartMessageMoveTaskCommand({
      SourceArn: sourceArn,
      DestinationArn: destinationArn,
      ...(options.ratePerSecond && { MaxNumberOfMessagesPerSecond: Math.ceil(options.ratePerSecond) }),
    }),
  );
  let cancelled = false;
  for (;;) {
    const { Results = [] } = await sqs.send(new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }));
    // only this task: another operator's move task on the same DLQ is none of this command's business
    const task = Results.find((t) => t.TaskHandle === TaskHandle);
    const moved = task?.ApproximateNumberOfMessagesMoved ?? 0;
    options.onProgress?.(moved, task?.ApproximateNumberOfMessagesToMove);
    if (task && task.Status !== 'RUNNING' && task.Status !== 'CANCELLING') {
      return {
        status: task.Status ?? 'UNKNOWN',
        moved,
        ...(task.ApproximateNumberOfMessagesToMove !== undefined && { toMove: task.ApproximateNumberOfMessagesToMove }),
        ...(task.FailureReason && { failureReason: task.FailureReason }),
        interrupted: cancelled,
      };
    }
    if (options.signal?.aborted && !cancelled && TaskHandle) {
      cancelled = true;
      await sqs.send(new CancelMessageMoveTaskCommand({ TaskHandle }));
    }
    await sleep((options.pollSeconds ?? 5) * 1000);
  }
}
