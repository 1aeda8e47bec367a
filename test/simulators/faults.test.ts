import { DESTINATION_IDS } from '../../topology/topology.js';
import { districtContract, BREACH_NOTICES_PATH } from '../../local/simulators/contracts/district.js';
import { PROVINCIAL_BATCH_PATH } from '../../local/simulators/contracts/provincial.js';
import { mulberry32, simulatorContracts, startSimulator, startSimulators, type Faults, type Simulator } from '../../local/simulators/index.js';
import { breachFields, CREDENTIALS, provincialCommitment, RESIDENT_ID, send, sendJson } from './helpers.js';

const notices = (n = 1) => ({
  notices: Array.from({ length: n }, (_, i) => ({
    noticeId: `breach:hlj-credit-platform:P-${i}:1:district`,
    kind: 'breach',
    action: 'upsert',
    fields: breachFields(RESIDENT_ID),
  })),
});

async function statuses(sim: Simulator, count: number): Promise<number[]> {
  const result: number[] = [];
  for (let i = 0; i < count; i++) result.push((await send(sim, BREACH_NOTICES_PATH, { body: notices() })).status);
  return result;
}

const start = (faults: Faults, seed = 42): Promise<Simulator> =>
  startSimulator({ contract: districtContract, credentials: CREDENTIALS.district, faults, seed });

describe('simulator faults', () => {
  const started: Simulator[] = [];
  const track = async (promise: Promise<Simulator>): Promise<Simulator> => {
    const sim = await promise;
    started.push(sim);
    return sim;
  };
  afterAll(() => Promise.all(started.map((s) => s.stop())));

  it('mulberry32 is deterministic per seed', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const c = mulberry32(8);
    const seqA = [a(), a(), a()];
    expect([b(), b(), b()]).toEqual(seqA);
    expect([c(), c(), c()]).not.toEqual(seqA);
    expect(seqA.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('errorRate with a seed gives a reproducible sequence of 500s; reset restarts it', async () => {
    const one = await track(start({ errorRate: 0.5 }));
    const two = await track(start({ errorRate: 0.5 }));
    const first = await statuses(one, 20);
    expect(await statuses(two, 20)).toEqual(first);
    expect(new Set(first)).toEqual(new Set([200, 500]));
    one.reset();
    expect(await statuses(one, 20)).toEqual(first);
    expect(one.store.requests.filter((r) => r.status === 500).every((r) => r.fault === 'error' && r.code === 'INTERNAL_ERROR')).toBe(true);
  });

  it('429 carries Retry-After', async () => {
    const sim = await track(start({ tooManyRequests: { rate: 1, retryAfterSeconds: 7 } }));
    const res = await sendJson(sim, BREACH_NOTICES_PATH, { body: notices() });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('7');
    expect(res.body.code).toBe('TOO_MANY_REQUESTS');
    expect(sim.store.list()).toHaveLength(0);
  });

  it('an outage answers 503 to everything (Retry-After when configured) until lifted', async () => {
    const sim = await track(start({ outage: { retryAfterSeconds: 30 } }));
    for (let i = 0; i < 3; i++) {
      const res = await send(sim, BREACH_NOTICES_PATH, { body: notices() });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('30');
      await res.text();
    }
    sim.setFaults({});
    expect((await send(sim, BREACH_NOTICES_PATH, { body: notices() })).status).toBe(200);
  });

  it('a connection reset makes fetch throw', async () => {
    const sim = await track(start({ resetRate: 1 }));
    await expect(send(sim, BREACH_NOTICES_PATH, { body: notices() })).rejects.toThrow();
    expect(sim.store.requests).toEqual([expect.objectContaining({ fault: 'reset', status: 0 })]);
    expect(sim.store.list()).toHaveLength(0);
  });

  it('a slow response sends the headers at once and the body later; latency delays the whole answer', async () => {
    const slow = await track(start({ slowResponseMs: 300 }));
    const t0 = performance.now();
    const res = await send(slow, BREACH_NOTICES_PATH, { body: notices() });
    const headersAt = performance.now() - t0;
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: unknown[] };
    const bodyAt = performance.now() - t0;
    expect(body.results).toHaveLength(1);
    expect(headersAt).toBeLessThan(250);
    expect(bodyAt).toBeGreaterThanOrEqual(280);

    const late = await track(start({ latencyMs: [150, 200] }));
    const t1 = performance.now();
    const lateRes = await send(late, BREACH_NOTICES_PATH, { body: notices() });
    expect(performance.now() - t1).toBeGreaterThanOrEqual(140);
    expect(lateRes.status).toBe(200);
  });

  it('a stall applies the records but answers only after the stall: a sender that timed out must retry what already took effect', async () => {
    const sim = await track(start({ stall: { rate: 1, ms: 400 } }));
    await expect(send(sim, BREACH_NOTICES_PATH, { body: notices(), signal: AbortSignal.timeout(100) })).rejects.toThrow();
    expect(sim.store.list()).toHaveLength(1);
    sim.setFaults({});
    const again = await sendJson(sim, BREACH_NOTICES_PATH, { body: notices() });
    expect(again.body.results).toEqual([expect.objectContaining({ status: 'DUPLICATE' })]);
  });

  it('rejects invalid fault sets', () => {
    expect(() => started[0]!.setFaults({ errorRate: 2 })).toThrow(/errorRate/);
    expect(() => started[0]!.setFaults({ latencyMs: [5, 1] })).toThrow(/latencyMs/);
    expect(() => started[0]!.setFaults({ nope: 1 } as Faults)).toThrow(/unknown fault/);
    expect(() => started[0]!.setFaults({ stall: { rate: 0.5 } } as Faults)).toThrow(/stall/);
  });
});

describe('/_sim endpoints', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ contract: districtContract, credentials: CREDENTIALS.district });
  });
  afterAll(() => sim.stop());

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
  const admin = async (method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> => {
    const res = await fetch(`${sim.url}${path}`, { method, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, body: await res.json() };
  };

  it('reads records and requests, sets faults and resets, unsigned', async () => {
    await sendJson(sim, BREACH_NOTICES_PATH, { body: notices(2) });
    const records = await admin('GET', '/_sim/records');
    expect(records.body.records.map((r: { key: string }) => r.key)).toEqual([
      'breach:hlj-credit-platform:P-0:1:district',
      'breach:hlj-credit-platform:P-1:1:district',
    ]);
    expect(records.body.records[0]).toMatchObject({ type: 'breach', operation: 'upsert', content: { CF_XDR_ZJHM: RESIDENT_ID } });
    const requests = await admin('GET', '/_sim/requests');
    expect(requests.body.requests).toEqual([expect.objectContaining({ method: 'POST', path: BREACH_NOTICES_PATH, status: 200, keys: expect.any(Array) })]);
    // Admin calls are not in the history, and no secret is anywhere in it.
    expect(JSON.stringify(requests.body)).not.toContain(CREDENTIALS.district.secret);

    expect((await admin('POST', '/_sim/faults', { outage: true })).body).toEqual({ faults: { outage: true } });
    expect((await send(sim, BREACH_NOTICES_PATH, { body: notices() })).status).toBe(503);
    expect((await admin('POST', '/_sim/faults', { errorRate: 'lots' })).status).toBe(400);

    expect((await admin('POST', '/_sim/reset')).status).toBe(200);
    expect((await admin('GET', '/_sim/records')).body.records).toEqual([]);
    expect((await admin('GET', '/_sim/requests')).body.requests).toEqual([]);
    expect((await admin('GET', '/_sim/faults')).body.faults).toEqual({});
    expect((await admin('POST', '/_sim/feed', [{}])).status).toBe(404); // only the provincial simulator serves a feed
  });

  it('answers 413 for a body above the limit and 400 for a body that is not JSON', async () => {
    const big = 'x'.repeat(districtContract.maxBodyBytes + 1);
    const res = await sendJson(sim, BREACH_NOTICES_PATH, { body: big });
    expect(res).toEqual(expect.objectContaining({ status: 413, body: expect.objectContaining({ code: 'PAYLOAD_TOO_LARGE' }) }));
    expect((await sendJson(sim, BREACH_NOTICES_PATH, { body: '[1,' })).body.code).toBe('BAD_REQUEST');
  });
});

