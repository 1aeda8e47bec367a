import { readdirSync, readFileSync } from 'node:fs';
import { fieldMapping } from '../../functions/shared/records/field-mapping.js';
import { fileURLToPath } from 'node:url';
import { readPointer } from '../../functions/shared/records/rules.js';
import type { RecordType } from '../../functions/shared/records/types.js';
import { fieldCatalogue } from '../../local/simulators/fields.js';
import { provincialContract, PROVINCIAL_BATCH_PATH, BREACH_FEED_PATH } from '../../local/simulators/contracts/provincial.js';
import { startSimulator, type Simulator } from '../../local/simulators/index.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { verificationCases } from '../support/records.js';
import { breachFields, CREDENTIALS, encrypt, personVerification, provincialCommitment, provincialVerification, RESIDENT_ID, sendJson } from './helpers.js';

let sim: Simulator;

beforeAll(async () => {
  sim = await startSimulator({ contract: provincialContract, credentials: CREDENTIALS.provincial });
});
afterAll(() => sim.stop());
beforeEach(() => sim.reset());

const batch = (dataType: string, records: unknown[]): unknown => ({ dataType, batchNo: '0f8c2f3e9b7a4d0c8e1f2a3b4c5d6e7f', records });
const upsert = (recordKey: string, fields: Record<string, unknown>): unknown => ({ recordKey, operation: 'UPSERT', fields });
const upload = (body: unknown) => sendJson(sim, PROVINCIAL_BATCH_PATH, { body });

