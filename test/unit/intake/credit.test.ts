/**
 * What intake keeps of the credit state on the in-memory sync state (SQS mocked): the licensing-item
 * list and the commitments checked against it, the fulfilment deadline and its verification, each
 * record's contributions to credit profiles (once, whatever the order), and the flag on a
 * commitment from a subject that was not eligible on its commitment date.
 */
import { SQSClient, SendMessageBatchCommand } from '@aws-sdk/client-sqs';
import type { SQSRecord } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { processIntakeBatch, type IntakeDeps } from '../../../functions/intake/intake.js';
import { responsiblePersonOf } from '../../../functions/shared/credit/contributions.js';
import { subjectDigest, subjectOf } from '../../../functions/shared/records/subject.js';
import { inMemorySyncState, overriding, type InMemorySyncState } from '../../support/in-memory-sync-state.js';
import { breach, commitment, COMPANY_USCC, LICENSING_ITEM, licensingItem, repair, residentId, verification } from '../../support/records.js';

const sqsMock = mockClient(SQSClient);
const lanes = { provincial: 'q/provincial', municipal: 'q/municipal', publicColumn: 'q/public', district: 'q/district' };
const silent = { info: () => {}, warn: () => {}, error: () => {} };
const COMPANY = subjectDigest(subjectOf({ category: '法人及非法人组织', uscc: COMPANY_USCC })!);
const REP_ID = residentId('230103', '19800101', '123');
let state: InMemorySyncState;
let deps: IntakeDeps;
let serial = 0;

function message(record: Record<string, unknown>, messageId = `m-${++serial}`): SQSRecord {
  return { messageId, body: JSON.stringify(record), messageAttributes: {}, attributes: { SentTimestamp: '1772413200000' } } as unknown as SQSRecord;
}
const run = async (...records: Array<Record<string, unknown>>) =>
  processIntakeBatch(
    records.map((r) => message(r)),
    deps,
  );
const outcomes = async (...records: Array<Record<string, unknown>>) => [...(await run(...records)).outcomes.values()];
const party = {
  name: '哈尔滨新区松北餐饮管理有限公司',
  category: '法人及非法人组织',
  uscc: COMPANY_USCC,
  legalRepresentative: '王建国',
  legalRepIdType: '身份证',
  legalRepIdNumber: REP_ID,
};
/** A 严重 breach of the fixture company pulled from the provincial feed. */
const provincialBreach = (over: Record<string, unknown> = {}) =>
  breach(
    { recordId: 'HLJ-SX-1', source: 'hlj-credit-platform', ...over },
    { party, severity: '严重', blackPoints: undefined, decisionDate: '2025-01-10', brokenCommitmentCode: undefined, decisionNumber: '黑市监罚〔2026〕7号' },
  );

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).resolves({ Successful: [], Failed: [] });
  state = inMemorySyncState();
  deps = {
    state,
    sqs: new SQSClient({ region: 'us-east-1' }),
    logger: silent,
    config: { tableName: 'state', laneQueueUrls: lanes },
    today: () => '2026-06-10',
    now: () => new Date('2026-06-10T01:00:00.000Z'),
  };
});

describe('the licensing-item list', () => {
  it("reads an item once per batch however many of the batch's commitments name it", async () => {
    expect(await outcomes(licensingItem())).toEqual(['routed']);
    let reads = 0;
    deps = {
      ...deps,
      state: overriding(state, {
        getLicensingItem: (code: string) => {
          reads++;
          return state.getLicensingItem(code);
        },
      }),
    };
    expect(await outcomes(...['C-A', 'C-B', 'C-C'].map((recordId, i) => commitment({ recordId }, { commitmentCode: `2301092026030200012${i}` })))).toEqual([
      'routed',
      'routed',
      'routed',
    ]);
    expect(reads).toBe(1);
    // a licensingItem record itself is checked against the list as it stands, not a batch's copy
    expect(await outcomes(licensingItem({ recordId: 'OTHER' }), commitment({ recordId: 'C-D' }, { commitmentCode: '23010920260302000129' }))).toEqual([
      'quarantined',
      'routed',
    ]);
    expect(reads).toBe(3);
  });

  it('refuses a commitment whose item is not on the list, and accepts it once the list holds it', async () => {
    expect(await outcomes(commitment({ recordId: 'C-1' }))).toEqual(['quarantined']);
    const [entry] = await state.listQuarantine('2026-03-02');
    expect(entry?.errors).toEqual([
      expect.objectContaining({
        path: '/data/licensingItem/itemCode',
        rule: 'licensingItem',
        message: expect.stringContaining('not on the licensing-item list'),
      }),
    ]);
    expect(await outcomes(licensingItem())).toEqual(['routed']);
    expect(await state.getLicensingItem(LICENSING_ITEM.itemCode)).toEqual(expect.objectContaining({ commitmentTimeLimitDays: 90, operation: 'upsert' }));
    expect(await outcomes(commitment({ recordId: 'C-1' }))).toEqual(['routed']);
    expect((await state.getLatestRecord({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'C-1' }))?.record.data['fulfilmentDeadline']).toBe(
      '2026-05-31',
    );
  });

  it('refuses a type the item does not allow and an item taken off the list', async () => {
    await run(licensingItem({}, { allowedCommitmentTypes: ['容缺受理型'] }));
    expect(await outcomes(commitment({ recordId: 'C-2' }))).toEqual(['quarantined']);
    await run(licensingItem({ revision: 2, operation: 'withdraw' }));
    expect(await outcomes(commitment({ recordId: 'C-3' }, { commitmentType: '容缺受理型' }))).toEqual(['quarantined']);
    const rules = (await state.listQuarantine('2026-03-02')).map((e) => e.errors.map((x) => `${x.path} ${x.rule}`));
    expect(rules.sort()).toEqual([['/data/commitmentType licensingItem'], ['/data/licensingItem/itemCode licensingItem']]);
  });

  it('keeps one record per item code', async () => {
    await run(licensingItem());
    expect(await outcomes(licensingItem({ recordId: 'ANOTHER-RECORD' }))).toEqual(['quarantined']);
    const [entry] = await state.listQuarantine('2026-03-02');
    expect(entry?.errors.map((e) => e.rule)).toEqual(['itemCodeTaken']);
  });
});

