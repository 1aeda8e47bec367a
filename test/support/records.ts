/** Valid records for tests, built with the standards' check algorithms (no hard-coded check characters). */
import { orgCodeCheckCharacter, residentIdCheckCharacter, usccCheckCharacter } from '../../functions/shared/records/identifiers.js';
import { licensingItemEntryOf } from '../../functions/shared/credit/licensing.js';
import type { LicensingItemEntry } from '../../functions/shared/credit/types.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';

/** A valid USCC from its first 16 characters (authority, category, division, organisation-code body). */
export function uscc(first16: string): string {
  const first17 = first16 + orgCodeCheckCharacter(first16.slice(8, 16));
  return first17 + usccCheckCharacter(first17);
}

/** A valid 18-digit identity number from division code, birth date YYYYMMDD and 3-digit serial. */
export function residentId(division: string, birth: string, serial: string): string {
  const first17 = `${division}${birth}${serial}`;
  return first17 + residentIdCheckCharacter(first17);
}

/** The same code with a wrong final check character. */
export function breakUscc(code: string): string {
  return `${code.slice(0, 17)}${code.at(-1) === '0' ? '1' : '0'}`;
}

export const ACCEPTING_UNIT_USCC = uscc('11230100MB012345');
export const COMPANY_USCC = uscc('91230109MA1BCDE8');
export const COMPANY_NAME = '哈尔滨新区松北餐饮管理有限公司';

/** The licensing item of the commitment fixture (schemas/commitment.schema.json: required for 审批替代型 and 容缺受理型). */
export const LICENSING_ITEM = { itemCode: 'XK230109001', itemName: '食品经营许可', department: '哈尔滨新区管理委员会行政审批局' };
const NEEDS_LICENSING_ITEM = new Set(['审批替代型', '容缺受理型']);

export function commitment(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'commitment',
    recordId: 'HRBNA-CN-2026-000123',
    revision: 1,
    operation: 'upsert',
    source: 'hrbxq-approval',
    occurredAt: '2026-03-02T09:30:00+08:00',
    data: {
      commitmentCode: '23010920260302000123',
      party: { name: COMPANY_NAME, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王建国' },
      commitmentType: '审批替代型',
      reason: '申请食品经营许可证（告知承诺制）',
      content: '本单位承诺已具备食品经营许可的全部条件，并在三个月内接受现场核查。',
      breachLiability: '如有不实，愿意承担撤销许可、列入失信记录等责任。',
      commitmentDate: '2026-03-02',
      validFrom: '2026-03-02',
      validTo: '2031-03-01',
      acceptingUnit: '哈尔滨新区管理委员会行政审批局',
      acceptingUnitUscc: ACCEPTING_UNIT_USCC,
      publicationType: '可向社会公开',
      // a 审批替代型 or 容缺受理型 commitment names the item of the licensing-item list it is granted under; other types need none
      ...(NEEDS_LICENSING_ITEM.has(String(data['commitmentType'] ?? '审批替代型')) && { licensingItem: LICENSING_ITEM }),
      ...data,
    },
    ...overrides,
  };
}

/** A verification (核查) of the commitment above: same commitment code, same party; found kept in full. */
export function verification(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'verification',
    recordId: 'HRBNA-HC-2026-000012',
    revision: 1,
    operation: 'upsert',
    source: 'hrbxq-approval',
    occurredAt: '2026-05-28T16:00:00+08:00',
    data: {
      commitmentCode: '23010920260302000123',
      party: { name: COMPANY_NAME, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王建国' },
      verificationDate: '2026-05-28',
      method: '现场核查',
      result: '全部履行',
      findings: '经现场核查，该单位经营场所、设施设备和人员均符合食品经营许可条件，承诺事项已全部履行。',
      determiningUnit: '哈尔滨新区管理委员会行政审批局',
      determiningUnitUscc: ACCEPTING_UNIT_USCC,
      ...data,
    },
    ...overrides,
  };
}

