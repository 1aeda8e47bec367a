/**
 * The generator's internal model, shared by the record generators: parties, commitments with their
 * revisions, breaches, and submissions waiting to be ordered. Not part of the public API.
 */
import type { LicensingItem } from '../catalogue.js';
import type { Channel, Expectation, InvalidReason, Severity, Wave } from './types.js';

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
  /** The verification record (承诺核查) that determined its fulfilment, if it was verified. */
  verification?: Json;
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
  /** The repair record decided on it, if any. */
  repair?: Json;
}

/**
 * The records behind the credit-check scenarios (DemoScenarios), noted by the generators that make
 * them; facts.ts states them.
 */
export interface ScenarioRecords {
  /** (a) the province's 严重 breach and the commitment made after it (wave 3). */
  ineligible?: { entity: Entity; breach: Json; commitment: Commitment };
  /** (b) the 严重 breach of a broken commitment made old enough for a granted repair. */
  repaired?: Breach;
  /** The broken commitment found false (虚假承诺), and its breach. */
  falseCommitment?: Breach;
  /** (d) the two breaches of the two companies sharing a legal representative. */
  responsiblePerson: Breach[];
  /** (e) commitments refused for their licensing item. */
  refused: Array<{ commitment: Commitment; why: 'notInForce' | 'typeNotAllowed' }>;
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
  /** the phase it is sent in (default 2) */
  wave?: Wave;
}