describe('provincial batch upload', () => {
  it('accepts a valid batch per record, then answers DUPLICATE for the same records', async () => {
    const records = [
      upsert('commitment:hrbxq-approval:CN-1:1:provincial', provincialCommitment(1)),
      upsert('commitment:hrbxq-approval:CN-2:1:provincial', provincialCommitment(2)),
    ];
    const first = await upload(batch('CN', records));
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ code: '0000', total: 2, success: 2, failed: 0 });
    expect(first.body.results.map((r: { status: string }) => r.status)).toEqual(['SUCCESS', 'SUCCESS']);
    expect(first.body.results[0].receipt).toMatch(/^HLJ-CN-\d{6}$/);

    const again = await upload(batch('CN', records));
    expect(again.status).toBe(200);
    expect(again.body.results).toEqual([
      { recordKey: 'commitment:hrbxq-approval:CN-1:1:provincial', status: 'DUPLICATE', receipt: first.body.results[0].receipt },
      { recordKey: 'commitment:hrbxq-approval:CN-2:1:provincial', status: 'DUPLICATE', receipt: first.body.results[1].receipt },
    ]);
    expect(again.body).toMatchObject({ total: 2, success: 2, failed: 0 });
    expect(sim.store.list()).toHaveLength(2);
  });

  it('decrypts SM4 identity numbers (fresh IVs do not defeat DUPLICATE) and stores them decoded', async () => {
    const key = 'breach:hrbxq-enforcement:CF-1:1:provincial';
    const first = await upload(batch('CF', [upsert(key, breachFields(encrypt(RESIDENT_ID)))]));
    expect(first.body.results[0]).toMatchObject({ status: 'SUCCESS' });
    const again = await upload(batch('CF', [upsert(key, breachFields(encrypt(RESIDENT_ID)))]));
    expect(again.body.results[0]).toMatchObject({ status: 'DUPLICATE' });
    const stored = sim.store.get(key)!;
    expect(stored.content).toMatchObject({ CF_XDR_ZJHM: RESIDENT_ID, CF_CFLB: ['警告', '罚款'], CF_JDRQ: '2026-06-10', SX_SFGS: true });
  });

  it('rejects a plain identity number with E102', async () => {
    const res = await upload(batch('CF', [upsert('breach:s:CF-2:1:provincial', breachFields(RESIDENT_ID))]));
    expect(res.body).toMatchObject({ total: 1, success: 0, failed: 1 });
    expect(res.body.results[0]).toMatchObject({ status: 'FAILED', errorCode: 'E102' });
    expect(res.body.results[0].message).toContain('CF_XDR_ZJHM');
    expect(res.body.results[0].message).not.toContain(RESIDENT_ID);
  });

  it('encrypts CN_CNZTDM of a natural person only: plain → E102, a USCC of an organisation stays plain', async () => {
    const person = { ...provincialCommitment(7), CN_CNZTLB: '自然人', CN_ZJLX: '身份证' };
    const res = await upload(
      batch('CN', [
        upsert('commitment:s:p1:1:provincial', { ...person, CN_CNZTDM: encrypt(RESIDENT_ID) }),
        upsert('commitment:s:p2:1:provincial', { ...person, CN_CNZTDM: RESIDENT_ID }),
        upsert('commitment:s:p3:1:provincial', { ...person, CN_CNZTDM: encrypt(RESIDENT_ID), CN_ZJLX: undefined }),
      ]),
    );
    expect(res.body.results.map((r: { status: string; errorCode?: string }) => r.errorCode ?? r.status)).toEqual(['SUCCESS', 'E102', 'E101']);
  });

  it('rejects an identity number encrypted under another key, or not an ID once decrypted', async () => {
    const { sm4EncryptField } = await import('../../functions/shared/signing/sm4.js');
    const wrongKey = breachFields(sm4EncryptField(RESIDENT_ID, 'ffffffffffffffffffffffffffffffff'));
    const notAnId = breachFields(encrypt('hello'));
    const res = await upload(batch('CF', [upsert('breach:s:a:1:provincial', wrongKey), upsert('breach:s:b:1:provincial', notAnId)]));
    // E105: does not decrypt under the issued key (the sender's key is stale); E102: decrypts to no ID
    expect(res.body.results.map((r: { errorCode: string }) => r.errorCode)).toEqual(['E105', 'E102']);
  });

  it('reports E103 for an unknown field code, E101 for a missing required one, E102 for a bad date', async () => {
    const unknown = { ...provincialCommitment(1), CN_NOPE: 'x' };
    const { CN_CNNR: _dropped, ...missing } = provincialCommitment(2);
    const badDate = { ...provincialCommitment(3), CN_CNRQ: '2026-03-02' };
    const wrongType = { ...provincialCommitment(4), CF_WSH: 'belongs to CF' };
    const res = await upload(
      batch('CN', [
        upsert('commitment:s:1:1:provincial', unknown),
        upsert('commitment:s:2:1:provincial', missing),
        upsert('commitment:s:3:1:provincial', badDate),
        upsert('commitment:s:4:1:provincial', wrongType),
      ]),
    );
    expect(res.body.results.map((r: { errorCode: string }) => r.errorCode)).toEqual(['E103', 'E101', 'E102', 'E103']);
    expect(res.body.results[1].message).toContain('CN_CNNR');
    expect(res.body.results[2].message).toContain('CN_CNRQ');
    expect(res.body).toMatchObject({ total: 4, success: 0, failed: 4 });
  });

  it('derives conditional requirements from the schemas (a fine needs CF_NR_FK; a natural person an ID)', async () => {
    const { CF_NR_FK: _fine, ...noFine } = breachFields(encrypt(RESIDENT_ID));
    const { CF_XDR_ZJHM: _id, ...noId } = breachFields(encrypt(RESIDENT_ID));
    const warningOnly = { ...noFine, CF_CFLB: '警告' };
    const res = await upload(
      batch('CF', [upsert('breach:s:1:1:provincial', noFine), upsert('breach:s:2:1:provincial', noId), upsert('breach:s:3:1:provincial', warningOnly)]),
    );
    expect(res.body.results[0]).toMatchObject({ status: 'FAILED', errorCode: 'E101' });
    expect(res.body.results[0].message).toContain('CF_NR_FK');
    expect(res.body.results[1]).toMatchObject({ status: 'FAILED', errorCode: 'E101' });
    expect(res.body.results[1].message).toContain('CF_XDR_ZJHM');
    expect(res.body.results[2]).toMatchObject({ status: 'SUCCESS' });
  });

  it('checks CF_CFLB, booleans and amounts in the provincial style', async () => {
    const res = await upload(
      batch('CF', [
        upsert('breach:s:1:1:provincial', { ...breachFields(encrypt(RESIDENT_ID)), CF_CFLB: ['警告', '罚款'] }),
        upsert('breach:s:2:1:provincial', { ...breachFields(encrypt(RESIDENT_ID)), SX_SFGS: true }),
        upsert('breach:s:3:1:provincial', { ...breachFields(encrypt(RESIDENT_ID)), CF_NR_FK: '0.2' }),
        upsert('breach:s:4:1:provincial', { ...breachFields(encrypt(RESIDENT_ID)), CF_CFLB: '警告;拘役' }),
      ]),
    );
    expect(res.body.results.map((r: { errorCode: string }) => r.errorCode)).toEqual(['E102', 'E102', 'E102', 'E102']);
  });

  it('DELETE: E104 for an unknown record; SUCCESS by key fields for a known one; only key fields allowed', async () => {
    const key = 'breach:s:CF-9:1:provincial';
    await upload(batch('CF', [upsert(key, breachFields(encrypt(RESIDENT_ID)))]));
    const keyFields = { CF_WSH: '哈新综执罚〔2026〕12号', CF_XDR_ZJHM: encrypt(RESIDENT_ID) };
    const res = await upload(
      batch('CF', [
        { recordKey: 'breach:s:CF-9:2:provincial', operation: 'DELETE', fields: keyFields },
        { recordKey: 'breach:s:CF-8:2:provincial', operation: 'DELETE', fields: { ...keyFields, CF_WSH: '另一文号' } },
        { recordKey: 'breach:s:CF-9:3:provincial', operation: 'DELETE', fields: breachFields(encrypt(RESIDENT_ID)) },
        { recordKey: 'breach:s:CF-9:4:provincial', operation: 'DELETE', fields: { CF_WSH: 'x' } },
      ]),
    );
    expect(res.body.results.map((r: { status: string; errorCode?: string }) => r.errorCode ?? r.status)).toEqual(['SUCCESS', 'E104', 'E102', 'E101']);
    const withdrawn = sim.store.get('breach:s:CF-9:2:provincial')!;
    expect(withdrawn).toMatchObject({ operation: 'withdraw', identity: sim.store.get(key)!.identity });
  });

  it('answers 413 BATCH_TOO_LARGE above 100 records', async () => {
    const records = Array.from({ length: 101 }, (_, i) => upsert(`commitment:s:${i}:1:provincial`, provincialCommitment(i)));
    const res = await upload(batch('CN', records));
    expect(res.status).toBe(413);
    expect(res.body.code).toBe('BATCH_TOO_LARGE');
    expect(sim.store.list()).toHaveLength(0);
    const hundred = await upload(batch('CN', records.slice(0, 100)));
    expect(hundred.body).toMatchObject({ total: 100, success: 100 });
  });

  it('answers 400 BAD_REQUEST for malformed requests', async () => {
    expect((await sendJson(sim, PROVINCIAL_BATCH_PATH, { body: '{not json' })).body.code).toBe('BAD_REQUEST');
    expect((await upload({ batchNo: 'b', records: [] })).status).toBe(400);
    expect((await upload(batch('ZZ', [upsert('k', {})]))).status).toBe(400);
    expect((await upload(batch('CN', [{ recordKey: 'k', operation: 'MERGE', fields: {} }]))).status).toBe(400);
    expect((await sendJson(sim, '/gateway/credit/v1/nothing', { body: {} })).status).toBe(404);
  });
});

