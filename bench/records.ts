/**
 * Realistic commitment and breach records for the validation benchmark: Chinese names, USCCs and
 * resident-ID numbers with correct check characters (computed with the identifier helpers), and a
 * few typical defects for the invalid pools. Deterministic: the same pool on every run.
 */
import { mulberry32 } from '../local/simulators/simulator.js';
import { orgCodeCheckCharacter, residentIdCheckCharacter, usccCheckCharacter, USCC_CHARSET } from '../functions/shared/records/identifiers.js';
import { addMonths } from '../functions/shared/records/dates.js';
import { addDays } from '../local/demo/calendar.js';
import { licensingItemEntryOf } from '../functions/shared/credit/licensing.js';
import type { CreditRecord } from '../functions/shared/records/types.js';
import type { SyncState } from '../functions/shared/state/sync-state.js';
import { licensingItem } from '../test/support/records.js';

export type Json = Record<string, unknown>;

/** Small deterministic PRNG, so every run benchmarks the same records (the simulators' mulberry32). */
export const rng = mulberry32;

function pick(r: () => number, list: string): string;
function pick<T>(r: () => number, list: readonly T[]): T;
function pick<T>(r: () => number, list: string | readonly T[]): string | T {
  return list[Math.floor(r() * list.length)]!;
}
const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** Administrative divisions (区县) with their names, for codes and unit names. */
const DIVISIONS = [
  { code: '110105', city: '北京市', district: '朝阳区', abbr: '京朝' },
  { code: '110108', city: '北京市', district: '海淀区', abbr: '京海' },
  { code: '310115', city: '上海市', district: '浦东新区', abbr: '沪浦' },
  { code: '330106', city: '杭州市', district: '西湖区', abbr: '杭西' },
  { code: '440305', city: '深圳市', district: '南山区', abbr: '深南' },
  { code: '320505', city: '苏州市', district: '虎丘区', abbr: '苏虎' },
  { code: '510107', city: '成都市', district: '武侯区', abbr: '成武' },
  { code: '420106', city: '武汉市', district: '武昌区', abbr: '武昌' },
] as const;
type Division = (typeof DIVISIONS)[number];

