import { planRoutes } from '../../../functions/intake/routing.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { breach, commitment, nonPenalty, repair, verification } from '../../support/records.js';

const TODAY = '2026-11-28';

const rec = (r: Record<string, unknown>) => r as unknown as CreditRecord;
const lanes = (plan: ReturnType<typeof planRoutes>) => plan.map((p) => `${p.destination}:${p.action}`);

describe('planRoutes', () => {
  it('sends a public commitment to the province, the city and the public column', () => {
    expect(lanes(planRoutes(rec(commitment()), { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual([
      'provincial:upsert',
      'municipal:upsert',
      'publicColumn:upsert',
    ]);
  });

  it('never sends a commitment that may not be made public to the public column', () => {
    for (const publicationType of ['特定范围内公开', '不可公开']) {
      expect(lanes(planRoutes(rec(commitment({}, { publicationType })), { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual([
        'provincial:upsert',
        'municipal:upsert',
      ]);
    }
  });

  it('withdraws from the public column a commitment that stopped being public', () => {
    const plan = planRoutes(rec(commitment({ revision: 2 }, { publicationType: '不可公开' })), {
      direction: 'outbound',
      routedBefore: ['provincial', 'municipal', 'publicColumn'],
      today: TODAY,
    });
    expect(lanes(plan)).toEqual(['provincial:upsert', 'municipal:upsert', 'publicColumn:withdraw']);
  });

  it('sends a withdraw everywhere the record went before, even where no route matches now', () => {
    const plan = planRoutes(rec(commitment({ operation: 'withdraw' }, { publicationType: '不可公开' })), {
      direction: 'outbound',
      routedBefore: ['provincial', 'publicColumn'],
      today: TODAY,
    });
    expect(lanes(plan)).toEqual(['provincial:withdraw', 'municipal:withdraw', 'publicColumn:withdraw']);
  });

  it('keeps breaches out of the public column', () => {
    expect(lanes(planRoutes(rec(breach()), { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual(['provincial:upsert', 'municipal:upsert']);
  });

  it('shares a verification with the province and the city like its commitment, never with the public column', () => {
    expect(lanes(planRoutes(rec(verification()), { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual([
      'provincial:upsert',
      'municipal:upsert',
    ]);
    expect(
      lanes(
        planRoutes(rec(verification({ operation: 'withdraw', revision: 2 })), {
          direction: 'outbound',
          routedBefore: ['provincial', 'municipal'],
          today: TODAY,
        }),
      ),
    ).toEqual(['provincial:withdraw', 'municipal:withdraw']);
  });

  it('routes inbound breaches from the province to the district only', () => {
    expect(lanes(planRoutes(rec(breach()), { direction: 'inbound', routedBefore: [], today: TODAY }))).toEqual(['district:upsert']);
  });

  it('takes off the public column a commitment no longer in force (a cancelled licence, its validity over), and keeps sharing it', () => {
    const licence = {
      documentNumber: '哈新审批许〔2026〕1号',
      category: '普通',
      decisionDate: '2026-03-02',
      validFrom: '2026-03-02',
      validTo: '2031-03-01',
      authority: '哈尔滨新区管理委员会行政审批局',
      authorityUscc: '11230109MB1F2856XL',
    };
    const cancelled = rec(commitment({ revision: 2 }, { licence: { ...licence, status: '注销' } }));
    const before = ['provincial', 'municipal', 'publicColumn'] as const;
    expect(lanes(planRoutes(cancelled, { direction: 'outbound', routedBefore: [...before], today: TODAY }))).toEqual([
      'provincial:upsert',
      'municipal:upsert',
      'publicColumn:withdraw',
    ]);
    const expired = rec(commitment({}, { validTo: '2026-11-27' }));
    expect(lanes(planRoutes(expired, { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual(['provincial:upsert', 'municipal:upsert']);
    expect(lanes(planRoutes(rec(commitment({}, { validTo: TODAY })), { direction: 'outbound', routedBefore: [], today: TODAY }))).toEqual([
      'provincial:upsert',
      'municipal:upsert',
      'publicColumn:upsert',
    ]);
  });

  it('sends a non-penalty decision nowhere: kept, never shared', () => {
    expect(planRoutes(rec(nonPenalty()), { direction: 'outbound', routedBefore: [], today: TODAY })).toEqual([]);
    expect(planRoutes(rec(nonPenalty()), { direction: 'inbound', routedBefore: [], today: TODAY })).toEqual([]);
  });

  it('sends a repair everywhere its breach went', () => {
    const plan = planRoutes(rec(repair()), { direction: 'outbound', routedBefore: [], breachRoutedTo: ['provincial', 'municipal', 'district'], today: TODAY });
    expect(lanes(plan)).toEqual(['provincial:upsert', 'municipal:upsert', 'district:upsert']);
  });
});