/**
 * Verifications of every shape the wire carries, for golden files and contract tests (there are no
 * schemas/examples of the type yet): the commitment fixture found partly kept with a rectification
 * deadline, then verified again and found kept (verification()); a natural person's commitment
 * (schemas/examples/commitment/valid/03) found false, with remarks; and a verification withdrawn as
 * issued in error.
 */
export function verificationCases(): Record<string, unknown>[] {
  return [
    verification(
      { recordId: 'HRBNA-HC-2026-000009', occurredAt: '2026-04-15T10:20:00+08:00' },
      {
        verificationDate: '2026-04-15',
        method: '书面核查',
        result: '部分履行',
        findings: '经书面核查，该单位已具备经营场所和设施设备条件，食品安全管理人员尚未到岗，承诺事项部分履行。',
        rectificationDeadline: '2026-05-15',
      },
    ),
    verification(),
    verification(
      { recordId: 'HRBJT-HC-2026-000036', source: 'hrb-transport-approval', occurredAt: '2026-04-10T11:00:00+08:00' },
      {
        commitmentCode: '23010020260210000036',
        party: { name: '张立新', category: '自然人', idType: '身份证', idNumber: '230103198207150318' },
        verificationDate: '2026-04-10',
        method: '数据比对',
        result: '虚假承诺',
        findings: '经与公安机关共享数据比对，本人于2024年9月存在饮酒后驾驶机动车记录，与承诺“无饮酒后驾驶记录”不符，属虚假承诺。',
        determiningUnit: '哈尔滨市交通运输局',
        determiningUnitUscc: '11230100MB0C73585Y',
        remarks: '已撤销网络预约出租汽车驾驶员证，另案处罚（哈交执罚〔2026〕215号）。',
      },
    ),
    verification(
      { recordId: 'HRBNA-HC-2026-000014', revision: 2, operation: 'withdraw', occurredAt: '2026-06-05T09:00:00+08:00' },
      { verificationDate: '2026-06-03', findings: '误录：该核查记录录入了其他承诺的核查情况，予以撤回。' },
    ),
  ];
}

export function breach(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'breach',
    recordId: 'HRBNA-SX-2026-000045',
    revision: 1,
    operation: 'upsert',
    source: 'hrbxq-enforcement',
    occurredAt: '2026-06-10T15:00:00+08:00',
    data: {
      party: { name: '哈尔滨新区松北餐饮管理有限公司', category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王建国' },
      decisionNumber: '哈新市监罚〔2026〕45号',
      violationType: '违反告知承诺',
      facts: '经现场核查，该单位未按承诺在期限内具备食品经营许可条件。',
      legalBasis: '《中华人民共和国食品安全法》第一百二十二条',
      penaltyCategories: ['警告', '罚款'],
      penaltyContent: '警告，罚款人民币贰仟元整。',
      fineAmount: 0.2,
      decisionDate: '2026-06-10',
      authority: '哈尔滨新区市场监督管理局',
      authorityUscc: ACCEPTING_UNIT_USCC,
      dataSource: '哈尔滨新区市场监督管理局',
      dataSourceUscc: ACCEPTING_UNIT_USCC,
      brokenCommitmentCode: '23010920260302000123',
      severity: '一般',
      blackPoints: 5,
      ...data,
    },
    ...overrides,
  };
}

