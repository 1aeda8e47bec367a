/**
 * Least privilege, asserted: each function's role may touch only its own queues, the table actions
 * its code issues (found by bundling the handler as Lambda gets it, tree-shaken), its own secrets,
 * and the key; nothing names `*` except X-Ray, which has no resource-level permissions. The
 * evidence sealer, which uses no table, holds exactly infra/access.ts `sealAccess`, checked against
 * the AWS SDK commands its bundle sends.
 */
import { treeShaken } from './tree-shaken.js';
import { sealAccess, tableAccess, STACK_KEY_ACTIONS, type EvidenceResource, type ExchangeFunctionRole } from '../../infra/access.js';
import { DESTINATION_IDS } from '../../topology/topology.js';
import { upstreams } from '../../topology/upstreams.js';
import { refId, resourcesOf, stackKeyId, synthesized } from './synth.js';

const template = synthesized('dev');
const roles = resourcesOf(template, 'AWS::IAM::Role');
const policies = Object.values(resourcesOf(template, 'AWS::IAM::Policy'));
const functions = resourcesOf(template, 'AWS::Lambda::Function');
const queues = resourcesOf(template, 'AWS::SQS::Queue');
const secrets = resourcesOf(template, 'AWS::SecretsManager::Secret');
const tableId = Object.keys(resourcesOf(template, 'AWS::DynamoDB::Table'))[0];
const keyId = stackKeyId(template);

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every statement of the policies attached to a function's role. */
function statementsOf(functionName: string): Statement[] {
  const [, fn] = Object.entries(functions).find(([, f]) => f.Properties['FunctionName'] === functionName)!;
  const roleId = refId(fn.Properties['Role'])!;
  expect(roles[roleId]?.Properties['ManagedPolicyArns']).toBeUndefined();
  return policies
    .filter((p) => p.Properties['Roles'].some((r: unknown) => refId(r) === roleId))
    .flatMap((p) => p.Properties['PolicyDocument'].Statement as Statement[]);
}

const actionsOf = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);
const resourcesNamed = (s: Statement) => (Array.isArray(s.Resource) ? s.Resource : [s.Resource]);
const queueName = (ref: unknown) => queues[refId(ref)!]?.Properties['QueueName'] as string | undefined;
const secretName = (ref: unknown) => secrets[refId(ref)!]?.Properties['Name'] as string | undefined;

/** The logical id of a function's own log group. */
const logGroupOf = (functionName: string) =>
  refId(Object.values(functions).find((f) => f.Properties['FunctionName'] === functionName)!.Properties['LoggingConfig'].LogGroup);

/** The key's data keys for the table and the queues: named actions, no wildcard, nothing more. */
const KMS_ACTIONS = new Set<string>(STACK_KEY_ACTIONS);
/** Every table user sends its evidence entries to the evidence queue but the sweep and intake. */
const EVIDENCE_QUEUE = 'credex-dev-evidence';

/** What one role may do, by service, with the resources named by name. */
function accessOf(functionName: string) {
  const access = {
    table: new Set<string>(),
    send: new Set<string>(),
    consume: new Set<string>(),
    secrets: new Set<string>(),
    kms: new Set<string>(),
    wildcard: new Set<string>(),
  };
  for (const statement of statementsOf(functionName)) {
    expect(statement.Effect).toBe('Allow');
    for (const action of actionsOf(statement)) {
      expect(action).not.toBe('*');
      for (const resource of resourcesNamed(statement)) {
        if (resource === '*') access.wildcard.add(action);
        else if (action.startsWith('dynamodb:')) {
          expect(refId(resource)).toBe(tableId);
          access.table.add(action.slice('dynamodb:'.length));
        } else if (action === 'sqs:SendMessage') access.send.add(queueName(resource)!);
        else if (action === 'sqs:ReceiveMessage') access.consume.add(queueName(resource)!);
        else if (action.startsWith('sqs:'))
          expect(['sqs:ChangeMessageVisibility', 'sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:DeleteMessage']).toContain(action);
        else if (action.startsWith('secretsmanager:')) {
          expect(['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret']).toContain(action);
          access.secrets.add(secretName(resource)!);
        } else if (action.startsWith('kms:')) {
          expect(refId(resource)).toBe(keyId);
          access.kms.add(action);
        } else if (action.startsWith('logs:')) {
          expect(['logs:CreateLogStream', 'logs:PutLogEvents']).toContain(action);
          expect(refId(resource)).toBe(logGroupOf(functionName));
        } else throw new Error(`${functionName}: unexpected action ${action}`);
      }
    }
  }
  return access;
}

const XRAY = new Set(['xray:PutTraceSegments', 'xray:PutTelemetryRecords']);

