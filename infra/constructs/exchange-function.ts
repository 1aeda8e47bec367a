/**
 * One Lambda function of the exchange, with the defaults every one of them needs: Node.js 22 on
 * arm64, bundled by the local esbuild (no Docker) as infra/bundling.ts defines (a minified ESM file
 * with the AWS SDK inside: the versions the tests ran, not whatever the runtime carries, but for
 * the credential links Lambda never reaches), JSON structured logs into its own log group with a
 * set retention, X-Ray tracing, and a role that starts empty — no managed policy — so every
 * permission it has is one the stack granted on purpose.
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, type RemovalPolicy } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { SOURCE_MAP_NODE_OPTIONS, functionBundling } from '../bundling.js';
import type { FunctionSize } from '../plan.js';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface ExchangeFunctionProps {
  /** `credex-<stage>-<role>`, also the log group's name part. */
  functionName: string;
  /** Handler module, relative to the project root (`functions/intake/handler.ts`). */
  entry: string;
  size: FunctionSize;
  environment: Record<string, string>;
  logRetentionDays: number;
  /** The log group's fate when the stack is deleted (a fixed name must not outlive a dev stack). */
  logRemovalPolicy: RemovalPolicy;
  description: string;
  /** Stack traces mapped to the sources (--enable-source-maps): the stage decides (StageConfig). */
  sourceMappedStackTraces: boolean;
  /** Asynchronous invocations (the schedule): Lambda's own retries, how old an event may be, and where a failed one is kept. */
  async?: { retryAttempts: number; maxEventAge: Duration; onFailure?: lambda.IDestination };
  /** The key the log group is encrypted with (its policy must let CloudWatch Logs use it). */
  logKey: kms.IKey;
}

export class ExchangeFunction extends Construct {
  readonly function: nodejs.NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ExchangeFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetentionDays as logs.RetentionDays,
      removalPolicy: props.logRemovalPolicy,
      encryptionKey: props.logKey,
    });
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `${props.functionName}: only what the stack grants`,
    });
    // writing its own log group is all the basic execution role would have given
    this.logGroup.grantWrite(this.role);
    this.function = new nodejs.NodejsFunction(this, 'Function', {
      functionName: props.functionName,
      description: props.description,
      entry: path.join(PROJECT_ROOT, props.entry),
      projectRoot: PROJECT_ROOT,
      depsLockFilePath: path.join(PROJECT_ROOT, 'package-lock.json'),
      handler: 'handler',
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.size.memoryMb,
      ...(props.size.reservedConcurrency !== undefined && { reservedConcurrentExecutions: props.size.reservedConcurrency }),
      timeout: Duration.seconds(props.size.timeoutSeconds),
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      applicationLogLevelV2: lambda.ApplicationLogLevel.INFO,
      systemLogLevelV2: lambda.SystemLogLevel.WARN,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.async && {
        retryAttempts: props.async.retryAttempts,
        maxEventAge: props.async.maxEventAge,
        ...(props.async.onFailure && { onFailure: props.async.onFailure }),
      }),
      environment: { ...(props.sourceMappedStackTraces && { NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS }), ...props.environment },
      bundling: functionBundling,
    });
  }
}
