/**
 * docs/api/openapi.yaml against the implementation: the routes are the handler's routes, every
 * status and error code the handler can produce is documented for the route that produces it, every
 * documented status is produced by some request, and the bodies validate against the schemas.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { handleIngestRequest, type IngestDeps, type IngestRequest } from '../../../functions/ingest/ingest.js';
import { BLACK_BANDS, RED_BANDS } from '../../../topology/credit-policy.js';
import { FEED } from '../../../topology/names.js';
import { upstreams } from '../../../topology/upstreams.js';
import { ID_TYPES } from '../../../functions/shared/credit/check.js';
import { contributionsOf } from '../../../functions/shared/credit/contributions.js';
import type { EligibilityReason, EligibilityRule } from '../../../functions/shared/credit/eligibility.js';
import type { Eligibility, Origin } from '../../../functions/shared/credit/types.js';
import { RECORD_TYPES } from '../../../functions/shared/records/generated/schema-index.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { DESTINATION_STATUSES } from '../../../functions/shared/state/sync-state.js';
import { overriding } from '../../support/in-memory-sync-state.js';
import { breach, commitment, COMPANY_USCC, residentId } from '../../support/records.js';
import { fakeClients, fakeDeps, openapi, routeOf, signed, undocumented } from './support.js';

// every module of the ingest function: the routes, the checks and the two paths each answer with their own codes
const ingestDir = new URL('../../../functions/ingest/', import.meta.url);
const source = readdirSync(ingestDir)
  .filter((name) => name.endsWith('.ts'))
  .map((name) => readFileSync(new URL(name, ingestDir), 'utf8'))
  .join('\n');
const serverSource = readFileSync(new URL('../../../local/ingest-server.ts', import.meta.url), 'utf8');
const errorSchema = (openapi.components.schemas['ErrorResponse'] as { properties: { error: { properties: { code: { enum: string[] } } } } }).properties.error
  .properties.code.enum;

type Scenario = [name: string, build: () => IngestRequest, deps?: (d: IngestDeps) => IngestDeps];
const GET = (type: string, query?: string, appKey?: string) =>
  signed('', { method: 'GET', path: `/v1/records/${type}/U-1`, ...(query !== undefined && { rawQuery: query }), ...(appKey && { appKey }) });
const failingSqs = (d: IngestDeps): IngestDeps => ({
  ...d,
  sqs: { send: () => Promise.reject(Object.assign(new Error('down'), { $metadata: {} })) } as unknown as IngestDeps['sqs'],
});
const down = () => Promise.reject(Object.assign(new Error('down'), { $metadata: {} }));
/** The table unreachable: the records and the quarantine (nonces and throttle answer, as when only reads and writes of records fail). */
const failingState = (d: IngestDeps): IngestDeps => ({ ...d, state: overriding(d.state, { readRecordState: down, quarantine: down }) });
const broken = (d: IngestDeps): IngestDeps => ({ ...d, state: overriding(d.state, { throttleRequest: () => Promise.reject(new TypeError('bug')) }) });
const throttled = (d: IngestDeps): IngestDeps => ({
  ...d,
  state: overriding(d.state, { throttleRequest: async () => ({ allowed: false, retryAfterSeconds: 7 }) }),
});
const tiny = (d: IngestDeps): IngestDeps => ({ ...d, config: { ...d.config, maxBodyBytes: 1 } });
/** The credit check log refuses the write: the check is not answered. */
const unlogged = (d: IngestDeps): IngestDeps => ({ ...d, state: overriding(d.state, { recordCreditCheck: down }) });
const CHECK = (code: string, options: { query?: string; appKey?: string; body?: string } = {}) =>
  signed(options.body ?? '', {
    method: 'GET',
    path: `/v1/subjects/${encodeURIComponent(code)}/credit`,
    ...(options.query !== undefined && { rawQuery: options.query }),
    ...(options.appKey && { appKey: options.appKey }),
  });

