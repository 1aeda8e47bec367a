/** Provincial platform adapter (docs/endpoints.md, "Provincial platform"). Golden files: see helpers.ts. */
import { sm4DecryptField } from '../../../functions/shared/signing/sm4.js';
import { PROVINCIAL_MAX_BODY_BYTES, PROVINCIAL_PATH, provincial } from '../../../functions/deliver/adapters/provincial.js';
import type { RecordType } from '../../../functions/shared/records/types.js';
import type { WireRequest } from '../../../functions/deliver/adapters/types.js';
import { ACCEPTING_UNIT_USCC, COMPANY_USCC } from '../../support/records.js';
import { allExamples, answer, copies, delivery, exampleByPrefix, expectGolden, FIELD_KEY, parsedBody, testContext, verifications } from './helpers.js';

interface Body {
  dataType: string;
  batchNo: string;
  records: { recordKey: string; operation: string; fields: Record<string, unknown> }[];
}
const body = (request: WireRequest) => parsedBody(request) as Body;
type Fields = Record<string, unknown>;

const ENCRYPTED_CODES = ['CF_XDR_ZJHM', 'CF_FR_ZJHM', 'XF_ZJHM', 'XF_FR_ZJHM'];
const ISO_DATE_ANYWHERE = /\b\d{4}-\d{2}-\d{2}\b/;

describe('provincial: golden files', () => {
  test.each<[string, RecordType, string]>([
    ['commitment', 'commitment', 'CN'],
    ['breach', 'breach', 'CF'],
    ['repair', 'repair', 'XF'],
  ])('%s examples, upsert or withdraw as the record says', (name, type, dataType) => {
    const records = allExamples(type);
    const requests = provincial.buildRequests(
      records.map((r) => delivery(r, 'provincial')),
      testContext(),
    );
    expectGolden('provincial', name, requests);

    expect(requests).toHaveLength(1);
    const b = body(requests[0]!);
    expect(requests[0]).toMatchObject({ method: 'POST', path: PROVINCIAL_PATH });
    expect(b.dataType).toBe(dataType);
    expect(b.batchNo).toMatch(/^[0-9a-f]{32}$/);
    expect(b.records.map((r) => r.operation)).toEqual(records.map((r) => (r.operation === 'withdraw' ? 'DELETE' : 'UPSERT')));
    for (const [i, entry] of b.records.entries()) {
      const record = records[i]!;
      expect(entry.recordKey).toBe(`${type}:${record.source}:${record.recordId}:${record.revision}:provincial`);
      const text = JSON.stringify(entry.fields);
      expect(text).not.toMatch(ISO_DATE_ANYWHERE);
      // No identity number in clear: every personal value of the record is absent from the body.
      const party = record.data['party'] as Record<string, string>;
      for (const id of [party['idNumber'], party['legalRepIdNumber']]) if (id !== undefined) expect(JSON.stringify(b)).not.toContain(id);
      for (const code of ENCRYPTED_CODES) {
        if (entry.fields[code] !== undefined) expect(sm4DecryptField(entry.fields[code] as string, FIELD_KEY)).toMatch(/^\d{17}[\dX]$/);
      }
    }
  });

  test('verifications (HC): upsert or withdraw as the record says; a withdrawal carries HC_CNBM and HC_HCRQ', () => {
    const records = verifications();
    const requests = provincial.buildRequests(
      records.map((r) => delivery(r, 'provincial')),
      testContext(),
    );
    expectGolden('provincial', 'verification', requests);

    expect(requests).toHaveLength(1);
    const b = body(requests[0]!);
    expect(b.dataType).toBe('HC');
    expect(b.records.map((r) => r.operation)).toEqual(['UPSERT', 'UPSERT', 'UPSERT', 'DELETE']);
    expect(b.records.map((r) => r.recordKey)).toEqual(records.map((r) => `verification:${r.source}:${r.recordId}:${r.revision}:provincial`));
    const [partly, kept, person, withdrawn] = b.records.map((r) => r.fields) as [Fields, Fields, Fields, Fields];
    expect(partly).toEqual({
      HC_CNBM: '23010920260302000123',
      HC_CNZTMC: '哈尔滨新区松北餐饮管理有限公司',
      HC_CNZTLB: '法人及非法人组织',
      HC_CNZTDM: COMPANY_USCC, // an organisation's USCC, in clear
      HC_FDDBR: '王建国',
      HC_HCRQ: '2026/04/15',
      HC_HCFS: '书面核查',
      HC_HCJG: '部分履行',
      HC_HCQK: expect.stringContaining('部分履行'),
      HC_ZGQX: '2026/05/15',
      HC_RDDW: '哈尔滨新区管理委员会行政审批局',
      HC_RDDWDM: ACCEPTING_UNIT_USCC,
    });
    // shared, never published: no publication codes
    expect(kept).toMatchObject({ HC_HCRQ: '2026/05/28', HC_HCJG: '全部履行' });
    expect(kept).not.toHaveProperty('HC_ZGQX');
    expect(kept).not.toHaveProperty('SX_SFGS');
    // a natural person: HC_CNZTDM is the identity number, SM4-encrypted; nowhere in clear
    expect(person).toMatchObject({ HC_CNZTLB: '自然人', HC_ZJLX: '身份证', HC_HCJG: '虚假承诺', BZ: expect.stringContaining('哈交执罚') });
    expect(sm4DecryptField(person['HC_CNZTDM'] as string, FIELD_KEY)).toBe('230103198207150318');
    expect(requests[0]!.body).not.toContain('230103198207150318');
    expect(withdrawn).toEqual({ HC_CNBM: '23010920260302000123', HC_HCRQ: '2026/06/03' });
    expect(JSON.stringify(b)).not.toMatch(ISO_DATE_ANYWHERE);
  });

  test('withdrawals: DELETE with the key fields only, split by dataType', () => {
    const records = [
      exampleByPrefix('commitment', '01'),
      exampleByPrefix('breach', '02'),
      exampleByPrefix('repair', '01'),
      exampleByPrefix('breach', '05'), // natural person: CF_XDR_ZJHM, encrypted
    ];
    const requests = provincial.buildRequests(
      records.map((r) => delivery(r, 'provincial', 'withdraw')),
      testContext(),
    );
    expectGolden('provincial', 'withdraw', requests);

    expect(requests.map((r) => body(r).dataType)).toEqual(['CN', 'CF', 'XF']);
    const [cn, cf, xf] = requests.map(body) as [Body, Body, Body];
    expect(cn.records).toEqual([{ recordKey: expect.any(String), operation: 'DELETE', fields: { CN_CNBM: '23010920260112000158' } }]);
    expect(cf.records.map((r) => r.fields)).toEqual([
      { CF_XDR_SHXYM: '91230109MA1BX3K20E', CF_WSH: '哈新市监罚〔2026〕36号' },
      { CF_XDR_ZJHM: expect.any(String), CF_WSH: '哈交执罚〔2026〕215号' },
    ]);
    expect(sm4DecryptField(cf.records[1]!.fields['CF_XDR_ZJHM'] as string, FIELD_KEY)).toBe('230103198207150318');
    expect(xf.records.map((r) => r.fields)).toEqual([{ XF_JDWH: '哈新市监信修〔2026〕19号' }]);
  });
});

