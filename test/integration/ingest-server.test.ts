/**
 * The local ingest server (local/ingest-server.ts) over real HTTP, on DynamoDB Local and fauxqs:
 * the same answers as the Lambda's handleIngestRequest, and the body limit enforced while reading.
 */
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { request as httpRequest } from 'node:http';
import type { IngestDeps } from '../../functions/ingest/ingest.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import { upstreams } from '../../topology/upstreams.js';
import { startIngestServer, type IngestServer } from '../../local/ingest-server.js';
import { encodeGbk } from '../support/gbk.js';
import { COMPANY_NAME, COMPANY_USCC, commitment } from '../support/records.js';
import { openapi, routeOf, signed, silentLogger, testSecrets, undocumented } from '../unit/ingest/support.js';
import { localAwsConfig } from '../../local/emulators/clients.js';
import { freshQueue, freshTable, testServers } from './servers.js';

const MAX_BODY_BYTES = 64 * 1024;

let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let queueUrl: string;
let server: IngestServer;
let deps: IngestDeps;

beforeAll(() => {
  const servers = testServers();
  ddb = DynamoDBDocumentClient.from(servers.ddb, { marshallOptions: { removeUndefinedValues: true } });
  sqs = servers.sqs;
});

beforeEach(async () => {
  const tableName = await freshTable('ingest-server');
  queueUrl = await freshQueue('intake');
  deps = {
    state: dynamoSyncState({ ddb, tableName }),
    sqs,
    config: { tableName, intakeQueueUrl: queueUrl, upstreams, maxBodyBytes: MAX_BODY_BYTES },
    secrets: testSecrets,
    logger: silentLogger,
  };
  server = await startIngestServer({ deps });
});

afterEach(async () => {
  await server.stop();
});

/** Sends a request built by the unit tests' `signed` over HTTP; the response, checked against the OpenAPI document. */
async function post(request: ReturnType<typeof signed>) {
  const response = await fetch(`${server.url}${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`, {
    method: request.method,
    headers: Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string] => e[1] !== undefined)),
    body: request.body,
  });
  const text = await response.text();
  const headers = Object.fromEntries(response.headers.entries());
  expect(undocumented(request, { status: response.status, headers, body: text })).toEqual([]);
  return { status: response.status, headers, json: JSON.parse(text) as Record<string, unknown> };
}

async function receiveAll(): Promise<Array<Record<string, unknown>>> {
  const out: Array<Record<string, unknown>> = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0, VisibilityTimeout: 60 }),
    );
    if (Messages.length === 0) return out;
    out.push(...Messages.map((m) => JSON.parse(m.Body!) as Record<string, unknown>));
  }
}