const scenarios: Scenario[] = [
  ['push accepted', () => signed(commitment())],
  ['push mixed', () => signed({ records: [commitment(), breach()] })],
  ['push malformed', () => signed('{')],
  ['push bad encoding', () => signed(Buffer.from([0xff]))],
  ['push unsigned', () => ({ ...signed(commitment()), headers: { 'content-type': 'application/json' } })],
  ['push wrong method', () => signed('', { method: 'PATCH' })],
  ['push too large', () => signed(commitment()), tiny],
  ['push too many', () => signed({ records: Array.from({ length: 101 }, () => commitment()) })],
  ['push text/plain', () => signed(commitment(), { contentType: 'text/plain' })],
  ['push throttled', () => signed(commitment()), throttled],
  ['push bug', () => signed(commitment()), broken],
  ['push queue down', () => signed(commitment()), failingSqs],
  ['get found', () => GET('commitment', 'source=hrbxq-approval')],
  ['get no source', () => GET('commitment')],
  ['get unsigned', () => ({ ...GET('commitment', 'source=hrbxq-approval'), headers: {} })],
  ['get forbidden', () => GET('commitment', 'source=hlj-credit-platform')],
  ['get not found', () => GET('repair', 'source=hrb-credit-repair', 'hrb-credit-repair')],
  ['get wrong method', () => signed('', { method: 'PUT', path: '/v1/records/commitment/U-1' })],
  ['get too large', () => signed('{}', { method: 'GET', path: '/v1/records/commitment/U-1' }), tiny],
  ['get throttled', () => GET('commitment', 'source=hrbxq-approval'), throttled],
  ['get bug', () => GET('commitment', 'source=hrbxq-approval'), broken],
  ['get table down', () => GET('commitment', 'source=hrbxq-approval'), failingState],
  ['credit answered', () => CHECK(COMPANY_USCC)],
  ['credit bad code', () => CHECK('NOT-A-CODE')],
  ['credit bad idType', () => CHECK(COMPANY_USCC, { query: 'idType=passport' })],
  ['credit unsigned', () => ({ ...CHECK(COMPANY_USCC), headers: {} })],
  ['credit forbidden', () => CHECK(COMPANY_USCC, { appKey: 'hrbxq-enforcement' })],
  ['credit wrong method', () => signed('', { method: 'POST', path: `/v1/subjects/${COMPANY_USCC}/credit` })],
  ['credit too large', () => CHECK(COMPANY_USCC, { body: '{}' }), tiny],
  ['credit throttled', () => CHECK(COMPANY_USCC), throttled],
  ['credit bug', () => CHECK(COMPANY_USCC), broken],
  ['credit not logged', () => CHECK(COMPANY_USCC), unlogged],
  ['unknown route', () => signed('', { method: 'GET', path: '/v1/other' })],
];

// ---------------------------------------------------------------- the credit check's values, every one listed once

const ELIGIBILITIES = ['eligible', 'eligibleWithConditions', 'notEligible'] as const satisfies readonly Eligibility[];
const RULES = ['seriousBreach', 'falseCommitment', 'blackPoints', 'generalBreach', 'brokenCommitment'] as const satisfies readonly EligibilityRule[];
const EFFECTS = ['eligibleWithConditions', 'notEligible'] as const satisfies readonly EligibilityReason['effect'][];
const ORIGINS = ['district', 'province'] as const satisfies readonly Origin[];
// tsc fails here when a type gains a value the lists above lack
type Missing =
  Exclude<Eligibility, (typeof ELIGIBILITIES)[number]> | Exclude<EligibilityRule, (typeof RULES)[number]> | Exclude<Origin, (typeof ORIGINS)[number]>;
const complete: [Missing] extends [never] ? true : never = true;

/** A schema of the document's components, by name. */
const schema = (name: string) => openapi.components.schemas[name] as Record<string, unknown>;
type Props = Record<string, Record<string, unknown>>;
const propertiesOf = (node: unknown): Props => (node as { properties: Props }).properties;

