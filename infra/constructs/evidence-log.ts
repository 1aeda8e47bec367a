/**
 * The evidence log's resources (the sealer itself is functions/seal, wired in infra/stack.ts): the
 * queue entries travel to the sealer in, the key that signs each window, and the bucket the
 * windows are kept in for good —
 *
 * - the evidence queue and its DLQ: a DurableQueue like the intake and the lanes (the stack key);
 * - the signing key: KMS, asymmetric (SIGN_VERIFY): SM2 with SM2DSA in the China Regions, where
 *   KMS offers SM2 (and the stages deploy), ECC_NIST_P256 with ECDSA_SHA_256 elsewhere. Retained
 *   always: a window is verifiable only while its key's public half can be read. Asymmetric keys
 *   have no automatic rotation; a new key is a new chain segment, not a rotation;
 * - the bucket: S3 Object Lock in COMPLIANCE mode with the stage's default retention (every
 *   object version is undeletable by anyone for that long), versioned (Object Lock needs it),
 *   encrypted with its own customer-managed key (rotated), no public access, TLS only, server
 *   access logs to a bucket of their own, retained always, and a policy that denies deleting any
 *   object or version, changing the Object Lock configuration or bypassing governance retention,
 *   to every principal — the account's administrators included. No lifecycle rule.
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { SigningAlgorithm } from '../../topology/evidence.js';
import type { QueuePlan } from '../plan.js';
import { DurableQueue } from './durable-queue.js';

/** The signing key's spec and the algorithm windows are signed with, in a region. */
export interface EvidenceKey {
  keySpec: kms.KeySpec;
  signingAlgorithm: SigningAlgorithm;
}

/** SM2 (SM2DSA) where KMS offers it — the China Regions (`cn-…`) only —, else ECDSA over P-256. */
export function evidenceKeyFor(region: string): EvidenceKey {
  return region.startsWith('cn-')
    ? { keySpec: kms.KeySpec.SM2, signingAlgorithm: 'SM2DSA' }
    : { keySpec: kms.KeySpec.ECC_NIST_P256, signingAlgorithm: 'ECDSA_SHA_256' };
}

/**
 * What the bucket policy denies to every principal: evidence is never deleted (nor hidden behind a
 * delete marker), its retention never loosened, governance retention never bypassed.
 */
export const EVIDENCE_DENIED_ACTIONS = [
  's3:DeleteObject',
  's3:DeleteObjectVersion',
  's3:PutBucketObjectLockConfiguration',
  's3:BypassGovernanceRetention',
  // a lifecycle rule could expire current versions behind delete markers
  's3:PutLifecycleConfiguration',
] as const;

export interface EvidenceLogProps {
  /** `credex-<stage>`: names the queues and the keys' aliases. */
  namePrefix: string;
  /** The region the stack deploys to (a literal, not a token): decides the signing key's spec. */
  region: string;
  queuePlan: QueuePlan;
  /** The stack key: encrypts the evidence queue and its DLQ, as every other queue. */
  queueKey: kms.IKey;
  /** The queues' fate with the stack (the stack's policy: production retains); keys and buckets are always retained. */
  queueRemovalPolicy: RemovalPolicy;
  /** Object Lock default retention (COMPLIANCE), and how long the access logs are kept. */
  retentionDays: number;
}

export class EvidenceLog extends Construct {
  readonly queue: DurableQueue;
  readonly signingKey: kms.Key;
  readonly signingAlgorithm: SigningAlgorithm;
  /** Encrypts the windows (SSE-KMS): symmetric, rotated yearly. */
  readonly bucketKey: kms.Key;
  readonly bucket: s3.Bucket;
  /** Server access logs of the evidence bucket. */
  readonly accessLogs: s3.Bucket;

  constructor(scope: Construct, id: string, props: EvidenceLogProps) {
    super(scope, id);
    this.queue = new DurableQueue(this, 'Queue', {
      namePrefix: props.namePrefix,
      plan: props.queuePlan,
      key: props.queueKey,
      removalPolicy: props.queueRemovalPolicy,
    });

    const { keySpec, signingAlgorithm } = evidenceKeyFor(props.region);
    this.signingAlgorithm = signingAlgorithm;
    this.signingKey = new kms.Key(this, 'SigningKey', {
      alias: `alias/${props.namePrefix}-evidence-signing`,
      description: `Credit exchange evidence log (${props.namePrefix}): signs every sealed window (${signingAlgorithm})`,
      keySpec,
      keyUsage: kms.KeyUsage.SIGN_VERIFY,
      // asymmetric keys cannot rotate; the windows it signed stay verifiable only while it exists
      enableKeyRotation: false,
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    this.bucketKey = new kms.Key(this, 'BucketKey', {
      alias: `alias/${props.namePrefix}-evidence`,
      description: `Credit exchange evidence log (${props.namePrefix}): encrypts the sealed windows in the evidence bucket`,
      enableKeyRotation: true,
      // the windows are locked for years: their key must outlive the stack
      removalPolicy: RemovalPolicy.RETAIN,
      pendingWindow: Duration.days(30),
    });

    // S3 delivers server access logs only to a bucket encrypted with S3-managed keys (SSE-S3)
    this.accessLogs = new s3.Bucket(this, 'AccessLogs', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      // who read or wrote the evidence, kept as long as the evidence is
      lifecycleRules: [{ id: 'expire-access-logs', expiration: Duration.days(props.retentionDays) }],
      // a non-empty bucket cannot be deleted with the stack anyway; nor should the record of access to evidence
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      objectLockEnabled: true,
      objectLockDefaultRetention: s3.ObjectLockRetention.compliance(Duration.days(props.retentionDays)),
      versioned: true,
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: this.bucketKey,
      // one data key per bucket and period, not one KMS call per object
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      serverAccessLogsBucket: this.accessLogs,
      serverAccessLogsPrefix: 'evidence/',
      removalPolicy: RemovalPolicy.RETAIN,
      autoDeleteObjects: false,
    });
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'EvidenceIsNeverDeleted',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: [...EVIDENCE_DENIED_ACTIONS],
        resources: [this.bucket.bucketArn, this.bucket.arnForObjects('*')],
      }),
    );
    // a window is created once: a PUT without If-None-Match (which would add a newer version over
    // a sealed window, and verifiers read the current one) is refused, whoever sends it
    this.bucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'WindowsAreCreatedOnce',
        effect: iam.Effect.DENY,
        principals: [new iam.AnyPrincipal()],
        actions: ['s3:PutObject'],
        resources: [this.bucket.arnForObjects('windows/*')],
        conditions: { Null: { 's3:if-none-match': 'true' } },
      }),
    );
  }
}