export function repair(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'repair',
    recordId: 'HRBNA-XF-2026-000007',
    revision: 1,
    operation: 'upsert',
    source: 'hrb-credit-repair',
    occurredAt: '2026-10-12T10:00:00+08:00',
    data: {
      party: { name: '哈尔滨新区松北餐饮管理有限公司', category: '法人及非法人组织', uscc: COMPANY_USCC },
      breachRecordId: 'HRBNA-SX-2026-000045',
      breachSource: 'hrbxq-enforcement',
      breachDecisionNumber: '哈新市监罚〔2026〕45号',
      breachDecisionDate: '2026-06-10',
      severity: '一般',
      minDisclosureEndDate: '2026-09-10',
      maxDisclosureEndDate: '2027-06-10',
      applicationDate: '2026-09-20',
      applicationChannel: '信用中国',
      // 谁认定、谁修复: the breach's authority decides its repair
      handlingUnit: '哈尔滨新区市场监督管理局',
      handlingUnitUscc: ACCEPTING_UNIT_USCC,
      outcome: '同意',
      decisionDate: '2026-10-12',
      decisionNumber: '哈新信修〔2026〕7号',
      method: '终止公示',
      repairCommitmentCode: '23010920260915000031',
      ...data,
    },
    ...overrides,
  };
}

export function nonPenalty(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'nonPenalty',
    recordId: 'HRBNA-BC-2026-000003',
    revision: 1,
    operation: 'upsert',
    source: 'hrbxq-enforcement',
    occurredAt: '2026-05-20T15:00:00+08:00',
    data: {
      party: { name: COMPANY_NAME, category: '法人及非法人组织', uscc: COMPANY_USCC, legalRepresentative: '王建国' },
      decisionNumber: '哈新市监不罚〔2026〕3号',
      ground: '首违不罚',
      violationType: '未按规定公示营业执照',
      facts: '当事人未在经营场所醒目位置悬挂营业执照，系初次违法，危害后果轻微，已当场改正。',
      legalBasis: '《中华人民共和国行政处罚法》第三十三条第一款',
      correction: '当场改正；执法人员进行了批评教育。',
      decisionDate: '2026-05-20',
      authority: '哈尔滨新区市场监督管理局',
      authorityUscc: ACCEPTING_UNIT_USCC,
      relatedCommitmentCode: '23010920260302000123',
      ...data,
    },
    ...overrides,
  };
}

/** The licensing-item list's item the commitment fixture names (LICENSING_ITEM), as the approval system pushes it. */
export function licensingItem(overrides: Record<string, unknown> = {}, data: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    schemaVersion: '2.0',
    recordType: 'licensingItem',
    recordId: LICENSING_ITEM.itemCode,
    revision: 1,
    operation: 'upsert',
    source: 'hrbxq-approval',
    occurredAt: '2026-01-05T09:00:00+08:00',
    data: {
      itemCode: LICENSING_ITEM.itemCode,
      itemName: LICENSING_ITEM.itemName,
      department: LICENSING_ITEM.department,
      departmentUscc: ACCEPTING_UNIT_USCC,
      approvalConditions: '具有与经营的食品品种、数量相适应的经营场所、设施设备和食品安全管理人员。',
      legalBasis: '《中华人民共和国食品安全法》第三十五条；《食品经营许可和备案管理办法》',
      commitmentMaterials: ['经营场所使用证明', '食品安全管理制度文本'],
      commitmentTimeLimitDays: 90,
      allowedCommitmentTypes: ['审批替代型', '容缺受理型'],
      verificationMethods: ['现场核查', '书面核查'],
      validFrom: '2021-01-01',
      validTo: '2099-12-31',
      ...data,
    },
    ...overrides,
  };
}

/** The list entry intake keeps for licensingItem() (what SyncState.putLicensingItem takes): tests that push commitments seed it. */
export function licensingItemEntry(data: Record<string, unknown> = {}): LicensingItemEntry {
  return licensingItemEntryOf(licensingItem({ recordId: data['itemCode'] ?? LICENSING_ITEM.itemCode }, data) as unknown as CreditRecord);
}

/** A commitment as intake keeps it: with the fulfilment deadline its licensing item gives. */
export function withFulfilmentDeadline(record: Record<string, unknown>, fulfilmentDeadline: string): Record<string, unknown> {
  return { ...record, data: { ...(record['data'] as Record<string, unknown>), fulfilmentDeadline } };
}