describe('provincial: publication', () => {
  test('a breach states its publication: SX_SFGS and, when published, CF_GSJZQ; a 轻微 one is shared, not published', () => {
    const requests = provincial.buildRequests(
      [delivery(exampleByPrefix('breach', '01'), 'provincial'), delivery(exampleByPrefix('breach', '02'), 'provincial')],
      testContext(),
    );
    const [minor, general] = body(requests[0]!).records.map((r) => r.fields);
    expect(minor).toMatchObject({ SX_YZCD: '轻微', SX_SFGS: '否' });
    expect(minor).not.toHaveProperty('CF_GSJZQ');
    expect(general).toMatchObject({ SX_YZCD: '一般', SX_SFGS: '是', CF_GSJZQ: '2027/03/18' });
  });

  test('past its last day a breach is sent as not published', () => {
    const [request] = provincial.buildRequests([delivery(exampleByPrefix('breach', '02'), 'provincial', 'upsert', '2027-03-19')], testContext());
    expect(body(request!).records[0]!.fields).toMatchObject({ SX_SFGS: '否' });
    expect(body(request!).records[0]!.fields).not.toHaveProperty('CF_GSJZQ');
  });

  test('an end of publication is UNPUBLISH with the key fields only: the record stays shared', () => {
    const [request] = provincial.buildRequests([delivery(exampleByPrefix('breach', '02'), 'provincial', 'unpublish')], testContext());
    expect(body(request!).records).toEqual([
      { recordKey: expect.any(String), operation: 'UNPUBLISH', fields: { CF_XDR_SHXYM: '91230109MA1BX3K20E', CF_WSH: '哈新市监罚〔2026〕36号' } },
    ]);
  });
});

