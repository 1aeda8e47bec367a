/**
 * What each function may do to the sync-state table: exactly the DynamoDB actions its code can
 * issue. test/infra/least-privilege.test.ts bundles each handler (tree-shaken, as Lambda gets it)
 * and checks this list against the commands its code constructs, both ways — a missing action fails there, not in production, and
 * an action nobody issues is not granted. Queue and secret access is granted per resource in
 * infra/stack.ts; the evidence sealer's whole access is `sealAccess` below, checked the same way.
 */
export type ExchangeFunctionRole = 'intake' | 'deliver' | 'ingest' | 'pull' | 'sweep' | 'seal';

export type TableAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'BatchWriteItem';

export const tableAccess: Readonly<Record<ExchangeFunctionRole, readonly TableAction[]>> = {
  // the subject's enforcement history is read with a Query (the first-offence check)
  intake: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchWriteItem'],
  // a batch's lane messages are read at once (BatchGetItem); a repair waiting for its breach:
  // registered (Put), read when the breach is delivered (Query), forgotten (Delete)
  deliver: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
  ingest: ['PutItem', 'UpdateItem', 'Query'],
  pull: ['GetItem', 'PutItem'],
  sweep: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
  // the sealer keeps nothing in the table: no table statement at all
  seal: [],
};

/**
 * The stack key's actions of a function that uses the table: its data keys and the queues'
 * (named actions, not the kms:GenerateDataKey* and kms:ReEncrypt* wildcards CDK's grant helpers add).
 */
export const STACK_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/** The evidence log's resources (infra/constructs/evidence-log.ts), and the stack key. */
export type EvidenceResource = 'evidenceQueue' | 'evidenceBucket' | 'evidenceObjects' | 'evidenceBucketKey' | 'signingKey' | 'stackKey';

/**
 * Everything the sealer may do, per resource: the actions of the AWS SDK commands its handler
 * sends (ReceiveMessage, DeleteMessageBatch, GetObject, PutObject, Sign, GetPublicKey), and what
 * AWS authorises them by besides:
 * - s3:ListBucket: without it S3 answers a missing object (the chain's head before the first
 *   window) with 403, not the 404 the store reads as "none yet";
 * - the bucket key's kms:GenerateDataKey (a write) and kms:Decrypt (a read), SSE-KMS;
 * - the stack key's kms:Decrypt: the evidence queue is encrypted with it (a receive decrypts).
 * The schedule invokes the sealer, so no on-failure destination: nothing to send anywhere else.
 */
export const sealAccess: Readonly<Record<EvidenceResource, readonly string[]>> = {
  evidenceQueue: ['sqs:ReceiveMessage', 'sqs:DeleteMessage'],
  evidenceBucket: ['s3:ListBucket'],
  evidenceObjects: ['s3:GetObject', 's3:PutObject'],
  evidenceBucketKey: ['kms:Decrypt', 'kms:GenerateDataKey'],
  signingKey: ['kms:GetPublicKey', 'kms:Sign'],
  stackKey: ['kms:Decrypt'],
};
