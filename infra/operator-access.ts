/**
 * What operators may do to a deployed stage with the `credex` CLI (cli/): per command, the IAM
 * actions its code needs and on which of the stack's resources. infra/stack.ts grants their union,
 * read access to the evidence log (OPERATOR_EVIDENCE_ACCESS) and nothing else, as the
 * customer-managed policy `credex-<stage>-operator` (docs/deploy.md, "Operators").
 * test/infra/operator-policy.test.ts bundles each command (tree-shaken, as it runs) and checks
 * this list against the AWS SDK commands its code constructs, both ways — a command
 * added to the CLI without its permission fails there, not in an operator's terminal, and a
 * permission no command needs is not granted.
 *
 * SDK operation → IAM action follows the Service Authorization Reference: a batch operation needs
 * its single action (SendMessageBatch → sqs:SendMessage, DeleteMessageBatch → sqs:DeleteMessage,
 * ChangeMessageVisibilityBatch → sqs:ChangeMessageVisibility), and SQS's own DLQ redrive
 * (StartMessageMoveTask) needs sqs:ReceiveMessage, sqs:DeleteMessage and sqs:GetQueueAttributes on
 * the DLQ and sqs:SendMessage on the destination besides sqs:StartMessageMoveTask.
 * sts:GetCallerIdentity (who acts, for audit entries) needs no permission.
 */

/** The stack's resources an operator works on. */
export type OperatorResource =
  /** the CloudFormation stack itself: its outputs name the table and the queues (cli/target.ts) */
  | 'stack'
  | 'table'
  /** the table's GSI `byDestinationStatus` (topology/table.ts) */
  | 'statusIndex'
  | 'intakeQueue'
  | 'intakeDlq'
  /** every lane's queue */
  | 'laneQueues'
  /** every lane's DLQ */
  | 'laneDlqs'
  /** the evidence bucket itself (listing) */
  | 'evidenceBucket'
  /** the objects in it: the sealed windows and the chain's head */
  | 'evidenceObjects'
  /** the key the evidence bucket is encrypted with */
  | 'evidenceBucketKey'
  /** the key that signs the windows */
  | 'evidenceSigningKey';

/** The `credex` commands, as cli/commands/<command>.ts registers them. */
export type OperatorCommand =
  'status' | 'inspect' | 'quarantine' | 'replay' | 'resync' | 'redeliver' | 'stats' | 'subject' | 'overdue' | 'checks' | 'audit' | 'evidence' | 'validate';

export type OperatorAccess = Readonly<Partial<Record<OperatorResource, readonly string[]>>>;

/** Every command that works on a deployed stage first reads the stack's outputs. */
const STAGE: OperatorAccess = { stack: ['cloudformation:DescribeStacks'] };

/** Opening an audit entry (PutItem) and recording its outcome (UpdateItem): every command that changes something. */
const AUDITED = ['dynamodb:PutItem', 'dynamodb:UpdateItem'] as const;

/** A DLQ credex replay empties: held while scanning, deleted once sent; --native: SQS's move task. */
const REPLAYED_DLQ = [
  'sqs:GetQueueAttributes',
  'sqs:ReceiveMessage',
  'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibility',
  'sqs:StartMessageMoveTask',
  'sqs:ListMessageMoveTasks',
  'sqs:CancelMessageMoveTask',
];

