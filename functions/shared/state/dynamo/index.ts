/**
 * The sync state in DynamoDB: one table (single-table design; docs/sync-state.md lists its items
 * and access patterns, topology/table.ts its key schema), deployed or local. One module per concern:
 * revisions (META, REV#), destinations (DEST#, the status index), history (EVT#), quarantine (QUAR#),
 * waits (WAIT#), expiry (EXPIRY#), enforcement (SUBJ#), cursors (CURSOR#), audit (AUDIT#) and the
 * ingest's nonces and throttle counters (NONCE#, THROTTLE#).
 *
 * Only operations that dynalite and DynamoDB Local both support are used (no transactions).
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SyncState } from '../sync-state.js';
import * as audit from './audit.js';
import * as cursors from './cursors.js';
import * as destinations from './destinations.js';
import * as enforcement from './enforcement.js';
import * as expiry from './expiry.js';
import * as history from './history.js';
import * as nonces from './nonces.js';
import * as quarantine from './quarantine.js';
import * as revisions from './revisions.js';
import * as waits from './waits.js';
import type { DynamoTable } from './table.js';

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

export function dynamoSyncState(options: DynamoSyncStateOptions): SyncState {
  const table: DynamoTable = { ddb: options.ddb, tableName: options.tableName };
  return {
    acceptRevision: (record, accept) => revisions.acceptRevision(table, record, accept),
    claimRouting: (ref, revision, dests, lease) => revisions.claimRouting(table, ref, revision, dests, lease),
    releaseRouting: (ref, token) => revisions.releaseRouting(table, ref, token),
    markRouted: (ref, revision, now) => revisions.markRouted(table, ref, revision, now),
    getMeta: (ref) => revisions.getMeta(table, ref),
    getRevision: (ref, revision) => revisions.getRevision(table, ref, revision),
    getLatestRecord: (ref) => revisions.getLatestRecord(table, ref),
    readRecordState: (ref) => revisions.readRecordState(table, ref),
    readRecordItems: (ref) => revisions.readRecordItems(table, ref),
    scanRevisions: (scan) => revisions.scanRevisions(table, scan),

    recordDestinationOutcome: (ref, destination, outcome) => destinations.recordDestinationOutcome(table, ref, destination, outcome),
    claimSend: (ref, destination, revision, lease) => destinations.claimSend(table, ref, destination, revision, lease),
    releaseSend: (ref, destination, token) => destinations.releaseSend(table, ref, destination, token),
    recordUnpublishOutcome: (ref, destination, outcome) => destinations.recordUnpublishOutcome(table, ref, destination, outcome),
    getDestinationState: (ref, destination) => destinations.getDestinationState(table, ref, destination),
    listDestinationStates: (ref) => destinations.listDestinationStates(table, ref),
    listByDestinationStatus: (destination, status, list) => destinations.listByDestinationStatus(table, destination, status, list),
    streamByDestinationStatus: (destination, status, stream) => destinations.streamByDestinationStatus(table, destination, status, stream),
    countByDestinationStatus: (destination, status) => destinations.countByDestinationStatus(table, destination, status),

    appendEvents: (events) => history.appendEvents(table, events, options.sleep),

    quarantine: (entry) => quarantine.quarantine(table, entry),
    listQuarantine: (day, list) => quarantine.listQuarantine(table, day, list),
    findQuarantined: (day, keyPrefix, limit) => quarantine.findQuarantined(table, day, keyPrefix, limit),
    markQuarantineReleased: (entry, release, mark) => quarantine.markQuarantineReleased(table, entry, release, mark),
    countOpenQuarantine: (day) => quarantine.countOpenQuarantine(table, day),

    registerRepairWait: (breach, destination, wait) => waits.registerRepairWait(table, breach, destination, wait),
    listRepairWaits: (breach, destination) => waits.listRepairWaits(table, breach, destination),
    removeRepairWaits: (breach, destination, list) => waits.removeRepairWaits(table, breach, destination, list),

    scheduleExpiry: (ref, revision, until) => expiry.scheduleExpiry(table, ref, revision, until),
    listExpired: (month, day, limit) => expiry.listExpired(table, month, day, limit),
    markExpiryEnqueued: (entry, dests, now) => expiry.markExpiryEnqueued(table, entry, dests, now),
    removeExpiry: (entry) => expiry.removeExpiry(table, entry),

    registerEnforcement: (subjectDigest, entry) => enforcement.registerEnforcement(table, subjectDigest, entry),
    listEnforcement: (subjectDigest) => enforcement.listEnforcement(table, subjectDigest),

    getCursor: (name) => cursors.getCursor(table, name),
    saveCursor: (name, value, expectedVersion, now) => cursors.saveCursor(table, name, value, expectedVersion, now),

    createAuditEntry: (entry) => audit.createAuditEntry(table, entry),
    completeAuditEntry: (entry, result) => audit.completeAuditEntry(table, entry, result),
    listAuditEntries: (month, since) => audit.listAuditEntries(table, month, since),

    claimNonce: (appKey, nonce, nowMs) => nonces.claimNonce(table, appKey, nonce, nowMs, options.nonceTtlSeconds),
    throttleRequest: (upstreamId, limit, nowMs) => nonces.throttleRequest(table, upstreamId, limit, nowMs),
  };
}