describe('provincial: identity numbers', () => {
  test('a natural-person commitment: CN_CNZTDM encrypted, decrypts back, the raw number nowhere in the body', () => {
    const record = exampleByPrefix('commitment', '03');
    const [request] = provincial.buildRequests([delivery(record, 'provincial')], testContext());
    const fields = body(request!).records[0]!.fields;
    expect(fields['CN_CNZTDM']).not.toBe('230103198207150318');
    expect(sm4DecryptField(fields['CN_CNZTDM'] as string, FIELD_KEY)).toBe('230103198207150318');
    expect(request!.body).not.toContain('230103198207150318');
    expect(request!.body).not.toContain('23010319820715'); // not even a part of it
  });

  test('an organisation commitment: CN_CNZTDM is the USCC in clear', () => {
    const [request] = provincial.buildRequests([delivery(exampleByPrefix('commitment', '01'), 'provincial')], testContext());
    expect(body(request!).records[0]!.fields['CN_CNZTDM']).toBe('91230109MA1BX3K20E');
  });

  test('a fresh IV per value: the same number encrypts differently each time', () => {
    const record = exampleByPrefix('breach', '05');
    const [request] = provincial.buildRequests([delivery(record, 'provincial'), delivery({ ...record, revision: 2 }, 'provincial')], testContext());
    const [a, b] = body(request!).records.map((r) => r.fields['CF_XDR_ZJHM']);
    expect(a).not.toBe(b);
  });

  test('without a field key nothing is built', () => {
    expect(() => provincial.buildRequests([delivery(exampleByPrefix('breach', '01'), 'provincial')], testContext(null))).toThrow(
      /the credentials have no fieldKey/,
    );
    expect(provincial.buildRequests([], testContext(null))).toEqual([]);
  });

  test('batchNo is the hex of 16 random bytes from the context, one per batch', () => {
    const context = testContext();
    // An organisation commitment has no identity number: the only bytes drawn are the batch number.
    const [request] = provincial.buildRequests([delivery(exampleByPrefix('commitment', '06'), 'provincial')], context);
    expect(body(request!).batchNo).toBe('000102030405060708090a0b0c0d0e0f');
    expect(context.drawn()).toBe(16);
  });
});

describe('provincial: batching', () => {
  test('120 records of one type: 100 + 20', () => {
    const records = copies(exampleByPrefix('breach', '01'), 120);
    const requests = provincial.buildRequests(
      records.map((r) => delivery(r, 'provincial')),
      testContext(),
    );
    expect(requests.map((r) => r.keys.length)).toEqual([100, 20]);
    expect(requests.map((r) => body(r).records.length)).toEqual([100, 20]);
    expect(requests.flatMap((r) => r.keys)).toEqual(records.map((r) => delivery(r, 'provincial').idempotencyKey));
    const [a, b] = requests.map((r) => body(r).batchNo);
    expect(a).not.toBe(b);
  });

  test('mixed types: one dataType per request, each split at 100', () => {
    const deliveries = [
      ...copies(exampleByPrefix('repair', '01'), 30),
      ...copies(exampleByPrefix('commitment', '01'), 130),
      ...copies(exampleByPrefix('breach', '02'), 5),
      ...copies(verifications()[1]!, 3),
    ]
      .sort((a, b) => a.recordId.localeCompare(b.recordId)) // interleave nothing in particular
      .map((r) => delivery(r, 'provincial'));
    const requests = provincial.buildRequests(deliveries, testContext());
    const summary = requests.map((r) => [body(r).dataType, r.keys.length]);
    expect(summary.sort()).toEqual(
      [
        ['CF', 5],
        ['CN', 100],
        ['CN', 30],
        ['HC', 3],
        ['XF', 30],
      ].sort(),
    );
    for (const r of requests) {
      const b = body(r);
      expect(r.keys).toEqual(b.records.map((e) => e.recordKey));
      expect(new Set(b.records.map((e) => e.recordKey.split(':')[0]))).toHaveProperty('size', 1);
    }
    expect(requests.flatMap((r) => r.keys).sort()).toEqual(deliveries.map((d) => d.idempotencyKey).sort());
  });

  test('the same delivery twice never shares a batch (results are per recordKey)', () => {
    const d = delivery(exampleByPrefix('breach', '01'), 'provincial');
    const requests = provincial.buildRequests([d, d], testContext());
    expect(requests.map((r) => r.keys)).toEqual([[d.idempotencyKey], [d.idempotencyKey]]);
  });

  test('a batch stays under the 5 MB body limit', () => {
    const big = 'x'.repeat(100_000); // ~100 KB a record: 60 records ≈ 6 MB
    const records = copies(exampleByPrefix('breach', '01'), 60, (data) => (data['facts'] = big));
    const requests = provincial.buildRequests(
      records.map((r) => delivery(r, 'provincial')),
      testContext(),
    );
    expect(requests.length).toBe(2);
    for (const r of requests) expect(Buffer.byteLength(r.body!, 'utf8')).toBeLessThanOrEqual(PROVINCIAL_MAX_BODY_BYTES);
    expect(requests.flatMap((r) => r.keys)).toHaveLength(60);
  });
});