describe('provincial verifications (HC)', () => {
  const keyOf = (id: string, revision = 1) => `verification:hrbxq-approval:${id}:${revision}:provincial`;

  it('accepts verifications, the identity number of a natural person encrypted, then answers DUPLICATE; stores them decoded', async () => {
    const records = [upsert(keyOf('HC-1'), provincialVerification(1)), upsert(keyOf('HC-2'), personVerification(encrypt(RESIDENT_ID)))];
    const first = await upload(batch('HC', records));
    expect(first.body).toMatchObject({ code: '0000', total: 2, success: 2, failed: 0 });
    expect(first.body.results[0].receipt).toMatch(/^HLJ-HC-\d{6}$/);
    const again = await upload(
      batch('HC', [upsert(keyOf('HC-1'), provincialVerification(1)), upsert(keyOf('HC-2'), personVerification(encrypt(RESIDENT_ID)))]),
    );
    expect(again.body.results.map((r: { status: string }) => r.status)).toEqual(['DUPLICATE', 'DUPLICATE']);
    expect(sim.store.get(keyOf('HC-1'))).toMatchObject({
      type: 'HC',
      content: { HC_HCRQ: '2026-04-15', HC_ZGQX: '2026-05-15', HC_CNZTDM: '91230109MA1BCDE849' },
    });
    expect(sim.store.get(keyOf('HC-2'))!.content).toMatchObject({ HC_CNZTDM: RESIDENT_ID, HC_HCJG: '虚假承诺' });
  });

  it('accepts a verification of a commitment it does not hold: verifications are kept by commitment code, on their own', async () => {
    expect(sim.store.list()).toEqual([]);
    const res = await upload(batch('HC', [upsert(keyOf('HC-3'), provincialVerification(999))]));
    expect(res.body.results[0]).toMatchObject({ status: 'SUCCESS' });
  });

  it('refuses what it refuses of a commitment: E101 a required field missing (HC_ZGQX for 部分履行), E102 a bad date or a plain identity number, E103 another type’s code', async () => {
    const { HC_HCJG: _result, ...noResult } = provincialVerification(1);
    const { HC_ZGQX: _deadline, ...noDeadline } = provincialVerification(2);
    const res = await upload(
      batch('HC', [
        upsert(keyOf('HC-1'), noResult),
        upsert(keyOf('HC-2'), noDeadline),
        upsert(keyOf('HC-3'), { ...provincialVerification(3), HC_HCRQ: '2026-04-15' }),
        upsert(keyOf('HC-4'), personVerification(RESIDENT_ID)),
        upsert(keyOf('HC-5'), { ...provincialVerification(5), CN_CNBM: '23010920260302000005' }),
        upsert(keyOf('HC-6'), { ...provincialVerification(6), HC_HCJG: '已核查' }),
        upsert(keyOf('HC-7'), { ...noDeadline, HC_HCJG: '全部履行' }), // kept: no deadline needed
      ]),
    );
    expect(res.body.results.map((r: { status: string; errorCode?: string }) => r.errorCode ?? r.status)).toEqual([
      'E101',
      'E101',
      'E102',
      'E102',
      'E103',
      'E102',
      'SUCCESS',
    ]);
    expect(res.body.results[0].message).toContain('HC_HCJG');
    expect(res.body.results[1].message).toContain('HC_ZGQX');
    expect(res.body.results[2].message).toContain('HC_HCRQ');
    expect(res.body.results[3].message).toContain('HC_CNZTDM');
    expect(res.body.results[3].message).not.toContain(RESIDENT_ID);
  });

  it('DELETE by HC_CNBM and HC_HCRQ: another day’s verification of the same commitment stays', async () => {
    const later = { ...provincialVerification(1), HC_HCRQ: '2026/05/28', HC_HCJG: '全部履行', HC_ZGQX: undefined };
    await upload(batch('HC', [upsert(keyOf('HC-1'), provincialVerification(1)), upsert(keyOf('HC-2'), later)]));
    const res = await upload(
      batch('HC', [
        { recordKey: keyOf('HC-1', 2), operation: 'DELETE', fields: { HC_CNBM: '23010920260302000001', HC_HCRQ: '2026/04/15' } },
        { recordKey: keyOf('HC-9', 2), operation: 'DELETE', fields: { HC_CNBM: '23010920260302000001', HC_HCRQ: '2026/04/16' } },
        { recordKey: keyOf('HC-2', 2), operation: 'DELETE', fields: { HC_CNBM: '23010920260302000001' } },
        { recordKey: keyOf('HC-2', 3), operation: 'DELETE', fields: provincialVerification(1) },
      ]),
    );
    expect(res.body.results.map((r: { status: string; errorCode?: string }) => r.errorCode ?? r.status)).toEqual(['SUCCESS', 'E104', 'E101', 'E102']);
    expect(sim.store.current(sim.store.get(keyOf('HC-1'))!.identity)).toMatchObject({ operation: 'withdraw' });
    expect(sim.store.current(sim.store.get(keyOf('HC-2'))!.identity)).toMatchObject({ operation: 'upsert' });
  });
});

