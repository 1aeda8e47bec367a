/**
 * The operators' managed policy `credex-<stage>-operator`, asserted: it names only this stack's
 * resources (no wildcard anywhere), never lets an operator consume a live queue, grants SQS's DLQ
 * redrive what SQS authorises it by, and grants exactly what the `credex` commands' code sends —
 * found by bundling each command as it runs (tree-shaken) and reading the AWS SDK commands it
 * imports, checked against infra/operator-access.ts both ways.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { treeShaken } from './tree-shaken.js';
import {
  OPERATOR_EVIDENCE_ACCESS,
  OPERATOR_KEY_ACTIONS,
  operatorAccess,
  operatorGrants,
  operatorPolicyGrants,
  type OperatorCommand,
  type OperatorResource,
} from '../../infra/operator-access.js';
import { OUTPUTS } from '../../infra/outputs.js';
import { DESTINATION_IDS } from '../../topology/topology.js';
import { STATUS_INDEX } from '../../topology/table.js';
import { refId, resourcesOf, stackKeyId, synthesized } from './synth.js';

const dev = { template: synthesized('dev') };
const queues = resourcesOf(dev.template, 'AWS::SQS::Queue');
const tableId = Object.keys(resourcesOf(dev.template, 'AWS::DynamoDB::Table'))[0]!;
const keyId = stackKeyId(dev.template);
/** The evidence log's bucket and keys (infra/constructs/evidence-log.ts: construct path Evidence/…). */
const evidenceIdOf = (type: string, prefix: string) => {
  const ids = Object.keys(resourcesOf(dev.template, type)).filter((id) => id.startsWith(prefix));
  expect(ids).toHaveLength(1);
  return ids[0]!;
};
const evidenceIds: Record<string, string> = {
  [evidenceIdOf('AWS::S3::Bucket', 'EvidenceBucket')]: 'evidence bucket',
  [evidenceIdOf('AWS::KMS::Key', 'EvidenceBucketKey')]: 'evidence bucket key',
  [evidenceIdOf('AWS::KMS::Key', 'EvidenceSigningKey')]: 'evidence signing key',
};
const EVIDENCE_OBJECTS = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [evidenceIdOf('AWS::S3::Bucket', 'EvidenceBucket'), 'Arn'] }, '/*']] };
const INDEX = `table/index/${STATUS_INDEX}`;

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  [key: string]: unknown;
}

const listOf = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

function operatorPolicy(template = dev.template) {
  const policies = Object.entries(resourcesOf(template, 'AWS::IAM::ManagedPolicy'));
  expect(policies).toHaveLength(1);
  const [id, policy] = policies[0]!;
  return { id, properties: policy.Properties, statements: policy.Properties['PolicyDocument'].Statement as Statement[] };
}

/**
 * A policy resource by what it is: `stack`, `table`, the index, `key`, a queue by its name, or the
 * evidence log's bucket, its objects and its keys; anything else fails.
 */
function nameOf(resource: unknown): string {
  if (typeof resource === 'string') throw new Error(`a literal resource ${resource}: the policy must name this stack's resources`);
  if (JSON.stringify(resource) === JSON.stringify({ Ref: 'AWS::StackId' })) return 'stack';
  if (JSON.stringify(resource) === JSON.stringify(EVIDENCE_OBJECTS)) return 'evidence objects';
  const join = (resource as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) {
    const [separator, [table, suffix, ...rest]] = join;
    expect(separator).toBe('');
    expect(rest).toEqual([]);
    expect(refId(table)).toBe(tableId);
    expect(resource).toEqual({ 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, `/index/${STATUS_INDEX}`]] });
    return `table${String(suffix)}`;
  }
  expect(Object.keys(resource as object)).toEqual(['Fn::GetAtt']);
  const [id, attribute] = (resource as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
  expect(attribute).toBe('Arn');
  if (id === tableId) return 'table';
  if (id === keyId) return 'key';
  if (evidenceIds[id]) return evidenceIds[id];
  const queue = queues[id]?.Properties['QueueName'] as string | undefined;
  if (!queue) throw new Error(`the policy names ${id}, which is not this stack's table, key or queue`);
  return queue;
}

/** Every (action, resource) pair the policy allows, as `action on resource`. */
function grantsOf(statements: readonly Statement[]): string[] {
  const pairs = new Set<string>();
  for (const statement of statements) {
    // nothing but Effect, Action and Resource: no NotAction, NotResource or conditions to reason about
    expect(Object.keys(statement).sort()).toEqual(['Action', 'Effect', 'Resource']);
    expect(statement.Effect).toBe('Allow');
    for (const action of listOf(statement.Action)) {
      expect(action).toMatch(/^[a-z0-9]+:[A-Za-z]+$/);
      for (const resource of listOf(statement.Resource)) pairs.add(`${action} on ${nameOf(resource)}`);
    }
  }
  return [...pairs].sort();
}

