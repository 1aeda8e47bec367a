/**
 * The sync state in DynamoDB: one table (single-table design; docs/sync-state.md lists its items
 * and access patterns, topology/table.ts its key schema), deployed or local. One module per concern:
 * revisions (META, REV#), destinations (DEST#, the status index), history (EVT#), quarantine (QUAR#),
 * waits (WAIT#), expiry (EXPIRY#), enforcement (SUBJ# / ENF#), credit profiles (SUBJ# / CREDIT#), the
 * licensing-item list (ITEM#), commitment deadlines (DUE#, the overdue index), the credit check log
 * (CHECK#), cursors (CURSOR#), audit (AUDIT#) and the ingest's nonces and throttle counters (NONCE#, THROTTLE#).
 *
 * Two ways to get it:
 * - `dynamoSyncState(options)`: every operation (the local runtime, tests, tools);
 * - `dynamoOperations(options, { acceptRevision, getMeta, … })`: only the operations given (from
 *   ./operations.js, re-exported here). The Lambda handlers and the CLI's commands bind only what
 *   their code uses, so their bundles hold only those requests — and the IAM policies, which
 *   test/infra/least-privilege.test.ts and operator-policy.test.ts derive from the tree-shaken
 *   bundles, grant only those actions.
 *
 * Only operations that dynalite and DynamoDB Local both support are used (no transactions).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SyncState } from '../sync-state.js';
import {
  acceptRevision,
  appendEvents,
  claimNonce,
  claimRouting,
  claimSend,
  completeAuditEntry,
  countByDestinationStatus,
  countOpenQuarantine,
  countOverdueCommitments,
  createAuditEntry,
  findQuarantined,
  getCreditContributions,
  getCursor,
  getDestinationState,
  getLatestRecord,
  getLicensingItem,
  getMeta,
  getRevision,
  listAuditEntries,
  listByDestinationStatus,
  listCreditChecks,
  listDestinationStates,
  listEnforcement,
  listExpired,
  listOverdueCommitments,
  listQuarantine,
  listRepairWaits,
  markExpiryEnqueued,
  markQuarantineReleased,
  markRouted,
  putCreditContributions,
  putLicensingItem,
  quarantine,
  readForDelivery,
  readRecordItems,
  readRecordState,
  recordCommitmentVerified,
  recordCreditCheck,
  recordDestinationOutcome,
  recordUnpublishOutcome,
  registerEnforcement,
  registerRepairWait,
  releaseRouting,
  releaseSend,
  removeExpiry,
  removeRepairWaits,
  saveCursor,
  scanRevisions,
  scheduleExpiry,
  streamByDestinationStatus,
  throttleRequest,
  trackCommitmentDue,
} from './operations.js';
import type { DynamoTable } from './table.js';

export * from './operations.js';
export { isConditionalCheckFailed, type DynamoTable } from './table.js';

export interface DynamoSyncStateOptions {
  /** The document client (built with `removeUndefinedValues`, as the handlers build it). */
  ddb: DynamoDBDocumentClient;
  tableName: string;
  /** How long a nonce blocks a replay before the table's TTL may delete it (default 600 s). */
  nonceTtlSeconds?: number;
  /** Waits between retries of unprocessed history writes (tests pass a no-op). */
  sleep?: (ms: number) => Promise<void>;
}

/** The DynamoDB implementation of one SyncState method: the same arguments after the table. */
export type DynamoOperation<K extends keyof SyncState> = (table: DynamoTable, ...args: Parameters<SyncState[K]>) => ReturnType<SyncState[K]>;
export type DynamoOperations = { [K in keyof SyncState]: DynamoOperation<K> };

/** The SyncState methods of the operations given, on the table `options` names. */
export function dynamoOperations<K extends keyof SyncState>(
  options: Pick<DynamoSyncStateOptions, 'ddb' | 'tableName'>,
  operations: Pick<DynamoOperations, K>,
): Pick<SyncState, K> {
  const table: DynamoTable = { ddb: options.ddb, tableName: options.tableName };
  const bound: Record<string, unknown> = {};
  for (const [name, operation] of Object.entries(operations) as Array<[string, (table: DynamoTable, ...args: unknown[]) => unknown]>) {
    bound[name] = (...args: unknown[]) => operation(table, ...args);
  }
  return bound as Pick<SyncState, K>;
}

/** Every operation of the SyncState on the table `options` names. */
export function dynamoSyncState(options: DynamoSyncStateOptions): SyncState {
  return dynamoOperations(options, {
    acceptRevision,
    claimRouting,
    releaseRouting,
    markRouted,
    getMeta,
    getRevision,
    getLatestRecord,
    readRecordState,
    readRecordItems,
    scanRevisions,
    recordDestinationOutcome,
    claimSend,
    releaseSend,
    recordUnpublishOutcome,
    getDestinationState,
    readForDelivery: (table, reads) => readForDelivery(table, reads, options.sleep),
    listDestinationStates,
    listByDestinationStatus,
    streamByDestinationStatus,
    countByDestinationStatus,
    appendEvents: (table, events) => appendEvents(table, events, options.sleep),
    quarantine,
    listQuarantine,
    findQuarantined,
    markQuarantineReleased,
    countOpenQuarantine,
    registerRepairWait,
    listRepairWaits,
    removeRepairWaits,
    scheduleExpiry,
    listExpired,
    markExpiryEnqueued,
    removeExpiry,
    registerEnforcement,
    listEnforcement,
    putCreditContributions,
    getCreditContributions,
    putLicensingItem,
    getLicensingItem,
    trackCommitmentDue,
    recordCommitmentVerified,
    listOverdueCommitments,
    countOverdueCommitments,
    recordCreditCheck,
    listCreditChecks,
    getCursor,
    saveCursor,
    createAuditEntry,
    completeAuditEntry,
    listAuditEntries,
    claimNonce: (table, appKey, nonce, nowMs) => claimNonce(table, appKey, nonce, nowMs, options.nonceTtlSeconds),
    throttleRequest,
  });
}