describe('each function may touch only its own resources', () => {
  it.each(DESTINATION_IDS)('deliver %s: consumes its lane, reads its credentials, sends only to its own lane (repairs waiting for a breach)', (destination) => {
    const access = accessOf(`credex-dev-deliver-${destination}`);
    expect([...access.consume]).toEqual([`credex-dev-lane-${destination}`]);
    expect([...access.send].sort()).toEqual([`credex-dev-lane-${destination}`, EVIDENCE_QUEUE].sort());
    expect([...access.secrets]).toEqual([`credex/dev/destinations/${destination}`]);
    expect([...access.table].sort()).toEqual([...tableAccess.deliver].sort());
    expect(access.wildcard).toEqual(XRAY);
    expect(access.kms).toEqual(KMS_ACTIONS);
  });

  it('intake: consumes the intake queue, sends to the lanes and its own DLQ, reads no secret', () => {
    const access = accessOf('credex-dev-intake');
    expect([...access.consume]).toEqual(['credex-dev-intake']);
    expect([...access.send].sort()).toEqual([...DESTINATION_IDS.map((d) => `credex-dev-lane-${d}`), 'credex-dev-intake-dlq'].sort());
    expect([...access.secrets]).toEqual([]);
    expect([...access.table].sort()).toEqual([...tableAccess.intake].sort());
    expect(access.wildcard).toEqual(XRAY);
    expect(access.kms).toEqual(KMS_ACTIONS);
  });

  it('ingest: sends to intake and the evidence queue only, reads the upstream credentials only', () => {
    const access = accessOf('credex-dev-ingest');
    expect([...access.consume]).toEqual([]);
    expect([...access.send].sort()).toEqual(['credex-dev-intake', EVIDENCE_QUEUE].sort());
    expect([...access.secrets].sort()).toEqual(
      Object.keys(upstreams)
        .map((u) => `credex/dev/upstreams/${u}`)
        .sort(),
    );
    expect([...access.table].sort()).toEqual([...tableAccess.ingest].sort());
    expect(access.wildcard).toEqual(XRAY);
    expect(access.kms).toEqual(KMS_ACTIONS);
  });

  it('sweep: sends to the lanes only (ends of publication), reads no secret', () => {
    const access = accessOf('credex-dev-sweep');
    expect([...access.consume]).toEqual([]);
    // the lanes, and its own failed runs' queue (its on-failure destination)
    expect([...access.send].sort()).toEqual([...DESTINATION_IDS.map((d) => `credex-dev-lane-${d}`), 'credex-dev-scheduled-failures'].sort());
    expect([...access.secrets]).toEqual([]);
    expect([...access.table].sort()).toEqual([...tableAccess.sweep].sort());
    expect(access.wildcard).toEqual(XRAY);
    expect(access.kms).toEqual(KMS_ACTIONS);
  });

  it('pull: sends to intake and the evidence queue only, reads the feed credentials only', () => {
    const access = accessOf('credex-dev-pull');
    expect([...access.consume]).toEqual([]);
    expect([...access.send].sort()).toEqual(['credex-dev-evidence', 'credex-dev-intake', 'credex-dev-scheduled-failures']);
    expect([...access.secrets]).toEqual(['credex/dev/feeds/provincial-breaches']);
    expect([...access.table].sort()).toEqual([...tableAccess.pull].sort());
    expect(access.wildcard).toEqual(XRAY);
    expect(access.kms).toEqual(KMS_ACTIONS);
  });
});

describe('the evidence sealer', () => {
  const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
  const idOf = (type: string, pathPart: string) => {
    const ids = Object.keys(resources).filter((id) => resources[id]!.Type === type && id.startsWith(pathPart));
    expect(ids).toHaveLength(1);
    return ids[0]!;
  };
  const bucketId = idOf('AWS::S3::Bucket', 'EvidenceBucket');
  const named: Record<EvidenceResource, unknown> = {
    evidenceQueue: { 'Fn::GetAtt': [Object.entries(queues).find(([, q]) => q.Properties['QueueName'] === EVIDENCE_QUEUE)![0], 'Arn'] },
    evidenceBucket: { 'Fn::GetAtt': [bucketId, 'Arn'] },
    evidenceObjects: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
    evidenceBucketKey: { 'Fn::GetAtt': [idOf('AWS::KMS::Key', 'EvidenceBucketKey'), 'Arn'] },
    signingKey: { 'Fn::GetAtt': [idOf('AWS::KMS::Key', 'EvidenceSigningKey'), 'Arn'] },
    stackKey: { 'Fn::GetAtt': [keyId, 'Arn'] },
  };

  it('holds exactly sealAccess on the evidence queue, bucket and keys, its log group and X-Ray: no table, no other queue', () => {
    const granted = new Set<string>();
    for (const statement of statementsOf('credex-dev-seal')) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement))
        for (const resource of resourcesNamed(statement)) {
          if (resource === '*') expect(XRAY).toContain(action);
          else if (action.startsWith('logs:')) expect(refId(resource)).toBe(logGroupOf('credex-dev-seal'));
          else granted.add(`${action} on ${JSON.stringify(resource)}`);
        }
    }
    const expected = (Object.entries(sealAccess) as Array<[EvidenceResource, readonly string[]]>).flatMap(([resource, actions]) =>
      actions.map((action) => `${action} on ${JSON.stringify(named[resource])}`),
    );
    expect([...granted].sort()).toEqual(expected.sort());
    expect([...granted].filter((g) => g.startsWith('dynamodb:'))).toEqual([]);
  });

  it('is granted what the commands its bundle sends need (SQS, S3, KMS), and only what AWS authorises them by besides', async () => {
    const sent = await sdkActionsIssuedBy('seal');
    const granted = new Set(Object.values(sealAccess).flat());
    // what AWS checks besides the commands' own actions: listing (a missing object is 404, not
    // 403) and the keys' data keys (SSE-KMS of the bucket and of the queue)
    const implied = ['s3:ListBucket', 'kms:Decrypt', 'kms:GenerateDataKey'];
    expect(sent.filter((a) => !granted.has(a))).toEqual([]);
    expect([...granted].filter((a) => !sent.includes(a) && !implied.includes(a))).toEqual([]);
  });
});