const intakeQueue = 'credex-dev-intake';
const intakeDlq = 'credex-dev-intake-dlq';
const laneQueues = DESTINATION_IDS.map((d) => `credex-dev-lane-${d}`);
const laneDlqs = laneQueues.map((q) => `${q}-dlq`);
const RESOURCE_NAMES: Record<OperatorResource, string[]> = {
  stack: ['stack'],
  table: ['table'],
  statusIndex: [INDEX],
  intakeQueue: [intakeQueue],
  intakeDlq: [intakeDlq],
  laneQueues,
  laneDlqs,
  evidenceBucket: ['evidence bucket'],
  evidenceObjects: ['evidence objects'],
  evidenceBucketKey: ['evidence bucket key'],
  evidenceSigningKey: ['evidence signing key'],
};

describe('the operator policy', () => {
  const policy = operatorPolicy();
  const grants = grantsOf(policy.statements);

  it('is a customer-managed policy named credex-<stage>-operator, attached to nothing, and a stack output', () => {
    expect(policy.properties['ManagedPolicyName']).toBe('credex-dev-operator');
    expect(operatorPolicy(synthesized('prod')).properties['ManagedPolicyName']).toBe('credex-prod-operator');
    for (const attachment of ['Roles', 'Users', 'Groups']) expect(policy.properties[attachment]).toBeUndefined();
    const outputs = dev.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs[OUTPUTS.operatorPolicyArn]?.Value).toEqual({ Ref: policy.id });
  });

  it("grants infra/operator-access.ts on this stack's resources and the key, nothing else", () => {
    const expected = new Set<string>();
    for (const [resource, actions] of Object.entries(operatorPolicyGrants()) as Array<[OperatorResource, string[]]>) {
      for (const action of actions) for (const name of RESOURCE_NAMES[resource]) expected.add(`${action} on ${name}`);
    }
    for (const action of OPERATOR_KEY_ACTIONS) expected.add(`${action} on key`);
    expect(grants).toEqual([...expected].sort());
  });

  it('names every table, queue and key action explicitly: no wildcard in an action or a resource but the evidence objects', () => {
    // grantsOf already refused literal resources (so `*`) and actions that are not one plain name;
    // the evidence windows are named by sequence number as they are sealed: only a pattern names them all
    const json = JSON.stringify(policy.statements).replaceAll(JSON.stringify(EVIDENCE_OBJECTS), '"evidence objects"');
    expect(json).not.toMatch(/\*/);
    expect(grants.filter((g) => g.startsWith('kms:') && g.endsWith(' on key')).sort()).toEqual(OPERATOR_KEY_ACTIONS.map((a) => `${a} on key`).sort());
  });

  it('never consumes a live queue and never sends to a DLQ: messages move only DLQ → queue', () => {
    for (const queue of [intakeQueue, ...laneQueues]) {
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility', 'sqs:PurgeQueue', 'sqs:StartMessageMoveTask'])
        expect(grants).not.toContain(`${action} on ${queue}`);
    }
    for (const dlq of [intakeDlq, ...laneDlqs]) expect(grants).not.toContain(`sqs:SendMessage on ${dlq}`);
    expect(grants.filter((g) => g.startsWith('sqs:PurgeQueue') || g.startsWith('sqs:SetQueueAttributes') || g.startsWith('dynamodb:DeleteItem'))).toEqual([]);
  });

  it('only reads the evidence log: its windows and head, decrypted, and the signing key to verify with', () => {
    const evidence = grants.filter((g) => g.includes(' on evidence '));
    expect(evidence).toEqual(
      [
        's3:ListBucket on evidence bucket',
        's3:GetObject on evidence objects',
        'kms:Decrypt on evidence bucket key',
        'kms:GetPublicKey on evidence signing key',
        'kms:Verify on evidence signing key',
      ].sort(),
    );
    expect(Object.values(OPERATOR_EVIDENCE_ACCESS).flat().sort()).toEqual(['kms:Decrypt', 'kms:GetPublicKey', 'kms:Verify', 's3:GetObject', 's3:ListBucket']);
  });

  it('never lets an operator write, sign or delete evidence, whatever a command asks for', () => {
    const writes = ['s3:PutObject', 's3:DeleteObject', 's3:DeleteObjectVersion', 's3:PutObjectRetention', 's3:PutBucketObjectLockConfiguration', 'kms:Sign'];
    expect(
      Object.values(operatorPolicyGrants())
        .flat()
        .filter((action) => writes.includes(action)),
    ).toEqual([]);
  });

  it('lets SQS redrive a DLQ it may start a move task on: receive, delete and attributes there, send to its source queue', () => {
    const moveSources = grants.filter((g) => g.startsWith('sqs:StartMessageMoveTask on ')).map((g) => g.slice('sqs:StartMessageMoveTask on '.length));
    expect(moveSources.sort()).toEqual([intakeDlq, ...laneDlqs].sort());
    for (const dlq of moveSources) {
      for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'sqs:ListMessageMoveTasks', 'sqs:CancelMessageMoveTask'])
        expect(grants).toContain(`${action} on ${dlq}`);
      // the destination is the queue whose redrive policy names this DLQ
      const [, source] = Object.entries(queues).find(
        ([, q]) => queues[refId(q.Properties['RedrivePolicy']?.deadLetterTargetArn) ?? '']?.Properties['QueueName'] === dlq,
      )!;
      expect(grants).toContain(`sqs:SendMessage on ${source.Properties['QueueName']}`);
    }
  });
});

