/**
 * Every operation of the DynamoDB SyncState as a function of the table, named as the SyncState
 * method it implements: `op(table, …the method's arguments)`. An entry point binds the ones it
 * uses (dynamoOperations in ./index.ts); what it does not import is not in its bundle.
 */
export {
  acceptRevision,
  claimRouting,
  getLatestRecord,
  getMeta,
  getRevision,
  markRouted,
  readRecordItems,
  readRecordState,
  releaseRouting,
  scanRevisions,
} from './revisions.js';
export {
  claimSend,
  countByDestinationStatus,
  getDestinationState,
  listByDestinationStatus,
  listDestinationStates,
  recordDestinationOutcome,
  recordUnpublishOutcome,
  releaseSend,
  streamByDestinationStatus,
} from './destinations.js';
export { appendEvents } from './history.js';
export { readForDelivery } from './delivery-reads.js';
export { countOpenQuarantine, findQuarantined, listQuarantine, markQuarantineReleased, quarantine } from './quarantine.js';
export { listRepairWaits, registerRepairWait, removeRepairWaits } from './waits.js';
export { listExpired, markExpiryEnqueued, removeExpiry, scheduleExpiry } from './expiry.js';
export { listEnforcement, registerEnforcement } from './enforcement.js';
export { getCreditContributions, putCreditContributions } from './credit.js';
export { getLicensingItem, putLicensingItem } from './licensing-items.js';
export { countOverdueCommitments, listOverdueCommitments, recordCommitmentVerified, trackCommitmentDue } from './commitment-due.js';
export { listCreditChecks, recordCreditCheck } from './credit-checks.js';
export { getCursor, saveCursor } from './cursors.js';
export { completeAuditEntry, createAuditEntry, listAuditEntries } from './audit.js';
export { claimNonce, throttleRequest } from './nonces.js';
