/** Public commitment column adapter (docs/endpoints.md, "Public commitment column"). Golden files: see helpers.ts. */
import { PUBLISH_PATH, publicColumn, REVOKE_PATH } from '../../../functions/deliver/adapters/public-column.js';
import type { WireRequest } from '../../../functions/deliver/adapters/types.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { publicationOf, publishedOn } from '../../../functions/shared/records/publication.js';
import { allExamples, answer, copies, delivery, exampleByPrefix, expectGolden, idempotencyKey, parsedBody, testContext, TODAY } from './helpers.js';

const items = (request: WireRequest) => (parsedBody(request) as { items: Record<string, string>[] }).items;

/** The documented item fields: nothing else may be sent. */
const ITEM_FIELDS = ['cnbm', 'ztmc', 'ztlb', 'ztdm', 'cnlx', 'cnsy', 'cnnr', 'wnzr', 'cnrq', 'yxq', 'sldw', 'sxmc', 'lyzt'];

/** What intake routes here today: upserts of commitments whose publication runs (可向社会公开, in force). */
const publishable = (): CreditRecord[] => allExamples('commitment').filter((r) => r.operation === 'upsert' && publishedOn(publicationOf(r), TODAY));

/** Example 03 (a natural person, 特定范围内公开) made public: the masking case. */
const naturalPerson = () => exampleByPrefix('commitment', '03', (raw) => ((raw['data'] as Record<string, unknown>)['publicationType'] = '可向社会公开'));

/** Values that must never reach the public column, from every field it must not carry. */
function forbiddenValues(record: CreditRecord): string[] {
  const party = record.data['party'] as Record<string, string>;
  return [
    party['legalRepresentative'],
    party['legalRepIdNumber'],
    party['idNumber'],
    record.data['remarks'],
    record.data['unperformedContent'],
    record.data['liabilityPursued'],
  ].filter((v): v is string => typeof v === 'string');
}

describe('publicColumn: golden files', () => {
  test('publish: the public commitment examples', () => {
    const records = publishable();
    expect(records.length).toBeGreaterThanOrEqual(5);
    const requests = publicColumn.buildRequests(
      records.map((r) => delivery(r, 'publicColumn')),
      testContext(),
    );
    expectGolden('publicColumn', 'publish', requests);

    expect(requests).toHaveLength(1);
    expect(requests[0]).toMatchObject({ method: 'POST', path: PUBLISH_PATH });
    for (const [i, item] of items(requests[0]!).entries()) {
      const record = records[i]!;
      expect(Object.keys(item).every((k) => ITEM_FIELDS.includes(k))).toBe(true);
      expect(item['cnbm']).toBe(record.data['commitmentCode']);
      expect(item['cnrq']).toMatch(/^\d{4}\/\d{2}\/\d{2}$/);
      if (record.data['validFrom'] && record.data['validTo']) expect(item['yxq']).toMatch(/^\d{4}\/\d{2}\/\d{2}-\d{4}\/\d{2}\/\d{2}$/);
      for (const value of forbiddenValues(record)) expect(JSON.stringify(item)).not.toContain(value);
    }
  });

  test('natural person: identity number masked, first 6 and last 4 kept', () => {
    const record = naturalPerson();
    const requests = publicColumn.buildRequests([delivery(record, 'publicColumn')], testContext());
    expectGolden('publicColumn', 'natural-person', requests);

    const [item] = items(requests[0]!);
    expect(item!['ztdm']).toBe('230103********0318');
    expect(item).not.toHaveProperty('yxq'); // the record has no validity period
    expect(requests[0]!.body).not.toContain('230103198207150318');
    expect(requests[0]!.body).not.toContain('19820715');
    for (const value of forbiddenValues(record)) expect(requests[0]!.body).not.toContain(value);
  });

  test('revoke: cnbm and the reason only — retracted, publication stopped, or its period over', () => {
    const records = [exampleByPrefix('commitment', '09'), exampleByPrefix('commitment', '01'), naturalPerson()];
    const requests = publicColumn.buildRequests(
      [
        delivery(records[0]!, 'publicColumn', 'withdraw'),
        delivery(records[1]!, 'publicColumn', 'withdraw'),
        delivery(records[2]!, 'publicColumn', 'unpublish'),
      ],
      testContext(),
    );
    expectGolden('publicColumn', 'revoke', requests);
    expect(requests).toEqual([
      {
        method: 'POST',
        path: REVOKE_PATH,
        body: expect.any(String),
        keys: records.map((r) => delivery(r, 'publicColumn').idempotencyKey),
      },
    ]);
    expect(items(requests[0]!)).toEqual([
      // a record withdrawn (retracted as wrong)
      { cnbm: '23010920260708000524', reason: '承诺撤回' },
      // a record still valid whose publication stopped (its licence cancelled, its publication type changed)
      { cnbm: '23010920260112000158', reason: '停止公示' },
      // the expiry sweep's end of publication
      { cnbm: '23010020260210000036', reason: '公示期届满' },
    ]);
  });

  test('a commitment whose licence was cancelled is taken off the column (a status change, not a retraction)', () => {
    const cancelled = exampleByPrefix('commitment', '11');
    const [request] = publicColumn.buildRequests([delivery(cancelled, 'publicColumn')], testContext());
    expect(request!.path).toBe(REVOKE_PATH);
    expect(items(request!)).toEqual([{ cnbm: cancelled.data['commitmentCode'], reason: '停止公示' }]);
  });

  test('a non-public commitment may still be revoked (its publication type changed)', () => {
    const [request] = publicColumn.buildRequests([delivery(exampleByPrefix('commitment', '03'), 'publicColumn', 'withdraw')], testContext());
    expect(request!.path).toBe(REVOKE_PATH);
  });
});

