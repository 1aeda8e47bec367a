/**
 * What a record legally is, end to end over the running local runtime (the servers, pollers,
 * handlers and simulators `npm start` runs), pushed as the upstreams push (signed, through the
 * ingest API): a decision not to punish reaches no platform; a 轻微 breach is shared and not
 * published; a publication past its last day ends by itself; no repair reaches a platform before
 * its breach — whether the breach is unknown, in flight, or held up by an endpoint outage — and a
 * repair whose breach never comes ends in the lane's DLQ with the reason.
 */
import { channelFor } from '../../local/demo/dataset.js';
import { LocalCalendar } from '../../local/runtime/calendar.js';
import { startRuntime, type Runtime } from '../../local/runtime/runtime.js';
import type { RecordType } from '../../functions/shared/records/types.js';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { waitFor } from '../cli/runtime-harness.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { encodeGbk } from '../support/gbk.js';
import { breach, commitment, COMPANY_USCC, licensingItem, nonPenalty, repair } from '../support/records.js';
import { fasterTopology, observeEndpoints, recordPusher, repairsBeforeBreaches, targetOf, type Applied } from './support.js';

const DAY = '2026-11-28';
const TEST_TIMEOUT_MS = 600_000;

let runtime: Runtime;
let calendar: LocalCalendar;
let applied: Applied[];
const { submitted, push, settled } = recordPusher(() => runtime);

const ref = (recordType: RecordType, recordId: string, source = recordType === 'repair' ? 'hrb-credit-repair' : 'hrbxq-enforcement') => ({
  recordType,
  source,
  recordId,
});
const stateAt = async (recordType: RecordType, recordId: string, destination: DestinationId) =>
  (await runtime.state.readRecordState(ref(recordType, recordId))).destinations.find((d) => d.destination === destination);
/** A simulator's records (breaches: CF / breach) with this decision number. */
const held = (destination: DestinationId, decisionNumber: string) =>
  runtime.simulators.simulators[destination].store.list().filter((r) => JSON.stringify(r.content ?? {}).includes(decisionNumber));
const published = (destination: DestinationId, decisionNumber: string) =>
  runtime.simulators.simulators[destination].store.published().filter((r) => JSON.stringify(r.content ?? {}).includes(decisionNumber));

beforeAll(async () => {
  calendar = new LocalCalendar(DAY);
  // a waiting repair looks again every second (and is sent on the moment its breach is delivered)
  runtime = await startRuntime({
    topology: fasterTopology(10),
    timeScale: 0.05,
    calendar,
    pullIntervalSeconds: 1,
    sweepIntervalSeconds: 1,
    repairWaitSeconds: 2,
    logLevel: 'SILENT',
  });
  applied = observeEndpoints(runtime.simulators);
  // the licensing-item list holds the commitment fixture's item (pushed as the approval system pushes it)
  await push(licensingItem());
});

afterAll(async () => {
  await runtime?.stop();
});

