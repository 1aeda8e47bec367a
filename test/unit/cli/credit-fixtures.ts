/**
 * Records for the credit commands' tests (`credex subject`, `overdue`, `stats`' credit figures), and
 * the in-memory state seeded the way intake seeds it: each record's contributions, built by
 * contributionsOf with the origin of its source, written with putCreditContributions.
 *
 * Records hold identity numbers: tests assert they never reach any output, and never print a record.
 */
import { contributionsOf } from '../../../functions/shared/credit/contributions.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { originOf } from '../../../cli/operations/stats.js';
import { sources } from '../../../topology/topology.js';
import { residentId, uscc } from '../../support/records.js';
import { InMemorySyncState } from '../../support/in-memory-sync-state.js';

export { verification } from '../../support/records.js';

export const asRecord = (r: Record<string, unknown>): CreditRecord => r as unknown as CreditRecord;

export const PERSON_ID = residentId('230109', '19850612', '031');
export const PERSON_NAME = '张伟';
export const PERSON = { name: PERSON_NAME, category: '自然人', idType: '身份证', idNumber: PERSON_ID };
/** A second person: the legal representative of COMPANY in some breaches. */
export const REP_ID = residentId('230102', '19700301', '077');
export const REP_NAME = '王建国';
export const OTHER_COMPANY = { name: '哈尔滨新区松北建筑工程有限公司', category: '法人及非法人组织', uscc: uscc('91230109MA1BCDF2') };

export const MARKET = '哈尔滨新区市场监督管理局';
export const HEALTH = '哈尔滨新区卫生健康局';
export const APPROVAL = '哈尔滨新区管理委员会行政审批局';
export const CITY = '哈尔滨新区城市管理局';

/** A commitment code of the builder's date (2026-03-02) with its own serial. */
export const codeNo = (serial: number): string => `23010920260302${String(serial).padStart(6, '0')}`;
export const ITEM = (department = MARKET) => ({ licensingItem: { itemCode: '230109001', itemName: '食品经营许可', department } });

/** The state as the pipeline leaves it after accepting `records` (their latest revisions). */
export async function seededState(records: readonly CreditRecord[]): Promise<InMemorySyncState> {
  const state = new InMemorySyncState();
  for (const record of records) await state.putCreditContributions(contributionsOf(record, originOf(record, sources)));
  return state;
}
