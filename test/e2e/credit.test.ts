/**
 * The reform's loop over the running local runtime (the servers, pollers, handlers and simulators
 * `npm start` runs), records pushed as their upstreams push them and the credit check asked as an
 * approval system asks it (signed, over HTTP): a breach the provincial platform publishes on its
 * feed makes its subject notEligible within a pull cycle; a commitment the subject makes then is
 * flagged; the breach's repair makes it eligible again and takes its points back; a duplicate or an
 * out-of-order revision never counts twice; an upstream without the creditCheck permission is
 * refused; every check is in the check log.
 */
import type { CreditAnswer } from '../../functions/shared/credit/check.js';
import { subjectDigest, subjectOf } from '../../functions/shared/records/subject.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { LocalCalendar } from '../../local/runtime/calendar.js';
import { startRuntime, type Runtime } from '../../local/runtime/runtime.js';
import { waitFor } from '../cli/runtime-harness.js';
import { ACCEPTING_UNIT_USCC, breach, commitment, licensingItem, repair, residentId, uscc } from '../support/records.js';
import { fasterTopology, recordPusher, targetOf } from './support.js';

const DAY = '2026-11-28';
const TEST_TIMEOUT_MS = 600_000;
const COMPANY = uscc('91230109MA1CRD01');
const REP_ID = residentId('230103', '19790214', '357');
const party = {
  name: '哈尔滨新区信查测试有限公司',
  category: '法人及非法人组织',
  uscc: COMPANY,
  legalRepresentative: '李明',
  legalRepIdType: '身份证',
  legalRepIdNumber: REP_ID,
};

let runtime: Runtime;
const { push, settled } = recordPusher(() => runtime);
/** The checks this file had answered (200), and the month they started in (the log is partitioned by month). */
const answeredIds: string[] = [];
const startedMonth = new Date().toISOString().slice(0, 7);

/** Asks the credit check as `upstreamId` (signed like every ingest request): the status and the answer. */
async function check(
  code: string,
  upstreamId = 'hrbxq-approval-system',
  idType?: string,
): Promise<{ status: number; body: CreditAnswer & { checkId: string } }> {
  const target = targetOf(runtime);
  const query = idType === undefined ? '' : `?idType=${encodeURIComponent(idType)}`;
  const path = `/v1/subjects/${encodeURIComponent(code)}/credit${query}`;
  const headers = signRequest({ method: 'GET', path, body: Buffer.alloc(0), credentials: target.upstreamCredentials[upstreamId]!, algorithm: 'HMAC-SHA256' });
  const response = await fetch(`${target.ingestUrl}${path}`, { headers });
  const body = (await response.json()) as CreditAnswer & { checkId: string };
  if (response.status === 200) answeredIds.push(body.checkId);
  return { status: response.status, body };
}

/** The 严重 breach the provincial platform puts on its feed (no black points: the district assigns them). */
const provincialBreach = (revision: number, remarks: string) =>
  breach(
    { recordId: 'HLJ-E2E-SX-1', source: 'hlj-credit-platform', revision, occurredAt: `2025-06-0${revision}T10:00:00+08:00` },
    {
      party,
      severity: '严重',
      decisionDate: '2025-06-01',
      decisionNumber: '黑市监罚〔2025〕61号',
      authority: '黑龙江省市场监督管理局',
      brokenCommitmentCode: undefined,
      blackPoints: undefined,
      remarks,
    },
  );

beforeAll(async () => {
  runtime = await startRuntime({ topology: fasterTopology(10), timeScale: 0.05, calendar: new LocalCalendar(DAY), pullIntervalSeconds: 1, logLevel: 'SILENT' });
  // the list first, as the approval system pushes it
  await push(licensingItem());
  await settled();
});

afterAll(async () => {
  await runtime?.stop();
});