describe('publicColumn: what it refuses to build', () => {
  test('breaches and repairs: intake never routes them here', () => {
    expect(() => publicColumn.buildRequests([delivery(exampleByPrefix('breach', '01'), 'publicColumn')], testContext())).toThrow(/commitments only/);
    expect(() => publicColumn.buildRequests([delivery(exampleByPrefix('repair', '01'), 'publicColumn', 'withdraw')], testContext())).toThrow(
      /commitments only/,
    );
  });

  test('publishing a commitment that may not be made public, or whose publication is over', () => {
    const raw = (record: CreditRecord, published?: boolean) => ({
      record,
      action: 'upsert' as const,
      idempotencyKey: idempotencyKey(record, 'publicColumn'),
      ...(published !== undefined && { publication: { published } }),
    });
    expect(() => publicColumn.buildRequests([raw(exampleByPrefix('commitment', '03'))], testContext())).toThrow(/可向社会公开/);
    expect(() => publicColumn.buildRequests([raw(exampleByPrefix('commitment', '01'), false)], testContext())).toThrow(/not published today/);
  });
});

describe('publicColumn: batching', () => {
  test('120 publishes: 50 + 50 + 20', () => {
    const records = copies(exampleByPrefix('commitment', '01'), 120, (data, i) => (data['commitmentCode'] = `230109202601120${String(i).padStart(5, '0')}`));
    const requests = publicColumn.buildRequests(
      records.map((r) => delivery(r, 'publicColumn')),
      testContext(),
    );
    expect(requests.map((r) => items(r).length)).toEqual([50, 50, 20]);
    expect(requests.flatMap((r) => r.keys)).toEqual(records.map((r) => delivery(r, 'publicColumn').idempotencyKey));
  });

  test('publishes and revokes go to their own endpoints', () => {
    const records = copies(exampleByPrefix('commitment', '01'), 6, (data, i) => (data['commitmentCode'] = `230109202601120${String(i).padStart(5, '0')}`));
    const deliveries = records.map((r, i) => delivery(r, 'publicColumn', i % 2 === 0 ? 'upsert' : 'withdraw'));
    const requests = publicColumn.buildRequests(deliveries, testContext());
    expect(requests.map((r) => [r.path, r.keys.length])).toEqual([
      [PUBLISH_PATH, 3],
      [REVOKE_PATH, 3],
    ]);
  });

  test('one cnbm twice never shares a request (answers are per cnbm)', () => {
    const record = exampleByPrefix('commitment', '01');
    const requests = publicColumn.buildRequests([delivery(record, 'publicColumn'), delivery({ ...record, revision: 2 }, 'publicColumn')], testContext());
    expect(requests.map((r) => r.keys.length)).toEqual([1, 1]);
  });
});

describe('publicColumn: interpret', () => {
  const records = copies(exampleByPrefix('commitment', '01'), 4, (data, i) => (data['commitmentCode'] = `2301092026011200000${i}`));
  const [request] = publicColumn.buildRequests(
    records.map((r) => delivery(r, 'publicColumn')),
    testContext(),
  );
  const keys = request!.keys;

  test('accepted and rejected lists, by cnbm; a cnbm in neither is transient', () => {
    const response = answer(200, {
      accepted: ['23010920260112000000', '23010920260112000002'],
      rejected: [{ cnbm: '23010920260112000001', reason: '承诺内容含敏感信息' }],
    });
    expect(publicColumn.interpret(request!, response)).toEqual([
      { key: keys[0], outcome: 'delivered' },
      { key: keys[1], outcome: 'rejected', reason: '承诺内容含敏感信息' },
      { key: keys[2], outcome: 'delivered' },
      { key: keys[3], outcome: 'transient', reason: expect.stringContaining('without a result') },
    ]);
  });

  test('a revoke answer reads the same way', () => {
    const [revoke] = publicColumn.buildRequests([delivery(records[0]!, 'publicColumn', 'withdraw')], testContext());
    expect(publicColumn.interpret(revoke!, answer(200, { accepted: ['23010920260112000000'], rejected: [] }))).toEqual([
      { key: keys[0], outcome: 'delivered' },
    ]);
  });

  test('400 rejected, 413 transient, unreadable 200 transient', () => {
    expect(publicColumn.interpret(request!, answer(400, { code: 'BAD_REQUEST', message: 'items 为空' }))).toEqual(
      keys.map((key) => ({ key, outcome: 'rejected', reason: 'BAD_REQUEST: items 为空' })),
    );
    for (const o of publicColumn.interpret(request!, answer(413)))
      expect(o).toMatchObject({ outcome: 'transient', reason: expect.stringContaining('too large') });
    for (const o of publicColumn.interpret(request!, answer(200, { ok: true }))) expect(o.outcome).toBe('transient');
  });
});