describe('docs/api/openapi.yaml', () => {
  it('is OpenAPI 3.1 and documents exactly the handler routes', () => {
    expect((openapi as unknown as { openapi: string }).openapi).toBe('3.1.0');
    expect(Object.keys(openapi.paths).sort()).toEqual(['/v1/records', '/v1/records/{recordType}/{recordId}', '/v1/subjects/{code}/credit']);
    expect(Object.keys(openapi.paths['/v1/records']!)).toEqual(['post']);
    expect(Object.keys(openapi.paths['/v1/records/{recordType}/{recordId}']!)).toEqual(['get']);
    expect(Object.keys(openapi.paths['/v1/subjects/{code}/credit']!)).toEqual(['get']);
  });

  it('has no key made of prose (an unquoted comma in a flow mapping splits a description into keys)', () => {
    const prose: string[] = [];
    const walk = (node: unknown, at: string): void => {
      if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${at}/${i}`));
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (!key.startsWith('/') && /[\s()]/.test(key)) prose.push(`${at}/${key}`);
          walk(value, `${at}/${key}`);
        }
      }
    };
    walk(openapi, '');
    expect(prose).toEqual([]);
  });

  it('lists every error code the implementation uses, and no other', () => {
    const used = new Set([...`${source}${serverSource}`.matchAll(/errorResponse\(\s*\d{3},\s*'([A-Z_]+)'/g)].map((m) => m[1]!));
    for (const code of ['AUTH_FAILED', 'TIMESTAMP_EXPIRED', 'NONCE_REPLAYED']) used.add(code); // from verifyRequest
    expect([...used].sort()).toEqual([...errorSchema].sort());
  });

  it('names every record type and destination status the exchange has, and no other', () => {
    const get = openapi.paths['/v1/records/{recordType}/{recordId}']!['get'] as unknown as {
      parameters: Array<{ name: string; schema?: { enum?: string[] } }>;
    };
    const status = openapi.components.schemas['RecordStatus'] as unknown as {
      properties: { recordType: { enum: string[] }; destinations: { items: { properties: { status: { enum: string[] } } } } };
    };
    expect(get.parameters.find((p) => p.name === 'recordType')!.schema!.enum).toEqual([...RECORD_TYPES]);
    expect(status.properties.recordType.enum).toEqual([...RECORD_TYPES]);
    expect(status.properties.destinations.items.properties.status.enum).toEqual([...DESTINATION_STATUSES]);
  });

  it('names every value of the credit check the implementation has, and no other', () => {
    expect(complete).toBe(true);
    const check = openapi.paths['/v1/subjects/{code}/credit']!['get'] as unknown as { parameters: Array<{ name?: string; schema?: { enum?: string[] } }> };
    expect(check.parameters.find((p) => p.name === 'idType')!.schema!.enum).toEqual([...ID_TYPES]);
    expect(schema('Eligibility')['enum']).toEqual([...ELIGIBILITIES]);
    const reason = propertiesOf(schema('EligibilityReason'));
    expect(reason['rule']!['enum']).toEqual([...RULES]);
    expect(reason['effect']!['enum']).toEqual([...EFFECTS]);
    expect(reason['origin']!['enum']).toEqual([...ORIGINS]);
    expect(propertiesOf(reason['record'])['recordType']!['enum']).toEqual([...RECORD_TYPES]);
    const points = propertiesOf(propertiesOf(schema('CreditCheck'))['points']);
    expect(points['blackBand']!['enum']).toEqual([...BLACK_BANDS]);
    expect(points['redBand']!['enum']).toEqual([...RED_BANDS]);
  });

  it('documents as its examples what the credit check answers in those cases (only the check id differs)', async () => {
    const today = '2026-12-07';
    const person = residentId('230109', '19800101', '123');
    const cases = {
      eligible: { request: () => CHECK(person, { query: `idType=${encodeURIComponent('身份证')}` }), records: [] },
      eligibleWithConditions: { request: () => CHECK(COMPANY_USCC), records: [[breach(), 'district']] },
      notEligible: {
        request: () => CHECK(COMPANY_USCC),
        records: [
          [
            breach(
              { source: FEED.source, recordId: 'HLJ-SX-2026-000321' },
              {
                severity: '严重',
                blackPoints: 20,
                decisionNumber: '黑市监罚〔2026〕9号',
                authority: '黑龙江省市场监督管理局',
                brokenCommitmentCode: undefined,
              },
            ),
            'province',
          ],
        ],
      },
    } as const satisfies Record<Eligibility, { request: () => IngestRequest; records: ReadonlyArray<readonly [Record<string, unknown>, Origin]> }>;
    const ok = openapi.paths['/v1/subjects/{code}/credit']!['get']!.responses['200'] as unknown as {
      content: { 'application/json': { examples: Record<string, { value: Record<string, unknown> }> } };
    };
    const examples = ok.content['application/json'].examples;
    expect(Object.keys(examples)).toEqual(Object.keys(cases));
    for (const [name, { request, records }] of Object.entries(cases)) {
      const fake = fakeClients();
      for (const [record, origin] of records) await fake.state.putCreditContributions(contributionsOf(record as unknown as CreditRecord, origin));
      const response = await handleIngestRequest(request(), fakeDeps(fake, { today: () => today }));
      expect({ name, status: response.status }).toEqual({ name, status: 200 });
      const answered = JSON.parse(response.body) as Record<string, unknown>;
      expect({ name, answered }).toEqual({ name, answered: { ...examples[name]!.value, checkId: expect.any(String) } });
      expect(examples[name]!.value['eligibility']).toBe(name);
    }
  });

  it('documents the batch limit the implementation applies', () => {
    const push = openapi.paths['/v1/records']!['post'] as unknown as {
      requestBody: { content: { 'application/json': { schema: { oneOf: Array<{ properties?: { records?: { maxItems: number } } }> } } } };
    };
    expect(push.requestBody.content['application/json'].schema.oneOf[0]!.properties!.records!.maxItems).toBe(100);
    expect(source).toMatch(/DEFAULT_MAX_RECORDS_PER_REQUEST = 100/);
  });

  it('documents every answer of every scenario, and every documented status is produced', async () => {
    const produced = new Map<string, Set<string>>();
    for (const [name, build, adapt] of scenarios) {
      const fake = fakeClients();
      if (name === 'get found') {
        // delivered to the column as published (the publication fields must be documented), on its way to the province
        const ref = { recordType: 'commitment' as const, source: 'hrbxq-approval', recordId: 'U-1' };
        await fake.state.acceptRevision(commitment({ ...ref, revision: 1 }) as unknown as CreditRecord, {
          contentHash: 'h',
          now: '2026-01-01T00:00:00.000Z',
          correlationId: 'c',
          claim: { destinations: ['provincial', 'publicColumn'], leaseUntil: '2026-01-01T00:02:00.000Z', token: 't' },
        });
        await fake.state.markRouted(ref, 1, '2026-01-01T00:00:00.500Z');
        // a send claim still on the item: internal, never answered
        await fake.state.claimSend(ref, 'publicColumn', 1, { now: '2026-01-01T00:00:01.000Z', leaseUntil: '2026-01-01T00:05:00.000Z', token: 'internal' });
        await fake.state.recordDestinationOutcome(ref, 'publicColumn', {
          revision: 1,
          status: 'delivered',
          now: '2026-01-01T00:00:01.000Z',
          attempts: 1,
          publication: { published: true, until: '2031-03-01' },
        });
      }
      const base = fakeDeps(fake, { config: { tableName: 't', intakeQueueUrl: 'q', upstreams } });
      const request = build();
      const response = await handleIngestRequest(request, adapt ? adapt(base) : base);
      expect({ name, problems: undocumented(request, response) }).toEqual({ name, problems: [] });
      if (name === 'get found') {
        expect(JSON.parse(response.body).destinations).toEqual([
          { destination: 'provincial', revision: 1, status: 'pending' },
          {
            destination: 'publicColumn',
            revision: 1,
            status: 'delivered',
            attempts: 1,
            updatedAt: '2026-01-01T00:00:01.000Z',
            published: true,
            publishedUntil: '2031-03-01',
          },
        ]);
      }
      const template = routeOf(request.path);
      const operation = template && openapi.paths[template]![request.method.toLowerCase()] ? `${request.method.toLowerCase()} ${template}` : 'none';
      produced.set(operation, (produced.get(operation) ?? new Set()).add(String(response.status)));
    }
    for (const [template, operations] of Object.entries(openapi.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        expect([...produced.get(`${method} ${template}`)!].sort()).toEqual(Object.keys(operation.responses).sort());
      }
    }
    // unknown routes and methods: the shared NotFound and MethodNotAllowed responses
    expect([...produced.get('none')!].sort()).toEqual(['404', '405']);
    expect(Object.keys(openapi.components.responses)).toEqual(expect.arrayContaining(['NotFound', 'MethodNotAllowed', 'HeadersTooLarge']));
  });
});