describe('provincial signature checks', () => {
  const body = batch('CN', [upsert('commitment:s:1:1:provincial', provincialCommitment(1))]);

  it('401 AUTH_FAILED for a tampered signature, a changed body, another method or an unknown app key', async () => {
    const tampered = await sendJson(sim, PROVINCIAL_BATCH_PATH, {
      body,
      tamper: (h) => {
        const sig = h['X-Signature']!;
        h['X-Signature'] = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
      },
    });
    expect(tampered).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED' } });
    const sha = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, algorithm: 'HMAC-SHA256' });
    expect(sha).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED' } });
    const stranger = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, credentials: { appKey: 'who', secret: 's' } });
    expect(stranger).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED' } });
    const wrongSecret = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, credentials: { appKey: CREDENTIALS.provincial.appKey, secret: 'guess' } });
    expect(wrongSecret).toMatchObject({ status: 401, body: { code: 'AUTH_FAILED' } });
    expect(JSON.stringify(wrongSecret.body)).not.toContain(CREDENTIALS.provincial.secret);
    expect(sim.store.list()).toHaveLength(0);
  });

  it('401 TIMESTAMP_EXPIRED for a timestamp 301 s old (300 s is fine)', async () => {
    const old = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, timestamp: Date.now() - 301_000 });
    expect(old).toMatchObject({ status: 401, body: { code: 'TIMESTAMP_EXPIRED' } });
    const future = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, timestamp: Date.now() + 301_000 });
    expect(future.body.code).toBe('TIMESTAMP_EXPIRED');
    const edge = await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, timestamp: Date.now() - 299_000 });
    expect(edge.status).toBe(200);
  });

  it('401 NONCE_REPLAYED for a nonce seen before', async () => {
    const nonce = 'a'.repeat(32);
    expect((await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, nonce })).status).toBe(200);
    expect(await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, nonce })).toMatchObject({ status: 401, body: { code: 'NONCE_REPLAYED' } });
  });

  it('records every request in the history, with status and keys', async () => {
    await sendJson(sim, PROVINCIAL_BATCH_PATH, { body });
    await sendJson(sim, PROVINCIAL_BATCH_PATH, { body, timestamp: 1 });
    expect(sim.store.requests.map(({ method, path, status, keys, code }) => ({ method, path, status, keys, code }))).toEqual([
      { method: 'POST', path: PROVINCIAL_BATCH_PATH, status: 200, keys: ['commitment:s:1:1:provincial'], code: undefined },
      { method: 'POST', path: PROVINCIAL_BATCH_PATH, status: 401, keys: [], code: 'TIMESTAMP_EXPIRED' },
    ]);
  });
});

