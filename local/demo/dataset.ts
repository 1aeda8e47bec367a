/**
 * The demo dataset the local runtime pushes through the pipeline: a seeded, reproducible model of
 * Harbin New Area's notify-and-commit reform (../../../shared/DOMAIN.md). At scale 1:
 *
 *  - 108 enterprises (a few 个体工商户 among them) and a couple of natural persons make commitments
 *    for items of the 59-item catalogue (catalogue.ts); ~40 % of kept commitments later get a
 *    revision stating their fulfilment, and a couple are withdrawn;
 *  - about 2 % of commitments are broken (at least one per severity tier, one first-offence
 *    exemption); each breach is preceded by a revision of its commitment stating what was not
 *    performed;
 *  - most non-exempt breaches get a credit-repair decision (approved ones with their public
 *    credit-repair commitment), inbound breaches arrive on the provincial feed;
 *  - the pipeline's awkward cases: invalid submissions (one per reason), exact duplicates and older
 *    revisions arriving after newer ones.
 *
 * `scale` multiplies the populations and keeps the ratios. The same options always give the same
 * dataset (one mulberry32 stream, no clock, no Math.random). Nothing is printed: the records hold
 * identity numbers (personal data).
 */
import { upstreams } from '../../infra/upstreams.js';
import { SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/rules.js';
import { addDays, addMonths, beijingTime, chineseDate, daysBetween, isDate, maxDate, minDate } from './calendar.js';
import { DEPARTMENTS, LICENSING_ITEMS, PROVINCIAL_AUTHORITIES, UNITS, departmentOf, type LicensingItem } from './catalogue.js';
import { Rng, breakUsccCheck, entityName, marketEntityUscc, personName, residentId } from './random.js';

export { DEPARTMENTS, LICENSING_ITEMS, UNITS, type Department, type LicensingItem } from './catalogue.js';

export const DEFAULT_TODAY = '2026-11-28';

export type Channel = 'ingest' | 'queue' | 'feed';
export type Expectation = 'accepted' | 'invalid' | 'duplicate' | 'superseded';
export type Severity = SeverityTier;

/** Why an invalid submission is invalid: one kind of defect each. */
export const INVALID_REASONS = ['uscc-check', 'missing-field', 'malformed-json', 'unknown-source', 'date-order'] as const;
export type InvalidReason = (typeof INVALID_REASONS)[number];

export interface DemoSubmission {
  /** Position in submission order, from 1 (out-of-order revisions appear in the wrong order here on purpose). */
  seq: number;
  /**
   * How it enters: 'ingest' = signed HTTP push by the upstream in `upstreamId` (allowed for that
   * source and record type by infra/upstreams.ts); 'queue' = sent straight to the intake queue (a
   * department system with AWS access: sources or record types no upstream may push, and malformed
   * text); 'feed' = served by the provincial breach feed and pulled (source hlj-credit-platform).
   */
  channel: Channel;
  upstreamId?: string;
  /** The exact body text to submit (JSON of the record, or deliberately malformed text). */
  body: string;
  /** The record object, when body is JSON of one (its own copy: JSON.parse(body)). */
  record?: Record<string, unknown>;
  /** What the pipeline should do with it. */
  expect: Expectation;
  /** For invalid ones: which defect (INVALID_REASONS). */
  reason?: InvalidReason;
}

export interface DemoFacts {
  licensingItems: number;
  departments: number;
  /** Market entities with commitments: enterprises and individual businesses. */
  enterprises: number;
  /** Commitments made for licensing items (the reform's commitments); credit-repair commitments are counted apart. */
  commitments: number;
  /** Broken commitments (district breaches, source hrbxq-enforcement), first-offence exemptions included. */
  breaches: number;
  breachesBySeverity: Record<Severity, number>;
  firstOffenceExemptions: number;
  repairs: number;
  inboundBreaches: number;
  invalid: number;
  duplicates: number;
  /** Older revisions submitted after a newer one of the same record (expect 'superseded'). */
  outOfOrder: number;
  /** Share of commitments not breached, 0..1. */
  commitmentKeepingRate: number;
  /** Beyond the brief's list: */
  individualBusinesses: number;
  naturalPersons: number;
  /** 信用修复型 commitments made to obtain an approved repair (source hrb-credit-repair). */
  repairCommitments: number;
  /** Commitments that got a revision stating their fulfilment (kept or not). */
  fulfilmentUpdates: number;
  withdrawals: number;
  submissions: number;
  /** breaches / commitments (above 2 % at small scale, where each tier still appears once). */
  breachRate: number;
}

export interface DemoDataset {
  seed: number;
  scale: number;
  today: string;
  submissions: DemoSubmission[];
  facts: DemoFacts;
}

export interface DemoOptions {
  seed: number;
  /** Multiplies enterprises, commitments and everything proportional to them (default 1). */
  scale?: number;
  /** The day the dataset is generated for, YYYY-MM-DD (default 2026-11-28): every decision lies before it. */
  today?: string;
}

/** Populations at scale 1 and the shares the generator keeps at every scale. */
const PLAN = {
  enterprises: 108,
  individualBusinesses: 6,
  naturalPersons: 2,
  /** Enterprises that made a second commitment (another item). */
  secondCommitmentShare: 0.2,
  /** DOMAIN.md: 98 % of commitments kept. */
  breachRate: 0.02,
  tierShares: { 严重: 0.2, 一般: 0.4 }, // the rest 轻微
  firstOffenceShare: 0.1, // of breaches, at least one
  repairShare: 0.6, // of non-exempt breaches, rounded up
  refusedRepairShare: 0.2, // of repairs past their minimum period: 不同意
  inboundBreaches: 4,
  invalid: 5, // one of each reason at scale 1, never fewer
  fulfilmentShare: 0.4, // of kept commitments
  withdrawals: 2,
  duplicateShare: 0.07, // of first submissions
  outOfOrderShare: 0.07,
  /** Commitment types other than 审批替代型, as shares of enterprise commitments. */
  typeShares: { 容缺受理型: 0.08, 证明事项型: 0.03, 其他: 0.01 },
  publicationShares: { 特定范围内公开: 0.06, 不可公开: 0.02 },
  /** How far back commitments go (days before today), and the youngest. */
  commitmentWindowDays: [20, 900] as const,
} as const;

/** A resent or delayed submission lands at least this many positions after the one it follows, so a runner that sends in order never puts the two in one intake batch. */
const MIN_GAP = 10;
const MAX_EXTRA_GAP = 50;

const FEED_SOURCE = 'hlj-credit-platform';
const SOURCES = {
  approval: 'hrbxq-approval',
  enforcement: 'hrbxq-enforcement',
  repair: 'hrb-credit-repair',
  /** Not in infra/topology.ts: the housing bureau's own system, never registered. */
  unregistered: 'hrbxq-housing',
} as const;

type Json = Record<string, unknown>;
type CommitmentType = '审批替代型' | '容缺受理型' | '证明事项型' | '信用修复型' | '其他';
type PublicationType = '可向社会公开' | '特定范围内公开' | '不可公开';

interface Entity {
  kind: 'enterprise' | 'individual' | 'person';
  party: Json;
}

interface Commitment {
  entity: Entity;
  item: LicensingItem;
  type: CommitmentType;
  publication: PublicationType;
  date: string;
  code: string;
  recordId: string;
  /** data of revision 1; later revisions copy and amend it */
  data: Json;
  /** Revisions in order (records). */
  revisions: Json[];
  breach?: Breach;
  withdrawn?: boolean;
}

interface Breach {
  commitment: Commitment;
  severity: Severity;
  exempt: boolean;
  decisionDate: string;
  decisionNumber: string;
  record: Json;
}

/** One submission before ordering. */
interface Pending {
  body: string;
  record?: Json;
  channel: Channel;
  upstreamId?: string;
  expect: Expectation;
  reason?: InvalidReason;
  /** occurredAt: base submissions go in time order */
  at: string;
  /** creation order, to break ties in time */
  order: number;
  /** the record's key (type/source/id) and whether this is its newest revision */
  key?: string;
  latest?: boolean;
  /** position among the submissions, fractional for ones inserted after another */
  slot?: number;
}

export function generateDemoDataset(options: DemoOptions): DemoDataset {
  const scale = options.scale ?? 1;
  const today = options.today ?? DEFAULT_TODAY;
  if (!Number.isSafeInteger(options.seed)) throw new Error(`seed must be an integer, found ${options.seed}`);
  // below 0.1 there are too few commitments to break one of each tier
  if (!(Number.isFinite(scale) && scale >= 0.1 && scale <= 1000)) throw new Error(`scale must be a number from 0.1 to 1000, found ${scale}`);
  if (!isDate(today)) throw new Error(`today must be a date YYYY-MM-DD, found ${today}`);
  return new Generator(options.seed, scale, today).run();
}

const round = (x: number): number => Math.round(x);
const pad = (n: number, width = 6): string => String(n).padStart(width, '0');
const yuan = (tenThousands: number): number => Math.round(tenThousands * 10_000);

class Generator {
  private readonly rng: Rng;
  private readonly takenUscc = new Set<string>();
  private readonly takenIds = new Set<string>();
  private readonly takenNames = new Set<string>();
  /** Serial numbers: monotonic, with gaps, like a real register. */
  private readonly counters = new Map<string, number>();
  private readonly pending: Pending[] = [];

  constructor(
    private readonly seed: number,
    private readonly scale: number,
    private readonly today: string,
  ) {
    this.rng = new Rng(seed);
  }

  run(): DemoDataset {
    const entities = this.entities();
    const commitments = this.commitments(entities);
    const breaches = this.breaches(commitments);
    const fulfilmentUpdates = this.fulfilmentUpdates(commitments) + breaches.length;
    const withdrawals = this.withdrawals(commitments);
    for (const c of commitments) c.revisions.forEach((record, i) => this.add(record, i === c.revisions.length - 1));
    for (const b of breaches) this.add(b.record, true);
    const { repairs, repairCommitments } = this.repairs(breaches);
    const inbound = this.inbound(entities);
    const invalid = this.invalid(entities);
    const { submissions, duplicates, outOfOrder } = this.order(commitments);

    const bySeverity: Record<Severity, number> = { 轻微: 0, 一般: 0, 严重: 0 };
    for (const b of breaches) bySeverity[b.severity]++;
    const count = (kind: Entity['kind']): number => entities.filter((e) => e.kind === kind).length;
    return {
      seed: this.seed,
      scale: this.scale,
      today: this.today,
      submissions,
      facts: {
        licensingItems: LICENSING_ITEMS.length,
        departments: DEPARTMENTS.length,
        enterprises: count('enterprise') + count('individual'),
        commitments: commitments.length,
        breaches: breaches.length,
        breachesBySeverity: bySeverity,
        firstOffenceExemptions: breaches.filter((b) => b.exempt).length,
        repairs,
        inboundBreaches: inbound,
        invalid,
        duplicates,
        outOfOrder,
        commitmentKeepingRate: (commitments.length - breaches.length) / commitments.length,
        individualBusinesses: count('individual'),
        naturalPersons: count('person'),
        repairCommitments,
        fulfilmentUpdates,
        withdrawals,
        submissions: submissions.length,
        breachRate: breaches.length / commitments.length,
      },
    };
  }

  // ---- parties -------------------------------------------------------------------------------

  private entities(): Entity[] {
    const total = Math.max(1, round(PLAN.enterprises * this.scale));
    const individuals = Math.min(total - 1, round(PLAN.individualBusinesses * this.scale));
    const persons = round(PLAN.naturalPersons * this.scale);
    const out: Entity[] = [];
    for (let i = 0; i < total; i++) {
      const individual = i < individuals;
      out.push({ kind: individual ? 'individual' : 'enterprise', party: {} });
    }
    for (let i = 0; i < persons; i++) {
      out.push({
        kind: 'person',
        party: { name: personName(this.rng), category: '自然人', idType: '身份证', idNumber: residentId(this.rng, this.takenIds) },
      });
    }
    return out;
  }

  /** A market entity's party, named after the first item it applies for (a 餐饮 company applies for 食品经营许可). */
  private nameEntity(entity: Entity, item: LicensingItem): void {
    const individual = entity.kind === 'individual';
    const suffix = this.rng.pick(individual ? item.individualSuffixes! : item.enterpriseSuffixes);
    const party: Json = {
      name: entityName(this.rng, suffix, individual, this.takenNames),
      category: individual ? '个体工商户' : '法人及非法人组织',
      uscc: marketEntityUscc(this.rng, individual, this.takenUscc),
      legalRepresentative: personName(this.rng),
    };
    // about half the upstream records carry the representative's identity document, as real ones do
    if (this.rng.chance(0.5)) Object.assign(party, { legalRepIdType: '身份证', legalRepIdNumber: residentId(this.rng, this.takenIds) });
    entity.party = party;
  }

  // ---- commitments ---------------------------------------------------------------------------

  private commitments(entities: Entity[]): Commitment[] {
    const enterpriseItems = LICENSING_ITEMS.filter((i) => i.holders === 'enterprise');
    const individualItems = LICENSING_ITEMS.filter((i) => i.individualSuffixes);
    const personItems = LICENSING_ITEMS.filter((i) => i.holders === 'person');
    // enterprises take the items in turn (shuffled) so that every item of the catalogue is used
    const rota = this.rng.shuffle(enterpriseItems);
    let turn = 0;
    const planned: Array<{ entity: Entity; item: LicensingItem }> = [];
    for (const entity of entities) {
      const item = entity.kind === 'person' ? this.rng.pick(personItems) : entity.kind === 'individual' ? this.rng.pick(individualItems) : rota[turn++ % rota.length]!;
      if (entity.kind !== 'person') this.nameEntity(entity, item);
      planned.push({ entity, item });
    }
    const market = planned.filter((p) => p.entity.kind !== 'person');
    for (const first of this.rng.sample(market, round(PLAN.secondCommitmentShare * market.length))) {
      const suitable = first.entity.kind === 'individual' ? individualItems : enterpriseItems;
      const others = suitable.filter((i) => i !== first.item);
      // a second licence usually comes from the same department (a restaurant's 排水 and 卫生 permits are the exception)
      const sameDepartment = others.filter((i) => i.department === first.item.department);
      const item = sameDepartment.length > 0 && this.rng.chance(0.7) ? this.rng.pick(sameDepartment) : this.rng.pick(others);
      planned.push({ entity: first.entity, item });
    }

    // commitment types and publication types by quota, so that every scale shows each of them
    const types = new Map<number, CommitmentType>();
    const marketIndices = this.rng.shuffle(planned.map((p, i) => (p.entity.kind === 'person' ? -1 : i)).filter((i) => i >= 0));
    let next = 0;
    for (const [type, share] of Object.entries(PLAN.typeShares) as Array<[CommitmentType, number]>) {
      for (let n = Math.max(1, round(share * marketIndices.length)); n > 0 && next < marketIndices.length; n--) types.set(marketIndices[next++]!, type);
    }
    const publications = new Map<number, PublicationType>();
    const allIndices = this.rng.shuffle(planned.map((_, i) => i));
    next = 0;
    for (const [publication, share] of Object.entries(PLAN.publicationShares) as Array<[PublicationType, number]>) {
      for (let n = Math.max(1, round(share * planned.length)); n > 0 && next < allIndices.length; n--) publications.set(allIndices[next++]!, publication);
    }

    const [youngest, oldest] = PLAN.commitmentWindowDays;
    return planned.map(({ entity, item }, i) => {
      const date = addDays(this.today, -this.rng.int(youngest, oldest));
      const type = entity.kind === 'person' ? '证明事项型' : (types.get(i) ?? '审批替代型');
      return this.commitment(entity, item, type, publications.get(i) ?? '可向社会公开', date);
    });
  }

  private commitmentCode(date: string): { code: string; serial: string } {
    const serial = pad(this.serial('commitment', 1, 5));
    return { code: `230109${date.replaceAll('-', '')}${serial}`, serial };
  }

  private commitment(entity: Entity, item: LicensingItem, type: CommitmentType, publication: PublicationType, date: string): Commitment {
    const { code, serial } = this.commitmentCode(date);
    const department = departmentOf(item);
    const subject = entity.kind === 'person' ? '本人' : '本单位';
    const validTo = item.validYears ? addDays(addMonths(date, 12 * item.validYears), -1) : '2099-12-31';
    const year = date.slice(0, 4);
    let reason = `申请${item.name}（告知承诺制）`;
    let content = `${subject}承诺已具备${item.name}的全部法定条件和标准要求，所提交的申请材料真实、合法、有效，并自愿接受${department.unit}的事后核查。`;
    const extra: Json = {};
    if (type === '容缺受理型') {
      const missing = this.rng.pick(['消防验收意见书', '房屋产权证明', '经营场所平面布局图', '设备购置凭证']);
      reason = `申请${item.name}（容缺受理）`;
      content = `${subject}申请${item.name}时${missing}暂缺，承诺于${this.rng.int(5, 20)}个工作日内补齐；逾期未补齐的，自愿承担许可被撤销的后果。`;
    } else if (type === '证明事项型') {
      const proof = this.rng.pick(entity.kind === 'person' ? ['无犯罪记录证明', '健康体检证明'] : ['经营场所使用权证明', '无违法违规记录证明']);
      reason = `以告知承诺替代${proof}，申请${item.name}`;
      content = `${subject}承诺符合${item.name}关于${proof}的要求，所作承诺真实有效；如有不实，愿意承担相应法律责任。`;
    } else if (type === '其他') {
      extra['commitmentTypeOther'] = '并联审批承诺';
      reason = `申请${item.name}（多部门并联审批）`;
    }
    const licence: Json = {
      documentName: '准予行政许可决定书',
      documentNumber: `哈新审批许〔${year}〕${this.serial(`licence:${year}`, 1, 3)}号`,
      category: item.category,
      ...(item.certificate && { certificateName: item.certificate, certificateNumber: `HXXK${year}${pad(this.serial('certificate', 1, 9))}` }),
      content: `准予${item.name}（告知承诺制）`,
      decisionDate: date,
      validFrom: date,
      validTo,
      authority: UNITS.approval.unit,
      authorityUscc: UNITS.approval.uscc,
      status: '有效',
    };
    const data: Json = {
      commitmentCode: code,
      party: entity.party,
      commitmentType: type,
      ...extra,
      reason,
      content,
      breachLiability: '如承诺不实或未按期履行承诺，自愿承担撤销许可、记入信用记录、依法接受处罚等法律责任。',
      commitmentDate: date,
      validFrom: date,
      validTo,
      acceptingUnit: UNITS.approval.unit,
      acceptingUnitUscc: UNITS.approval.uscc,
      publicationType: publication,
      licensingItem: { itemCode: item.code, itemName: item.name, department: department.unit },
      licence,
    };
    const recordId = `HXSP-CN-${year}-${serial}`;
    const c: Commitment = { entity, item, type, publication, date, code, recordId, data, revisions: [] };
    c.revisions.push(this.envelope('commitment', SOURCES.approval, recordId, 1, this.morning(date), data));
    return c;
  }

  /** Revision n+1 of a commitment with `changes` applied to its latest data. */
  private revise(c: Commitment, date: string, changes: Json, operation: 'upsert' | 'withdraw' = 'upsert'): void {
    const latest = c.revisions.at(-1)!;
    const data = { ...(latest['data'] as Json), ...changes };
    c.revisions.push(this.envelope('commitment', SOURCES.approval, c.recordId, c.revisions.length + 1, this.afternoon(date), data, operation));
  }

  /** Kept commitments whose fulfilment was determined: revision 2 with 全部履行. */
  private fulfilmentUpdates(commitments: Commitment[]): number {
    const kept = commitments.filter((c) => !c.breach && daysBetween(c.date, this.today) > 30);
    const chosen = this.rng.sample(kept, round(PLAN.fulfilmentShare * (commitments.length - commitments.filter((c) => c.breach).length)));
    for (const c of chosen) {
      const determined = addDays(c.date, this.rng.int(30, Math.min(180, daysBetween(c.date, this.today) - 1)));
      this.revise(c, determined, {
        fulfilmentStatus: '全部履行',
        fulfilmentDeterminationDate: determined,
        fulfilmentDeterminationUnit: departmentOf(c.item).unit,
      });
    }
    return chosen.length;
  }

  /** A few licences cancelled at the holder's request: the commitment is withdrawn from publication. */
  private withdrawals(commitments: Commitment[]): number {
    const candidates = commitments.filter((c) => !c.breach);
    const chosen = this.rng.sample(candidates, round(PLAN.withdrawals * this.scale));
    for (const c of chosen) {
      const last = (c.revisions.at(-1)!['occurredAt'] as string).slice(0, 10);
      const date = addDays(last, this.rng.int(1, Math.max(1, daysBetween(last, this.today))));
      const licence = { ...((c.revisions.at(-1)!['data'] as Json)['licence'] as Json), status: '无效' };
      this.revise(c, date, { licence, remarks: `被许可人于${chineseDate(date)}申请注销许可，承诺信息撤回公示。` }, 'withdraw');
      c.withdrawn = true;
    }
    return chosen.length;
  }

  // ---- breaches ------------------------------------------------------------------------------

  private breaches(commitments: Commitment[]): Breach[] {
    const total = Math.max(3, round(PLAN.breachRate * commitments.length));
    const serious = Math.max(1, round(PLAN.tierShares.严重 * total));
    const general = Math.max(1, round(PLAN.tierShares.一般 * total));
    const minor = total - serious - general;
    const exempt = Math.min(minor, Math.max(1, round(PLAN.firstOffenceShare * total)));
    // an inspection needs time after the commitment; a serious breach early enough that its
    // one-year minimum period can have passed today, so that some serious repairs can be granted
    const inspectable = this.rng.shuffle(commitments.filter((c) => daysBetween(c.date, this.today) >= 60));
    const take = (minAge: number): Commitment => {
      const i = inspectable.findIndex((c) => daysBetween(c.date, this.today) >= minAge);
      const [c] = inspectable.splice(i >= 0 ? i : 0, 1);
      if (!c) throw new Error('not enough commitments to breach');
      return c;
    };
    const out: Breach[] = [];
    const tiers: Array<[Severity, boolean]> = [
      ...Array.from({ length: serious }, (): [Severity, boolean] => ['严重', false]),
      ...Array.from({ length: general }, (): [Severity, boolean] => ['一般', false]),
      ...Array.from({ length: minor }, (_, i): [Severity, boolean] => ['轻微', i < exempt]),
    ];
    for (const [severity, isExempt] of tiers) {
      const c = take(severity === '严重' ? 430 : 60);
      const latest = Math.min(200, daysBetween(c.date, this.today) - 7);
      const decisionDate = addDays(c.date, this.rng.int(30, latest));
      out.push(this.breach(c, severity, isExempt, decisionDate));
    }
    return out;
  }

  private breach(c: Commitment, severity: Severity, exempt: boolean, decisionDate: string): Breach {
    const year = decisionDate.slice(0, 4);
    const department = departmentOf(c.item);
    const decisionNumber = exempt ? `哈新综执不罚〔${year}〕${this.serial(`noPenalty:${year}`, 1, 3)}号` : `哈新综执罚〔${year}〕${this.serial(`penalty:${year}`, 1, 4)}号`;
    const finding = {
      轻微: '经营场所公示信息、管理制度等非核心条件未按承诺落实，已于核查当日改正',
      一般: '从业人员资质、设施设备等条件未在承诺期限内达到许可要求',
      严重: '申请时提交的场所使用证明材料与实际不符，实际不具备许可条件',
    }[severity];
    const licence = c.data['licence'] as Json;
    const penalty = this.penalty(severity, exempt, `${String(licence['certificateName'] ?? licence['documentName'])}（${String(licence['certificateNumber'] ?? licence['documentNumber'])}）`);
    const data: Json = {
      party: c.entity.party,
      decisionNumber,
      violationType: '违反告知承诺制承诺（承诺内容与实际情况不符）',
      facts: `当事人于${chineseDate(c.date)}以告知承诺方式申请${c.item.name}，承诺已具备许可条件。经${department.unit}事后核查，${finding}。`,
      legalBasis: `《中华人民共和国行政许可法》第七十九条；${c.item.regulation}${exempt ? '；《中华人民共和国行政处罚法》第三十三条第一款' : ''}`,
      ...penalty.fields,
      decisionDate,
      disclosureEndDate: exempt ? decisionDate : addMonths(decisionDate, SEVERITY_TIERS[severity].maxMonths),
      authority: UNITS.enforcement.unit,
      authorityUscc: UNITS.enforcement.uscc,
      dataSource: UNITS.enforcement.unit,
      dataSourceUscc: UNITS.enforcement.uscc,
      brokenCommitmentCode: c.code,
      severity,
      blackPoints: penalty.blackPoints,
      firstOffenceExemption: exempt,
      ...(exempt && { remarks: '列入哈尔滨新区轻微违法行为不予处罚清单（首违不罚）。' }),
    };
    const serial = this.serial('breach', 1, 9);
    const record = this.envelope('breach', SOURCES.enforcement, `HXZF-SX-${year}-${pad(serial)}`, 1, this.afternoon(decisionDate, 60), data);
    const b: Breach = { commitment: c, severity, exempt, decisionDate, decisionNumber, record };
    c.breach = b;

    // the commitment's own record says what was not performed, determined shortly before the decision
    const determined = maxDate(addDays(c.date, 1), addDays(decisionDate, -this.rng.int(1, 10)));
    this.revise(c, determined, {
      fulfilmentStatus: severity === '严重' ? '全部未履行' : '部分履行',
      unperformedContent: `未按承诺具备${c.item.name}条件：${finding}。`,
      liabilityPursued: exempt ? `首违不罚：依法不予行政处罚，责令改正（${decisionNumber}）。` : `已依法作出行政处罚（${decisionNumber}），并记入信用记录。`,
      fulfilmentDeterminationDate: determined,
      fulfilmentDeterminationUnit: department.unit,
      ...(severity === '严重' && { licence: { ...licence, status: '无效' } }),
    });
    return b;
  }

  /** Penalty fields by tier; fines in 10,000 yuan (CF_NR_FK: a 2,000-yuan fine is 0.2). */
  private penalty(severity: Severity, exempt: boolean, licenceName: string): { fields: Json; blackPoints: number } {
    if (exempt) {
      return { fields: { penaltyCategories: ['其他'], penaltyContent: '首违不罚：依法不予行政处罚，对当事人进行批评教育并责令改正。' }, blackPoints: 0 };
    }
    if (severity === '轻微') {
      if (this.rng.chance(0.5)) return { fields: { penaltyCategories: ['警告'], penaltyContent: '警告。' }, blackPoints: 2 };
      const fine = this.rng.pick([0.1, 0.2, 0.3]);
      return { fields: { penaltyCategories: ['警告', '罚款'], penaltyContent: `警告，并处罚款人民币${yuan(fine)}元。`, fineAmount: fine }, blackPoints: 2 };
    }
    if (severity === '一般') {
      const fine = this.rng.pick([0.5, 1, 1.5, 2, 3, 5]);
      return { fields: { penaltyCategories: ['警告', '罚款'], penaltyContent: `警告，并处罚款人民币${yuan(fine)}元。`, fineAmount: fine }, blackPoints: this.rng.int(6, 10) };
    }
    const fine = this.rng.pick([5, 8, 10, 15, 20]);
    return {
      fields: { penaltyCategories: ['罚款', '吊销许可证件'], penaltyContent: `罚款人民币${yuan(fine)}元，吊销${licenceName}。`, fineAmount: fine, licenceSuspendedOrRevoked: licenceName },
      blackPoints: this.rng.int(20, 40),
    };
  }

  // ---- credit repair -------------------------------------------------------------------------

  /**
   * Repairs of most non-exempt breaches. Past the tier's minimum period a repair is mostly granted
   * (with the public credit-repair commitment it requires) and sometimes refused; before it, the
   * application is not accepted (不予受理) — which is what the timing of a young breach gives.
   */
  private repairs(breaches: Breach[]): { repairs: number; repairCommitments: number } {
    const eligible = breaches.filter((b) => !b.exempt);
    const chosen = this.rng.sample(eligible, Math.ceil(PLAN.repairShare * eligible.length));
    let repairCommitments = 0;
    for (const b of chosen) {
      const tier = SEVERITY_TIERS[b.severity];
      const minEnd = addMonths(b.decisionDate, tier.minMonths);
      const maxEnd = addMonths(b.decisionDate, tier.maxMonths);
      // the earliest day an application can meet the minimum period (never the decision day itself)
      const from = maxDate(addDays(b.decisionDate, 1), minEnd);
      let applicationDate: string;
      let outcome: '同意' | '不同意' | '不予受理';
      if (daysBetween(from, this.today) >= 6) {
        applicationDate = addDays(from, this.rng.int(0, Math.min(60, daysBetween(from, this.today) - 5)));
        outcome = this.rng.chance(PLAN.refusedRepairShare) ? '不同意' : '同意';
      } else {
        // only a 一般/严重 breach gets here (a 轻微 one is at least 7 days old): minEnd is months away
        applicationDate = addDays(b.decisionDate, this.rng.int(1, daysBetween(b.decisionDate, minDate(addDays(minEnd, -1), addDays(this.today, -1)))));
        outcome = '不予受理';
      }
      const decisionDate = addDays(applicationDate, this.rng.int(1, Math.min(10, daysBetween(applicationDate, this.today))));
      const year = decisionDate.slice(0, 4);
      const breachData = b.record['data'] as Json;
      const party = breachData['party'] as Json;
      const outcomeFields: Json = {};
      if (outcome === '同意') {
        const code = this.repairCommitment(b, party, maxDate(addDays(b.decisionDate, 1), addDays(applicationDate, -this.rng.int(0, 3))));
        repairCommitments++;
        Object.assign(outcomeFields, { method: b.severity === '严重' ? '移出名单' : '终止公示', repairCommitmentCode: code });
      } else {
        outcomeFields['outcomeReason'] =
          outcome === '不同意' ? '当事人未全额履行行政处罚决定规定的罚款缴纳义务，不符合信用修复条件。' : `申请时未满最短公示期限（${chineseDate(minEnd)}届满），不符合信用修复条件。`;
      }
      const data: Json = {
        party,
        breachRecordId: b.record['recordId'],
        breachSource: SOURCES.enforcement,
        breachDecisionNumber: b.decisionNumber,
        breachDecisionDate: b.decisionDate,
        severity: b.severity,
        minDisclosureEndDate: minEnd,
        maxDisclosureEndDate: maxEnd,
        applicationDate,
        handlingUnit: UNITS.creditRepair.unit,
        handlingUnitUscc: UNITS.creditRepair.uscc,
        outcome,
        ...outcomeFields,
        decisionDate,
        decisionNumber: `哈新信修〔${year}〕${this.serial(`repair:${year}`, 1, 3)}号`,
      };
      this.add(this.envelope('repair', SOURCES.repair, `HXXF-${year}-${pad(this.serial('repairId', 1, 4))}`, 1, this.afternoon(decisionDate, 30), data), true);
    }
    return { repairs: chosen.length, repairCommitments };
  }

  /** The public credit-repair commitment (信用修复型) an approved repair names; returns its code. */
  private repairCommitment(b: Breach, party: Json, date: string): string {
    const { code, serial } = this.commitmentCode(date);
    const year = date.slice(0, 4);
    const subject = party['category'] === '自然人' ? '本人' : '本单位';
    const data: Json = {
      commitmentCode: code,
      party,
      commitmentType: '信用修复型',
      reason: `申请对行政处罚信息（${b.decisionNumber}）进行信用修复`,
      content: `${subject}已履行行政处罚决定规定的义务并完成整改，承诺今后严格遵守告知承诺制各项要求，不再发生同类违法行为，所提交的信用修复申请材料真实、有效。`,
      breachLiability: `如违背本承诺或提供虚假材料，同意撤销信用修复决定、恢复公示，且三年内不再受理${subject}的信用修复申请。`,
      commitmentDate: date,
      validFrom: date,
      validTo: addDays(addMonths(date, 36), -1),
      acceptingUnit: UNITS.creditRepair.unit,
      acceptingUnitUscc: UNITS.creditRepair.uscc,
      publicationType: '可向社会公开',
    };
    this.add(this.envelope('commitment', SOURCES.repair, `HXXF-CN-${year}-${serial}`, 1, this.morning(date), data), true);
    return code;
  }

  // ---- inbound ---------------------------------------------------------------------------------

  /** Dishonesty findings of provincial and municipal authorities about district entities, on the provincial feed. */
  private inbound(entities: Entity[]): number {
    const total = Math.max(1, round(PLAN.inboundBreaches * this.scale));
    const market = entities.filter((e) => e.kind !== 'person');
    const tiers: Severity[] = ['一般', '严重', '轻微', '一般'];
    for (let i = 0; i < total; i++) {
      const authority = this.rng.pick(PROVINCIAL_AUTHORITIES);
      const severity = tiers[i % tiers.length]!;
      const decisionDate = addDays(this.today, -this.rng.int(10, 300));
      const year = decisionDate.slice(0, 4);
      const fine = severity === '轻微' ? undefined : this.rng.pick(severity === '一般' ? [0.5, 1, 2, 3] : [10, 20, 50]);
      const categories = severity === '轻微' ? ['警告'] : severity === '一般' ? ['罚款'] : ['罚款', '责令停产停业'];
      const data: Json = {
        party: this.rng.pick(market).party,
        decisionNumber: `${authority.prefix}〔${year}〕${this.serial(`inbound:${authority.prefix}:${year}`, 3, 40)}号`,
        violationType: authority.violationType,
        facts: authority.facts,
        legalBasis: authority.legalBasis,
        penaltyCategories: categories,
        penaltyContent: fine === undefined ? '警告。' : `罚款人民币${yuan(fine)}元${severity === '严重' ? '，责令停产停业整顿' : ''}。`,
        ...(fine !== undefined && { fineAmount: fine }),
        decisionDate,
        disclosureEndDate: addMonths(decisionDate, SEVERITY_TIERS[severity].maxMonths),
        authority: authority.unit,
        authorityUscc: authority.uscc,
        dataSource: authority.unit,
        dataSourceUscc: authority.uscc,
        severity,
        blackPoints: severity === '严重' ? this.rng.int(20, 40) : severity === '一般' ? this.rng.int(6, 10) : 2,
        firstOffenceExemption: false,
      };
      const id = `HLJ-SX-${year}-${pad(this.serial('inbound', 11, 97))}`;
      this.add(this.envelope('breach', FEED_SOURCE, id, 1, this.afternoon(decisionDate, 120), data), true);
    }
    return total;
  }

  // ---- invalid ---------------------------------------------------------------------------------

  /** Submissions the intake must quarantine, one reason after another (each a single defect). */
  private invalid(entities: Entity[]): number {
    const total = Math.max(INVALID_REASONS.length, round(PLAN.invalid * this.scale));
    const market = entities.filter((e) => e.kind !== 'person');
    const businessItems = LICENSING_ITEMS.filter((i) => i.holders === 'enterprise');
    for (let i = 0; i < total; i++) {
      const reason = INVALID_REASONS[i % INVALID_REASONS.length]!;
      // old enough for the breach below to be decided in the past too
      const date = addDays(this.today, -this.rng.int(60, PLAN.commitmentWindowDays[1]));
      const entity = this.rng.pick(market);
      // a fresh commitment of a known entity (not one of the dataset's commitments: its own code and id)
      const c = this.commitment(entity, entity.kind === 'individual' ? this.rng.pick(LICENSING_ITEMS.filter((x) => x.individualSuffixes)) : this.rng.pick(businessItems), '审批替代型', '可向社会公开', date);
      const record = c.revisions[0]!;
      const data = record['data'] as Json;
      switch (reason) {
        case 'uscc-check':
          // a typo in the last character: the GB 32100 check fails
          data['party'] = { ...(data['party'] as Json), uscc: breakUsccCheck(String((data['party'] as Json)['uscc'])) };
          this.add(record, false, { expect: 'invalid', reason });
          break;
        case 'missing-field': {
          // a breach whose tier the enforcement system left out
          const breach = this.breach(c, '一般', false, addDays(date, 40));
          delete (breach.record['data'] as Json)['severity'];
          this.add(breach.record, false, { expect: 'invalid', reason });
          break;
        }
        case 'malformed-json': {
          // a body cut off in transit
          const text = JSON.stringify(record);
          this.pending.push({ body: text.slice(0, Math.floor(text.length * 0.6)), channel: 'queue', expect: 'invalid', reason, at: record['occurredAt'] as string, order: this.pending.length });
          break;
        }
        case 'unknown-source':
          record['source'] = SOURCES.unregistered;
          record['recordId'] = `HXZJ-CN-${date.slice(0, 4)}-${pad(this.serial('housing', 1, 9))}`;
          this.add(record, false, { expect: 'invalid', reason });
          break;
        case 'date-order':
          // validity ending the day before it starts
          data['validTo'] = addDays(date, -1);
          this.add(record, false, { expect: 'invalid', reason });
          break;
      }
    }
    return total;
  }

  // ---- ordering --------------------------------------------------------------------------------

  /**
   * Submission order: every record revision in time order, then the awkward cases slotted in —
   * out-of-order revision 1s after their revision 2, duplicates after the copy they repeat — each
   * at least MIN_GAP positions later, so a runner submitting in order and waiting for its batches
   * gets exactly the expected outcome.
   */
  private order(commitments: Commitment[]): { submissions: DemoSubmission[]; duplicates: number; outOfOrder: number } {
    const firstSubmissions = this.pending.length;
    const base = [...this.pending].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
    const position = new Map(base.map((p, i) => [p.record, i]));

    // The gap needs MIN_GAP submissions after the one followed, even once the delayed revision 1s
    // are taken out of the time order: a revision 2 too close to the end is not overtaken.
    const outOfOrder = round(PLAN.outOfOrderShare * firstSubmissions);
    const lastOvertaking = base.length - 1 - outOfOrder - MIN_GAP;
    const twoRevisions = commitments.filter((c) => c.revisions.length === 2 && !c.withdrawn && position.get(c.revisions[1]!)! <= lastOvertaking);
    const delayed = new Set(this.rng.sample(twoRevisions, outOfOrder).map((c) => c.revisions[0]!));
    const inOrder = base.filter((p) => !p.record || !delayed.has(p.record));
    inOrder.forEach((p, i) => (p.slot = i));
    const gap = (): number => MIN_GAP + 0.5 + this.rng.int(0, MAX_EXTRA_GAP) + this.rng.float() * 0.4;

    const late: Pending[] = [];
    const byKey = new Map(inOrder.filter((p) => p.key).map((p) => [`${p.key}#${String(p.record!['revision'])}`, p]));
    for (const p of base.filter((q) => q.record && delayed.has(q.record))) {
      const newer = byKey.get(`${p.key}#2`)!;
      late.push({ ...p, expect: 'superseded', slot: newer.slot! + gap() });
    }
    // a duplicate resends a newest revision: a resend of an older one would be superseded instead
    const resendable = inOrder.filter((p) => p.expect === 'accepted' && p.latest && p.slot! < inOrder.length - MIN_GAP);
    const resent = this.rng.sample(resendable, round(PLAN.duplicateShare * firstSubmissions));
    for (const p of resent) late.push({ ...p, expect: 'duplicate', slot: p.slot! + gap() });

    const all = [...inOrder, ...late].sort((a, b) => a.slot! - b.slot! || a.order - b.order);
    const submissions = all.map((p, i): DemoSubmission => ({
      seq: i + 1,
      channel: p.channel,
      ...(p.upstreamId && { upstreamId: p.upstreamId }),
      body: p.body,
      // each submission its own copy, parsed from the very text it sends
      ...(p.record && { record: JSON.parse(p.body) as Json }),
      expect: p.expect,
      ...(p.reason && { reason: p.reason }),
    }));
    return { submissions, duplicates: resent.length, outOfOrder: delayed.size };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Queues a record for submission through the channel its source and type allow. */
  private add(record: Json, latest: boolean, overrides: Partial<Pick<Pending, 'expect' | 'reason'>> = {}): void {
    const { channel, upstreamId } = channelFor(String(record['recordType']), String(record['source']));
    this.pending.push({
      body: JSON.stringify(record),
      record,
      channel,
      ...(upstreamId && { upstreamId }),
      expect: 'accepted',
      ...overrides,
      at: record['occurredAt'] as string,
      order: this.pending.length,
      key: `${String(record['recordType'])}/${String(record['source'])}/${String(record['recordId'])}`,
      latest,
    });
  }

  private envelope(recordType: string, source: string, recordId: string, revision: number, occurredAt: string, data: Json, operation: 'upsert' | 'withdraw' = 'upsert'): Json {
    return { schemaVersion: '1.0', recordType, recordId, revision, operation, source, occurredAt, data };
  }

  /** Morning office hours (first revisions), afternoon (later ones): a same-day update still follows its record. */
  private morning(date: string): string {
    return beijingTime(date, this.rng.int(8 * 60 + 30, 11 * 60 + 30), this.rng.int(0, 59));
  }

  private afternoon(date: string, offsetMinutes = 0): string {
    return beijingTime(date, this.rng.int(13 * 60, 15 * 60) + offsetMinutes, this.rng.int(0, 59));
  }

  /** Next number of a register, advancing by a random step in [minStep, maxStep]. */
  private serial(register: string, minStep: number, maxStep: number): number {
    const value = (this.counters.get(register) ?? 0) + this.rng.int(minStep, maxStep);
    this.counters.set(register, value);
    return value;
  }
}

/**
 * How a record of this source and type enters: the provincial feed for the province's records, the
 * ingest API when a registered upstream may push it, else straight to the intake queue.
 */
export function channelFor(recordType: string, source: string): { channel: Channel; upstreamId?: string } {
  if (source === FEED_SOURCE) return { channel: 'feed' };
  for (const [id, upstream] of Object.entries(upstreams)) {
    if (id === FEED_SOURCE) continue;
    if ((upstream.sources as readonly string[]).includes(source) && (upstream.recordTypes as readonly string[]).includes(recordType)) return { channel: 'ingest', upstreamId: id };
  }
  return { channel: 'queue' };
}
