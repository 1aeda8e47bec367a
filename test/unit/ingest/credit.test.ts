/** GET /v1/subjects/{code}/credit over the in-memory sync state: who may ask, what is answered, every check logged first. */
import { contributionsOf } from '../../../functions/shared/credit/contributions.js';
import type { CreditCheckEntry } from '../../../functions/shared/credit/types.js';
import { maskResidentId } from '../../../functions/shared/records/identifiers.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { handleIngestRequest, type IngestDeps, type IngestMetrics, type IngestRequest, type IngestResponse } from '../../../functions/ingest/ingest.js';
import { FEED } from '../../../topology/names.js';
import { overriding } from '../../support/in-memory-sync-state.js';
import { breach, breakUscc, COMPANY_NAME, COMPANY_USCC, residentId } from '../../support/records.js';
import { fakeClients, fakeDeps, signed, undocumented, type FakeClients } from './support.js';

/** The request's time (the signature's timestamp too) and the platform's calendar day. */
const NOW = new Date('2026-12-07T02:00:00.000Z');
const TODAY = '2026-12-07';
const PERSON_ID = residentId('230109', '19800101', '123');

let fake: FakeClients;
let deps: IngestDeps;
let counted: Array<{ name: string; value: number; dimensions: Readonly<Record<string, string>> }>;
let logged: string[];
let queries: number;

beforeEach(() => {
  fake = fakeClients();
  counted = [];
  logged = [];
  queries = 0;
  const metrics: IngestMetrics = { count: (name, value, dimensions) => counted.push({ name, value, dimensions }) };
  const keep =
    (level: string) =>
    (message: string, ...extra: Array<Record<string, unknown>>) =>
      logged.push(JSON.stringify({ level, message, extra }));
  deps = fakeDeps(fake, {
    now: () => NOW,
    today: () => TODAY,
    metrics,
    logger: { info: keep('info'), warn: keep('warn'), error: keep('error') },
  });
  deps.state = overriding(deps.state, {
    getCreditContributions: (digest) => {
      queries += 1;
      return fake.state.getCreditContributions(digest);
    },
  });
});

const check = (code: string, options: { query?: string; appKey?: string; method?: string } = {}): IngestRequest =>
  signed('', {
    method: options.method ?? 'GET',
    path: `/v1/subjects/${encodeURIComponent(code)}/credit`,
    ...(options.query !== undefined && { rawQuery: options.query }),
    ...(options.appKey !== undefined && { appKey: options.appKey }),
    timestamp: NOW.getTime(),
  });
const asPerson = `idType=${encodeURIComponent('身份证')}`;

async function call(request: IngestRequest, d: IngestDeps = deps): Promise<IngestResponse & { json: Record<string, unknown> }> {
  const response = await handleIngestRequest(request, d);
  expect(undocumented(request, response)).toEqual([]);
  return { ...response, json: JSON.parse(response.body) as Record<string, unknown> };
}
const codeOf = (r: { json: Record<string, unknown> }) => (r.json['error'] as { code: string } | undefined)?.code;
const messageOf = (r: { json: Record<string, unknown> }) => (r.json['error'] as { message: string }).message;
const checks = () => fake.state.listCreditChecks(NOW.toISOString().slice(0, 7));

/** What a record contributes, written as intake writes it. */
const contribute = (record: Record<string, unknown>, origin: 'district' | 'province') =>
  fake.state.putCreditContributions(contributionsOf(record as unknown as CreditRecord, origin));

/** A breach the provincial platform sent (its black points assigned by intake on receipt). */
const provincialBreach = (severity: '一般' | '严重', party?: Record<string, unknown>) =>
  breach(
    { source: FEED.source, recordId: `PROV-${severity}` },
    { severity, blackPoints: severity === '严重' ? 20 : 5, decisionNumber: '黑市监罚〔2026〕9号', brokenCommitmentCode: undefined, ...(party && { party }) },
  );