const TRADE_NAMES = ['华信', '宏达', '鑫源', '恒通', '瑞丰', '金桥', '博远', '天合', '中科', '新锐', '永盛', '佳和', '锦程', '德润', '盛世', '联创'];
const INDUSTRIES = ['科技', '商贸', '建筑工程', '餐饮管理', '物流', '食品', '医疗器械', '环保科技', '文化传媒', '房地产开发'];
const ORG_FORMS = ['有限公司', '有限责任公司', '股份有限公司'];
const SURNAMES = ['王', '李', '张', '刘', '陈', '杨', '黄', '赵', '吴', '周', '徐', '孙', '马', '朱', '胡', '郭', '何', '林', '欧阳', '诸葛'];
const GIVEN = ['伟', '芳', '娜', '秀英', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀兰', '霞', '建国', '志强'];

/** Characters of the organisation-code body that are also in the GB 32100 character set. */
const ORG_BODY_CHARS = USCC_CHARSET;

/** A valid USCC: authority + category + division + organisation code (with its GB 11714 check) + GB 32100 check. */
export function makeUscc(r: () => number, authority: '9' | '1' | '5', category: string, division: string): string {
  let body = '';
  for (let i = 0; i < 8; i++) body += i < 2 ? pick(r, ORG_BODY_CHARS) : pick(r, '0123456789');
  const first17 = `${authority}${category}${division}${body}${orgCodeCheckCharacter(body)}`;
  return `${first17}${usccCheckCharacter(first17)}`;
}

/** A valid 18-digit resident identity card number (GB 11643), born 1960–2000. */
export function makeResidentId(r: () => number, division: string): string {
  const year = 1960 + Math.floor(r() * 41);
  const month = 1 + Math.floor(r() * 12);
  const day = 1 + Math.floor(r() * 28);
  const first17 = `${division}${year}${pad(month, 2)}${pad(day, 2)}${pad(Math.floor(r() * 1000), 3)}`;
  return `${first17}${residentIdCheckCharacter(first17)}`;
}

/** Replaces the 18th (check) character with another character of the set: a typical typo. */
export function breakCheckCharacter(code: string): string {
  const current = USCC_CHARSET.indexOf(code[17]!);
  return `${code.slice(0, 17)}${USCC_CHARSET[(current + 7) % USCC_CHARSET.length]}`;
}

const personName = (r: () => number): string => `${pick(r, SURNAMES)}${pick(r, GIVEN)}`;
const companyName = (r: () => number, d: Division): string =>
  `${d.city.replace('市', '')}${pick(r, TRADE_NAMES)}${pick(r, TRADE_NAMES)}${pick(r, INDUSTRIES)}${pick(r, ORG_FORMS)}`;

function randomDate(r: () => number, from: string, spanDays: number): string {
  return addDays(from, Math.floor(r() * spanDays));
}

const compact = (date: string): string => date.replaceAll('-', '');

type PartyKind = 'organisation' | 'natural' | 'individualBusiness';

/** 70 % organisations (with a legal representative and his ID), 20 % natural persons, 10 % individual businesses. */
function partyKind(i: number): PartyKind {
  const k = i % 10;
  return k < 7 ? 'organisation' : k < 9 ? 'natural' : 'individualBusiness';
}

function makeParty(r: () => number, d: Division, kind: PartyKind): Json {
  switch (kind) {
    case 'organisation':
      return {
        name: companyName(r, d),
        category: '法人及非法人组织',
        uscc: makeUscc(r, '9', '1', d.code),
        legalRepresentative: personName(r),
        legalRepIdType: '身份证',
        legalRepIdNumber: makeResidentId(r, d.code),
      };
    case 'natural':
      return { name: personName(r), category: '自然人', idType: '身份证', idNumber: makeResidentId(r, d.code) };
    case 'individualBusiness': {
      const owner = personName(r);
      return {
        name: `${d.district}${owner}${pick(r, ['便利店', '小吃店', '五金店', '理发店'])}`,
        category: '个体工商户',
        uscc: makeUscc(r, '9', '2', d.code),
        legalRepresentative: owner,
      };
    }
  }
}

const authorityName = (d: Division, unit: string): string => `${d.city}${d.district}${unit}`;

function envelope(type: 'commitment' | 'breach', i: number, r: () => number, data: Json): Json {
  const occurred = randomDate(r, '2026-01-05', 60);
  return {
    schemaVersion: '2.0',
    recordType: type,
    recordId: `${type === 'commitment' ? 'CMT' : 'BRH'}-${occurred.slice(0, 4)}-${pad(i + 1, 6)}`,
    revision: 1 + (i % 3),
    operation: 'upsert',
    source: pick(r, ['xzsp-approval', 'scjg-penalty', 'credit-district-01']),
    occurredAt: `${occurred}T${pad(8 + (i % 10), 2)}:${pad(i % 60, 2)}:${pad((i * 7) % 60, 2)}+08:00`,
    data,
  };
}

/** The licences the commitments are for, each under an item of the licensing-item list (BENCH_LICENSING_ITEMS). */
const LICENCE_KINDS = [
  { name: '食品经营许可', cert: '食品经营许可证', prefix: 'JY1', itemCode: 'XK00BENCH0001' },
  { name: '公众聚集场所投入使用、营业前消防安全检查', cert: '公众聚集场所投入使用、营业前消防安全检查合格证', prefix: 'XF', itemCode: 'XK00BENCH0002' },
  { name: '第二类医疗器械经营备案', cert: '第二类医疗器械经营备案凭证', prefix: 'YX', itemCode: 'XK00BENCH0003' },
  { name: '建筑业企业资质许可', cert: '建筑业企业资质证书', prefix: 'D2', itemCode: 'XK00BENCH0004' },
] as const;

/**
 * The licensing items the commitments name, as their approval system sends them: a 审批替代型
 * commitment is accepted only under an item of the list (functions/shared/credit/licensing.ts), so
 * every benchmark puts these in its sync state first (seedLicensingItems, or through intake).
 */
export const BENCH_LICENSING_ITEMS: readonly Json[] = LICENCE_KINDS.map((kind) =>
  licensingItem({ recordId: kind.itemCode }, { itemCode: kind.itemCode, itemName: kind.name, validFrom: '2020-01-01' }),
);

/** Puts BENCH_LICENSING_ITEMS on the list of a sync state (in memory, its work done when the call returns). */
export function seedLicensingItems(state: Pick<SyncState, 'putLicensingItem'>): Promise<unknown> {
  return Promise.all(BENCH_LICENSING_ITEMS.map((record) => state.putLicensingItem(licensingItemEntryOf(record as unknown as CreditRecord))));
}

/** A valid commitment record: 审批替代型 with the licensing item and the licence it produced. */
export function validCommitment(i: number): Json {
  const r = rng(0xc0111 + i);
  const d = DIVISIONS[i % DIVISIONS.length]!;
  const committed = randomDate(r, '2025-06-01', 240);
  const decided = addDays(committed, 3 + Math.floor(r() * 20));
  const licenceTo = addDays(decided, 365 * (1 + Math.floor(r() * 5)));
  const unit = authorityName(d, '市场监督管理局');
  const unitUscc = makeUscc(r, '1', '1', d.code);
  const item = pick(r, LICENCE_KINDS);
  return envelope('commitment', i, r, {
    commitmentCode: `${d.code}${compact(committed)}${pad(i + 1, 6)}`,
    party: makeParty(r, d, partyKind(i)),
    commitmentType: '审批替代型',
    reason: `申请办理${item.name}，适用告知承诺制审批`,
    content:
      '本人（单位）已知晓行政机关告知的全部内容，所填写的信息真实、准确、完整；已经符合告知的条件、标准和要求，' +
      '愿意承担不实承诺的法律责任；本承诺书经本人（单位）签章后生效，同意将承诺履约情况记入信用记录并依法公开。',
    breachLiability: '承诺不实或未履行承诺的，由行政机关依法撤销许可决定，记入失信记录，并依法依规实施失信惩戒。',
    commitmentDate: committed,
    validFrom: committed,
    validTo: licenceTo,
    acceptingUnit: unit,
    acceptingUnitUscc: unitUscc,
    publicationType: i % 5 === 0 ? '特定范围内公开' : '可向社会公开',
    licensingItem: { itemCode: item.itemCode, itemName: item.name, department: unit },
    licence: {
      documentNumber: `${d.abbr}市监许〔${committed.slice(0, 4)}〕${pad(i + 1, 5)}号`,
      category: '普通',
      certificateName: item.cert,
      certificateNumber: `${item.prefix}${d.code}${pad(Math.floor(r() * 1e7), 7)}`,
      content: `准予${item.name}`,
      decisionDate: decided,
      validFrom: decided,
      validTo: licenceTo,
      authority: unit,
      authorityUscc: unitUscc,
    },
  });
}

/** A valid breach record: a 一般 (general) tier penalty with a fine, disclosed for 3–12 months. */
export function validBreach(i: number): Json {
  const r = rng(0xb4eac + i);
  const d = DIVISIONS[i % DIVISIONS.length]!;
  const decided = randomDate(r, '2025-09-01', 150);
  const authority = authorityName(d, '市场监督管理局');
  const authorityUscc = makeUscc(r, '1', '1', d.code);
  const categories = i % 4 === 0 ? ['警告', '罚款', '没收违法所得'] : ['警告', '罚款'];
  const data: Json = {
    party: makeParty(r, d, partyKind(i)),
    decisionNumber: `${d.abbr}市监罚〔${decided.slice(0, 4)}〕${pad(100 + i, 4)}号`,
    violationType: pick(r, ['违反告知承诺制审批承诺', '经营超过保质期的食品', '未按规定公示年度报告', '虚假宣传']),
    facts:
      '当事人在申请行政许可时作出信用承诺，经事中事后核查，当事人实际情况与承诺内容不符，未在承诺期限内达到许可条件，' +
      '且在责令整改期限届满后仍未整改到位。上述事实有现场检查笔录、询问笔录、承诺书等证据证明。',
    legalBasis: '《中华人民共和国行政许可法》第六十九条、第七十九条；《中华人民共和国行政处罚法》第二十八条',
    penaltyCategories: categories,
    penaltyContent: `撤销许可决定，给予警告，并处罚款人民币${(i % 50) + 1}千元`,
    fineAmount: ((i % 50) + 1) / 10,
    decisionDate: decided,
    penaltyValidUntil: addDays(decided, 30),
    // the department asks for a publication shorter than the tier's year, within its bounds
    publicationEndDate: addDays(decided, 100 + Math.floor(r() * 250)),
    authority,
    authorityUscc,
    dataSource: authority,
    dataSourceUscc: authorityUscc,
    brokenCommitmentCode: `${d.code}${compact(addDays(decided, -200))}${pad(i + 1, 6)}`,
    severity: '一般',
    blackPoints: 5 + (i % 10),
  };
  if (categories.includes('没收违法所得')) data['confiscatedAmount'] = 0.35;
  return envelope('breach', i, r, data);
}

/** The defect an invalid record carries, each a typical upstream mistake. */
export type Defect = 'usccCheck' | 'missingRequired' | 'dateOrder' | 'publicationPeriod';

const clone = (record: Json): Json => structuredClone(record);
const dataOf = (record: Json): Json => record['data'] as Json;

export function invalidCommitment(i: number): { record: Json; defect: Defect } {
  const record = clone(validCommitment(i));
  const data = dataOf(record);
  const defect: Defect = (['usccCheck', 'missingRequired', 'dateOrder'] as const)[i % 3]!;
  if (defect === 'usccCheck') data['acceptingUnitUscc'] = breakCheckCharacter(String(data['acceptingUnitUscc']));
  else if (defect === 'missingRequired') delete data['breachLiability'];
  else data['validTo'] = addDays(String(data['validFrom']), -30);
  return { record, defect };
}

export function invalidBreach(i: number): { record: Json; defect: Defect } {
  const record = clone(validBreach(i));
  const data = dataOf(record);
  const defect: Defect = (['usccCheck', 'missingRequired', 'dateOrder', 'publicationPeriod'] as const)[i % 4]!;
  if (defect === 'usccCheck') data['authorityUscc'] = breakCheckCharacter(String(data['authorityUscc']));
  else if (defect === 'missingRequired') delete data['facts'];
  else if (defect === 'dateOrder') data['penaltyValidUntil'] = addDays(String(data['decisionDate']), -1);
  else data['publicationEndDate'] = addDays(String(data['decisionDate']), 20); // under 3 months for 一般
  return { record, defect };
}

// ---------------------------------------------------------------- records as routed by the topology

/** Registered sources the benchmarks spread records over. */
export const COMMITMENT_SOURCES = ['hrbxq-approval', 'hrbdl-approval', 'hrb-transport-approval', 'hrbxq-market'];
export const BREACH_SOURCES = ['hrbxq-enforcement', 'hrbdl-enforcement', 'hrb-transport-enforcement', 'hrbxq-market'];

/** Commitments from registered sources, all public (routed to 3 lanes). */
export function commitmentRecord(i: number): Json {
  const record = validCommitment(i);
  return { ...record, source: COMMITMENT_SOURCES[i % COMMITMENT_SOURCES.length], data: { ...(record['data'] as Json), publicationType: '可向社会公开' } };
}
export const breachRecord = (i: number): Json => ({ ...validBreach(i), source: BREACH_SOURCES[i % BREACH_SOURCES.length] });
/** The record id of seeded breach k (the breaches the repairs repair). */
export const seedBreachId = (k: number): string => `BRH-SEED-${String(k).padStart(4, '0')}`;

/** An approved repair (一般 tier, disclosure ended) of seeded breach `i % seedBreaches`, for the same party. */
export function repairRecord(i: number, seedBreaches: number, recordId: string): Json {
  const k = i % seedBreaches;
  const breach = breachRecord(k);
  const b = breach['data'] as Json;
  const r = rng(0x4e9a1 + i);
  const decided = String(b['decisionDate']);
  const minEnd = addMonths(decided, 3);
  const applied = addDays(minEnd, 3 + Math.floor(r() * 20));
  const repaired = addDays(applied, 5 + Math.floor(r() * 10));
  return {
    schemaVersion: '2.0',
    recordType: 'repair',
    recordId,
    revision: 1,
    operation: 'upsert',
    source: 'hrb-credit-repair',
    occurredAt: `${repaired}T10:${String(i % 60).padStart(2, '0')}:00+08:00`,
    data: {
      party: b['party'],
      breachRecordId: seedBreachId(k),
      breachSource: breach['source'],
      breachDecisionNumber: b['decisionNumber'],
      breachDecisionDate: decided,
      severity: '一般',
      minDisclosureEndDate: minEnd,
      maxDisclosureEndDate: addMonths(decided, 12),
      applicationDate: applied,
      applicationChannel: '信用中国',
      // 谁认定、谁修复: the breach's authority decides its repair
      handlingUnit: b['authority'],
      handlingUnitUscc: b['authorityUscc'],
      outcome: '同意',
      decisionDate: repaired,
      decisionNumber: `哈新信修〔${repaired.slice(0, 4)}〕${String(i + 1).padStart(4, '0')}号`,
      method: '终止公示',
      repairCommitmentCode: `230109${applied.replaceAll('-', '')}${String(i + 1).padStart(6, '0')}`,
    },
  };
}