describe('provincial: interpret', () => {
  const records = copies(exampleByPrefix('breach', '01'), 6);
  const [request] = provincial.buildRequests(
    records.map((r) => delivery(r, 'provincial')),
    testContext(),
  );
  const keys = request!.keys;

  test('per-record results: SUCCESS, DUPLICATE, FAILED E101–E104, and a record the answer does not mention', () => {
    const response = answer(200, {
      code: '0000',
      total: 6,
      success: 2,
      failed: 3,
      results: [
        { recordKey: keys[0], status: 'SUCCESS', receipt: 'HLJ-CF-000123' },
        { recordKey: keys[1], status: 'DUPLICATE' },
        { recordKey: keys[2], status: 'FAILED', errorCode: 'E102', message: 'CF_JDRQ 日期格式错误' },
        { recordKey: keys[3], status: 'FAILED', errorCode: 'E101', message: 'CF_WSH 必填' },
        { recordKey: keys[4], status: 'FAILED', errorCode: 'E104', message: '记录不存在' },
        { recordKey: 'someone-else', status: 'SUCCESS', receipt: 'HLJ-CF-999' },
      ],
    });
    expect(provincial.interpret(request!, response)).toEqual([
      { key: keys[0], outcome: 'delivered', receipt: 'HLJ-CF-000123' },
      { key: keys[1], outcome: 'delivered', duplicate: true },
      { key: keys[2], outcome: 'rejected', reason: 'E102 CF_JDRQ 日期格式错误' },
      { key: keys[3], outcome: 'rejected', reason: 'E101 CF_WSH 必填' },
      { key: keys[4], outcome: 'delivered', duplicate: true }, // E104: nothing to delete, the withdrawal holds
      { key: keys[5], outcome: 'transient', reason: expect.stringContaining('without a result') },
    ]);
  });

  test('E106 (a repair whose breach the platform does not hold yet) is transient, never a rejection', () => {
    const outcomes = provincial.interpret(
      request!,
      answer(200, { code: '0000', results: [{ recordKey: keys[0], status: 'FAILED', errorCode: 'E106', message: '原失信记录不存在' }] }),
    );
    expect(outcomes[0]).toEqual({ key: keys[0], outcome: 'transient', reason: 'E106 原失信记录不存在' });
  });

  test('E103 unknown field is rejected too; a DUPLICATE keeps its receipt', () => {
    const response = answer(200, {
      code: '0000',
      results: keys.map((k, i) =>
        i === 0
          ? { recordKey: k, status: 'FAILED', errorCode: 'E103', message: 'XX_UNKNOWN 未知字段' }
          : { recordKey: k, status: 'DUPLICATE', receipt: `R${i}` },
      ),
    });
    const outcomes = provincial.interpret(request!, response);
    expect(outcomes[0]).toEqual({ key: keys[0], outcome: 'rejected', reason: 'E103 XX_UNKNOWN 未知字段' });
    expect(outcomes[1]).toEqual({ key: keys[1], outcome: 'delivered', receipt: 'R1', duplicate: true });
  });

  test('400: every record rejected with the message', () => {
    const outcomes = provincial.interpret(request!, answer(400, { code: 'BAD_REQUEST', message: 'dataType 缺失' }));
    expect(outcomes).toEqual(keys.map((key) => ({ key, outcome: 'rejected', reason: 'BAD_REQUEST: dataType 缺失' })));
  });

  test('413: every record transient, the reason says the batch was too large', () => {
    const outcomes = provincial.interpret(request!, answer(413, { code: 'BATCH_TOO_LARGE' }));
    expect(outcomes).toHaveLength(keys.length);
    for (const o of outcomes) expect(o).toMatchObject({ outcome: 'transient', reason: expect.stringMatching(/batch too large.*BATCH_TOO_LARGE/) });
  });

  test('a 200 without a readable results list: transient', () => {
    for (const text of ['', 'not json', '{"code":"0000"}']) {
      for (const o of provincial.interpret(request!, answer(200, text))) expect(o.outcome).toBe('transient');
    }
  });

  test('undocumented answers are transient, Retry-After kept', () => {
    expect(provincial.interpret(request!, answer(503, { code: 'UNAVAILABLE' }, { 'Retry-After': '30' }))[0]).toMatchObject({
      outcome: 'transient',
      retryAfterSeconds: 30,
    });
    expect(provincial.interpret(request!, answer(404))[0]).toMatchObject({ outcome: 'transient' });
  });
});
