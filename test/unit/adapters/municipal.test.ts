/** Municipal platform adapter (docs/endpoints.md, "Municipal platform"). Golden files: see helpers.ts. */
import { municipal } from '../../../functions/deliver/adapters/municipal.js';
import type { RecordType } from '../../../functions/shared/records/types.js';
import type { WireRequest } from '../../../functions/deliver/adapters/types.js';
import { allExamples, answer, copies, delivery, exampleByPrefix, expectGolden, parsedBody, testContext, verifications } from './helpers.js';

interface Body {
  operation: string;
  revision: number;
  data: Record<string, unknown>;
}
const body = (request: WireRequest) => parsedBody(request) as Body;

describe('municipal: golden files', () => {
  test.each<[RecordType]>([['commitment'], ['breach'], ['repair']])('%s examples: one request per record', (type) => {
    const records = allExamples(type);
    const context = testContext();
    const requests = municipal.buildRequests(
      records.map((r) => delivery(r, 'municipal')),
      context,
    );
    expectGolden('municipal', type, requests);

    expect(context.drawn()).toBe(0); // no randomness: no encryption
    expect(requests).toHaveLength(records.length);
    for (const [i, request] of requests.entries()) {
      const record = records[i]!;
      const key = `${type}:${record.source}:${record.recordId}:${record.revision}:municipal`;
      expect(request.keys).toEqual([key]);
      expect(request.path).toBe(`/openapi/v2/credit/${type}/${encodeURIComponent(key)}`);
      if (record.operation === 'withdraw') {
        expect(request).toEqual({ method: 'DELETE', path: request.path, keys: [key] });
        continue;
      }
      expect(request.method).toBe('PUT');
      const b = body(request);
      expect(b.operation).toBe('upsert');
      expect(b.revision).toBe(record.revision);
      expect(JSON.stringify(b.data)).not.toMatch(/\d{4}\/\d{2}\/\d{2}/); // ISO dates only
      const party = record.data['party'] as Record<string, string>;
      // No field encryption on this link: identity numbers as they are (where mapped).
      if (type !== 'commitment' && party['legalRepIdNumber']) expect(Object.values(b.data)).toContain(party['legalRepIdNumber']);
      if (party['idNumber']) expect(Object.values(b.data)).toContain(party['idNumber']);
    }
  });

  test('verifications: PUT …/verification/{key} with ISO dates and the identity number in clear; a withdrawal a DELETE', () => {
    const records = verifications();
    const context = testContext();
    const requests = municipal.buildRequests(
      records.map((r) => delivery(r, 'municipal')),
      context,
    );
    expectGolden('municipal', 'verification', requests);

    expect(context.drawn()).toBe(0);
    const keys = records.map((r) => `verification:${r.source}:${r.recordId}:${r.revision}:municipal`);
    expect(requests.map((r) => [r.method, r.path])).toEqual([
      ['PUT', `/openapi/v2/credit/verification/${encodeURIComponent(keys[0]!)}`],
      ['PUT', `/openapi/v2/credit/verification/${encodeURIComponent(keys[1]!)}`],
      ['PUT', `/openapi/v2/credit/verification/${encodeURIComponent(keys[2]!)}`],
      ['DELETE', `/openapi/v2/credit/verification/${encodeURIComponent(keys[3]!)}`],
    ]);
    expect(requests[3]).toEqual({ method: 'DELETE', path: requests[3]!.path, keys: [keys[3]] });
    const [partly, kept, person] = requests.slice(0, 3).map(body);
    expect(partly).toMatchObject({ operation: 'upsert', revision: 1, data: { HC_HCRQ: '2026-04-15', HC_HCJG: '部分履行', HC_ZGQX: '2026-05-15' } });
    expect(kept!.data).not.toHaveProperty('SX_SFGS'); // shared, never published
    expect(person!.data).toMatchObject({ HC_CNZTLB: '自然人', HC_CNZTDM: '230103198207150318', HC_HCJG: '虚假承诺' });
  });

  test('withdrawals: DELETE without a body', () => {
    const records = [exampleByPrefix('commitment', '01'), exampleByPrefix('breach', '05'), exampleByPrefix('repair', '01')];
    const requests = municipal.buildRequests(
      records.map((r) => delivery(r, 'municipal', 'withdraw')),
      testContext(),
    );
    expectGolden('municipal', 'withdraw', requests);
    expect(requests.map((r) => [r.method, r.body])).toEqual([
      ['DELETE', undefined],
      ['DELETE', undefined],
      ['DELETE', undefined],
    ]);
    expect(requests[1]!.path).toBe('/openapi/v2/credit/breach/breach%3Ahrb-transport-enforcement%3AHRBJT-CF-2026-000215%3A1%3Amunicipal');
  });

  test('ISO dates, arrays and booleans as JSON', () => {
    const [request] = municipal.buildRequests([delivery(exampleByPrefix('breach', '07'), 'municipal')], testContext());
    expect(body(request!).data).toMatchObject({
      CF_JDRQ: '2025-08-12',
      CF_YXQ: '2025-11-12',
      CF_CFLB: ['没收违法所得', '没收非法财物', '罚款', '责令停产停业'],
      CF_NR_FK: 35.6,
      SX_SFGS: true,
      CF_GSJZQ: '2028-08-12',
    });
    expect(body(request!).data).not.toHaveProperty('SX_HMDJF'); // the district's own points: never shared
  });

  test("an end of publication is a DELETE of the record's publication sub-resource", () => {
    const record = exampleByPrefix('breach', '07');
    const [request] = municipal.buildRequests([delivery(record, 'municipal', 'unpublish')], testContext());
    expect(request).toEqual({
      method: 'DELETE',
      path: `/openapi/v2/credit/breach/${encodeURIComponent(delivery(record, 'municipal').idempotencyKey)}/publication`,
      keys: [delivery(record, 'municipal').idempotencyKey],
    });
  });

  test('a key with characters that need encoding is encoded in the path', () => {
    const d = { ...delivery(exampleByPrefix('breach', '01'), 'municipal'), idempotencyKey: 'breach:src:A B/C?D#E%F:1:municipal' };
    const [request] = municipal.buildRequests([d], testContext());
    expect(request!.path).toBe('/openapi/v2/credit/breach/breach%3Asrc%3AA%20B%2FC%3FD%23E%25F%3A1%3Amunicipal');
    expect(request!.keys).toEqual([d.idempotencyKey]);
  });

  test('many records: as many requests, in order', () => {
    const records = copies(exampleByPrefix('repair', '03'), 7);
    const requests = municipal.buildRequests(
      records.map((r) => delivery(r, 'municipal')),
      testContext(),
    );
    expect(requests.map((r) => r.keys[0])).toEqual(records.map((r) => delivery(r, 'municipal').idempotencyKey));
    expect(municipal.maxBatchSize).toBe(1);
  });
});