describe('startSimulators', () => {
  it('starts all four on free ports with their contracts and stops them', async () => {
    const sims = await startSimulators({ credentials: CREDENTIALS, faults: { municipal: { outage: true } }, seed: 3 });
    try {
      expect(Object.keys(sims.urls).sort()).toEqual([...DESTINATION_IDS].sort());
      expect(new Set(Object.values(sims.urls)).size).toBe(4);
      for (const id of DESTINATION_IDS) expect(sims.simulators[id].contract).toBe(simulatorContracts[id]);
      expect(simulatorContracts.provincial.algorithm).toBe('HMAC-SM3');
      expect(simulatorContracts.municipal.algorithm).toBe('HMAC-SHA256');
      const prov = await sendJson(sims.simulators.provincial, PROVINCIAL_BATCH_PATH, {
        body: { dataType: 'CN', batchNo: 'b1', records: [{ recordKey: 'commitment:s:1:1:provincial', operation: 'UPSERT', fields: provincialCommitment() }] },
      });
      expect(prov.body.results[0].status).toBe('SUCCESS');
      expect(sims.simulators.municipal.faults()).toEqual({ outage: true });
      expect(sims.simulators.district.faults()).toEqual({});
    } finally {
      await sims.stop();
    }
    await expect(fetch(`${sims.urls.provincial}/_sim/records`)).rejects.toThrow();
  });
});