// ------------------------------------------------------------------------------------------------
// the list against the code

/**
 * AWS SDK command class (by package) → the IAM actions its operation needs, as the Service
 * Authorization Reference lists them ("API operations defined by …"). An SDK import not listed here
 * fails the test: add it, with its actions, before the CLI may use it.
 */
const DYNAMODB: Record<string, string[]> = {
  Get: ['GetItem'],
  Put: ['PutItem'],
  Update: ['UpdateItem'],
  Delete: ['DeleteItem'],
  Query: ['Query'],
  Scan: ['Scan'],
  BatchWrite: ['BatchWriteItem'],
  BatchGet: ['BatchGetItem'],
  TransactWrite: ['TransactWriteItems'],
  TransactGet: ['TransactGetItems'],
};
const DYNAMODB_CLIENT: Record<string, string[]> = {
  GetItem: ['GetItem'],
  PutItem: ['PutItem'],
  UpdateItem: ['UpdateItem'],
  DeleteItem: ['DeleteItem'],
  Query: ['Query'],
  Scan: ['Scan'],
  BatchWriteItem: ['BatchWriteItem'],
  BatchGetItem: ['BatchGetItem'],
  TransactWriteItems: ['TransactWriteItems'],
  TransactGetItems: ['TransactGetItems'],
};
const SQS: Record<string, string[]> = {
  SendMessage: ['SendMessage'],
  SendMessageBatch: ['SendMessage'],
  ReceiveMessage: ['ReceiveMessage'],
  DeleteMessage: ['DeleteMessage'],
  DeleteMessageBatch: ['DeleteMessage'],
  ChangeMessageVisibility: ['ChangeMessageVisibility'],
  ChangeMessageVisibilityBatch: ['ChangeMessageVisibility'],
  GetQueueAttributes: ['GetQueueAttributes'],
  GetQueueUrl: ['GetQueueUrl'],
  PurgeQueue: ['PurgeQueue'],
  StartMessageMoveTask: ['StartMessageMoveTask', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes', 'SendMessage'],
  ListMessageMoveTasks: ['ListMessageMoveTasks', 'GetQueueAttributes'],
  CancelMessageMoveTask: ['CancelMessageMoveTask', 'ReceiveMessage', 'DeleteMessage', 'GetQueueAttributes'],
};
const SDK: Record<string, { prefix: string; commands: Record<string, string[]>; clients: string[] }> = {
  '@aws-sdk/lib-dynamodb': { prefix: 'dynamodb', commands: DYNAMODB, clients: ['DynamoDBDocumentClient'] },
  '@aws-sdk/client-dynamodb': { prefix: 'dynamodb', commands: DYNAMODB_CLIENT, clients: ['DynamoDBClient'] },
  '@aws-sdk/client-sqs': { prefix: 'sqs', commands: SQS, clients: ['SQSClient'] },
  '@aws-sdk/client-cloudformation': { prefix: 'cloudformation', commands: { DescribeStacks: ['DescribeStacks'] }, clients: ['CloudFormationClient'] },
  // GetCallerIdentity needs no permission: it answers whoever signed the request
  '@aws-sdk/client-sts': { prefix: 'sts', commands: { GetCallerIdentity: [] }, clients: ['STSClient'] },
  // the evidence log (credex evidence …): listing a prefix needs s3:ListBucket on the bucket
  '@aws-sdk/client-s3': {
    prefix: 's3',
    commands: { GetObject: ['GetObject'], HeadObject: ['GetObject'], ListObjectsV2: ['ListBucket'], PutObject: ['PutObject'] },
    clients: ['S3Client'],
  },
  '@aws-sdk/client-kms': { prefix: 'kms', commands: { GetPublicKey: ['GetPublicKey'], Verify: ['Verify'], Sign: ['Sign'] }, clients: ['KMSClient'] },
};

interface Issued {
  /** IAM actions, `service:Action`. */
  actions: string[];
  /** The IndexName values its queries name, as written in the bundle. */
  indexes: string[];
}

/**
 * What a CLI module's code can send: the AWS SDK commands its tree-shaken bundle constructs
 * (`new XCommand(`; esbuild keeps the imports of tree-shaken modules, so an import alone is not a
 * send). Every name imported from the SDK must be a client or a command listed above, and every
 * command it does use must be used as `new XCommand(…)`, so nothing reaches AWS past this test.
 */
async function issuedBy(entry: string): Promise<Issued> {
  const bundle = await treeShaken(entry);
  const importStatement = /^import\b[^;]*?from\s*"(@aws-sdk\/[^"]+)";?$/gms;
  // the code without its SDK imports: where the imported names are used
  const code = bundle.replace(importStatement, '');
  const actions = new Set<string>();
  for (const [statement, pkg] of bundle.matchAll(importStatement) as IterableIterator<[string, string]>) {
    const sdk = SDK[pkg];
    if (!sdk) throw new Error(`${entry} imports ${pkg}: list its commands and their IAM actions in this test (and the policy)`);
    const names = /^import\s*\{([^}]*)\}\s*from/s.exec(statement)?.[1];
    if (names === undefined) throw new Error(`${entry}: an import of ${pkg} this test cannot read: ${statement}`);
    for (const specifier of names
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      const [imported, local = imported] = specifier.split(/\s+as\s+/) as [string, string?];
      if (sdk.clients.includes(imported)) continue;
      const operation = /^(\w+)Command$/.exec(imported)?.[1];
      const needs = operation === undefined ? undefined : sdk.commands[operation];
      if (!needs)
        throw new Error(
          `${entry} imports ${imported} from ${pkg}: list it in this test with the IAM actions it needs (and grant them in infra/operator-access.ts)`,
        );
      const uses = [...code.matchAll(new RegExp(`(new\\s+)?\\b${local}\\b(\\s*\\()?`, 'g'))];
      const other = uses.find(([, isNew, call]) => !isNew || !call);
      if (other)
        throw new Error(
          `${entry} uses ${imported} other than as \`new ${imported}(…)\`: ${JSON.stringify(code.slice(Math.max(0, other.index! - 40), other.index! + 60))}`,
        );
      if (uses.length > 0) for (const action of needs) actions.add(`${sdk.prefix}:${action}`);
    }
  }
  const indexes = [...code.matchAll(/\bIndexName:\s*([^,}\s]+)/g)].map((m) => m[1]!);
  return { actions: [...actions].sort(), indexes };
}