describe('municipal: interpret', () => {
  const record = exampleByPrefix('breach', '02');
  const [put] = municipal.buildRequests([delivery(record, 'municipal')], testContext());
  const [del] = municipal.buildRequests([delivery(record, 'municipal', 'withdraw')], testContext());
  const key = put!.keys[0]!;

  test('201 created and 200 updated: delivered with the id as receipt', () => {
    expect(municipal.interpret(put!, answer(201, { id: 'HRB-000001', result: 'created' }))).toEqual([{ key, outcome: 'delivered', receipt: 'HRB-000001' }]);
    expect(municipal.interpret(put!, answer(200, { id: 'HRB-000001', result: 'updated' }))).toEqual([{ key, outcome: 'delivered', receipt: 'HRB-000001' }]);
  });

  test('200 unchanged: delivered, a duplicate', () => {
    expect(municipal.interpret(put!, answer(200, { id: 'HRB-000001', result: 'unchanged' }))).toEqual([
      { key, outcome: 'delivered', receipt: 'HRB-000001', duplicate: true },
    ]);
  });

  test('DELETE: 2xx delivered; 404 delivered (nothing to withdraw)', () => {
    expect(municipal.interpret(del!, answer(200, { id: 'HRB-000001', result: 'updated' }))).toEqual([{ key, outcome: 'delivered', receipt: 'HRB-000001' }]);
    expect(municipal.interpret(del!, answer(204))).toEqual([{ key, outcome: 'delivered' }]);
    expect(municipal.interpret(del!, answer(404, { code: 'NOT_FOUND' }))).toEqual([{ key, outcome: 'delivered', duplicate: true }]);
  });

  test('409 STALE_REVISION: delivered (a newer revision is there already), flagged duplicate', () => {
    expect(municipal.interpret(put!, answer(409, { code: 'STALE_REVISION' }))).toEqual([{ key, outcome: 'delivered', duplicate: true }]);
  });

  test('422: rejected with the field errors joined', () => {
    const response = answer(422, {
      errors: [
        { field: 'CF_JDRQ', message: 'must be a date' },
        { field: 'CF_WSH', message: 'required' },
      ],
    });
    expect(municipal.interpret(put!, response)).toEqual([{ key, outcome: 'rejected', reason: 'CF_JDRQ: must be a date; CF_WSH: required' }]);
    expect(municipal.interpret(put!, answer(422, {}))).toEqual([{ key, outcome: 'rejected', reason: 'HTTP 422 without field errors' }]);
  });

  test('400: rejected; 413: transient', () => {
    expect(municipal.interpret(put!, answer(400, { code: 'BAD_REQUEST', message: 'revision missing' }))).toEqual([
      { key, outcome: 'rejected', reason: 'BAD_REQUEST: revision missing' },
    ]);
    expect(municipal.interpret(put!, answer(413))[0]).toMatchObject({ outcome: 'transient', reason: expect.stringContaining('too large') });
  });

  test('undocumented answers are transient: 404 on PUT, an unknown result, another 409', () => {
    expect(municipal.interpret(put!, answer(404))[0]!.outcome).toBe('transient');
    expect(municipal.interpret(put!, answer(200, { id: 'X', result: 'queued' }))[0]!.outcome).toBe('transient');
    expect(municipal.interpret(put!, answer(200, 'not json'))[0]!.outcome).toBe('transient');
    expect(municipal.interpret(put!, answer(409, { code: 'LOCKED' }))[0]!.outcome).toBe('transient');
    expect(municipal.interpret(put!, answer(429, {}, { 'retry-after': '7' }))[0]).toMatchObject({ outcome: 'transient', retryAfterSeconds: 7 });
  });
});
