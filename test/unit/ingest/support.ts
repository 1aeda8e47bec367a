/**
 * Shared by the ingest tests: signed requests, fake clients, and the OpenAPI document's check of a
 * response (documented route and status, body valid against the documented schema).
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { fullFormats } from 'ajv-formats/dist/formats.js';
import { parse as parseYaml } from 'yaml';
import { SendMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import type { IngestDeps, IngestRequest, IngestResponse, UpstreamSecrets } from '../../../functions/ingest/ingest.js';
import { signRequest, type SignatureAlgorithm } from '../../../functions/shared/signing/sign.js';
import { upstreams } from '../../../topology/upstreams.js';
import { inMemorySyncState, overriding, type InMemorySyncState } from '../../support/in-memory-sync-state.js';

export const SECRETS: Readonly<Record<string, string>> = Object.fromEntries(Object.values(upstreams).map((u) => [u.appKey, `secret-of-${u.appKey}`]));

export const testSecrets: UpstreamSecrets = {
  async lookup(appKey) {
    const entry = Object.entries(upstreams).find(([, u]) => u.appKey === appKey);
    return entry ? { upstreamId: entry[0], secret: SECRETS[appKey]! } : undefined;
  },
};

let counter = 0;

export interface SignedOptions {
  method?: string;
  path?: string;
  rawQuery?: string;
  appKey?: string;
  secret?: string;
  algorithm?: SignatureAlgorithm;
  contentType?: string;
  timestamp?: number;
  nonce?: string;
  requestId?: string;
}

/** A request signed as an upstream signs it (default: the approval system, POST /v1/records). */
export function signed(body: Buffer | string | object, options: SignedOptions = {}): IngestRequest {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body), 'utf8');
  const method = options.method ?? 'POST';
  const path = options.path ?? '/v1/records';
  const appKey = options.appKey ?? 'hrbxq-approval';
  const headers = signRequest({
    method,
    path: options.rawQuery ? `${path}?${options.rawQuery}` : path,
    body: bytes,
    credentials: { appKey, secret: options.secret ?? SECRETS[appKey] ?? 'unknown' },
    algorithm: options.algorithm ?? 'HMAC-SM3',
    ...(options.timestamp !== undefined && { timestamp: options.timestamp }),
    ...(options.nonce !== undefined && { nonce: options.nonce }),
  });
  return {
    method,
    path,
    rawQuery: options.rawQuery,
    headers: { ...headers, 'content-type': options.contentType ?? 'application/json; charset=utf-8' },
    body: bytes,
    requestId: options.requestId ?? `req-${process.pid}-${++counter}`,
  };
}

// ---------------------------------------------------------------- the OpenAPI document

interface Operation {
  responses: Record<string, { $ref?: string; content?: { 'application/json'?: { schema: unknown } } }>;
}
export interface OpenApiDocument {
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown>; responses: Record<string, { content?: { 'application/json'?: { schema: unknown } } }> };
}

export const openapi = parseYaml(readFileSync(new URL('../../../docs/api/openapi.yaml', import.meta.url), 'utf8')) as OpenApiDocument;

// the formats the document uses (a credit check's checkId is a uuid)
const ajv = new Ajv2020({ strict: false, allErrors: true, formats: { uuid: fullFormats.uuid } });
ajv.addSchema({ $id: 'openapi.json', components: openapi.components });
const validators = new Map<string, ValidateFunction>();

/** The documented route template of a request path. */
export function routeOf(path: string): string | undefined {
  if (/^\/v1\/records\/?$/.test(path)) return '/v1/records';
  if (/^\/v1\/records\/[^/]+\/[^/]+\/?$/.test(path)) return '/v1/records/{recordType}/{recordId}';
  if (/^\/v1\/subjects\/[^/]+\/credit\/?$/.test(path)) return '/v1/subjects/{code}/credit';
  return undefined;
}