describe('what a record legally is, over the running local runtime', () => {
  it(
    'keeps a first-offence exemption and sends it to no platform; refuses one sent as a breach',
    async () => {
      const exemption = nonPenalty({ recordId: 'E2E-NP-1' }, { decisionNumber: '哈新市监不罚〔2026〕91号' });
      const disguised = breach(
        { recordId: 'E2E-BF-1' },
        {
          decisionNumber: '哈新市监不罚〔2026〕92号',
          penaltyCategories: ['其他'],
          fineAmount: undefined,
          penaltyContent: '首违不罚：依法不予行政处罚。',
          brokenCommitmentCode: undefined,
        },
      );
      await push(exemption, disguised);
      await settled();
      const result = await runtime.reconcile(submitted);
      expect(result.notShared).toEqual({ nonPenalty: 1, licensingItem: 1 });
      expect(result.submissions?.quarantined).toBe(1);
      for (const d of DESTINATION_IDS)
        expect({ destination: d, held: [...held(d, '不罚〔2026〕91号'), ...held(d, '不罚〔2026〕92号')] }).toEqual({ destination: d, held: [] });
      expect(runtime.simulators.simulators.provincial.store.requests.filter((r) => r.method !== 'GET')).toEqual([]); // the feed's pulls aside
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'carries supplementary-plane names (𠮷, 𠀀), pushed as GB18030 four-byte sequences, byte for byte to every destination',
    async () => {
      const name = '𠮷𠀀\u{2A6D6}餐饮管理有限公司';
      const records = [
        commitment({ recordId: 'E2E-CJK-C1' }, { party: { name, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王𠮷' } }),
        breach(
          { recordId: 'E2E-CJK-B1' },
          {
            decisionNumber: '哈新市监罚〔2026〕931号',
            brokenCommitmentCode: undefined,
            party: { name, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王𠮷' },
          },
        ),
      ];
      // the district takes inbound records only: a breach on the provincial feed, pulled
      await push(
        breach(
          { recordId: 'E2E-CJK-F1', source: 'hlj-credit-platform' },
          {
            decisionNumber: '黑市监处罚〔2026〕931号',
            brokenCommitmentCode: undefined,
            blackPoints: undefined,
            party: { name, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王𠮷' },
          },
        ),
      );
      for (const record of records) {
        const credentials = targetOf(runtime).upstreamCredentials[channelFor(String(record['recordType']), String(record['source'])).upstreamId!]!;
        const body = encodeGbk(JSON.stringify(record));
        expect(body.includes(Buffer.from([0x95, 0x32, 0x82, 0x36]))).toBe(true); // 𠀀 in GB18030's four bytes
        const headers = signRequest({ method: 'POST', path: '/v1/records', body, credentials, algorithm: 'HMAC-SHA256' });
        const response = await fetch(`${targetOf(runtime).ingestUrl}/v1/records`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json; charset=gb18030' },
          body,
        });
        expect([response.status, await response.text()]).toEqual([200, expect.stringContaining('"accepted":1')]);
        submitted.push({ seq: submitted.length + 1, channel: 'ingest', body: JSON.stringify(record), record, expect: 'accepted' });
      }
      await settled();
      const hex = (text: string) => Buffer.from(text, 'utf8').toString('hex');
      const namesAt = (destination: DestinationId) =>
        runtime.simulators.simulators[destination].store
          .list()
          .flatMap((r) => Object.values((r.content ?? {}) as Record<string, unknown>))
          .filter((value): value is string => typeof value === 'string' && value.includes('餐饮管理有限公司') && /[\u{20000}-\u{2FFFF}]/u.test(value))
          .map(hex);
      for (const d of DESTINATION_IDS) expect({ destination: d, names: [...new Set(namesAt(d))] }).toEqual({ destination: d, names: [hex(name)] });
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'shares a 轻微 breach without publishing it, and publishes a 一般 one',
    async () => {
      await push(
        breach({ recordId: 'E2E-M-1' }, { severity: '轻微', decisionNumber: '哈新市监罚〔2026〕901号', brokenCommitmentCode: undefined }),
        breach({ recordId: 'E2E-G-1' }, { decisionNumber: '哈新市监罚〔2026〕902号', brokenCommitmentCode: undefined }),
      );
      await settled();
      for (const d of ['provincial', 'municipal'] as const) {
        expect(held(d, '〔2026〕901号').map((r) => r.operation)).toEqual(['upsert']);
        expect(published(d, '〔2026〕901号')).toEqual([]);
        expect(published(d, '〔2026〕902号')).toHaveLength(1);
      }
      expect(held('publicColumn', '〔2026〕901号')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'ends a publication past its last day by itself: the next day the sweep takes it off both websites, the record stays shared',
    async () => {
      await push(
        breach(
          { recordId: 'E2E-P-1' },
          {
            severity: '轻微',
            publicationRequested: true,
            decisionDate: '2026-10-01',
            publicationEndDate: DAY,
            decisionNumber: '哈新市监罚〔2026〕903号',
            brokenCommitmentCode: undefined,
          },
        ),
      );
      await settled();
      for (const d of ['provincial', 'municipal'] as const) expect(published(d, '〔2026〕903号')).toHaveLength(1);

      // nobody pushes anything: the day passes, and the sweep's timer does the rest
      calendar.advance();
      await waitFor(
        'the publication off both websites',
        async () => (['provincial', 'municipal'].every((d) => published(d as DestinationId, '〔2026〕903号').length === 0) ? true : undefined),
        180_000,
      );
      for (const d of ['provincial', 'municipal'] as const)
        expect(held(d, '〔2026〕903号').map((r) => [r.operation, r.unpublishedAt !== undefined])).toEqual([['upsert', true]]);
      const history = (await runtime.state.readRecordState(ref('breach', 'E2E-P-1'))).events;
      expect(history.filter((e) => e.type === 'publicationExpired')).toEqual([
        expect.objectContaining({ detail: { until: DAY, destinations: ['municipal', 'provincial'] } }),
      ]);
      await settled();
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'never lets a platform take a repair before its breach: breach unknown, in flight, or held up by an outage',
    async () => {
      const pair = (k: string) => ({
        breach: breach({ recordId: `E2E-B${k}` }, { decisionNumber: `哈新市监罚〔2026〕91${k.charCodeAt(0)}号`, brokenCommitmentCode: undefined }),
        repair: repair({ recordId: `E2E-R${k}` }, { breachRecordId: `E2E-B${k}`, breachDecisionNumber: `哈新市监罚〔2026〕91${k.charCodeAt(0)}号` }),
      });
      const [a, b, c] = [pair('A'), pair('B'), pair('C')];

      // A: the repair arrives first; the exchange has not heard of its breach
      await push(a.repair);
      await waitFor('repair A waiting at both platforms', async () =>
        (await Promise.all((['provincial', 'municipal'] as const).map((d) => stateAt('repair', 'E2E-RA', d)))).every((s) => s?.status === 'waiting')
          ? true
          : undefined,
      );
      await push(a.breach);

      // B: the repair a moment before its breach, both in flight together
      await push(b.repair, b.breach);

      // C: the breach is held up by the municipal platform's outage; the repair comes meanwhile
      const municipal = runtime.simulators.simulators.municipal;
      municipal.setFaults({ outage: true });
      await push(c.breach);
      await waitFor('breach C failing at the municipal platform', async () =>
        (await stateAt('breach', 'E2E-BC', 'municipal'))?.status === 'failed' ? true : undefined,
      );
      await push(c.repair);
      await waitFor('repair C delivered at the province and waiting at the city', async () => {
        const [province, city] = await Promise.all([stateAt('repair', 'E2E-RC', 'provincial'), stateAt('repair', 'E2E-RC', 'municipal')]);
        return province?.status === 'delivered' && city?.status === 'waiting' ? true : undefined;
      });
      municipal.setFaults({});

      const links = ['A', 'B', 'C'].map((k) => ({ repairId: `E2E-R${k}`, breachId: `E2E-B${k}` }));
      // every repair follows its breach: woken by the breach's delivery, or by its own next look
      const undelivered = async () => {
        const states = await Promise.all(
          (['provincial', 'municipal'] as const).flatMap((d) =>
            links.map(async ({ repairId }) => ({ repairId, d, status: (await stateAt('repair', repairId, d))?.status })),
          ),
        );
        return states.filter((s) => s.status !== 'delivered');
      };
      await waitFor('every repair delivered at both platforms', async () => ((await undelivered()).length === 0 ? true : undefined), 360_000).catch(
        async (err: unknown) => {
          throw new Error(`${String(err)}: ${JSON.stringify(await undelivered())}`);
        },
      );
      await settled();
      expect(repairsBeforeBreaches(applied, links)).toEqual([]);
      // the platforms never had to refuse a repair for want of its breach
      expect(municipal.store.requests.filter((r) => r.code === 'BREACH_NOT_FOUND')).toEqual([]);
      const history = (await runtime.state.readRecordState(ref('repair', 'E2E-RC'))).events;
      expect(history.filter((e) => e.type === 'waiting').map((e) => (e['detail'] as { destination: string }).destination)).toContain('municipal');
    },
    TEST_TIMEOUT_MS,
  );

  it(
    "puts a repair whose breach never comes in the lane's DLQ, with the reason",
    async () => {
      await push(repair({ recordId: 'E2E-RN' }, { breachRecordId: 'E2E-BN-NEVER' }));
      const result = await waitFor('the repair in the provincial DLQ', async () => {
        const r = await runtime.reconcile(submitted);
        return r.destinations['provincial']!.inDlq >= 1 ? r : undefined;
      });
      expect(result.destinations['provincial']).toMatchObject({ inDlq: 1, pending: 0 });
      expect(await stateAt('repair', 'E2E-RN', 'provincial')).toMatchObject({
        status: 'waiting',
        lastError: 'waiting for its breach hrbxq-enforcement/E2E-BN-NEVER: the exchange has not received it yet',
      });
      expect(held('provincial', 'E2E-BN-NEVER')).toEqual([]);
    },
    TEST_TIMEOUT_MS,
  );
});