export const operatorAccess: Readonly<Record<OperatorCommand, OperatorAccess>> = {
  // lane counts by state (the index), open quarantine per day (the table); every queue's depth,
  // and the oldest message of each DLQ, received with visibility 0 so it stays where it is
  status: {
    ...STAGE,
    table: ['dynamodb:Query'],
    statusIndex: ['dynamodb:Query'],
    intakeQueue: ['sqs:GetQueueAttributes'],
    intakeDlq: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
    laneQueues: ['sqs:GetQueueAttributes'],
    laneDlqs: ['sqs:GetQueueAttributes', 'sqs:ReceiveMessage'],
  },
  // a record's META item per candidate source, then all its items
  inspect: { ...STAGE, table: ['dynamodb:GetItem', 'dynamodb:Query'] },
  // list and show read a day's quarantine partition; release reads the record's META, sends the
  // corrected record to the intake queue, marks the entry released and audits
  quarantine: {
    ...STAGE,
    table: ['dynamodb:GetItem', 'dynamodb:Query', ...AUDITED],
    intakeQueue: ['sqs:SendMessage'],
  },
  // receive from a lane's DLQ or the intake DLQ (held invisible while scanning), send to its queue,
  // delete what was sent, make the rest visible again; --filter error= reads the destination state;
  // history events in batches. --native: both queues' ARNs (GetQueueAttributes) and SQS's move task
  // from the DLQ to the queue, which SQS authorises as receive + delete there and send here
  replay: {
    ...STAGE,
    table: ['dynamodb:GetItem', ...AUDITED, 'dynamodb:BatchWriteItem'],
    intakeQueue: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
    intakeDlq: REPLAYED_DLQ,
    laneQueues: ['sqs:GetQueueAttributes', 'sqs:SendMessage'],
    laneDlqs: REPLAYED_DLQ,
  },
  // candidates by destination and state (the index); each one's META and revision, re-routed,
  // sent to the lanes; history events in batches
  resync: {
    ...STAGE,
    table: ['dynamodb:GetItem', ...AUDITED, 'dynamodb:BatchWriteItem'],
    statusIndex: ['dynamodb:Query'],
    laneQueues: ['sqs:SendMessage'],
  },
  // the named records: as resync, without the index
  redeliver: {
    ...STAGE,
    table: ['dynamodb:GetItem', ...AUDITED, 'dynamodb:BatchWriteItem'],
    laneQueues: ['sqs:SendMessage'],
  },
  // the latest revision of every record: a (parallel) Scan of the table
  stats: { ...STAGE, table: ['dynamodb:Scan'] },
  // one subject's credit contributions: a query of its partition
  subject: { ...STAGE, table: ['dynamodb:Query'] },
  // the overdue commitments (and their count) in the index, under DUE#open
  overdue: { ...STAGE, statusIndex: ['dynamodb:Query'] },
  // the credit-check log's month partition
  checks: { ...STAGE, table: ['dynamodb:Query'] },
  // the audit trail's day partitions
  audit: { ...STAGE, table: ['dynamodb:Query'] },
  // show, proof, verify: the windows and the head read from the evidence bucket, the signing key's
  // public half to check their signatures offline — read-only: never PutObject, never Sign (the
  // listing and the bucket key's Decrypt these reads are authorised by: OPERATOR_EVIDENCE_ACCESS)
  evidence: { ...STAGE, evidenceObjects: ['s3:GetObject'], evidenceSigningKey: ['kms:GetPublicKey'] },
  // offline: checks a file of records, touches no AWS service
  validate: {},
};

/**
 * The stack's key, for the table's and the queues' data keys (both are encrypted with it): named
 * actions, as the functions have them, not the kms:GenerateDataKey* / kms:ReEncrypt* wildcards.
 */
export const OPERATOR_KEY_ACTIONS = ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'] as const;

/**
 * Reading the evidence log, whichever command or console does it: the windows and the head (and
 * listing them), decrypted with the bucket's key, and the signing key's public half, to verify a
 * signature offline or with kms:Verify. Read-only: nothing here writes, signs or deletes. Granted
 * besides what the commands need (`operatorPolicyGrants`); a `credex evidence …` command lists its
 * own actions in operatorAccess like every other.
 */
export const OPERATOR_EVIDENCE_ACCESS: OperatorAccess = {
  evidenceBucket: ['s3:ListBucket'],
  evidenceObjects: ['s3:GetObject'],
  evidenceBucketKey: ['kms:Decrypt'],
  evidenceSigningKey: ['kms:GetPublicKey', 'kms:Verify'],
};

/** What the commands need: per resource, the union of `access`, sorted. */
export function operatorGrants(access: Readonly<Record<string, OperatorAccess>> = operatorAccess): Record<OperatorResource, string[]> {
  const grants: Record<OperatorResource, Set<string>> = {
    stack: new Set(),
    table: new Set(),
    statusIndex: new Set(),
    intakeQueue: new Set(),
    intakeDlq: new Set(),
    laneQueues: new Set(),
    laneDlqs: new Set(),
    evidenceBucket: new Set(),
    evidenceObjects: new Set(),
    evidenceBucketKey: new Set(),
    evidenceSigningKey: new Set(),
  };
  for (const command of Object.values(access)) {
    for (const [resource, actions] of Object.entries(command) as Array<[OperatorResource, readonly string[]]>)
      for (const action of actions) grants[resource].add(action);
  }
  return Object.fromEntries(Object.entries(grants).map(([resource, actions]) => [resource, [...actions].sort()])) as Record<OperatorResource, string[]>;
}

/** What the operators' policy grants (besides OPERATOR_KEY_ACTIONS on the stack key): the commands' needs and reading the evidence log. */
export function operatorPolicyGrants(access: Readonly<Record<string, OperatorAccess>> = operatorAccess): Record<OperatorResource, string[]> {
  const grants = operatorGrants(access);
  for (const [resource, actions] of Object.entries(OPERATOR_EVIDENCE_ACCESS) as Array<[OperatorResource, readonly string[]]>)
    grants[resource] = [...new Set([...grants[resource], ...actions])].sort();
  return grants;
}