/** The problems with a response per the document ([] when it conforms). */
export function undocumented(request: Pick<IngestRequest, 'method' | 'path'>, response: IngestResponse): string[] {
  const template = routeOf(request.path);
  // unknown routes and methods answer with the document's shared error responses
  const operation = template ? openapi.paths[template]?.[request.method.toLowerCase()] : undefined;
  let documented: Operation['responses'][string] | undefined;
  if (operation) documented = operation.responses[String(response.status)];
  else if (response.status === 404) documented = { $ref: '#/components/responses/NotFound' };
  else if (response.status === 405) documented = { $ref: '#/components/responses/MethodNotAllowed' };
  // the local server's answer to headers over 16 KiB, whatever the route
  if (response.status === 431) documented = { $ref: '#/components/responses/HeadersTooLarge' };
  if (!documented) return [`${request.method} ${template ?? request.path} → ${response.status} is not documented`];
  const resolved = documented.$ref ? openapi.components.responses[documented.$ref.split('/').pop()!]! : documented;
  const schema = resolved.content?.['application/json']?.schema as { $ref?: string } | undefined;
  if (!schema) return [`${response.status} has no documented JSON schema`];
  const key = schema.$ref ?? JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(schema.$ref ? { $ref: `openapi.json${schema.$ref}` } : schema);
    validators.set(key, validate);
  }
  let body: unknown;
  try {
    body = JSON.parse(response.body);
  } catch {
    return ['body is not JSON'];
  }
  if (!response.headers['content-type']?.startsWith('application/json')) return ['content-type is not application/json'];
  if (validate(body)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? e.keyword}`);
}

// ---------------------------------------------------------------- fake clients

export interface FakeClients {
  /** The sync state, in memory. */
  state: InMemorySyncState;
  sqs: SQSClient;
  /** Message bodies sent, in order. */
  sent: string[];
  /** The quarantine items kept, as stored. */
  readonly quarantined: Array<Record<string, unknown>>;
  failSqs: boolean;
  /** Bodies SQS refuses entry by entry as the sender's fault (InvalidMessageContents). */
  refuseBody?: (body: string) => boolean;
  /** An error every quarantine write throws. */
  failQuarantine?: Error;
}

export function fakeClients(): FakeClients {
  const state = inMemorySyncState();
  const fake: FakeClients = {
    state,
    sent: [],
    get quarantined() {
      return state.items().filter((item) => item.pk.startsWith('QUAR#'));
    },
    failSqs: false,
    sqs: undefined as unknown as SQSClient,
  };
  fake.sqs = {
    async send(command: unknown) {
      if (!(command instanceof SendMessageBatchCommand)) throw new Error('unexpected SQS command');
      if (fake.failSqs) throw Object.assign(new Error('service unavailable'), { name: 'ServiceUnavailable', $metadata: {} });
      const entries = command.input.Entries ?? [];
      const refused = entries.filter((e) => fake.refuseBody?.(e.MessageBody!));
      const taken = entries.filter((e) => !refused.includes(e));
      fake.sent.push(...taken.map((e) => e.MessageBody!));
      return {
        Successful: taken.map((e) => ({ Id: e.Id, MessageId: `m-${e.Id}` })),
        Failed: refused.map((e) => ({ Id: e.Id, Code: 'InvalidMessageContents', SenderFault: true, Message: 'Invalid characters found' })),
      };
    },
  } as unknown as SQSClient;
  return fake;
}

export const silentLogger = { info: () => {}, warn: () => {}, error: () => {} };

/** Deps over fake clients and the in-memory sync state (whose quarantine fails while `failQuarantine` is set). */
export function fakeDeps(fake: FakeClients = fakeClients(), overrides: Partial<IngestDeps> = {}): IngestDeps {
  return {
    state: overriding(fake.state, {
      quarantine: async (entry) => {
        if (fake.failQuarantine) throw fake.failQuarantine;
        return fake.state.quarantine(entry);
      },
    }),
    sqs: fake.sqs,
    config: { tableName: 'table', intakeQueueUrl: 'http://queue', upstreams },
    secrets: testSecrets,
    logger: silentLogger,
    sleep: async () => {},
    ...overrides,
  };
}
