/** The ingest API's logic over fake clients: the pure parts, the order of checks, every answer documented. */
import {
  bodyEncoding,
  decodeBody,
  handleIngestRequest,
  nestingDepth,
  recordsOf,
  type IngestDeps,
  type IngestRequest,
  type IngestResponse,
} from '../../../functions/ingest/ingest.js';
import { sources } from '../../../topology/topology.js';
import { upstreams } from '../../../topology/upstreams.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { encodeGbk } from '../../support/gbk.js';
import { overriding } from '../../support/in-memory-sync-state.js';
import { breach, commitment, repair } from '../../support/records.js';
import { fakeClients, fakeDeps, signed, undocumented, type FakeClients } from './support.js';

let fake: FakeClients;
let deps: IngestDeps;

beforeEach(() => {
  fake = fakeClients();
  deps = fakeDeps(fake);
});

async function call(request: IngestRequest, d: IngestDeps = deps): Promise<IngestResponse & { json: Record<string, unknown> }> {
  const response = await handleIngestRequest(request, d);
  expect(undocumented(request, response)).toEqual([]);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}
const codeOf = (r: { json: Record<string, unknown> }) => (r.json['error'] as { code: string } | undefined)?.code;

describe('the upstream registry', () => {
  it('names only registered sources, and distinct app keys', () => {
    for (const upstream of Object.values(upstreams)) for (const source of upstream.sources) expect(Object.keys(sources)).toContain(source);
    const keys = Object.values(upstreams).map((u) => u.appKey);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('bodyEncoding', () => {
  it.each([
    ['application/json', 'utf-8'],
    ['application/json; charset=utf-8', 'utf-8'],
    ['Application/JSON; Charset="UTF-8"', 'utf-8'],
    ['application/json;charset=GB18030', 'gb18030'],
    ['application/json; charset=gbk', 'gb18030'],
    ['application/json; charset=gb2312', 'gb18030'],
  ])('%s → %s', (header, encoding) => expect(bodyEncoding(header)).toEqual({ encoding }));
  it.each([undefined, '', 'text/plain', 'application/xml', 'application/json; charset=big5', 'multipart/form-data'])('refuses %p', (header) => {
    expect(bodyEncoding(header)).toHaveProperty('error');
  });
});

describe('decodeBody', () => {
  it('decodes GB18030 without mojibake', () => expect(decodeBody(Buffer.from([0xb9, 0xfe, 0xb6, 0xfb, 0xb1, 0xf5]), 'gb18030')).toEqual({ text: '哈尔滨' }));
  it('names the first invalid byte', () => {
    const result = decodeBody(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), 'utf-8');
    expect(result).toEqual({ error: expect.stringContaining('not valid UTF-8 (first invalid byte near offset 6)') });
  });
  it('refuses GBK bytes declared as UTF-8', () => expect(decodeBody(encodeGbk('{"name":"哈尔滨"}'), 'utf-8')).toHaveProperty('error'));
});

describe('nestingDepth and recordsOf', () => {
  it('counts nesting outside strings only', () => {
    expect(nestingDepth('{"a":[{"b":"[[[["}]}')).toBe(3);
    expect(nestingDepth('"\\"[["')).toBe(0);
    expect(nestingDepth('['.repeat(1000), 64)).toBe(65);
  });
  it('takes one record or {"records": [...]}', () => {
    expect(recordsOf({ recordType: 'breach' })).toEqual({ records: [{ recordType: 'breach' }], batch: false });
    expect(recordsOf({ records: [1, 2] })).toEqual({ records: [1, 2], batch: true });
    for (const bad of [[], null, 5, { records: {} }, { records: [] }, { records: [1], extra: 1 }]) expect(recordsOf(bad)).toHaveProperty('error');
  });
});

describe('POST /v1/records', () => {
  it('accepts a single record: 200, enqueued with its correlation id, nothing quarantined', async () => {
    const record = commitment({ recordId: 'U-1' });
    const r = await call(signed(record, { requestId: 'req-single' }));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      requestId: 'req-single',
      accepted: 1,
      rejected: 0,
      results: [{ index: 0, recordId: 'U-1', status: 'accepted', trackingId: 'req-single:0' }],
    });
    expect(fake.sent.map((b) => JSON.parse(b))).toEqual([record]);
    expect(fake.quarantined).toEqual([]);
  });

  it('answers a mixed batch with 207 and per-record results; refused records are quarantined, never sent', async () => {
    const records = [
      commitment({ recordId: 'U-ok' }),
      commitment({ recordId: 'U-bad', revision: 0 }),
      breach({ recordId: 'U-breach' }),
      commitment({ recordId: 'U-other', source: 'hrbdl-approval' }),
    ];
    const r = await call(signed({ records }, { requestId: 'req-mixed' }));
    expect(r.status).toBe(207);
    const results = r.json['results'] as Array<Record<string, unknown>>;
    expect(results.map((x) => [x['index'], x['recordId'], x['status']])).toEqual([
      [0, 'U-ok', 'accepted'],
      [1, 'U-bad', 'rejected'],
      [2, 'U-breach', 'rejected'],
      [3, 'U-other', 'rejected'],
    ]);
    expect(results[2]!['errors']).toEqual([
      expect.objectContaining({ path: '/source', rule: 'notAuthorised' }),
      expect.objectContaining({ path: '/recordType', rule: 'notAuthorised' }),
    ]);
    expect(results[3]!['errors']).toEqual([expect.objectContaining({ path: '/source', rule: 'notAuthorised' })]);
    expect(fake.sent.map((b) => (JSON.parse(b) as { recordId: string }).recordId)).toEqual(['U-ok']);
    expect(fake.quarantined.map((p) => [p['recordId'], p['reason']])).toEqual(
      expect.arrayContaining([
        ['U-bad', 'invalid'],
        ['U-breach', 'unauthorised'],
        ['U-other', 'unauthorised'],
      ]),
    );
  });

  it('lets each upstream push exactly its registered types', async () => {
    const cases = [
      ['hrbxq-enforcement', breach({ recordId: 'E-1' })],
      ['hrb-credit-repair', repair({ recordId: 'R-1' })],
    ] as const;
    for (const [appKey, record] of cases) expect((await call(signed(record, { appKey }))).status).toBe(200);
  });

  it('accepts a GB18030 body signed over its GB18030 bytes', async () => {
    const record = commitment({ recordId: 'U-gbk' });
    const r = await call(signed(encodeGbk(JSON.stringify(record)), { contentType: 'application/json; charset=gb18030' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(fake.sent[0]!)).toEqual(record);
  });

  it.each([
    ['unknown route', { path: '/v2/records' }, 404, 'NOT_FOUND'],
    ['wrong method', { method: 'PUT' }, 405, 'METHOD_NOT_ALLOWED'],
    ['wrong content type', { contentType: 'text/plain' }, 415, 'UNSUPPORTED_MEDIA_TYPE'],
    ['bad signature', { secret: 'wrong' }, 401, 'AUTH_FAILED'],
    ['unknown app key', { appKey: 'nobody' }, 401, 'AUTH_FAILED'],
    ['expired timestamp', { timestamp: Date.now() - 301_000 }, 401, 'TIMESTAMP_EXPIRED'],
  ] as const)('%s → %i %s, no side effect', async (_name, options, status, code) => {
    const r = await call(signed(commitment(), options));
    expect([r.status, codeOf(r)]).toEqual([status, code]);
    expect(r.json['error']).toEqual(expect.objectContaining({ requestId: expect.any(String), message: expect.any(String) }));
    expect(fake.sent).toEqual([]);
    expect(fake.quarantined).toEqual([]);
  });

  it('refuses an unsigned request and a replayed one', async () => {
    const request = signed(commitment());
    const unsigned = { ...request, headers: { 'content-type': 'application/json' } };
    expect(codeOf(await call(unsigned))).toBe('AUTH_FAILED');
    expect((await call(request)).status).toBe(200);
    const replay = await call(request);
    expect([replay.status, codeOf(replay)]).toEqual([401, 'NONCE_REPLAYED']);
    expect(fake.sent).toHaveLength(1);
  });

  it('checks size first, then the signature, then content type and decoding (no work for a caller who cannot sign)', async () => {
    const small = fakeDeps(fake, { config: { ...deps.config, maxBodyBytes: 10 } });
    expect((await call({ ...signed(commitment()), headers: {} }, small)).status).toBe(413);
    expect((await call({ ...signed(commitment()), headers: {} })).status).toBe(401);
    expect((await call(signed(commitment(), { contentType: 'text/plain' }))).status).toBe(415);
    const badBytes = signed(Buffer.from([0x7b, 0xff, 0x7d]), { contentType: 'application/json' });
    const r = await call(badBytes);
    expect([r.status, codeOf(r)]).toEqual([400, 'INVALID_ENCODING']);
  });

  it('reports malformed JSON with its line and column, and deep nesting', async () => {
    const r = await call(signed('{\n  "records": [1,]\n}'));
    expect([r.status, codeOf(r)]).toEqual([400, 'MALFORMED_JSON']);
    expect((r.json['error'] as { message: string }).message).toMatch(/line 2, column 17/);
    expect(codeOf(await call(signed('['.repeat(100) + ']'.repeat(100))))).toBe('MALFORMED_JSON');
    expect(codeOf(await call(signed('[1]')))).toBe('INVALID_REQUEST');
  });

  it('refuses more than maxRecordsPerRequest with 413 TOO_MANY_RECORDS', async () => {
    const r = await call(signed({ records: Array.from({ length: 101 }, (_, i) => commitment({ recordId: `U-${i}` })) }));
    expect([r.status, codeOf(r)]).toEqual([413, 'TOO_MANY_RECORDS']);
    expect(fake.sent).toEqual([]);
  });

  it('sends a full batch of 100 in chunks and keeps the order of results', async () => {
    const r = await call(signed({ records: Array.from({ length: 100 }, (_, i) => commitment({ recordId: `U-${i}` })) }));
    expect(r.status).toBe(200);
    expect(fake.sent).toHaveLength(100);
    expect((r.json['results'] as Array<{ index: number }>).map((x) => x.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('throttles per upstream with 429 and Retry-After', async () => {
    const limited = fakeDeps(fake, {
      config: { ...deps.config, upstreams: { ...upstreams, 'hrbxq-approval-system': { ...upstreams['hrbxq-approval-system'], rateLimitPerMinute: 2 } } },
    });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push(await call(signed(commitment({ recordId: `T-${i}` })), limited));
    expect(statuses.map((s) => s.status)).toEqual([200, 200, 429]);
    expect(Number(statuses[2]!.headers['retry-after'])).toBeGreaterThan(0);
    // another upstream has its own window
    expect((await call(signed(breach(), { appKey: 'hrbxq-enforcement' }), limited)).status).toBe(200);
  });

  it('answers 503 with Retry-After when the queue cannot be reached', async () => {
    fake.failSqs = true;
    const r = await call(signed(commitment()));
    expect([r.status, codeOf(r)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(r.headers['retry-after']).toBe('5');
  });

  it('answers 500 on an unexpected error without leaking it', async () => {
    const broken = { ...deps, state: overriding(deps.state, { throttleRequest: () => Promise.reject(new TypeError('bug: secret detail')) }) };
    const r = await call(signed(commitment()), broken);
    expect([r.status, codeOf(r)]).toEqual([500, 'INTERNAL_ERROR']);
    expect(r.body).not.toContain('secret detail');
  });
});

describe('input that would fail the same way again: a 4xx or a quarantine entry, never "retry later"', () => {
  const named = (recordId: string, name: string) =>
    commitment({ recordId }, { party: { ...(commitment().data as { party: Record<string, unknown> }).party, name } });
  const resultsOf = (r: { json: Record<string, unknown> }) =>
    r.json['results'] as Array<{ status: string; errors?: Array<{ path: string; rule: string; message: string }> }>;

  it.each([
    ['U+FFFE', 'a\uFFFEb', 'U+FFFE, a noncharacter'],
    ['a lone surrogate', '\udfff公司', 'U+DFFF, a lone surrogate'],
    ['a control character', '公司\u0007', 'U+0007, a control character'],
    ['U+10FFFF', '公司\u{10FFFF}', 'U+10FFFF, a noncharacter'],
  ])('%s in a name: that record rejected with its path (207), the rest accepted, nothing sent twice', async (_name, name, message) => {
    const r = await call(signed({ records: [commitment({ recordId: 'T-ok' }), named('T-bad', name)] }));
    expect(r.status).toBe(207);
    expect(resultsOf(r).map((x) => x.status)).toEqual(['accepted', 'rejected']);
    expect(resultsOf(r)[1]!.errors).toEqual([expect.objectContaining({ path: '/data/party/name', rule: 'text', message: expect.stringContaining(message) })]);
    expect(fake.sent).toHaveLength(1);
    expect(fake.quarantined.map((p) => [p['recordId'], p['reason']])).toEqual([['T-bad', 'invalid']]);
  });

  it('carries supplementary-plane CJK (𠮷, 𠀀) and GB18030 four-byte characters as they are', async () => {
    const record = named('T-cjk', '𠮷𠀀有限公司');
    expect([...encodeGbk('𠀀')]).toEqual([0x95, 0x32, 0x82, 0x36]); // GB 18030's four bytes, known independently
    const r = await call(signed(encodeGbk(JSON.stringify(record)), { contentType: 'application/json; charset=gb18030' }));
    expect(r.status).toBe(200);
    expect(JSON.parse(fake.sent[0]!)).toEqual(record);
  });

  it('a property named twice: the record refused (rule duplicateKey), in a single body and in a batch element', async () => {
    const single = JSON.stringify(commitment({ recordId: 'D-1' })).replace('"source":', '"source":"hrbdl-approval","source":');
    const r1 = await call(signed(single));
    expect(r1.status).toBe(207);
    expect(resultsOf(r1)[0]!.errors).toEqual([expect.objectContaining({ path: '/source', rule: 'duplicateKey' })]);
    const batch = `{"records":[${JSON.stringify(commitment({ recordId: 'D-2' }))},${single}]}`;
    const r2 = await call(signed(batch));
    expect(r2.status).toBe(207);
    expect(resultsOf(r2).map((x) => x.status)).toEqual(['accepted', 'rejected']);
    expect(resultsOf(r2)[1]!.errors).toEqual([expect.objectContaining({ path: '/source', rule: 'duplicateKey' })]);
    expect(fake.sent.map((b) => (JSON.parse(b) as { recordId: string }).recordId)).toEqual(['D-2']);
  });

  it('"records" named twice: 400, nothing sent or kept', async () => {
    const r = await call(
      signed(`{"records":[${JSON.stringify(commitment({ recordId: 'D-first' }))}],"records":[${JSON.stringify(commitment({ recordId: 'D-second' }))}]}`),
    );
    expect([r.status, codeOf(r)]).toEqual([400, 'INVALID_REQUEST']);
    expect((r.json['error'] as { message: string }).message).toContain('/records is named more than once');
    expect(fake.sent).toEqual([]);
  });

  it("a 600 KB source: rejected (207), kept in an entry that fits one item, with the cut field's length and hash", async () => {
    const source = 'x'.repeat(600_000);
    const r = await call(signed({ records: [{ ...commitment(), source, recordId: 'y'.repeat(300_000) }] }));
    expect(r.status).toBe(207);
    const item = fake.quarantined[0]!;
    expect(item['source']).toHaveLength(257);
    expect(item['cutFields']).toEqual({
      source: { chars: 600_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
      recordId: { chars: 300_000, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
    const itemBytes = Buffer.byteLength(JSON.stringify({ ...item, bodyGzip: undefined })) + ((item['bodyGzip'] as Uint8Array | undefined)?.length ?? 0);
    expect(itemBytes).toBeLessThan(400 * 1024);
  });

  it("a record over 240 KiB is kept as tooLarge, the runbook's reason for it", async () => {
    const r = await call(signed(named('T-big', '公'.repeat(90_000))));
    expect(resultsOf(r)[0]!.errors).toEqual([expect.objectContaining({ rule: 'maxRecordBytes' })]);
    expect(fake.quarantined.map((p) => p['reason'])).toEqual(['tooLarge']);
  });

  it('a record the queue refuses (InvalidMessageContents): rejected with rule queueRefused and kept, the others accepted (207, not 503)', async () => {
    fake.refuseBody = (body) => body.includes('T-refused');
    const r = await call(signed({ records: [commitment({ recordId: 'T-refused' }), commitment({ recordId: 'T-fine' })] }));
    expect(r.status).toBe(207);
    expect(r.json).toMatchObject({ accepted: 1, rejected: 1 });
    expect(resultsOf(r)[0]!.errors).toEqual([expect.objectContaining({ rule: 'queueRefused', message: expect.stringContaining('InvalidMessageContents') })]);
    expect(fake.quarantined.map((p) => p['recordId'])).toEqual(['T-refused']);
  });

  it('a DynamoDB client fault (ValidationException) is not answered 503: it would fail again', async () => {
    fake.failQuarantine = Object.assign(new Error('Item size has exceeded the maximum allowed size'), {
      name: 'ValidationException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    const r = await call(signed(commitment({ recordId: 'U-bad', revision: 0 })));
    expect([r.status, codeOf(r)]).toEqual([500, 'INTERNAL_ERROR']);
    fake.failQuarantine = Object.assign(new Error('Rate exceeded'), {
      name: 'ProvisionedThroughputExceededException',
      $fault: 'client',
      $metadata: { httpStatusCode: 400 },
    });
    expect((await call(signed(commitment({ recordId: 'U-bad', revision: 0 })))).status).toBe(503);
  });
});

describe('GET /v1/records/{recordType}/{recordId}', () => {
  const get = (recordType: string, recordId: string, query: string | undefined, appKey = 'hrbxq-approval') =>
    signed('', { method: 'GET', path: `/v1/records/${recordType}/${encodeURIComponent(recordId)}`, ...(query !== undefined && { rawQuery: query }), appKey });

  it('answers the revision and per-destination state', async () => {
    const ref = { recordType: 'commitment' as const, source: 'hrbxq-approval', recordId: 'U-1' };
    await fake.state.acceptRevision(commitment({ ...ref, revision: 3 }) as unknown as CreditRecord, {
      contentHash: 'h',
      now: '2026-03-02T01:00:00.000Z',
      correlationId: 'c',
      claim: { destinations: ['provincial'], leaseUntil: '2026-03-02T01:02:00.000Z', token: 't' },
    });
    await fake.state.markRouted(ref, 3, '2026-03-02T01:00:01.000Z');
    await fake.state.recordDestinationOutcome(ref, 'provincial', { revision: 3, status: 'delivered', now: '2026-03-02T01:00:05.000Z', attempts: 1 });
    await fake.state.recordDestinationOutcome(ref, 'municipal', {
      revision: 3,
      status: 'failed',
      now: '2026-03-02T01:00:06.000Z',
      attempts: 2,
      error: 'HTTP 503',
    });
    const r = await call(get('commitment', 'U-1', 'source=hrbxq-approval'));
    expect(r.status).toBe(200);
    expect(r.json).toEqual(
      expect.objectContaining({
        recordId: 'U-1',
        revision: 3,
        destinations: [
          expect.objectContaining({ destination: 'municipal', status: 'failed', lastError: 'HTTP 503' }),
          expect.objectContaining({ destination: 'provincial', status: 'delivered' }),
        ],
      }),
    );
  });

  it.each([
    ['an unknown record', 'commitment', 'source=hrbxq-approval', 404, 'NOT_FOUND'],
    ['another source', 'commitment', 'source=hrbxq-enforcement', 403, 'FORBIDDEN'],
    ['another record type', 'breach', 'source=hrbxq-approval', 403, 'FORBIDDEN'],
    ['no source', 'commitment', undefined, 400, 'INVALID_REQUEST'],
    ['an unknown record type', 'permit', 'source=hrbxq-approval', 400, 'INVALID_REQUEST'],
  ] as const)('%s', async (_name, type, query, status, code) => {
    const r = await call(get(type, 'U-1', query));
    expect([r.status, codeOf(r)]).toEqual([status, code]);
  });

  it('refuses POST-only and GET-only methods across routes', async () => {
    expect((await call(signed('', { method: 'DELETE', path: '/v1/records/commitment/U-1' }))).status).toBe(405);
    expect((await call(signed('', { method: 'GET' }))).headers['allow']).toBe('POST');
  });
});