describe('provincial breach feed', () => {
  const feedRecord = (i: number): Record<string, unknown> => ({
    schemaVersion: '2.0',
    recordType: 'breach',
    recordId: `PROV-${i}`,
    revision: 1,
    operation: 'upsert',
    source: 'hlj-credit-platform',
    occurredAt: '2026-06-10T09:00:00+08:00',
    data: { decisionNumber: `黑信罚〔2026〕${i}号` },
  });

  it('pages through the feed with opaque cursors; null when caught up; new items appear after the last cursor', async () => {
    for (let i = 1; i <= 5; i++) sim.feed.push(feedRecord(i));
    const page1 = await sendJson(sim, `${BREACH_FEED_PATH}?limit=2`);
    expect(page1.status).toBe(200);
    expect(page1.body.items.map((r: { recordId: string }) => r.recordId)).toEqual(['PROV-1', 'PROV-2']);
    const page2 = await sendJson(sim, `${BREACH_FEED_PATH}?cursor=${encodeURIComponent(page1.body.nextCursor)}&limit=2`);
    expect(page2.body.items.map((r: { recordId: string }) => r.recordId)).toEqual(['PROV-3', 'PROV-4']);
    const page3 = await sendJson(sim, `${BREACH_FEED_PATH}?cursor=${encodeURIComponent(page2.body.nextCursor)}&limit=2`);
    expect(page3.body.items.map((r: { recordId: string }) => r.recordId)).toEqual(['PROV-5']);
    const caughtUp = await sendJson(sim, `${BREACH_FEED_PATH}?cursor=${encodeURIComponent(page3.body.nextCursor)}&limit=2`);
    expect(caughtUp.body).toEqual({ items: [], nextCursor: null });

    // Seeded over HTTP, then read from the last cursor.
    const seeded = await fetch(`${sim.url}/_sim/feed`, { method: 'POST', body: JSON.stringify([feedRecord(6)]) });
    expect(seeded.status).toBe(200);
    const page4 = await sendJson(sim, `${BREACH_FEED_PATH}?cursor=${encodeURIComponent(page3.body.nextCursor)}`);
    expect(page4.body.items.map((r: { recordId: string }) => r.recordId)).toEqual(['PROV-6']);
  });

  it('is signed like the rest and refuses a bad cursor or limit', async () => {
    const unsigned = await fetch(`${sim.url}${BREACH_FEED_PATH}`);
    expect(unsigned.status).toBe(401);
    expect((await sendJson(sim, `${BREACH_FEED_PATH}?cursor=garbage`)).status).toBe(400);
    expect((await sendJson(sim, `${BREACH_FEED_PATH}?limit=0`)).status).toBe(400);
    expect((await sendJson(sim, `${BREACH_FEED_PATH}?limit=101`)).status).toBe(400);
    // The query string is part of what is signed.
    const headers = signRequest({ method: 'GET', path: `${BREACH_FEED_PATH}?limit=2`, credentials: CREDENTIALS.provincial, algorithm: 'HMAC-SM3' });
    const moved = await fetch(`${sim.url}${BREACH_FEED_PATH}?limit=3`, { headers: { ...headers } });
    expect(moved.status).toBe(401);
  });
});