describe('local ingest server', () => {
  it('accepts a signed record and puts it in the intake queue', async () => {
    const record = commitment({ recordId: 'H-1' });
    const r = await post(signed(record));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(expect.objectContaining({ accepted: 1, rejected: 0 }));
    // the request id is the server's, and the response carries it
    expect(r.headers['x-request-id']).toBe(r.json['requestId']);
    expect(r.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(await receiveAll()).toEqual([record]);
  });

  it('accepts a GB18030 body with the names intact', async () => {
    const record = commitment({ recordId: 'H-gbk' });
    const r = await post(signed(encodeGbk(JSON.stringify(record)), { contentType: 'application/json; charset=GB18030' }));
    expect(r.status).toBe(200);
    const [message] = await receiveAll();
    expect(message).toEqual(record);
    expect((message!['data'] as { party: { name: string } }).party.name).toBe(COMPANY_NAME);
  });

  it('refuses an unsigned request with 401 in the documented error shape', async () => {
    const request = signed(commitment({ recordId: 'H-unsigned' }));
    const r = await post({ ...request, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(401);
    expect(r.json).toEqual({ error: { code: 'AUTH_FAILED', message: expect.any(String), requestId: r.headers['x-request-id'] } });
    expect(await receiveAll()).toEqual([]);
  });

  it('refuses a body over the limit declared by Content-Length with 413', async () => {
    const body = Buffer.alloc(MAX_BODY_BYTES + 1, 0x20);
    const r = await post(signed(body));
    expect(r.status).toBe(413);
    expect((r.json['error'] as { code: string }).code).toBe('PAYLOAD_TOO_LARGE');
    expect(await receiveAll()).toEqual([]);
  });

  it('answers 413 to a streamed oversized body without reading all of it', async () => {
    const total = 256 * MAX_BODY_BYTES; // 16 MiB offered, lazily
    const chunk = Buffer.alloc(16 * 1024, 0x20);
    let pulled = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (pulled >= total) return controller.close();
        pulled += chunk.length;
        controller.enqueue(new Uint8Array(chunk));
      },
    });
    const response = await fetch(`${server.url}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      duplex: 'half',
    } as RequestInit & { duplex: 'half' });
    const json = (await response.json()) as { error: { code: string } };
    expect([response.status, json.error.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(pulled).toBeLessThan(total / 2);
    expect(await receiveAll()).toEqual([]);
  });

  it('answers 413 every time to a 5 MiB + 1 body and a chunked 6 MiB one (read and discarded, then answered)', async () => {
    const full = await startIngestServer({ deps: { ...deps, config: { ...deps.config, maxBodyBytes: undefined } } });
    try {
      const sized = Buffer.alloc(5 * 1024 * 1024 + 1, 0x20);
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const chunked = () => {
        let sent = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (sent >= 6 * 1024 * 1024) return controller.close();
            sent += chunk.length;
            controller.enqueue(new Uint8Array(chunk));
          },
        });
      };
      for (let i = 0; i < 5; i++) {
        for (const body of [sized, chunked()]) {
          const response = await fetch(`${full.url}/v1/records`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body,
            duplex: 'half',
          } as RequestInit & { duplex: 'half' });
          const json = (await response.json()) as { error: { code: string; requestId: string } };
          expect([response.status, json.error.code, json.error.requestId]).toEqual([413, 'PAYLOAD_TOO_LARGE', response.headers.get('x-request-id')]);
        }
      }
    } finally {
      await full.stop();
    }
  });

  it('answers headers over 16 KiB with 431 in the documented error shape', async () => {
    const response = await fetch(`${server.url}/v1/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-padding': 'p'.repeat(20 * 1024) },
      body: '{}',
    });
    const text = await response.text();
    expect(response.status).toBe(431);
    expect(JSON.parse(text)).toEqual({ error: { code: 'HEADERS_TOO_LARGE', message: expect.any(String), requestId: response.headers.get('x-request-id') } });
  });

  it('produces every documented answer over HTTP, each body valid against the document, and nothing undocumented', async () => {
    // each answer from a server set up to give it: real DynamoDB Local and fauxqs behind, but where
    // a backing service must fail (503) a queue that does not exist, or a table server that is not there
    const unreachable = DynamoDBDocumentClient.from(new DynamoDBClient({ ...localAwsConfig('http://127.0.0.1:9'), maxAttempts: 1 }));
    const unreachableSqs = new SQSClient({ ...localAwsConfig('http://127.0.0.1:9'), maxAttempts: 1 });
    const variants = {
      plain: deps,
      throttled: {
        ...deps,
        config: { ...deps.config, upstreams: { ...upstreams, 'hrbxq-approval-system': { ...upstreams['hrbxq-approval-system'], rateLimitPerMinute: 1 } } },
      },
      broken: { ...deps, state: { ...deps.state, throttleRequest: () => Promise.reject(new TypeError('bug')) } },
      noQueue: { ...deps, config: { ...deps.config, intakeQueueUrl: `${queueUrl}-missing` } },
      queueDown: { ...deps, sqs: unreachableSqs },
      noTable: {
        ...deps,
        state: {
          ...dynamoSyncState({ ddb: unreachable, tableName: deps.config.tableName }),
          claimNonce: async () => true,
          throttleRequest: async () => ({ allowed: true as const }),
        },
      },
    } satisfies Record<string, IngestDeps>;
    await ddb.send(
      new PutCommand({
        TableName: deps.config.tableName,
        Item: {
          pk: 'REC#commitment#hrbxq-approval#H-GET',
          sk: 'META',
          recordType: 'commitment',
          source: 'hrbxq-approval',
          recordId: 'H-GET',
          revision: 1,
          operation: 'upsert',
          acceptedAt: '2026-01-01T00:00:00.000Z',
          routedRevision: 1,
          routedTo: new Set(['provincial']),
        },
      }),
    );
    const GET = (recordId: string, query?: string, appKey = 'hrbxq-approval', body = '') =>
      signed(body, { method: 'GET', path: `/v1/records/commitment/${recordId}`, ...(query !== undefined && { rawQuery: query }), appKey });
    const ok = 'source=hrbxq-approval';
    const CHECK = (code: string, appKey = 'hrbxq-approval', body = '') => signed(body, { method: 'GET', path: `/v1/subjects/${code}/credit`, appKey });
    const scenarios: Array<[keyof typeof variants, () => ReturnType<typeof signed>, number]> = [
      ['plain', () => signed(commitment({ recordId: 'H-200' })), 200],
      ['plain', () => signed({ records: [commitment({ recordId: 'H-207' }), commitment({ recordId: 'H-207b', revision: 0 })] }), 207],
      ['plain', () => signed('{'), 400],
      ['plain', () => ({ ...signed(commitment()), headers: { 'content-type': 'application/json' } }), 401],
      ['plain', () => signed(Buffer.alloc(MAX_BODY_BYTES + 1, 0x20)), 413],
      ['plain', () => signed(commitment(), { contentType: 'text/plain' }), 415],
      ['throttled', () => signed(commitment({ recordId: 'H-429' })), 429],
      ['broken', () => signed(commitment()), 500],
      ['queueDown', () => signed(commitment({ recordId: 'H-503' })), 503],
      // a queue that does not exist is the deployment's fault: retrying cannot mend it
      ['noQueue', () => signed(commitment({ recordId: 'H-500' })), 500],
      ['plain', () => GET('H-GET', ok), 200],
      ['plain', () => GET('H-GET'), 400],
      ['plain', () => ({ ...GET('H-GET', ok), headers: {} }), 401],
      ['plain', () => GET('H-GET', ok, 'hrbxq-enforcement'), 403],
      ['plain', () => GET('NONE-1', ok), 404],
      ['plain', () => GET('H-GET', ok, 'hrbxq-approval', ' '.repeat(MAX_BODY_BYTES + 1)), 413],
      ['throttled', () => GET('H-GET', ok), 429],
      ['broken', () => GET('H-GET', ok), 500],
      ['noTable', () => GET('H-GET', ok), 503],
      // the credit check: read from and logged in DynamoDB Local
      ['plain', () => CHECK(COMPANY_USCC), 200],
      ['plain', () => CHECK('NOT-A-CODE'), 400],
      ['plain', () => ({ ...CHECK(COMPANY_USCC), headers: {} }), 401],
      ['plain', () => CHECK(COMPANY_USCC, 'hrbxq-enforcement'), 403],
      ['plain', () => CHECK(COMPANY_USCC, 'hrbxq-approval', ' '.repeat(MAX_BODY_BYTES + 1)), 413],
      ['throttled', () => CHECK(COMPANY_USCC), 429],
      ['broken', () => CHECK(COMPANY_USCC), 500],
      ['noTable', () => CHECK(COMPANY_USCC), 503],
      ['plain', () => signed('', { method: 'POST', path: `/v1/subjects/${COMPANY_USCC}/credit` }), 405],
      ['plain', () => signed('', { method: 'PUT', path: '/v1/records' }), 405],
      ['plain', () => signed('', { method: 'GET', path: '/v2/other' }), 404],
    ];
    const produced = new Map<string, Set<number>>();
    for (const [variant, build, expected] of scenarios) {
      const running = await startIngestServer({ deps: variants[variant] });
      try {
        // the throttled upstream may make one request a minute: of three in a row, two share a minute
        let request = build();
        let response = await send(running, request);
        for (let i = 0; variant === 'throttled' && response.status !== 429 && i < 2; i++) response = await send(running, (request = build()));
        const label = `${variant}: ${request.method} ${request.path}`;
        expect({ label, status: response.status, problems: undocumented(request, response) }).toEqual({ label, status: expected, problems: [] });
        const template = routeOf(request.path);
        const operation = template && openapi.paths[template]![request.method.toLowerCase()] ? `${request.method.toLowerCase()} ${template}` : 'none';
        produced.set(operation, (produced.get(operation) ?? new Set()).add(response.status));
      } finally {
        await running.stop();
      }
    }
    for (const [template, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        const name = `${method} ${template}`;
        expect({ name, statuses: [...(produced.get(name) ?? [])].sort() }).toEqual({ name, statuses: Object.keys(operation.responses).map(Number).sort() });
      }
    }
    expect([...produced.get('none')!].sort()).toEqual([404, 405]);
  });
});

/** One request over node:http (which, unlike fetch, sends a body with GET too). */
function send(target: IngestServer, request: ReturnType<typeof signed>): Promise<{ status: number; headers: Record<string, string>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(`${target.url}${request.path}${request.rawQuery ? `?${request.rawQuery}` : ''}`, {
      method: request.method,
      headers: {
        ...Object.fromEntries(Object.entries(request.headers).filter((e): e is [string, string] => e[1] !== undefined)),
        'content-length': String(request.body.length),
      },
    });
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode!,
          headers: Object.fromEntries(Object.entries(res.headers).map(([k, v]) => [k, String(v)])),
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    req.on('error', reject);
    req.end(request.body);
  });
}