describe('deadlines and verifications', () => {
  it('a commitment is overdue after its deadline until a verification counts; a withdrawn verification reopens it', async () => {
    await run(licensingItem());
    await run(commitment({ recordId: 'C-1' }));
    expect(await state.listOverdueCommitments('2026-05-31')).toEqual([]);
    expect(await state.listOverdueCommitments('2026-06-01')).toEqual([
      expect.objectContaining({
        commitmentCode: '23010920260302000123',
        deadline: '2026-05-31',
        department: LICENSING_ITEM.department,
        itemCode: LICENSING_ITEM.itemCode,
      }),
    ]);
    await run(verification());
    expect(await state.countOverdueCommitments('2026-06-10')).toBe(0);
    await run(verification({ revision: 2, operation: 'withdraw' }));
    expect(await state.countOverdueCommitments('2026-06-10')).toBe(1);
  });

  it('a verification that came before its commitment still counts', async () => {
    await run(licensingItem());
    await run(verification());
    await run(commitment({ recordId: 'C-1' }));
    expect(await state.countOverdueCommitments('2026-06-10')).toBe(0);
  });
});

describe('credit profiles', () => {
  it('a breach counts once for its subject and its legal representative, whatever comes twice or late', async () => {
    await run(provincialBreach({ revision: 2 }));
    await run(provincialBreach({ revision: 2 }), provincialBreach({ revision: 1 }));
    const company = await state.getCreditContributions(COMPANY);
    expect(company).toEqual([
      expect.objectContaining({ revision: 2, role: 'subject', origin: 'province', fact: expect.objectContaining({ blackPoints: 20 }) }),
    ]);
    const person = await state.getCreditContributions(responsiblePersonOf(party)!);
    expect(person).toEqual([expect.objectContaining({ role: 'responsiblePerson', company: { uscc: COMPANY_USCC, name: party.name } })]);
    expect(JSON.stringify([...company, ...person])).not.toContain(REP_ID);
  });

  it('flags, and does not refuse, a commitment from a subject not eligible on its commitment date', async () => {
    await run(licensingItem(), provincialBreach());
    // (the item and the breach may share a batch: neither needs the other)
    const late = commitment({ recordId: 'C-LATE' }, { party, commitmentDate: '2026-03-02' });
    const result = await run(late);
    expect([...result.outcomes.values()]).toEqual(['routed']);
    expect(result.flaggedCommitments).toBe(1);
    const { events } = await state.readRecordState({ recordType: 'commitment', source: 'hrbxq-approval', recordId: 'C-LATE' });
    expect(events.find((e) => e.type === 'accepted')?.detail).toEqual(
      expect.objectContaining({ ineligibleOnCommitmentDate: { rules: ['seriousBreach'], records: ['breach/hlj-credit-platform/HLJ-SX-1'] } }),
    );
    // the same commitment again is a duplicate: flagged once
    expect((await run(late)).flaggedCommitments).toBe(0);
  });

  it('never flags a credit-repair commitment: it is the way out of the breach, not a licence', async () => {
    await run(provincialBreach());
    const repairCommitment = commitment(
      { recordId: 'C-XF', source: 'hrb-credit-repair' },
      { party, commitmentType: '信用修复型', commitmentCode: '23010920260302000777' },
    );
    const result = await run(repairCommitment);
    expect([[...result.outcomes.values()], result.flaggedCommitments]).toEqual([['routed'], 0]);
  });

  it('does not flag a commitment made before the breach was decided, nor after its repair', async () => {
    await run(licensingItem(), provincialBreach());
    const before = commitment(
      { recordId: 'C-EARLY' },
      { party, commitmentDate: '2025-01-09', commitmentCode: '23010920250109000001', validFrom: '2025-01-09' },
    );
    expect((await run(before)).flaggedCommitments).toBe(0);
    const repaired = await run(
      repair(
        { recordId: 'XF-1' },
        {
          party,
          breachRecordId: 'HLJ-SX-1',
          breachSource: 'hlj-credit-platform',
          breachDecisionNumber: '黑市监罚〔2026〕7号',
          breachDecisionDate: '2025-01-10',
          severity: '严重',
          minDisclosureEndDate: '2026-01-10',
          maxDisclosureEndDate: '2028-01-10',
          applicationDate: '2026-02-01',
          decisionDate: '2026-03-01',
        },
      ),
    );
    expect([...repaired.outcomes.values()]).toEqual(['routed']);
    expect((await run(commitment({ recordId: 'C-AFTER' }, { party, commitmentDate: '2026-03-02' }))).flaggedCommitments).toBe(0);
  });
});