describe('GET /v1/subjects/{code}/credit', () => {
  it('answers eligible for a subject the exchange knows nothing of, from one query, with a check id', async () => {
    const r = await call(check(COMPANY_USCC));
    expect(r.status).toBe(200);
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json).toEqual({
      checkId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      subject: { category: 'organisation', code: COMPANY_USCC },
      asOf: TODAY,
      eligibility: 'eligible',
      reasons: [],
      points: { black: 0, blackBand: '无', red: 0, redBand: '无' },
      counts: {
        openBreaches: { byTier: { 轻微: 0, 一般: 0, 严重: 0 }, byOrigin: { district: 0, province: 0 } },
        repairedBreaches: 0,
        falseCommitments: 0,
        commitments: { kept: 0, partlyKept: 0, notKept: 0, false: 0, unverified: 0, overdue: 0 },
      },
      asResponsiblePerson: [],
    });
    expect(queries).toBe(1);
    expect(counted).toEqual([{ name: 'CreditChecks', value: 1, dimensions: { eligibility: 'eligible' } }]);
  });

  it('takes the code trimmed and in lower case, and answers it as the USCC', async () => {
    const r = await call(check(` ${COMPANY_USCC.toLowerCase()}`));
    expect(r.status).toBe(200);
    expect(r.json['subject']).toEqual({ category: 'organisation', code: COMPANY_USCC });
  });

  it('answers notEligible, reason seriousBreach, for an open 严重 breach from the province', async () => {
    await contribute(provincialBreach('严重'), 'province');
    const r = await call(check(COMPANY_USCC));
    expect(r.status).toBe(200);
    expect(r.json['eligibility']).toBe('notEligible');
    // 20 black points (band 警示) are a reason too, a weaker one
    expect(r.json['reasons']).toEqual([
      expect.objectContaining({
        rule: 'seriousBreach',
        effect: 'notEligible',
        origin: 'province',
        record: { recordType: 'breach', source: FEED.source, recordId: 'PROV-严重' },
        since: '2026-06-10',
        until: 'repaired',
        repairableFrom: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        message: expect.stringContaining('the provincial credit platform'),
      }),
      expect.objectContaining({ rule: 'blackPoints', effect: 'eligibleWithConditions' }),
    ]);
    expect(r.json['points']).toEqual({ black: 20, blackBand: '警示', red: 0, redBand: '无' });
    expect((r.json['counts'] as { openBreaches: unknown }).openBreaches).toEqual({
      byTier: { 轻微: 0, 一般: 0, 严重: 1 },
      byOrigin: { district: 0, province: 1 },
    });
    expect(counted).toEqual([{ name: 'CreditChecks', value: 1, dimensions: { eligibility: 'notEligible' } }]);
  });

  it('answers eligibleWithConditions, reason generalBreach, for an open 一般 breach of the district', async () => {
    await contribute(breach(), 'district');
    const r = await call(check(COMPANY_USCC));
    expect(r.json['eligibility']).toBe('eligibleWithConditions');
    expect((r.json['reasons'] as Array<{ rule: string }>).map((x) => x.rule)).toEqual(['generalBreach']);
  });

  it('answers a person asked by 身份证 with the number masked, and never shows, logs or keeps the number', async () => {
    // the person is the legal representative of a company with an open provincial 严重 breach
    await contribute(
      provincialBreach('严重', {
        name: COMPANY_NAME,
        category: '法人及非法人组织',
        uscc: COMPANY_USCC,
        legalRepresentative: '王建国',
        legalRepIdType: '身份证',
        legalRepIdNumber: PERSON_ID,
      }),
      'province',
    );
    const r = await call(check(PERSON_ID, { query: asPerson }));
    expect(r.status).toBe(200);
    expect(r.json['subject']).toEqual({ category: 'naturalPerson', code: maskResidentId(PERSON_ID) });
    expect(maskResidentId(PERSON_ID)).not.toContain(PERSON_ID.slice(6, 14));
    expect(r.json['asResponsiblePerson']).toEqual([{ company: { uscc: COMPANY_USCC, name: COMPANY_NAME }, blackPoints: 20, openBreaches: 1 }]);
    expect(r.json['eligibility']).toBe('eligibleWithConditions');
    expect(r.body).not.toContain(PERSON_ID);
    expect(r.body).not.toContain(PERSON_ID.slice(6, 14)); // not even the birth date
    const [entry] = await checks();
    expect(entry!.subject).toEqual({ category: 'naturalPerson', code: maskResidentId(PERSON_ID), digest: expect.any(String) });
    expect(JSON.stringify(await checks())).not.toContain(PERSON_ID);
    expect(logged.join('\n')).not.toContain(PERSON_ID);
    expect(logged.join('\n')).not.toContain(maskResidentId(PERSON_ID));
    // nor the digest: an unsalted digest of an identity number can be reversed by trying them
    expect(logged.join('\n')).not.toContain(entry!.subject.digest);
    expect(logged.join('\n')).toContain(r.json['checkId'] as string);
  });

  it('answers another identity document type masked too', async () => {
    const r = await call(check('E12345678', { query: `idType=${encodeURIComponent('护照号')}` }));
    expect(r.status).toBe(200);
    expect(r.json['subject']).toEqual({ category: 'naturalPerson', code: 'E1*****78' });
    expect(r.body).not.toContain('E12345678');
  });

  it('refuses an upstream without the creditCheck permission: 403 naming the permission, nothing queried or logged', async () => {
    const r = await call(check(COMPANY_USCC, { appKey: 'hrbxq-enforcement' }));
    expect([r.status, codeOf(r)]).toEqual([403, 'FORBIDDEN']);
    expect(messageOf(r)).toContain('creditCheck');
    expect(queries).toBe(0);
    expect(await checks()).toEqual([]);
    expect(counted).toEqual([]);
  });

  it.each([
    ['not a code', 'NOT-A-CODE', undefined, 'must be 18 characters'],
    ['a USCC with a wrong check character', breakUscc(COMPANY_USCC), undefined, 'check character'],
    ['an identity number without idType', PERSON_ID, undefined, 'pass idType=身份证'],
    ['a 身份证 number with a wrong check character', `${PERSON_ID.slice(0, 17)}${PERSON_ID.endsWith('0') ? '1' : '0'}`, asPerson, 'check character'],
    ['an unknown idType', PERSON_ID, `idType=${encodeURIComponent('驾驶证')}`, 'idType must be one of'],
    ['idType twice', PERSON_ID, `${asPerson}&${asPerson}`, 'more than once'],
    ['asOf (the check is always as of today)', COMPANY_USCC, 'asOf=2026-01-01', 'only query parameter is idType'],
  ])('%s → 400 INVALID_REQUEST, the code not echoed, nothing queried or logged', async (_name, code, query, message) => {
    const r = await call(check(code, query === undefined ? {} : { query }));
    expect([r.status, codeOf(r)]).toEqual([400, 'INVALID_REQUEST']);
    expect(messageOf(r)).toContain(message);
    expect(r.body).not.toContain(code);
    expect(logged.join('\n')).not.toContain(code);
    expect(queries).toBe(0);
    expect(await checks()).toEqual([]);
  });

  it('logs every check before answering it, with who asked, about whom, and what was answered', async () => {
    await contribute(provincialBreach('严重'), 'province');
    const first = await call(check(COMPANY_USCC));
    const other = await call(check(residentId('230109', '19900505', '321'), { query: asPerson }));
    const entries = await checks();
    expect(entries).toHaveLength(2);
    const byId = new Map(entries.map((e) => [e.id, e]));
    expect(byId.get(first.json['checkId'] as string)).toEqual({
      id: first.json['checkId'],
      at: NOW.toISOString(),
      upstream: 'hrbxq-approval-system',
      subject: { category: 'organisation', code: COMPANY_USCC, digest: expect.any(String) },
      eligibility: 'notEligible',
      rules: ['seriousBreach', 'blackPoints'],
      blackPoints: 20,
      redPoints: 0,
      requestId: first.headers['x-request-id'],
    } satisfies Record<keyof CreditCheckEntry, unknown>);
    expect(byId.get(other.json['checkId'] as string)).toEqual(
      expect.objectContaining({ eligibility: 'eligible', rules: [], blackPoints: 0, subject: expect.objectContaining({ category: 'naturalPerson' }) }),
    );
    // one log line per check, without the code of a person
    expect(logged.filter((line) => line.includes('credit check answered'))).toHaveLength(2);
  });

  it('does not answer a check the log did not take: 503 with Retry-After, nothing counted', async () => {
    const unlogged = {
      ...deps,
      state: overriding(deps.state, {
        recordCreditCheck: () => Promise.reject(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } })),
      }),
    };
    const r = await call(check(COMPANY_USCC), unlogged);
    expect([r.status, codeOf(r)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(r.headers['retry-after']).toBe('5');
    expect(r.body).not.toContain('eligib');
    expect(counted).toEqual([]);
    expect(logged.filter((line) => line.includes('credit check answered'))).toEqual([]);
  });

  it('answers 500, not "retry later", when the log refuses the write for good (and never the answer)', async () => {
    const refused = {
      ...deps,
      state: overriding(deps.state, {
        recordCreditCheck: () =>
          Promise.reject(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 } })),
      }),
    };
    const r = await call(check(COMPANY_USCC), refused);
    expect([r.status, codeOf(r)]).toEqual([500, 'INTERNAL_ERROR']);
    expect(counted).toEqual([]);
  });

  it('answers 503 when the profile cannot be read, and logs nothing', async () => {
    const down = {
      ...deps,
      state: overriding(deps.state, { getCreditContributions: () => Promise.reject(Object.assign(new Error('down'), { $metadata: {} })) }),
    };
    const r = await call(check(COMPANY_USCC), down);
    expect([r.status, codeOf(r)]).toEqual([503, 'SERVICE_UNAVAILABLE']);
    expect(await checks()).toEqual([]);
  });

  it('is signed, replay-protected and throttled like every route', async () => {
    const request = check(COMPANY_USCC);
    expect(codeOf(await call({ ...request, headers: {} }))).toBe('AUTH_FAILED');
    // the query is signed: another idType than the one signed is refused
    const signedPerson = check(PERSON_ID, { query: asPerson });
    expect(codeOf(await call({ ...signedPerson, rawQuery: `idType=${encodeURIComponent('护照号')}` }))).toBe('AUTH_FAILED');
    expect((await call(request)).status).toBe(200);
    expect(codeOf(await call(request))).toBe('NONCE_REPLAYED');
    const limited = {
      ...deps,
      state: overriding(deps.state, { throttleRequest: async () => ({ allowed: false, retryAfterSeconds: 7 }) }),
    };
    const r = await call(check(COMPANY_USCC), limited);
    expect([r.status, codeOf(r), r.headers['retry-after']]).toEqual([429, 'THROTTLED', '7']);
    expect(await checks()).toHaveLength(1);
  });

  it('allows GET only', async () => {
    const r = await call(check(COMPANY_USCC, { method: 'POST' }));
    expect([r.status, codeOf(r), r.headers['allow']]).toEqual([405, 'METHOD_NOT_ALLOWED', 'GET']);
  });

  it('answers as of the platform calendar, by default the Beijing date of the request', async () => {
    const { today: _today, ...noCalendar } = deps;
    // 2026-12-07T17:00Z is already 2026-12-08 in Beijing
    const late = new Date('2026-12-07T17:00:00.000Z');
    const r = await call(signed('', { method: 'GET', path: `/v1/subjects/${COMPANY_USCC}/credit`, timestamp: late.getTime() }), {
      ...noCalendar,
      now: () => late,
    });
    expect(r.json['asOf']).toBe('2026-12-08');
  });
});