describe('the credit check over the running local runtime', () => {
  it(
    'a provincial breach makes its subject notEligible within a pull cycle; a commitment made then is flagged; the repair makes it eligible again',
    async () => {
      expect(await check(COMPANY)).toEqual({
        status: 200,
        body: expect.objectContaining({ eligibility: 'eligible', reasons: [], points: expect.objectContaining({ black: 0 }) }),
      });

      await push(provincialBreach(1, '省平台推送'));
      const refused = await waitFor(
        'the subject notEligible',
        async () => {
          const answer = await check(COMPANY);
          return answer.body.eligibility === 'notEligible' ? answer.body : undefined;
        },
        120_000,
      );
      expect(refused.reasons).toContainEqual(
        expect.objectContaining({
          rule: 'seriousBreach',
          origin: 'province',
          until: 'repaired',
          repairableFrom: '2026-06-02',
          record: { recordType: 'breach', source: 'hlj-credit-platform', recordId: 'HLJ-E2E-SX-1' },
        }),
      );
      expect(refused.points).toEqual(expect.objectContaining({ black: 20 }));
      expect(refused.counts.openBreaches.byOrigin).toEqual({ district: 0, province: 1 });
      await settled();

      // a newer revision, then the older one again and a copy of the newer: counted once
      await push(provincialBreach(2, '省平台更正备注'), provincialBreach(1, '省平台推送'), provincialBreach(2, '省平台更正备注'));
      await settled();
      const again = (await check(COMPANY)).body;
      expect([again.eligibility, again.points.black, again.counts.openBreaches.byTier['严重']]).toEqual(['notEligible', 20, 1]);
      const digest = subjectDigest(subjectOf(party)!);
      expect((await runtime.state.getCreditContributions(digest)).map((c) => [c.ref.recordId, c.revision, c.role])).toEqual([['HLJ-E2E-SX-1', 2, 'subject']]);

      // the legal representative carries the company's points
      const person = (await check(REP_ID, 'hrbxq-approval-system', '身份证')).body;
      expect(person.points.black).toBe(20);
      expect(person.asResponsiblePerson).toEqual([{ company: { uscc: COMPANY, name: party.name }, blackPoints: 20, openBreaches: 1 }]);
      expect(JSON.stringify(person)).not.toContain(REP_ID);

      // a commitment the subject makes now is accepted, and flagged for inspectors
      await push(commitment({ recordId: 'E2E-CN-FLAG' }, { party, commitmentCode: '23010920261128000901', commitmentDate: DAY, validFrom: DAY }));
      await settled();
      const accepted = (await runtime.state.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'E2E-CN-FLAG' })).events.find(
        (e) => e.type === 'accepted',
      );
      expect(accepted?.detail).toEqual(
        expect.objectContaining({ ineligibleOnCommitmentDate: { rules: ['seriousBreach'], records: ['breach/hlj-credit-platform/HLJ-E2E-SX-1'] } }),
      );

      // the deciding authority repairs it (谁认定、谁修复): eligible again, the points taken back
      await push(
        repair(
          { recordId: 'E2E-XF-1' },
          {
            party,
            breachRecordId: 'HLJ-E2E-SX-1',
            breachSource: 'hlj-credit-platform',
            breachDecisionNumber: '黑市监罚〔2025〕61号',
            breachDecisionDate: '2025-06-01',
            severity: '严重',
            minDisclosureEndDate: '2026-06-01',
            maxDisclosureEndDate: '2028-06-01',
            applicationDate: '2026-10-08',
            handlingUnit: '黑龙江省市场监督管理局',
            handlingUnitUscc: ACCEPTING_UNIT_USCC,
            decisionDate: '2026-11-20',
          },
        ),
      );
      await settled();
      const repaired = (await check(COMPANY)).body;
      expect([repaired.eligibility, repaired.points.black, repaired.counts.repairedBreaches]).toEqual(['eligible', 0, 1]);
    },
    TEST_TIMEOUT_MS,
  );

  it(
    'refuses an upstream without the creditCheck permission, and logs every check it answered',
    async () => {
      const refused = await check(COMPANY, 'hrbxq-enforcement-system');
      expect(refused.status).toBe(403);
      const answered = await check(COMPANY);
      expect(answered.status).toBe(200);
      const months = [...new Set([startedMonth, new Date().toISOString().slice(0, 7)])];
      const log = (await Promise.all(months.map((m) => runtime.state.listCreditChecks(m)))).flat();
      // every check this file had answered is logged, newest first, and nothing else (a refused one is no check)
      expect(log.map((entry) => entry.id).sort()).toEqual([...answeredIds].sort());
      expect(log.map((entry) => entry.at)).toEqual(
        log
          .map((entry) => entry.at)
          .sort()
          .reverse(),
      );
      expect(log[0]).toEqual(
        expect.objectContaining({
          id: answered.body.checkId,
          upstream: 'hrbxq-approval-system',
          eligibility: 'eligible',
          subject: expect.objectContaining({ code: COMPANY }),
        }),
      );
      expect(log.every((entry) => entry.upstream === 'hrbxq-approval-system')).toBe(true);
      expect(JSON.stringify(log)).not.toContain(REP_ID);
    },
    TEST_TIMEOUT_MS,
  );
});
