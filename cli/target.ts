/**
 * Which exchange a command works on, and the clients to reach it. The same commands work on:
 *  - a deployed stage: the stack `credex-<stage>`'s outputs (DescribeStacks) name the table and
 *    the queues; the region is `--region`, else the stage's configured region, else the SDK's;
 *    credentials come from the SDK's chain (`--profile` / AWS_PROFILE, SSO, environment…);
 *  - the local runtime (`--local`, or `--stage local`): `npm start` writes where its servers
 *    listen to `<data dir>/target.json` and removes it when it stops;
 *  - a target file (`--target <file>`), the same JSON, for anything else.
 */
import { existsSync, readFileSync } from 'node:fs';
import { hostname, userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { beijingDate, parseDate } from '../functions/shared/records/dates.js';
import { OUTPUTS, stackName } from '../infra/outputs.js';
import { stages } from '../infra/stages.js';
import { DESTINATION_IDS, type DestinationId } from '../topology/topology.js';
import { ExchangeError } from '../functions/shared/errors.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../topology/evidence.js';

/** The local runtime's stage name: `--stage local` is `--local`. */
export const LOCAL_STAGE = 'local';
/** Where `npm start` keeps its state by default, and so its target file. */
export const DEFAULT_LOCAL_DATA_DIR = '.credex-local';
export const TARGET_FILE = 'target.json';

export type EvidenceLocation = { queueUrl: string; dlqUrl: string } & (
  { dir: string; keyFile: string } | { bucket: string; keyArn: string; algorithm: SigningAlgorithm }
);

export interface QueuePair {
  queueUrl: string;
  dlqUrl: string;
}

/** Everything a command needs to find: the table and every queue of one exchange. */
export interface ExchangeTarget {
  stage: string;
  /** Where this target came from, for messages and audit entries. */
  origin: string;
  region: string;
  tableName: string;
  intake: QueuePair;
  lanes: Record<DestinationId, QueuePair>;
  /** Local servers only: the endpoints (and no AWS credentials are needed). */
  endpoints?: { dynamodb: string; sqs: string };
  /**
   * The evidence log (docs/evidence.md): locally its directory and key file; on AWS the Object
   * Lock bucket and the KMS signing key. Both name the evidence queue and its DLQ.
   */
  evidence?: EvidenceLocation;
  /**
   * A local runtime on its own calendar: the day it decides publication on (YYYY-MM-DD). Commands
   * that count or plan publication (stats, resync, redeliver) use it instead of the Beijing date.
   */
  calendarDay?: string;
}

/** The day publication is decided on for this exchange: its local calendar's, else the Beijing date of `now`. */
export function publicationDay(target: Pick<ExchangeTarget, 'calendarDay'>, now: Date): string {
  return target.calendarDay ?? beijingDate(now);
}

export interface TargetOptions {
  stage?: string;
  region?: string;
  profile?: string;
  local?: boolean | string;
  target?: string;
}

/** The target cannot be resolved: the message says what to do. `usage`: the invocation is at fault (exit 2), else the exchange is out of reach (exit 4). */
export class TargetError extends ExchangeError {
  override name = 'TargetError';
  constructor(
    message: string,
    readonly usage = false,
  ) {
    super(message);
  }
}

export async function resolveTarget(
  options: TargetOptions,
  env: NodeJS.ProcessEnv = process.env,
  describeStack = describeStackOutputs,
): Promise<ExchangeTarget> {
  const local = options.local !== undefined && options.local !== false;
  const named = [options.target && '--target', local && '--local', options.stage && '--stage'].filter(Boolean);
  if (named.length > 1) throw new TargetError(`give one of ${named.join(', ')}: each names an exchange`, true);
  if (options.target) return readTargetFile(resolve(options.target));
  const stage = local ? LOCAL_STAGE : (options.stage ?? env['CREDEX_STAGE']);
  if (!stage) {
    throw new TargetError(
      'which exchange? give --stage <name> for a deployed stack (or set CREDEX_STAGE), --local for the one `npm start` runs, or --target <file>',
      true,
    );
  }
  if (stage === LOCAL_STAGE) {
    const dir = typeof options.local === 'string' ? options.local : DEFAULT_LOCAL_DATA_DIR;
    const file = resolve(dir, TARGET_FILE);
    if (!existsSync(file)) throw new TargetError(`no local runtime is running (${file} does not exist): start one with \`npm start\`, or give --target <file>`);
    return readTargetFile(file);
  }
  const region = options.region ?? stages[stage]?.env?.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'];
  if (!region) throw new TargetError(`no region for stage ${stage}: give --region (or set AWS_REGION)`, true);
  const outputs = await describeStack(stackName(stage), region, options.profile);
  return targetFromOutputs(stage, region, outputs);
}

/** The target of a deployed stage, from its stack's outputs; names every missing output at once. */
export function targetFromOutputs(stage: string, region: string, outputs: Readonly<Record<string, string>>): ExchangeTarget {
  const missing: string[] = [];
  const get = (key: string): string => {
    const value = outputs[key];
    if (value === undefined) missing.push(key);
    return value ?? '';
  };
  const target: ExchangeTarget = {
    stage,
    origin: `stack ${stackName(stage)} in ${region}`,
    region,
    tableName: get(OUTPUTS.tableName),
    intake: { queueUrl: get(OUTPUTS.intakeQueueUrl), dlqUrl: get(OUTPUTS.intakeDlqUrl) },
    lanes: Object.fromEntries(DESTINATION_IDS.map((d) => [d, { queueUrl: get(OUTPUTS.laneQueueUrl(d)), dlqUrl: get(OUTPUTS.laneDlqUrl(d)) }])) as Record<
      DestinationId,
      QueuePair
    >,
  };
  // a stack deployed before the evidence log has none of its outputs: the other commands still work
  if (outputs[OUTPUTS.evidenceBucketName] !== undefined) {
    const algorithm = get(OUTPUTS.evidenceSigningAlgorithm);
    if (algorithm && !(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm))
      missing.push(`${OUTPUTS.evidenceSigningAlgorithm} (${algorithm} is not one of ${SIGNING_ALGORITHMS.join(', ')})`);
    target.evidence = {
      bucket: get(OUTPUTS.evidenceBucketName),
      keyArn: get(OUTPUTS.evidenceSigningKeyArn),
      algorithm: algorithm as SigningAlgorithm,
      queueUrl: get(OUTPUTS.evidenceQueueUrl),
      dlqUrl: get(OUTPUTS.evidenceDlqUrl),
    };
  }
  if (missing.length)
    throw new TargetError(
      `stack ${stackName(stage)} has no output ${missing.join(', ')}: it was deployed from another version of this project (deploy this one, or use a matching credex)`,
    );
  return target;
}

/** A target file: the JSON of an ExchangeTarget (what `npm start` writes). */
export function readTargetFile(file: string): ExchangeTarget {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new TargetError(`cannot read the target file ${file}: ${(err as Error).message}`, true);
  }
  const t = parsed as Partial<ExchangeTarget>;
  const problems: string[] = [];
  for (const key of ['stage', 'region', 'tableName'] as const) if (typeof t[key] !== 'string') problems.push(key);
  if (typeof t.intake?.queueUrl !== 'string' || typeof t.intake?.dlqUrl !== 'string') problems.push('intake');
  for (const d of DESTINATION_IDS) if (typeof t.lanes?.[d]?.queueUrl !== 'string' || typeof t.lanes?.[d]?.dlqUrl !== 'string') problems.push(`lanes.${d}`);
  if (t.calendarDay !== undefined && parseDate(t.calendarDay) === undefined) problems.push('a calendarDay that is a date YYYY-MM-DD');
  if (problems.length) throw new TargetError(`the target file ${file} lacks ${problems.join(', ')}`, true);
  return { ...(t as ExchangeTarget), origin: t.origin ?? file };
}

