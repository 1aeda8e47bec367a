/**
 * The cdk-nag (AWS Solutions) findings this stack accepts, each on the narrowest construct and
 * finding, each with the reason. Everything else must pass: the app fails to synthesize on any
 * unacknowledged finding, and test/infra/nag.test.ts fails too. docs/deploy.md lists them.
 */
import { Validations, type Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { IConstruct } from 'constructs';

/** The evidence bucket's logical id (infra/constructs/evidence-log.ts, `Evidence/Bucket`): stable while its construct path is. */
const EVIDENCE_BUCKET = 'EvidenceBucketC67FF768';

export interface Suppression {
  /** cdk-nag finding id, with the finding in brackets where the rule is granular. */
  id: string;
  reason: string;
  /** Which constructs it applies to. */
  appliesTo: (construct: IConstruct) => boolean;
}

const isFunction = (c: IConstruct) => c instanceof lambda.Function;
const isFunctionPolicy = (c: IConstruct) =>
  c instanceof iam.Policy && c.node.scope?.node.id === 'Role' && c.node.scope.node.scope?.node.tryFindChild('Function') instanceof lambda.Function;

export const SUPPRESSIONS: readonly Suppression[] = [
  {
    id: 'AwsSolutions-L1',
    reason:
      'nodejs22.x is the Node.js major the test suite runs on (the node@22 devDependency); the runtime moves to nodejs24.x together with that pin, not ahead of the tests.',
    appliesTo: isFunction,
  },
  {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'X-Ray tracing: xray:PutTraceSegments and xray:PutTelemetryRecords support no resource-level permissions, so the statement CDK adds for Tracing.ACTIVE must name "*".',
    appliesTo: isFunctionPolicy,
  },
  ...['PullFunction7147C971', 'SweepFunctionA7728703', 'SealFunction689234C6'].map((fn) => ({
    id: `AwsSolutions-IAM5[Resource::<${fn}.Arn>:*]`,
    reason:
      "The scheduler role may invoke the scheduled functions (the pull, the expiry sweep, the evidence sealer) and their versions (ARN:*): CDK's LambdaInvoke target grants exactly that.",
    appliesTo: (c: IConstruct) => c instanceof iam.Policy && c.node.scope?.node.id === 'SchedulerRole',
  })),
  {
    id: `AwsSolutions-IAM5[Resource::<${EVIDENCE_BUCKET}.Arn>/*]`,
    reason:
      'The sealer reads and creates the objects of the evidence bucket, which holds nothing else: a window per sealing (windows/<12-digit seq>.json, a new name every run, so not nameable in advance) and the chain head (head.json). Object actions can name objects only by a pattern; the bucket policy denies every delete, and Object Lock (compliance) keeps every version written.',
    appliesTo: (c) => isFunctionPolicy(c) && c.node.scope?.node.scope?.node.id === 'Seal',
  },
  {
    id: `AwsSolutions-IAM5[Resource::<${EVIDENCE_BUCKET}.Arn>/*]`,
    reason:
      "Operators read (s3:GetObject only) any window of the evidence log to verify it: the evidence bucket's objects, which are nothing but the windows and the chain head. Read-only; the bucket policy denies every delete to everyone.",
    appliesTo: (c) => c instanceof iam.ManagedPolicy && c.node.id === 'OperatorPolicy',
  },
  {
    id: 'AwsSolutions-SMG4',
    reason:
      'These credentials are issued by, or shared with, external government platforms: a rotation Lambda cannot change them on the other side. They are rotated by a coordinated manual procedure (docs/deploy.md, "Rotating secrets"); the deliver function reloads credentials on a 401 and the pull and ingest cache them for minutes only.',
    appliesTo: (c) => c instanceof secretsmanager.Secret,
  },
  {
    id: 'AwsSolutions-SQS3',
    reason:
      "The scheduled-failures queue is itself a dead-letter queue: the on-failure destination of the pull and the expiry sweep, and their schedules' dead-letter queue. Its depth raises the scheduled-failures alarm.",
    appliesTo: (c) => c instanceof sqs.CfnQueue && c.node.scope?.node.id === 'ScheduledFailures',
  },
  {
    id: 'AwsSolutions-APIG4',
    reason:
      'Every request is authenticated in the ingest function by its signature (app key, timestamp, nonce, HMAC over method, path, query and body; docs/api/openapi.yaml) and authorised per upstream, source and record type. Upstreams are government systems without AWS identities (no IAM auth), and an HTTP API Lambda authorizer never sees the body the signature covers.',
    appliesTo: (c) => c instanceof apigw.HttpRoute,
  },
];

/** Acknowledge each suppression on every construct of the stack it applies to. */
export function applySuppressions(stack: Stack): void {
  for (const construct of stack.node.findAll()) {
    for (const suppression of SUPPRESSIONS) {
      if (suppression.appliesTo(construct)) Validations.of(construct).acknowledge({ id: suppression.id, reason: suppression.reason });
    }
  }
}
