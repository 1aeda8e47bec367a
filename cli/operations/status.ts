/**
 * The exchange at a glance: per destination, how many records are delivered, rejected and
 * failing (counted on the operators' index), what waits in the lane's queue and DLQ (with the
 * DLQ's oldest message), the intake backlog and the open quarantine. It asks for counts, never
 * records (Select COUNT) — but DynamoDB still reads, and bills, every index item it counts: about
 * 0.5 read units per 4 KB, so a million delivered states (~300 B each) cost ~37,000 read units,
 * about half a cent, a run. Every few minutes from a cron job (`--check` sets the exit status) is
 * cheap; every second is not.
 */
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import type { ExchangeTarget } from '../target.js';
import { daysToRead } from './quarantine.js';
import { oldestSentAt, queueDepth } from './queues.js';

export interface DlqStatus {
  depth: number;
  /** When the oldest message seen was first sent, and its age. */
  oldestSentAt?: string;
  oldestAgeSeconds?: number;
  /** The DLQ holds more messages than were looked at: the oldest is the oldest of a sample. */
  sampled: boolean;
}

export interface LaneStatus {
  destination: DestinationId;
  /** Records whose latest outcome here is delivered / rejected by the endpoint / a transient failure (retrying or in the DLQ). */
  delivered: number;
  rejected: number;
  failing: number;
  /** Repairs held back until their breach is delivered here (credex inspect says which breach). */
  waiting: number;
  /** Lane messages waiting, and being delivered right now. */
  queued: number;
  inFlight: number;
  dlq: DlqStatus;
}

export interface StatusReport {
  generatedAt: string;
  target: string;
  intake: { queued: number; inFlight: number; dlq: DlqStatus };
  /** Open (not released) quarantine entries, today and over the last `days` days (UTC). */
  quarantine: { today: number; lastDays: number; days: number };
  lanes: LaneStatus[];
  /** Nothing waits in any DLQ. */
  healthy: boolean;
  /** What needs an operator, in words (empty when healthy). */
  attention: string[];
}

async function dlqStatus(sqs: SQSClient, dlqUrl: string, now: Date): Promise<DlqStatus> {
  const depth = await queueDepth(sqs, dlqUrl);
  const total = depth.visible + depth.inFlight;
  if (total === 0) return { depth: 0, sampled: false };
  const oldest = await oldestSentAt(sqs, dlqUrl);
  return {
    depth: total,
    ...(oldest.sentAt && { oldestSentAt: oldest.sentAt, oldestAgeSeconds: Math.max(0, Math.round((now.getTime() - Date.parse(oldest.sentAt)) / 1000)) }),
    sampled: oldest.seen < total,
  };
}

export async function readStatus(
  deps: { sqs: SQSClient; state: Pick<SyncState, 'countByDestinationStatus' | 'countOpenQuarantine'> },
  target: ExchangeTarget,
  options: { days?: number; now?: Date } = {},
): Promise<StatusReport> {
  const now = options.now ?? new Date();
  const days = options.days ?? 7;
  const dayList = daysToRead({ days }, now);
  const [lanes, intakeDepth, intakeDlq, quarantineByDay] = await Promise.all([
    Promise.all(
      DESTINATION_IDS.map(async (destination): Promise<LaneStatus> => {
        const queues = target.lanes[destination];
        const [delivered, rejected, failing, waiting, depth, dlq] = await Promise.all([
          deps.state.countByDestinationStatus(destination, 'delivered'),
          deps.state.countByDestinationStatus(destination, 'rejected'),
          deps.state.countByDestinationStatus(destination, 'failed'),
          deps.state.countByDestinationStatus(destination, 'waiting'),
          queueDepth(deps.sqs, queues.queueUrl),
          dlqStatus(deps.sqs, queues.dlqUrl, now),
        ]);
        return { destination, delivered, rejected, failing, waiting, queued: depth.visible + depth.delayed, inFlight: depth.inFlight, dlq };
      }),
    ),
    queueDepth(deps.sqs, target.intake.queueUrl),
    dlqStatus(deps.sqs, target.intake.dlqUrl, now),
    Promise.all(dayList.map((day) => deps.state.countOpenQuarantine(day))),
  ]);
  const attention: string[] = [];
  if (intakeDlq.depth) attention.push(`${intakeDlq.depth} message(s) in the intake DLQ: intake could not process them (see docs/runbook.md, "DLQ growing")`);
  for (const lane of lanes) {
    if (lane.dlq.depth) attention.push(`${lane.dlq.depth} message(s) in the ${lane.destination} DLQ: credex replay --lane ${lane.destination} --dry-run`);
  }
  return {
    generatedAt: now.toISOString(),
    target: target.origin,
    intake: { queued: intakeDepth.visible + intakeDepth.delayed, inFlight: intakeDepth.inFlight, dlq: intakeDlq },
    quarantine: { today: quarantineByDay[0] ?? 0, lastDays: quarantineByDay.reduce((a, b) => a + b, 0), days },
    lanes,
    healthy: attention.length === 0,
    attention,
  };
}
