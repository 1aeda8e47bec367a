/** District platform adapter (docs/endpoints.md, "District platform", inbound). Golden files: see helpers.ts. */
import { DISTRICT_PATH, district } from '../../../functions/deliver/adapters/district.js';
import type { WireRequest } from '../../../functions/deliver/adapters/types.js';
import type { CreditRecord, RecordType } from '../../../functions/shared/records/types.js';
import { answer, copies, delivery, example, exampleByPrefix, exampleFiles, expectGolden, parsedBody, testContext, verifications } from './helpers.js';

interface Notice {
  noticeId: string;
  kind: string;
  action: string;
  fields: Record<string, unknown>;
}
const notices = (request: WireRequest) => (parsedBody(request) as { notices: Notice[] }).notices;

/** Inbound records come from the provincial breach feed: the examples with that source. */
const fromProvince = (raw: Record<string, unknown>) => (raw['source'] = 'hlj-credit-platform');
const inbound = (type: RecordType): CreditRecord[] => exampleFiles(type).map((f) => example(type, f, fromProvince));

describe('district: golden files', () => {
  test.each<[RecordType]>([['breach'], ['repair']])('%s notices', (type) => {
    const records = inbound(type);
    const context = testContext();
    const requests = district.buildRequests(
      records.map((r) => delivery(r, 'district')),
      context,
    );
    expectGolden('district', type, requests);

    expect(context.drawn()).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', path: DISTRICT_PATH });
    for (const [i, n] of notices(requests[0]!).entries()) {
      const record = records[i]!;
      expect(n).toMatchObject({ noticeId: `${type}:hlj-credit-platform:${record.recordId}:${record.revision}:district`, kind: type, action: record.operation });
      expect(JSON.stringify(n.fields)).not.toMatch(/\b\d{4}-\d{2}-\d{2}\b/);
      // Identity numbers in clear: the district platform holds them already.
      const party = record.data['party'] as Record<string, string>;
      if (record.operation === 'upsert') for (const id of [party['idNumber'], party['legalRepIdNumber']]) if (id) expect(Object.values(n.fields)).toContain(id);
    }
  });

  test('withdrawals: the key fields only', () => {
    const records = [
      exampleByPrefix('breach', '02', fromProvince),
      exampleByPrefix('breach', '05', fromProvince),
      exampleByPrefix('repair', '01', fromProvince),
    ];
    const requests = district.buildRequests(
      records.map((r) => delivery(r, 'district', 'withdraw')),
      testContext(),
    );
    expectGolden('district', 'withdraw', requests);
    expect(notices(requests[0]!).map(({ kind, action, fields }) => ({ kind, action, fields }))).toEqual([
      { kind: 'breach', action: 'withdraw', fields: { CF_XDR_SHXYM: '91230109MA1BX3K20E', CF_WSH: '哈新市监罚〔2026〕36号' } },
      { kind: 'breach', action: 'withdraw', fields: { CF_XDR_ZJHM: '230103198207150318', CF_WSH: '哈交执罚〔2026〕215号' } },
      { kind: 'repair', action: 'withdraw', fields: { XF_JDWH: '哈新市监信修〔2026〕19号' } },
    ]);
  });

  test("provincial field conventions: YYYY/MM/DD, categories joined; the district's black points; no publication (the district publishes nothing)", () => {
    const [request] = district.buildRequests([delivery(exampleByPrefix('breach', '04', fromProvince), 'district')], testContext());
    const { fields } = notices(request!)[0]!;
    expect(fields).toMatchObject({ CF_JDRQ: '2026/05/20', CF_CFLB: '警告;罚款', CF_NR_FK: 0.123456, SX_HMDJF: 2 });
    expect(fields).not.toHaveProperty('SX_SFGS');
    expect(fields).not.toHaveProperty('CF_GSJZQ');
  });

  test('never sends an end of publication: the district publishes nothing', () => {
    expect(() => district.buildRequests([delivery(exampleByPrefix('breach', '02', fromProvince), 'district', 'unpublish')], testContext())).toThrow(
      /does not publish/,
    );
  });
});

describe('district: what it refuses and how it splits', () => {
  test('a commitment or a verification: intake never routes one here', () => {
    expect(() => district.buildRequests([delivery(exampleByPrefix('commitment', '01'), 'district')], testContext())).toThrow(/breach and repair notices only/);
    expect(() => district.buildRequests([delivery(verifications()[1]!, 'district')], testContext())).toThrow(/breach and repair notices only/);
  });

  test('45 notices: 20 + 20 + 5, breach and repair together', () => {
    const records = [...copies(exampleByPrefix('breach', '01', fromProvince), 30), ...copies(exampleByPrefix('repair', '01', fromProvince), 15)];
    const requests = district.buildRequests(
      records.map((r) => delivery(r, 'district')),
      testContext(),
    );
    expect(requests.map((r) => notices(r).length)).toEqual([20, 20, 5]);
    expect(requests.flatMap((r) => r.keys)).toEqual(records.map((r) => delivery(r, 'district').idempotencyKey));
    for (const r of requests) expect(r.keys).toEqual(notices(r).map((n) => n.noticeId));
  });
});

describe('district: interpret', () => {
  const records = copies(exampleByPrefix('breach', '01', fromProvince), 4);
  const [request] = district.buildRequests(
    records.map((r) => delivery(r, 'district')),
    testContext(),
  );
  const keys = request!.keys;

  test('ACCEPTED, DUPLICATE, INVALID; a notice the answer does not mention is transient', () => {
    const response = answer(200, {
      results: [
        { noticeId: keys[0], status: 'ACCEPTED' },
        { noticeId: keys[1], status: 'DUPLICATE' },
        { noticeId: keys[2], status: 'INVALID', reason: 'CF_WSH 缺失' },
      ],
    });
    expect(district.interpret(request!, response)).toEqual([
      { key: keys[0], outcome: 'delivered' },
      { key: keys[1], outcome: 'delivered', duplicate: true },
      { key: keys[2], outcome: 'rejected', reason: 'CF_WSH 缺失' },
      { key: keys[3], outcome: 'transient', reason: expect.stringContaining('without a result') },
    ]);
  });

  test('INVALID without a reason; an unknown status', () => {
    const response = answer(200, {
      results: [
        { noticeId: keys[0], status: 'INVALID' },
        { noticeId: keys[1], status: 'MAYBE' },
      ],
    });
    const [a, b] = district.interpret(request!, response);
    expect(a).toEqual({ key: keys[0], outcome: 'rejected', reason: 'INVALID' });
    expect(b!.outcome).toBe('transient');
  });

  test('400 rejected, 413 transient, unreadable 200 transient', () => {
    expect(district.interpret(request!, answer(400, { code: 'BAD_REQUEST', message: 'notices 为空' }))[0]).toEqual({
      key: keys[0],
      outcome: 'rejected',
      reason: 'BAD_REQUEST: notices 为空',
    });
    expect(district.interpret(request!, answer(413))[0]).toMatchObject({ outcome: 'transient', reason: expect.stringContaining('too large') });
    expect(district.interpret(request!, answer(200, ''))[0]!.outcome).toBe('transient');
  });
});
