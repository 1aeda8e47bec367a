/**
 * The lane message: what intake sends to a destination's lane (and what the operator CLI re-sends
 * on replay, resync and redeliver). A pointer to an accepted revision, not the record: the deliver
 * function reads the canonical record from the table, so a message never carries personal data
 * and never goes stale in content.
 */
import type { DestinationId } from '../../../topology/topology.js';
import type { RecordRef } from '../state/keys.js';
import type { OutgoingMessage } from './send-batch.js';

/**
 * upsert: share (and publish, where the destination publishes it) the revision; withdraw: take the
 * record down (a retraction, or a public column whose record's publication stopped); unpublish:
 * end the revision's publication where it was published, the record staying shared (the expiry
 * sweep).
 */
export type LaneAction = 'upsert' | 'withdraw' | 'unpublish';

export interface LaneMessage {
  recordType: string;
  source: string;
  recordId: string;
  revision: number;
  destination: DestinationId;
  action: LaneAction;
  correlationId: string;
  routedAt: string;
  /**
   * Set by an operator's resync or redeliver: send this revision again even where the destination
   * already answered it (delivered or rejected). Revisions still only move forward.
   */
  redeliver?: {
    requestedBy: string;
    auditId: string;
    /** For a repair: when the same operation resent its breach here — the repair waits for that send. */
    breachResentAt?: string;
  };
}

/** Message attributes of a lane message: what operators filter DLQs by without parsing bodies. */
export function laneMessageAttributes(message: Pick<LaneMessage, 'recordType' | 'destination' | 'action'>): Record<string, string> {
  return { recordType: message.recordType, destination: message.destination, action: message.action };
}

/** A lane message as SendMessageBatch takes it; `key` is the caller's id for failures. */
export function outgoingLaneMessage(key: string, message: LaneMessage): OutgoingMessage {
  return { key, body: JSON.stringify(message), attributes: laneMessageAttributes(message) };
}

export function laneMessageRef(message: Pick<LaneMessage, 'recordType' | 'source' | 'recordId'>): RecordRef {
  return { recordType: message.recordType as RecordRef['recordType'], source: message.source, recordId: message.recordId };
}