/** SDK command class → the IAM action it needs (the sealer's services). */
const SDK_ACTIONS: Record<string, string> = {
  ReceiveMessage: 'sqs:ReceiveMessage',
  DeleteMessage: 'sqs:DeleteMessage',
  DeleteMessageBatch: 'sqs:DeleteMessage',
  ChangeMessageVisibility: 'sqs:ChangeMessageVisibility',
  ChangeMessageVisibilityBatch: 'sqs:ChangeMessageVisibility',
  GetQueueAttributes: 'sqs:GetQueueAttributes',
  SendMessage: 'sqs:SendMessage',
  SendMessageBatch: 'sqs:SendMessage',
  GetObject: 's3:GetObject',
  HeadObject: 's3:GetObject',
  PutObject: 's3:PutObject',
  ListObjectsV2: 's3:ListBucket',
  Sign: 'kms:Sign',
  Verify: 'kms:Verify',
  GetPublicKey: 'kms:GetPublicKey',
};

/** The tree-shaken bundle of a handler, its packages left out (their imports stay visible). */
const bundleOf = (role: ExchangeFunctionRole): Promise<string> => treeShaken(`functions/${role}/handler.ts`);

/** The SQS, S3 and KMS actions a handler's code can issue: `new XCommand(` in its bundle; an unknown command of those clients fails. */
async function sdkActionsIssuedBy(role: ExchangeFunctionRole): Promise<string[]> {
  const code = await bundleOf(role);
  const actions = new Set<string>();
  for (const [, names, pkg] of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*"@aws-sdk\/client-(sqs|s3|kms)"/g)) {
    for (const specifier of names!
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean)) {
      const [imported, local = imported] = specifier.split(/\s+as\s+/) as [string, string?];
      const operation = /^(\w+)Command$/.exec(imported)?.[1];
      if (operation === undefined) continue;
      if (!new RegExp(`new\\s+${local}\\s*\\(`).test(code)) continue;
      const action = SDK_ACTIONS[operation];
      if (!action) throw new Error(`functions/${role} sends ${imported} (@aws-sdk/client-${pkg}): list its IAM action here and grant it in infra/access.ts`);
      actions.add(action);
    }
  }
  return [...actions].sort();
}

/** DynamoDB command class (lib-dynamodb's, then client-dynamodb's) → the IAM action it needs. */
const DYNAMODB_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchWrite: 'BatchWriteItem',
  BatchGet: 'BatchGetItem',
  TransactWrite: 'TransactWriteItems',
  TransactGet: 'TransactGetItems',
  GetItem: 'GetItem',
  PutItem: 'PutItem',
  UpdateItem: 'UpdateItem',
  DeleteItem: 'DeleteItem',
  BatchWriteItem: 'BatchWriteItem',
  BatchGetItem: 'BatchGetItem',
  TransactWriteItems: 'TransactWriteItems',
  TransactGetItems: 'TransactGetItems',
};

/** The table actions a handler's code can issue: `new XCommand(` in its tree-shaken bundle. */
async function tableActionsIssuedBy(role: ExchangeFunctionRole): Promise<string[]> {
  const code = await bundleOf(role);
  const actions = new Set<string>();
  // esbuild renames clashing imports to XCommand2: the digits are not part of the name
  for (const [, command] of code.matchAll(/new (\w+?)Command\d*\(/g)) if (DYNAMODB_ACTIONS[command!]) actions.add(DYNAMODB_ACTIONS[command!]!);
  return [...actions].sort();
}

describe('infra/access.ts matches what the code issues', () => {
  it.each(Object.keys(tableAccess) as ExchangeFunctionRole[])('%s is granted exactly the table actions its handler can issue', async (role) => {
    expect(await tableActionsIssuedBy(role)).toEqual([...tableAccess[role]].sort());
  });
});
