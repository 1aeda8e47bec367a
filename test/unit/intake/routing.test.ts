import { planRoutes } from '../../../functions/intake/routing.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { breach, commitment, repair } from '../../support/records.js';

const rec = (r: Record<string, unknown>) => r as unknown as CreditRecord;
const lanes = (plan: ReturnType<typeof planRoutes>) => plan.map((p) => `${p.destination}:${p.action}`);

describe('planRoutes', () => {
  it('sends a public commitment to the province, the city and the public column', () => {
    expect(lanes(planRoutes(rec(commitment()), { direction: 'outbound', routedBefore: [] }))).toEqual(['provincial:upsert', 'municipal:upsert', 'publicColumn:upsert']);
  });

  it('never sends a commitment that may not be made public to the public column', () => {
    for (const publicationType of ['特定范围内公开', '不可公开']) {
      expect(lanes(planRoutes(rec(commitment({}, { publicationType })), { direction: 'outbound', routedBefore: [] }))).toEqual(['provincial:upsert', 'municipal:upsert']);
    }
  });

  it('withdraws from the public column a commitment that stopped being public', () => {
    const plan = planRoutes(rec(commitment({ revision: 2 }, { publicationType: '不可公开' })), { direction: 'outbound', routedBefore: ['provincial', 'municipal', 'publicColumn'] });
    expect(lanes(plan)).toEqual(['provincial:upsert', 'municipal:upsert', 'publicColumn:withdraw']);
  });

  it('sends a withdraw everywhere the record went before, even where no route matches now', () => {
    const plan = planRoutes(rec(commitment({ operation: 'withdraw' }, { publicationType: '不可公开' })), { direction: 'outbound', routedBefore: ['provincial', 'publicColumn'] });
    expect(lanes(plan)).toEqual(['provincial:withdraw', 'municipal:withdraw', 'publicColumn:withdraw']);
  });

  it('keeps breaches out of the public column', () => {
    expect(lanes(planRoutes(rec(breach()), { direction: 'outbound', routedBefore: [] }))).toEqual(['provincial:upsert', 'municipal:upsert']);
  });

  it('routes inbound breaches from the province to the district only', () => {
    expect(lanes(planRoutes(rec(breach()), { direction: 'inbound', routedBefore: [] }))).toEqual(['district:upsert']);
  });

  it('sends a repair everywhere its breach went', () => {
    const plan = planRoutes(rec(repair()), { direction: 'outbound', routedBefore: [], breachRoutedTo: ['provincial', 'municipal', 'district'] });
    expect(lanes(plan)).toEqual(['provincial:upsert', 'municipal:upsert', 'district:upsert']);
  });
});