export function localTargetFile(dataDir: string): string {
  return join(dataDir, TARGET_FILE);
}

async function describeStackOutputs(name: string, region: string, profile?: string): Promise<Record<string, string>> {
  const cfn = new CloudFormationClient({ region, ...(profile && { profile }) });
  try {
    const { Stacks = [] } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks[0];
    if (!stack) throw new TargetError(`stack ${name} not found in ${region}`);
    return Object.fromEntries((stack.Outputs ?? []).filter((o) => o.OutputKey && o.OutputValue).map((o) => [o.OutputKey!, o.OutputValue!]));
  } catch (err) {
    if (err instanceof TargetError) throw err;
    const e = err as { name?: string; message?: string };
    if (e.name === 'ValidationError' && /does not exist/.test(e.message ?? '')) {
      throw new TargetError(
        `stack ${name} does not exist in ${region}: is the stage deployed, and are --region and the credentials (--profile) the right ones?`,
      );
    }
    throw new TargetError(`cannot read stack ${name} in ${region}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`);
  } finally {
    cfn.destroy();
  }
}

/** The clients of one target. Close them with `destroy()`. */
export interface ExchangeClients {
  ddb: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  sqs: SQSClient;
  destroy(): void;
}

export function clientsFor(target: ExchangeTarget, profile?: string): ExchangeClients {
  const config = target.endpoints
    ? { region: target.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
    : { region: target.region, ...(profile && { profile }) };
  const ddb = new DynamoDBClient({ ...config, ...(target.endpoints && { endpoint: target.endpoints.dynamodb }) });
  const sqs = new SQSClient({ ...config, ...(target.endpoints && { endpoint: target.endpoints.sqs }) });
  const doc = DynamoDBDocumentClient.from(ddb, { marshallOptions: { removeUndefinedValues: true } });
  return {
    ddb,
    doc,
    sqs,
    destroy() {
      ddb.destroy();
      sqs.destroy();
    },
  };
}

/**
 * Who is acting, for audit entries: the caller's AWS identity (an IAM role or user ARN, from STS),
 * or on the local runtime the operating-system user and host.
 */
export async function callerIdentity(target: ExchangeTarget, profile?: string): Promise<string> {
  if (target.endpoints) return `${safeUserName()}@${hostname()} (local)`;
  const sts = new STSClient({ region: target.region, ...(profile && { profile }) });
  try {
    const { Arn } = await sts.send(new GetCallerIdentityCommand({}));
    if (!Arn) throw new Error('STS returned no ARN');
    return Arn;
  } catch (err) {
    throw new TargetError(`cannot tell who you are (sts:GetCallerIdentity): ${(err as Error).message}; audit entries need the caller's identity`);
  } finally {
    sts.destroy();
  }
}

function safeUserName(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env['USER'] ?? 'unknown';
  }
}
