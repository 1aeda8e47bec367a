import { districtContract, BREACH_NOTICES_PATH } from '../../local/simulators/contracts/district.js';
import { publicColumnContract, PUBLISH_PATH, REVOKE_PATH } from '../../local/simulators/contracts/public-column.js';
import { startSimulator, type Simulator } from '../../local/simulators/index.js';
import { breachFields, columnItem, CREDENTIALS, RESIDENT_ID, sendJson } from './helpers.js';

describe('public commitment column', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ contract: publicColumnContract, credentials: CREDENTIALS.publicColumn });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  const publish = (items: unknown[]) => sendJson(sim, PUBLISH_PATH, { body: { items } });

  it('publishes items, accepts a republish of the same content, rejects unmasked identity numbers', async () => {
    const person = columnItem({ cnbm: '23010920260302000124', ztlb: '自然人', ztmc: '张三', ztdm: '110105********002X' });
    const unmasked = columnItem({ cnbm: '23010920260302000125', ztlb: '自然人', ztmc: '李四', ztdm: RESIDENT_ID });
    const unmaskedAsOrg = columnItem({ cnbm: '23010920260302000126', ztdm: RESIDENT_ID });
    const res = await publish([columnItem(), person, unmasked, unmaskedAsOrg]);
    expect(res.status).toBe(200);
    expect(res.body.accepted).toEqual(['23010920260302000123', '23010920260302000124']);
    expect(res.body.rejected).toEqual([
      { cnbm: '23010920260302000125', reason: expect.stringContaining('unmasked') },
      { cnbm: '23010920260302000126', reason: expect.stringContaining('unmasked') },
    ]);
    expect(JSON.stringify(res.body)).not.toContain(RESIDENT_ID);
    expect((await publish([columnItem()])).body).toEqual({ accepted: ['23010920260302000123'], rejected: [] });
    expect(sim.store.list().map((r) => r.key)).toEqual(['23010920260302000123', '23010920260302000124']);
  });

  it('rejects non-public fields, missing fields and bad dates per item', async () => {
    const res = await publish([
      columnItem({ fddbr: '王五' }),
      columnItem({ cnnr: undefined }),
      columnItem({ cnrq: '2026-03-02' }),
      columnItem({ yxq: '2031/03/01-2026/03/02' }),
    ]);
    expect(res.body.accepted).toEqual([]);
    expect(res.body.rejected.map((r: { reason: string }) => r.reason)).toEqual([
      expect.stringContaining('fddbr'),
      expect.stringContaining('cnnr'),
      expect.stringContaining('cnrq'),
      expect.stringContaining('yxq'),
    ]);
  });

  it('revokes a published commitment; revoking an unknown cnbm is accepted', async () => {
    await publish([columnItem()]);
    const res = await sendJson(sim, REVOKE_PATH, {
      body: {
        items: [
          { cnbm: '23010920260302000123', reason: '承诺撤回' },
          { cnbm: '23010920260302000999', reason: '承诺撤回' },
        ],
      },
    });
    expect(res.body).toEqual({ accepted: ['23010920260302000123', '23010920260302000999'], rejected: [] });
    expect(sim.store.current('23010920260302000123')).toMatchObject({ operation: 'withdraw' });
    expect(sim.store.current('23010920260302000999')).toBeUndefined();
  });

  it('413 BATCH_TOO_LARGE above 50 items', async () => {
    const items = Array.from({ length: 51 }, (_, i) => columnItem({ cnbm: `23010920260302${String(i).padStart(6, '0')}` }));
    expect(await publish(items)).toEqual(expect.objectContaining({ status: 413, body: expect.objectContaining({ code: 'BATCH_TOO_LARGE' }) }));
    expect((await publish(items.slice(0, 50))).body.accepted).toHaveLength(50);
  });
});

describe('district platform', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ contract: districtContract, credentials: CREDENTIALS.district });
  });
  afterAll(() => sim.stop());
  beforeEach(() => sim.reset());

  const notice = (revision: number, action = 'upsert', fields: Record<string, unknown> = breachFields(RESIDENT_ID)) => ({
    noticeId: `breach:hlj-credit-platform:PROV-1:${revision}:district`,
    kind: 'breach',
    action,
    fields,
  });
  const post = (notices: unknown[]) => sendJson(sim, BREACH_NOTICES_PATH, { body: { notices } });

  it('ACCEPTED, then DUPLICATE for the same notice; INVALID with a reason', async () => {
    const first = await post([notice(1)]);
    expect(first.body).toEqual({ results: [{ noticeId: notice(1).noticeId, status: 'ACCEPTED' }] });
    const again = await post([notice(1), notice(2, 'upsert', { ...breachFields(RESIDENT_ID), CF_JDRQ: '2026-06-10' }), { ...notice(3), kind: 'penalty' }]);
    expect(again.body.results).toEqual([
      { noticeId: notice(1).noticeId, status: 'DUPLICATE' },
      { noticeId: notice(2).noticeId, status: 'INVALID', reason: expect.stringContaining('CF_JDRQ') },
      { noticeId: notice(3).noticeId, status: 'INVALID', reason: expect.stringContaining('kind') },
    ]);
  });

  it('takes identity numbers in clear (an encrypted-looking one is INVALID) and withdraws by key fields', async () => {
    const encrypted = await post([notice(1, 'upsert', { ...breachFields('q83vEjRWeJ'.padEnd(44, 'A')) })]);
    expect(encrypted.body.results[0].status).toBe('INVALID');
    await post([notice(1)]);
    const withdraw = await post([
      notice(2, 'withdraw', { CF_WSH: '哈新综执罚〔2026〕12号', CF_XDR_ZJHM: RESIDENT_ID }),
      notice(3, 'withdraw', { CF_WSH: 'x' }),
    ]);
    expect(withdraw.body.results.map((r: { status: string }) => r.status)).toEqual(['ACCEPTED', 'INVALID']);
    expect(sim.store.current('breach:hlj-credit-platform:PROV-1:district')).toMatchObject({ operation: 'withdraw', revision: 2 });
  });

  it('413 BATCH_TOO_LARGE above 20 notices', async () => {
    const notices = Array.from({ length: 21 }, (_, i) => notice(i + 1));
    expect((await post(notices)).status).toBe(413);
    expect((await post(notices.slice(0, 20))).status).toBe(200);
  });
});
