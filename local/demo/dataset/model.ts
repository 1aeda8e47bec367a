/**
 * The generator's internal model, shared by the record generators: parties, commitments with their
 * revisions, breaches, and submissions waiting to be ordered. Not part of the public API.
 */
import type { LicensingItem } from '../catalogue.js';
import type { Channel, Expectation, InvalidReason, Severity } from './types.js';

export type Json = Record<string, unknown>;
export type CommitmentType = '审批替代型' | '容缺受理型' | '证明事项型' | '信用修复型' | '其他';
export type PublicationType = '可向社会公开' | '特定范围内公开' | '不可公开';

export interface Entity {
  kind: 'enterprise' | 'individual' | 'person';
  party: Json;
}

export interface Commitment {
  entity: Entity;
  item: LicensingItem;
  type: CommitmentType;
  publication: PublicationType;
  date: string;
  code: string;
  recordId: string;
  /** data of revision 1; later revisions copy and amend it */
  data: Json;
  /** Revisions in order (records). */
  revisions: Json[];
  breach?: Breach;
  /** A violation found at verification and not punished (首违不罚): the nonPenalty record. */
  exemption?: Json;
  cancelled?: boolean;
  withdrawn?: boolean;
}

export interface Breach {
  /** The commitment it breaks, when it is a broken commitment. */
  commitment?: Commitment;
  severity: Severity;
  decisionDate: string;
  decisionNumber: string;
  record: Json;
}

/** One submission before ordering. */
export interface Pending {
  body: string;
  record?: Json;
  channel: Channel;
  upstreamId?: string;
  expect: Expectation;
  reason?: InvalidReason;
  /** occurredAt: base submissions go in time order */
  at: string;
  /** creation order, to break ties in time */
  order: number;
  /** the record's key (type/source/id) and whether this is its newest revision */
  key?: string;
  latest?: boolean;
  /** position among the submissions, fractional for ones inserted after another */
  slot?: number;
}
