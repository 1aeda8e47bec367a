import { checkAgainstList, withDeadline } from '../../../functions/shared/credit/licensing.js';
import type { LicensingItemEntry } from '../../../functions/shared/credit/types.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { commitment } from '../../support/records.js';

const ITEM: LicensingItemEntry = {
  itemCode: 'XK230109001',
  ref: { recordType: 'licensingItem', source: 'hrbxq-approval', recordId: 'XK230109001' },
  revision: 1,
  operation: 'upsert',
  itemName: '食品经营许可',
  department: '哈尔滨新区市场监督管理局',
  departmentUscc: '11230100MB0123456X',
  commitmentTimeLimitDays: 90,
  allowedCommitmentTypes: ['审批替代型'],
  validFrom: '2021-01-01',
  validTo: '2099-12-31',
};
const named = (data: Record<string, unknown> = {}, over: Record<string, unknown> = {}) =>
  commitment(over, {
    licensingItem: { itemCode: 'XK230109001', itemName: '食品经营许可', department: '哈尔滨新区市场监督管理局' },
    ...data,
  }) as unknown as CreditRecord;

describe('a commitment against the licensing-item list', () => {
  it('passes for an item in force that allows its type, with the deadline from the time limit', () => {
    expect(checkAgainstList(named(), ITEM)).toEqual({ issues: [], deadline: '2026-05-31', warnings: [] });
    expect(withDeadline(named(), '2026-05-31').data['fulfilmentDeadline']).toBe('2026-05-31');
  });

  it('refuses an item not on the list, withdrawn, not in force, or not allowing the type', () => {
    const rules = (item: LicensingItemEntry | undefined, data: Record<string, unknown> = {}) =>
      checkAgainstList(named(data), item).issues.map((i) => [i.path, i.rule]);
    expect(rules(undefined)).toEqual([['/data/licensingItem/itemCode', 'licensingItem']]);
    expect(rules({ ...ITEM, operation: 'withdraw' })).toEqual([['/data/licensingItem/itemCode', 'licensingItem']]);
    expect(rules({ ...ITEM, validFrom: '2026-03-03' })).toEqual([['/data/licensingItem/itemCode', 'licensingItem']]);
    expect(rules({ ...ITEM, validTo: '2026-03-01' })).toEqual([['/data/licensingItem/itemCode', 'licensingItem']]);
    expect(rules(ITEM, { commitmentType: '容缺受理型' })).toEqual([['/data/commitmentType', 'licensingItem']]);
    expect(rules(ITEM, { fulfilmentDeadline: '2026-06-01' })).toEqual([['/data/fulfilmentDeadline', 'licensingItem']]);
  });

  it('keeps an earlier deadline the source sent, and warns of a name or department spelled otherwise', () => {
    expect(checkAgainstList(named({ fulfilmentDeadline: '2026-04-01' }), ITEM).deadline).toBe('2026-04-01');
    const check = checkAgainstList(
      named({ licensingItem: { itemCode: 'XK230109001', itemName: '食品经营许可证', department: '哈尔滨新区市场监督管理局' } }),
      ITEM,
    );
    expect(check.issues).toEqual([]);
    expect(check.warnings).toEqual(['item XK230109001 is named 食品经营许可 on the list, not 食品经营许可证']);
  });

  it('only warns for a commitment type that needs no item, and never refuses a withdrawal', () => {
    const other = checkAgainstList(named({ commitmentType: '主动型' }), undefined);
    expect(other.issues).toEqual([]);
    expect(other.warnings).toHaveLength(1);
    expect(checkAgainstList(named({}, { operation: 'withdraw' }), undefined)).toEqual({ issues: [], warnings: [] });
  });
});