const allActions = (access: Partial<Record<OperatorResource, readonly string[]>>) => [...new Set(Object.values(access).flat())].sort();

describe('infra/operator-access.ts matches what the CLI sends', () => {
  const commandFiles = readdirSync(new URL('../../cli/commands/', import.meta.url))
    .filter((f) => f.endsWith('.ts'))
    .map((f) => f.slice(0, -'.ts'.length));

  it('lists every command of cli/commands/', () => {
    expect(Object.keys(operatorAccess).sort()).toEqual(commandFiles.sort());
  });

  it.each(Object.keys(operatorAccess) as OperatorCommand[])('credex %s is granted exactly the actions its code can send', async (command) => {
    const issued = await issuedBy(`cli/commands/${command}.ts`);
    const access = operatorAccess[command];
    expect(allActions(access)).toEqual(issued.actions);
    // the index is granted to exactly the commands that query it, and it is the status index
    for (const index of issued.indexes) expect(index).toMatch(/^(STATUS_INDEX\d*|"byDestinationStatus")$/);
    expect(access.statusIndex ?? []).toEqual(issued.indexes.length > 0 ? ['dynamodb:Query'] : []);
  });

  it('the whole CLI (cli/main.ts) sends nothing the commands do not account for', async () => {
    const issued = await issuedBy('cli/main.ts');
    const granted = operatorGrants();
    expect([...new Set(Object.values(granted).flat())].sort()).toEqual(issued.actions);
  });
});

describe('docs/deploy.md, "Operators"', () => {
  const docs = readFileSync(new URL('../../docs/deploy.md', import.meta.url), 'utf8');
  const section = docs.slice(docs.indexOf('\n## Operators'), docs.indexOf('\n## ', docs.indexOf('\n## Operators') + 1));

  it.each((Object.keys(operatorAccess) as OperatorCommand[]).filter((c) => allActions(operatorAccess[c]).length > 0))(
    'lists the actions of credex %s',
    (command) => {
      const row = section.split('\n').find((line) => line.startsWith(`| \`credex ${command}`));
      expect(row).toBeDefined();
      for (const action of allActions(operatorAccess[command])) expect(row).toContain(action.split(':')[1]);
    },
  );
});
