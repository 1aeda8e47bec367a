/**
 * The ingest API over DynamoDB Local and fauxqs: per-record answers, accepted records in the intake
 * queue, rejected ones in quarantine, a GB18030 body, and every security case refused with no side
 * effect. Nonces and throttle counters live in the table, as in AWS.
 */
import { ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createIngestHandler } from '../../functions/ingest/compose.js';
import { handleIngestRequest, type IngestDeps, type IngestRequest } from '../../functions/ingest/ingest.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { upstreams } from '../../topology/upstreams.js';
import { encodeGbk } from '../support/gbk.js';
import { breach, commitment } from '../support/records.js';
import { silentLogger, signed, testSecrets, undocumented } from '../unit/ingest/support.js';
import { freshQueue, freshTable, testServers } from './servers.js';

let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let deps: IngestDeps;
let tableName: string;
let store: SyncState;
let queueUrl: string;

beforeAll(() => {
  const servers = testServers();
  ddb = DynamoDBDocumentClient.from(servers.ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = servers.sqs;
});

beforeEach(async () => {
  tableName = await freshTable('ingest');
  queueUrl = await freshQueue('intake');
  store = dynamoSyncState({ ddb, tableName });
  deps = {
    state: store,
    sqs,
    config: { tableName, intakeQueueUrl: queueUrl, upstreams },
    secrets: testSecrets,
    logger: silentLogger,
  };
});

async function call(request: IngestRequest) {
  const response = await handleIngestRequest(request, deps);
  expect(undocumented(request, response)).toEqual([]);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}

async function receiveAll(): Promise<Array<{ body: Record<string, unknown>; correlationId: string | undefined }>> {
  const out: Array<{ body: Record<string, unknown>; correlationId: string | undefined }> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, MessageAttributeNames: ['All'], VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return out;
    out.push(
      ...Messages.map((m) => ({ body: JSON.parse(m.Body!) as Record<string, unknown>, correlationId: m.MessageAttributes?.['correlationId']?.StringValue })),
    );
  }
}

const today = () => new Date().toISOString().slice(0, 10);
/** Every item in the table (a test table is small). */
async function tableItems(): Promise<Array<Record<string, unknown>>> {
  return (await ddb.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
}

describe('POST /v1/records on real servers', () => {
  it('answers a mixed batch per record: accepted ones reach the intake queue, rejected ones quarantine', async () => {
    const records = [
      commitment({ recordId: 'I-ok-1' }),
      commitment({ recordId: 'I-bad', operation: 'delete' }),
      commitment({ recordId: 'I-ok-2' }),
      breach({ recordId: 'I-breach' }),
    ];
    const r = await call(signed({ records }, { requestId: 'req-int-1' }));
    expect(r.status).toBe(207);
    expect((r.json['results'] as Array<{ status: string }>).map((x) => x.status)).toEqual(['accepted', 'rejected', 'accepted', 'rejected']);
    const messages = await receiveAll();
    expect(messages.map((m) => [m.body['recordId'], m.correlationId]).sort()).toEqual([
      ['I-ok-1', 'req-int-1:0'],
      ['I-ok-2', 'req-int-1:2'],
    ]);
    const quarantined = await store.listQuarantine(today());
    expect(quarantined.map((q) => [q.recordId, q.reason, q.correlationId]).sort()).toEqual([
      ['I-bad', 'invalid', 'req-int-1:1'],
      ['I-breach', 'unauthorised', 'req-int-1:3'],
    ]);
    expect(JSON.parse(quarantined.find((q) => q.recordId === 'I-bad')!.body)).toEqual(records[1]);
  });

  it('accepts a GB18030 body and enqueues it as UTF-8 text', async () => {
    const record = commitment({ recordId: 'I-gbk' });
    const r = await call(signed(encodeGbk(JSON.stringify(record)), { contentType: 'application/json; charset=GBK' }));
    expect(r.status).toBe(200);
    const [message] = await receiveAll();
    expect(message!.body).toEqual(record);
    expect((message!.body['data'] as { party: { name: string } }).party.name).toBe('哈尔滨新区松北餐饮管理有限公司');
  });

  it('serves the same through the Lambda handler (HTTP API payload v2, base64 body)', async () => {
    const handler = createIngestHandler({ ...deps, logger: new Logger({ serviceName: 'credex-ingest-test', logLevel: 'SILENT' }) });
    const request = signed(commitment({ recordId: 'I-lambda' }));
    const event = {
      rawPath: request.path,
      rawQueryString: '',
      headers: Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v])),
      body: request.body.toString('base64'),
      isBase64Encoded: true,
      requestContext: { requestId: 'apigw-1', http: { method: 'POST', sourceIp: '10.0.0.1' } },
    } as unknown as APIGatewayProxyEventV2;
    const response = await handler(event, { functionName: 'ingest', awsRequestId: 'lambda-1' } as Context);
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(response.body!)).toEqual(expect.objectContaining({ requestId: 'apigw-1', accepted: 1 }));
    expect((await receiveAll()).map((m) => m.correlationId)).toEqual(['apigw-1:0']);
  });
});

