import { municipalContract } from '../../local/simulators/contracts/municipal.js';
import { startSimulator, type Simulator } from '../../local/simulators/index.js';
import { CREDENTIALS, municipalBreach, municipalVerification, provincialCommitment, RESIDENT_ID, sendJson } from './helpers.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ contract: municipalContract, credentials: CREDENTIALS.municipal });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

const key = (revision: number, recordId = 'CF-1'): string => `breach:hrbxq-enforcement:${recordId}:${revision}:municipal`;
const path = (k: string, type = 'breach'): string => `/openapi/v2/credit/${type}/${encodeURIComponent(k)}`;
const put = (k: string, data: Record<string, unknown>, revision = Number(k.split(':')[3])) =>
  sendJson(sim, path(k), { method: 'PUT', body: { operation: 'upsert', revision, data } });
const del = (k: string) => sendJson(sim, path(k), { method: 'DELETE' });

describe('municipal platform', () => {
  it('201 created, 200 unchanged for the same key, 200 updated for a newer revision (same id)', async () => {
    const created = await put(key(1), municipalBreach());
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ id: expect.stringMatching(/^HRB-/), result: 'created' });
    expect(await put(key(1), municipalBreach())).toEqual(expect.objectContaining({ status: 200, body: { id: created.body.id, result: 'unchanged' } }));
    const updated = await put(key(2), { ...municipalBreach(), CF_NR: '警告并处罚款三千元', CF_NR_FK: 0.3 });
    expect(updated).toEqual(expect.objectContaining({ status: 200, body: { id: created.body.id, result: 'updated' } }));
    expect(sim.store.current('breach:hrbxq-enforcement:CF-1:municipal')).toMatchObject({ key: key(2), revision: 2 });
  });

  it('409 STALE_REVISION when a lower revision arrives after a higher one', async () => {
    expect((await put(key(3), municipalBreach())).status).toBe(201);
    const stale = await put(key(2), municipalBreach());
    expect(stale).toEqual(expect.objectContaining({ status: 409, body: expect.objectContaining({ code: 'STALE_REVISION' }) }));
    expect((await del(key(2))).status).toBe(409);
    expect(sim.store.get(key(2))).toBeUndefined();
  });

  it('DELETE withdraws a known record; 404 for an unknown one or one already withdrawn', async () => {
    expect((await del(key(1))).status).toBe(404);
    await put(key(1), municipalBreach());
    const deleted = await del(key(2));
    expect(deleted.status).toBe(200);
    expect(sim.store.current('breach:hrbxq-enforcement:CF-1:municipal')).toMatchObject({ operation: 'withdraw', revision: 2 });
    expect((await del(key(3))).status).toBe(404);
    // A revision older than the withdrawal is stale; a newer one re-creates the record.
    expect((await put(key(1), municipalBreach())).status).toBe(409);
    expect((await put(key(4), municipalBreach())).status).toBe(201);
  });

  it('422 with field errors: provincial-style values, unknown codes, missing fields, bad revision', async () => {
    const provincialStyle = await put(key(1), { ...municipalBreach(), CF_JDRQ: '2026/06/10', CF_CFLB: '警告;罚款', SX_SFGS: '是' });
    expect(provincialStyle.status).toBe(422);
    expect(provincialStyle.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['data.CF_CFLB', 'data.CF_JDRQ', 'data.SX_SFGS']);
    const { CF_WSH: _w, ...noNumber } = municipalBreach();
    const missing = await put(key(1), { ...noNumber, CN_CNBM: '1' });
    expect(missing.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['data.CF_WSH', 'data.CN_CNBM']);
    const wrongRevision = await put(key(1), municipalBreach(), 2);
    expect(wrongRevision.status).toBe(422);
    expect(wrongRevision.body.errors[0].field).toBe('revision');
    const withdraw = await sendJson(sim, path(key(1)), { method: 'PUT', body: { operation: 'withdraw', revision: 1, data: municipalBreach() } });
    expect(withdraw.status).toBe(422);
    expect(sim.store.list()).toHaveLength(0);
  });

  it('400 for a key that is not an idempotency key of this type and destination; 404 for an unknown type', async () => {
    expect((await sendJson(sim, path('nonsense'), { method: 'PUT', body: {} })).status).toBe(400);
    expect(
      (await sendJson(sim, path(key(1), 'commitment'), { method: 'PUT', body: { operation: 'upsert', revision: 1, data: provincialCommitment() } })).status,
    ).toBe(400);
    expect(
      (await sendJson(sim, path('breach:s:r:1:provincial'), { method: 'PUT', body: { operation: 'upsert', revision: 1, data: municipalBreach() } })).status,
    ).toBe(400);
    expect((await sendJson(sim, path(key(1), 'penalty'), { method: 'PUT', body: {} })).status).toBe(404);
  });

  describe('verifications', () => {
    const vkey = (revision: number, recordId = 'HC-1'): string => `verification:hrbxq-approval:${recordId}:${revision}:municipal`;
    const vput = (k: string, data: Record<string, unknown>) =>
      sendJson(sim, path(k, 'verification'), { method: 'PUT', body: { operation: 'upsert', revision: Number(k.split(':')[3]), data } });

    it('201 created, also for a commitment it does not hold; 200 unchanged again; DELETE withdraws, then 404', async () => {
      expect(sim.store.list()).toEqual([]); // no commitment here: a verification is kept by commitment code, on its own
      const created = await vput(vkey(1), municipalVerification());
      expect(created).toEqual(expect.objectContaining({ status: 201, body: { id: expect.stringMatching(/^HRB-/), result: 'created' } }));
      expect((await vput(vkey(1), municipalVerification())).body).toEqual({ id: created.body.id, result: 'unchanged' });
      const person = { ...municipalVerification(36), HC_CNZTMC: '张三', HC_CNZTLB: '自然人', HC_ZJLX: '身份证', HC_CNZTDM: RESIDENT_ID };
      expect((await vput(vkey(1, 'HC-2'), person)).status).toBe(201);
      expect(sim.store.get(vkey(1, 'HC-2'))!.content).toMatchObject({ HC_CNZTDM: RESIDENT_ID }); // in clear on this link
      const deleted = await sendJson(sim, path(vkey(2), 'verification'), { method: 'DELETE' });
      expect(deleted).toEqual(expect.objectContaining({ status: 200, body: { id: created.body.id, result: 'deleted' } }));
      expect((await sendJson(sim, path(vkey(3), 'verification'), { method: 'DELETE' })).status).toBe(404);
    });

    it('422 with field errors: a required field missing (HC_ZGQX for 部分履行), a provincial-style date, an unknown result', async () => {
      const { HC_HCJG: _result, ...noResult } = municipalVerification();
      const { HC_ZGQX: _deadline, ...noDeadline } = municipalVerification();
      const missing = await vput(vkey(1), noResult);
      expect(missing.status).toBe(422);
      expect(missing.body.errors.map((e: { field: string }) => e.field)).toEqual(['data.HC_HCJG']);
      expect((await vput(vkey(1), noDeadline)).body.errors.map((e: { field: string }) => e.field)).toEqual(['data.HC_ZGQX']);
      const wrong = await vput(vkey(1), { ...municipalVerification(), HC_HCRQ: '2026/04/15', HC_HCJG: '已核查' });
      expect(wrong.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['data.HC_HCJG', 'data.HC_HCRQ']);
      expect(sim.store.list()).toHaveLength(0);
    });
  });

  it('is signed with HMAC-SHA256 only', async () => {
    const sm3 = await sendJson(sim, path(key(1)), {
      method: 'PUT',
      body: { operation: 'upsert', revision: 1, data: municipalBreach() },
      algorithm: 'HMAC-SM3',
    });
    expect(sm3).toEqual(expect.objectContaining({ status: 401, body: expect.objectContaining({ code: 'AUTH_FAILED' }) }));
  });
});