describe('provincial field checks against the schema examples', () => {
  const EXAMPLES = fileURLToPath(new URL('../../schemas/examples/', import.meta.url));
  const DATA_TYPE = { commitment: 'CN', breach: 'CF', repair: 'XF' } as const;

  /**
   * A canonical record as the provincial platform's fields (what an adapter is expected to send),
   * written here from the mapping table without the adapters' code: the district's points left out,
   * listed values as their codes, and a breach stated published until the tier's maximum.
   */
  function toWire(type: RecordType, record: { data: Record<string, unknown> }): Record<string, unknown> {
    const catalogue = fieldCatalogue(type);
    const fields: Record<string, unknown> = {};
    for (const [pointer, code] of Object.entries(fieldMapping.fields[type]!)) {
      if (typeof code !== 'string' || fieldMapping.districtOnly.has(code)) continue;
      const value = readPointer(record, pointer);
      if (value === undefined) continue;
      const kind = catalogue.codes.get(code)!;
      if (fieldMapping.codeLists[code]) fields[code] = fieldMapping.codeLists[code][value as string];
      else if (kind.kind === 'date') fields[code] = (value as string).replaceAll('-', '/');
      else if (kind.kind === 'list') fields[code] = (value as string[]).join(';');
      else if (kind.kind === 'boolean') fields[code] = value ? '是' : '否';
      else if (kind.kind === 'identity' || (kind.kind === 'partyCode' && pointer.endsWith('idNumber'))) fields[code] = encrypt(value as string);
      else fields[code] = value;
    }
    if (type === 'breach') {
      const months = { 轻微: 3, 一般: 12, 严重: 36 }[record.data['severity'] as '轻微'];
      const [y, m, d] = String(record.data['decisionDate']).split('-').map(Number) as [number, number, number];
      const end = new Date(Date.UTC(y, m - 1 + months, d)).toISOString().slice(0, 10);
      const published = record.data['severity'] !== '轻微' || record.data['publicationRequested'] === true;
      fields['SX_SFGS'] = published ? '是' : '否';
      if (published) fields['CF_GSJZQ'] = String(record.data['publicationEndDate'] ?? end).replaceAll('-', '/');
    }
    return fields;
  }

  it.each(['commitment', 'breach', 'repair'] as const)('accepts every valid %s example as an UPSERT', async (type) => {
    const dir = `${EXAMPLES}${type}/valid/`;
    const files = readdirSync(dir).filter((f) => f.endsWith('.json') && !f.includes('needs-normalisation'));
    const parsed = files.map((f) => JSON.parse(readFileSync(`${dir}${f}`, 'utf8')) as { data: Record<string, unknown> });
    if (type === 'repair') {
      // the platform holds a repair's breach first (E106 otherwise): each repair's breach, from its facts on breach example 02
      const base = JSON.parse(readFileSync(`${EXAMPLES}breach/valid/02-general-fine-broken-food-licence-commitment.json`, 'utf8')) as {
        data: Record<string, unknown>;
      };
      const breaches = parsed.map(({ data: d }, i) => {
        const data = {
          ...base.data,
          party: d['party'],
          decisionNumber: d['breachDecisionNumber'],
          decisionDate: d['breachDecisionDate'],
          severity: d['severity'],
        };
        return upsert(`breach:s:for-repair-${i}:1:provincial`, toWire('breach', { data }));
      });
      const held = await upload(batch('CF', breaches));
      expect(held.body.results.filter((r: { status: string }) => r.status !== 'SUCCESS')).toEqual([]);
    }
    const records = parsed.map((record, i) => upsert(`${type}:s:${i}:1:provincial`, toWire(type, record)));
    const res = await upload(batch(DATA_TYPE[type], records));
    const failures = res.body.results
      .filter((r: { status: string }) => r.status !== 'SUCCESS')
      .map((r: { recordKey: string; message: string }) => `${files[Number(r.recordKey.split(':')[2])]}: ${r.message}`);
    expect(failures).toEqual([]);
    expect(res.body).toMatchObject({ total: files.length, success: files.length });
    expect(files.length).toBeGreaterThanOrEqual(5);
  });

  it('accepts every verification fixture as an UPSERT (schemas/examples has none of the type yet)', async () => {
    const cases = verificationCases().filter((r) => r['operation'] === 'upsert') as Array<{ recordId: string; data: Record<string, unknown> }>;
    const res = await upload(
      batch(
        'HC',
        cases.map((record, i) => upsert(`verification:s:${i}:1:provincial`, toWire('verification', record))),
      ),
    );
    expect(res.body.results.filter((r: { status: string }) => r.status !== 'SUCCESS')).toEqual([]);
    expect(res.body).toMatchObject({ total: cases.length, success: cases.length });
  });
});