describe('security cases: refused, nothing written', () => {
  const base = () => signed({ records: [commitment({ recordId: 'S-1' })] });
  it.each([
    ['unsigned', () => ({ ...base(), headers: { 'content-type': 'application/json' } }), 401, 'AUTH_FAILED'],
    ['badly signed', () => signed(commitment(), { secret: 'not-the-secret' }), 401, 'AUTH_FAILED'],
    ['tampered body', () => ({ ...base(), body: Buffer.from(JSON.stringify({ records: [commitment({ recordId: 'S-2' })] })) }), 401, 'AUTH_FAILED'],
    ['expired', () => signed(commitment(), { timestamp: Date.now() - 10 * 60_000 }), 401, 'TIMESTAMP_EXPIRED'],
    ['from the future', () => signed(commitment(), { timestamp: Date.now() + 10 * 60_000 }), 401, 'TIMESTAMP_EXPIRED'],
    ['too large', () => ({ ...base(), body: Buffer.alloc(5 * 1024 * 1024 + 1, 0x20) }), 413, 'PAYLOAD_TOO_LARGE'],
  ] as const)('%s', async (_name, build, status, code) => {
    const r = await call(build());
    expect([r.status, (r.json['error'] as { code: string }).code]).toEqual([status, code]);
    expect(await receiveAll()).toEqual([]);
    expect(await tableItems()).toEqual([]);
  });

  it('wrong content type from an authenticated caller: refused, nothing enqueued or quarantined', async () => {
    const r = await call(signed(commitment(), { contentType: 'application/x-www-form-urlencoded' }));
    expect([r.status, (r.json['error'] as { code: string }).code]).toEqual([415, 'UNSUPPORTED_MEDIA_TYPE']);
    expect(await receiveAll()).toEqual([]);
    // only the caller's nonce and request count were recorded (it did authenticate)
    expect((await tableItems()).map((i) => String(i['pk']).split('#')[0]).sort()).toEqual(['NONCE', 'THROTTLE']);
  });

  it('replayed: the second identical request is refused and enqueues nothing', async () => {
    const request = base();
    expect((await call(request)).status).toBe(200);
    const replay = await call(request);
    expect([replay.status, (replay.json['error'] as { code: string }).code]).toEqual([401, 'NONCE_REPLAYED']);
    expect((await receiveAll()).map((m) => m.body['recordId'])).toEqual(['S-1']);
  });

  it('replayed to another instance: the nonce store is shared through the table', async () => {
    const request = base();
    const other: IngestDeps = { ...deps, state: dynamoSyncState({ ddb, tableName }) };
    expect((await handleIngestRequest(request, deps)).status).toBe(200);
    expect(JSON.parse((await handleIngestRequest(request, other)).body)).toEqual({ error: expect.objectContaining({ code: 'NONCE_REPLAYED' }) });
    const nonce = (await tableItems()).find((i) => String(i['pk']).startsWith('NONCE#'));
    expect(nonce).toEqual(expect.objectContaining({ pk: `NONCE#hrbxq-approval#${request.headers['X-Nonce']}`, expiresAt: expect.any(Number) }));
  });

  it("unauthorised: another upstream's source is refused per record, never enqueued", async () => {
    const r = await call(signed(commitment({ recordId: 'S-foreign' }), { appKey: 'hlj-credit-platform' }));
    expect(r.status).toBe(207);
    expect(r.json['results']).toEqual([
      expect.objectContaining({ status: 'rejected', errors: expect.arrayContaining([expect.objectContaining({ rule: 'notAuthorised' })]) }),
    ]);
    expect(await receiveAll()).toEqual([]);
    expect((await store.listQuarantine(today())).map((q) => [q.recordId, q.reason])).toEqual([['S-foreign', 'unauthorised']]);
  });

  it('throttles per upstream with a counter in the table', async () => {
    deps.config = { ...deps.config, upstreams: { ...upstreams, 'hrbxq-approval-system': { ...upstreams['hrbxq-approval-system'], rateLimitPerMinute: 2 } } };
    const now = new Date('2026-03-02T01:00:10Z');
    deps.now = () => now;
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++) statuses.push((await call(signed(commitment({ recordId: `Q-${i}` }), { timestamp: now.getTime() }))).status);
    expect(statuses).toEqual([200, 200, 429]);
  });
});

describe('GET /v1/records/{recordType}/{recordId} on real servers', () => {
  it('answers 404 for a record intake has not stored, 403 for a foreign source', async () => {
    const get = (query: string) => signed('', { method: 'GET', path: '/v1/records/commitment/NOPE', rawQuery: query });
    expect((await call(get('source=hrbxq-approval'))).status).toBe(404);
    expect((await call(get('source=hrbxq-market'))).status).toBe(403);
  });
});
