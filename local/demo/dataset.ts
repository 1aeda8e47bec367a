/**
 * The demo dataset the local runtime pushes through the pipeline: a seeded, reproducible model of
 * Harbin New Area's notify-and-commit reform (docs/domain.md). At scale 1:
 *
 *  - 108 enterprises (a few 个体工商户 among them) and a couple of natural persons make commitments
 *    for items of the 59-item catalogue (catalogue.ts); most commitments old enough are verified (a
 *    revision stating their fulfilment); a couple of licences are cancelled at the holder's request
 *    (a status change: an upsert), and one commitment entered in error is withdrawn (retracted);
 *  - about 2 % of commitments are broken and penalised (at least one per severity tier); each such
 *    breach is preceded by a revision of its commitment stating what was not performed;
 *  - one violation found at verification is not punished: a first-offence exemption (首违不罚), a
 *    nonPenalty record kept and shared nowhere, the commitment corrected and kept;
 *  - other penalties of the district, mostly 轻微 (shared, not published), one of them published
 *    at the department's request and ending today — the next day the expiry sweep ends it;
 *  - most breaches get a credit-repair decision by their deciding authority (approved ones with
 *    their public credit-repair commitment), applied for through Credit China; inbound breaches
 *    arrive on the provincial feed without black points (the district assigns them);
 *  - the pipeline's awkward cases: invalid submissions (one per reason), exact duplicates and older
 *    revisions arriving after newer ones.
 *
 * `scale` multiplies the populations and keeps the ratios. The same options always give the same
 * dataset (one mulberry32 stream, no clock, no Math.random). Nothing is printed: the records hold
 * identity numbers (personal data).
 */
import { upstreams } from '../../topology/upstreams.js';
import { publicationOf, SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/publication.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
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
   * source and record type by topology/upstreams.ts); 'queue' = sent straight to the intake queue (a
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
  /** Broken and penalised commitments (a breach names each). */
  brokenCommitments: number;
  /** Penalties the district shares (source hrbxq-enforcement): broken commitments and other violations. */
  breaches: number;
  breachesBySeverity: Record<Severity, number>;
  /** 轻微 breaches the department decided to publish (the others are shared, not published). */
  publishedMinorBreaches: number;
  /** Publications whose last day is the dataset's today: the next day the expiry sweep ends them. */
  publicationsEndingToday: number;
  /** Non-penalty decisions (不予行政处罚): kept, never shared. */
  nonPenalties: number;
  /** Of them, first-offence exemptions (首违不罚). */
  firstOffenceExemptions: number;
  repairs: number;
  inboundBreaches: number;
  invalid: number;
  duplicates: number;
  /** Older revisions submitted after a newer one of the same record (expect 'superseded'). */
  outOfOrder: number;
  /** Commitments whose fulfilment was determined (verified): kept or broken. */
  verified: number;
  /** Kept ÷ verified, 0..1 (the reform reported 98 %). */
  commitmentKeepingRate: number;
  /** Beyond the brief's list: */
  individualBusinesses: number;
  naturalPersons: number;
  /** 信用修复型 commitments made to obtain an approved repair (source hrb-credit-repair). */
  repairCommitments: number;
  /** Commitments that got a revision stating their fulfilment (kept or not). */
  fulfilmentUpdates: number;
  /** Licences cancelled at the holder's request: a status change (an upsert), off the public column. */
  cancellations: number;
  /** Commitments retracted as entered in error (operation withdraw). */
  withdrawals: number;
  submissions: number;
  /** brokenCommitments / commitments (above 2 % at small scale, where each tier still appears once). */
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
  /** The reform reported 98 % of commitments kept. */
  breachRate: 0.02,
  tierShares: { 严重: 0.2, 一般: 0.4 }, // the rest 轻微
  /** Violations found at verification and not punished (首违不罚), of commitments, at least one. */
  firstOffenceShare: 0.008,
  /** Other penalties of the district (not about a commitment), mostly 轻微 — dishonesty is mostly minor. */
  otherPenalties: 6,
  otherTierShares: { 一般: 0.34 }, // the rest 轻微
  /** 轻微 penalties the department decided to publish: one at scale 1, its publication ending today. */
  publishedMinorShare: 0.25,
  repairShare: 0.6, // of breaches, rounded up
  refusedRepairShare: 0.2, // of repairs past their minimum period: 不同意
  inboundBreaches: 4,
  invalid: 5, // one of each reason at scale 1, never fewer
  fulfilmentShare: 0.95, // of kept commitments old enough to be verified
  cancellations: 2,
  withdrawals: 1,
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
  /** Not in topology/topology.ts: the housing bureau's own system, never registered. */
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
  /** A violation found at verification and not punished (首违不罚): the nonPenalty record. */
  exemption?: Json;
  cancelled?: boolean;
  withdrawn?: boolean;
}

interface Breach {
  /** The commitment it breaks, when it is a broken commitment. */
  commitment?: Commitment;
  severity: Severity;
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

/** What a verification finds, by tier. */
const FINDINGS: Readonly<Record<Severity, string>> = {
  轻微: '经营场所公示信息、管理制度等非核心条件未按承诺落实，已于核查当日改正',
  一般: '从业人员资质、设施设备等条件未在承诺期限内达到许可要求',
  严重: '申请时提交的场所使用证明材料与实际不符，实际不具备许可条件',
};

/** Violations of the district's other penalties (not about a commitment). */
const OTHER_VIOLATIONS = [
  { type: '未按规定公示营业执照', facts: '当事人未在经营场所醒目位置悬挂营业执照。', basis: '《中华人民共和国市场主体登记管理条例》第三十六条、第四十八条' },
  { type: '明码标价违法行为', facts: '当事人销售商品未按规定明码标价。', basis: '《明码标价和禁止价格欺诈规定》第五条、第二十一条' },
  { type: '占道经营', facts: '当事人擅自占用城市道路摆摊经营。', basis: '《城市市容和环境卫生管理条例》第十四条、第三十六条' },
  { type: '未按规定进行食品进货查验', facts: '当事人采购食品未查验供货者的许可证和食品出厂检验合格证。', basis: '《中华人民共和国食品安全法》第五十三条、第一百二十六条' },
  { type: '未按规定设置安全警示标志', facts: '当事人未在有较大危险因素的生产经营场所设置明显的安全警示标志。', basis: '《中华人民共和国安全生产法》第三十五条、第九十九条' },
] as const;

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
    const broken = this.breaches(commitments);
    const exemptions = this.exemptions(commitments);
    const fulfilmentUpdates = this.fulfilmentUpdates(commitments) + broken.length + exemptions.length;
    const cancellations = this.cancellations(commitments);
    const withdrawals = this.withdrawals(commitments);
    for (const c of commitments) c.revisions.forEach((record, i) => this.add(record, i === c.revisions.length - 1));
    for (const b of broken) this.add(b.record, true);
    for (const e of exemptions) this.add(e, true);
    const others = this.otherPenalties(entities);
    const breaches = [...broken, ...others];
    const { repairs, repairCommitments } = this.repairs(breaches);
    const inbound = this.inbound(entities);
    const invalid = this.invalid(entities);
    const { submissions, duplicates, outOfOrder } = this.order(commitments);

    const bySeverity: Record<Severity, number> = { 轻微: 0, 一般: 0, 严重: 0 };
    for (const b of breaches) bySeverity[b.severity]++;
    const count = (kind: Entity['kind']): number => entities.filter((e) => e.kind === kind).length;
    const latest = commitments.map((c) => c.revisions.at(-1)!).filter((r) => r['operation'] !== 'withdraw');
    const status = (r: Json) => (r['data'] as Json)['fulfilmentStatus'];
    const verified = latest.filter((r) => status(r) !== undefined);
    const kept = verified.filter((r) => status(r) === '全部履行').length;
    // what the sweep ends the next day: outbound publications whose last day is today
    const endingToday = [...latest, ...breaches.map((b) => b.record)].filter((r) => publicationOf(r as unknown as CreditRecord).until === this.today).length;
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
        brokenCommitments: broken.length,
        breaches: breaches.length,
        breachesBySeverity: bySeverity,
        publishedMinorBreaches: others.filter((b) => (b.record['data'] as Json)['publicationRequested'] === true).length,
        publicationsEndingToday: endingToday,
        nonPenalties: exemptions.length,
        firstOffenceExemptions: exemptions.length,
        repairs,
        inboundBreaches: inbound,
        invalid,
        duplicates,
        outOfOrder,
        verified: verified.length,
        commitmentKeepingRate: verified.length === 0 ? 1 : kept / verified.length,
        individualBusinesses: count('individual'),
        naturalPersons: count('person'),
        repairCommitments,
        fulfilmentUpdates,
        cancellations,
        withdrawals,
        submissions: submissions.length,
        breachRate: broken.length / commitments.length,
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

  /** Kept commitments whose fulfilment was determined (verified): revision 2 with 全部履行. */
  private fulfilmentUpdates(commitments: Commitment[]): number {
    const kept = commitments.filter((c) => !c.breach && !c.exemption && daysBetween(c.date, this.today) > 30);
    const chosen = this.rng.sample(kept, round(PLAN.fulfilmentShare * kept.length));
    for (const c of chosen) {
      const determined = addDays(c.date, this.rng.int(30, Math.min(180, daysBetween(c.date, this.today) - 1)));
      const unit = departmentOf(c.item);
      this.revise(c, determined, {
        fulfilmentStatus: '全部履行',
        fulfilmentDeterminationDate: determined,
        fulfilmentDeterminationUnit: unit.unit,
        fulfilmentDeterminationUnitUscc: unit.uscc,
      });
    }
    return chosen.length;
  }

  /** Commitments whose licence the holder cancelled: a change of status (an upsert), off the public column, still shared. */
  private cancellations(commitments: Commitment[]): number {
    const chosen = this.rng.sample(this.untouched(commitments), round(PLAN.cancellations * this.scale));
    for (const c of chosen) {
      const date = this.dayAfterLastRevision(c);
      const licence = { ...((c.revisions.at(-1)!['data'] as Json)['licence'] as Json), status: '注销' };
      this.revise(c, date, { licence, remarks: `被许可人于${chineseDate(date)}申请注销许可，许可注销；承诺信息停止公示。` });
      c.cancelled = true;
    }
    return chosen.length;
  }

  /** A commitment entered in error (a wrong commitment code, the wrong company): retracted everywhere. */
  private withdrawals(commitments: Commitment[]): number {
    const chosen = this.rng.sample(this.untouched(commitments), round(PLAN.withdrawals * this.scale));
    for (const c of chosen) {
      const date = this.dayAfterLastRevision(c);
      this.revise(c, date, { remarks: `承诺信息录入有误，于${chineseDate(date)}撤回。` }, 'withdraw');
      c.withdrawn = true;
    }
    return chosen.length;
  }

  /** Commitments neither broken, exempted, cancelled nor withdrawn. */
  private untouched(commitments: Commitment[]): Commitment[] {
    return commitments.filter((c) => !c.breach && !c.exemption && !c.cancelled && !c.withdrawn);
  }

  private dayAfterLastRevision(c: Commitment): string {
    const last = (c.revisions.at(-1)!['occurredAt'] as string).slice(0, 10);
    return addDays(last, this.rng.int(1, Math.max(1, daysBetween(last, this.today))));
  }

  // ---- breaches ------------------------------------------------------------------------------

  /** Broken commitments, penalised: at least one per tier. */
  private breaches(commitments: Commitment[]): Breach[] {
    const total = Math.max(3, round(PLAN.breachRate * commitments.length));
    const serious = Math.max(1, round(PLAN.tierShares.严重 * total));
    const general = Math.max(1, round(PLAN.tierShares.一般 * total));
    const minor = total - serious - general;
    const tiers: Severity[] = [...Array<Severity>(serious).fill('严重'), ...Array<Severity>(general).fill('一般'), ...Array<Severity>(minor).fill('轻微')];
    const out: Breach[] = [];
    for (const severity of tiers) {
      // an inspection needs time after the commitment; a serious breach early enough that its
      // one-year minimum period can have passed today, so that some serious repairs can be granted
      const c = this.inspectable(commitments, severity === '严重' ? 430 : 60);
      const latest = Math.min(200, daysBetween(c.date, this.today) - 7);
      const decisionDate = addDays(c.date, this.rng.int(30, latest));
      out.push(this.breach(c, severity, decisionDate));
    }
    return out;
  }

  /** A commitment not yet broken or exempted, at least `minAge` days old (the oldest available otherwise). */
  private inspectable(commitments: Commitment[], minAge: number): Commitment {
    const free = this.rng.shuffle(commitments.filter((c) => !c.breach && !c.exemption && daysBetween(c.date, this.today) >= 60));
    const c = free.find((x) => daysBetween(x.date, this.today) >= minAge) ?? free[0];
    if (!c) throw new Error('not enough commitments to inspect');
    return c;
  }

  private breach(c: Commitment, severity: Severity, decisionDate: string): Breach {
    const year = decisionDate.slice(0, 4);
    const department = departmentOf(c.item);
    const decisionNumber = `哈新综执罚〔${year}〕${this.serial(`penalty:${year}`, 1, 4)}号`;
    const finding = FINDINGS[severity];
    const licence = c.data['licence'] as Json;
    const penalty = this.penalty(severity, `${String(licence['certificateName'] ?? licence['documentName'])}（${String(licence['certificateNumber'] ?? licence['documentNumber'])}）`);
    const data: Json = {
      party: c.entity.party,
      decisionNumber,
      violationType: '违反告知承诺制承诺（承诺内容与实际情况不符）',
      facts: `当事人于${chineseDate(c.date)}以告知承诺方式申请${c.item.name}，承诺已具备许可条件。经${department.unit}事后核查，${finding}。`,
      legalBasis: `《中华人民共和国行政许可法》第七十九条；${c.item.regulation}`,
      ...penalty.fields,
      decisionDate,
      authority: UNITS.enforcement.unit,
      authorityUscc: UNITS.enforcement.uscc,
      dataSource: UNITS.enforcement.unit,
      dataSourceUscc: UNITS.enforcement.uscc,
      brokenCommitmentCode: c.code,
      severity,
      // the reform's red/black points scheme: the enforcement bureau scores broken commitments itself
      blackPoints: penalty.blackPoints,
    };
    const serial = this.serial('breach', 1, 9);
    const record = this.envelope('breach', SOURCES.enforcement, `HXZF-SX-${year}-${pad(serial)}`, 1, this.afternoon(decisionDate, 60), data);
    const b: Breach = { commitment: c, severity, decisionDate, decisionNumber, record };
    c.breach = b;

    // the commitment's own record says what was not performed, determined shortly before the decision
    const determined = maxDate(addDays(c.date, 1), addDays(decisionDate, -this.rng.int(1, 10)));
    this.revise(c, determined, {
      fulfilmentStatus: severity === '严重' ? '全部未履行' : '部分履行',
      unperformedContent: `未按承诺具备${c.item.name}条件：${finding}。`,
      liabilityPursued: `已依法作出行政处罚（${decisionNumber}），并记入信用记录。`,
      fulfilmentDeterminationDate: determined,
      fulfilmentDeterminationUnit: department.unit,
      fulfilmentDeterminationUnitUscc: department.uscc,
      ...(severity === '严重' && { licence: { ...licence, status: '吊销' } }),
    });
    return b;
  }

  /**
   * Violations found at verification and not punished: a first minor violation corrected on the
   * spot (首违不罚, Administrative Penalty Law art. 33). A nonPenalty record — kept, shared nowhere,
   * no black points — and the commitment, corrected, determined kept.
   */
  private exemptions(commitments: Commitment[]): Json[] {
    const total = Math.max(1, round(PLAN.firstOffenceShare * commitments.length));
    const out: Json[] = [];
    for (let i = 0; i < total; i++) {
      const c = this.inspectable(commitments, 60);
      const department = departmentOf(c.item);
      const found = addDays(c.date, this.rng.int(30, Math.min(200, daysBetween(c.date, this.today) - 7)));
      const decisionDate = addDays(found, this.rng.int(1, 5));
      const year = decisionDate.slice(0, 4);
      const decisionNumber = `哈新综执不罚〔${year}〕${this.serial(`noPenalty:${year}`, 1, 3)}号`;
      const data: Json = {
        party: c.entity.party,
        decisionNumber,
        ground: '首违不罚',
        violationType: '违反告知承诺制承诺（承诺内容与实际情况不符）',
        facts: `当事人于${chineseDate(c.date)}以告知承诺方式申请${c.item.name}。经${department.unit}事后核查，${FINDINGS['轻微']}，系初次违法且危害后果轻微。`,
        legalBasis: `《中华人民共和国行政处罚法》第三十三条第一款；${c.item.regulation}`,
        correction: '当事人已于核查当日改正；执法人员对其进行了批评教育。',
        decisionDate,
        authority: UNITS.enforcement.unit,
        authorityUscc: UNITS.enforcement.uscc,
        dataSource: UNITS.enforcement.unit,
        dataSourceUscc: UNITS.enforcement.uscc,
        relatedCommitmentCode: c.code,
        remarks: '列入哈尔滨新区轻微违法行为不予处罚清单（首违不罚）。',
      };
      const record = this.envelope('nonPenalty', SOURCES.enforcement, `HXZF-BC-${year}-${pad(this.serial('nonPenalty', 1, 9))}`, 1, this.afternoon(decisionDate, 60), data);
      c.exemption = record;
      // corrected on the spot: the commitment is determined kept
      this.revise(c, found, {
        fulfilmentStatus: '全部履行',
        fulfilmentDeterminationDate: found,
        fulfilmentDeterminationUnit: department.unit,
        fulfilmentDeterminationUnitUscc: department.uscc,
        remarks: `核查发现的问题已当场改正，依法不予行政处罚（${decisionNumber}）。`,
      });
      out.push(record);
    }
    return out;
  }

  /**
   * The district's other penalties — not about a commitment, mostly minor (轻微: shared with the
   * platforms, not published). One 轻微 penalty is published at the department's request, its
   * publication ending today: the next day it stops by itself (the expiry sweep). No black points:
   * the district assigns them on receipt.
   */
  private otherPenalties(entities: Entity[]): Breach[] {
    const total = Math.max(2, round(PLAN.otherPenalties * this.scale));
    const general = Math.max(1, round(PLAN.otherTierShares.一般 * total));
    const minor = total - general;
    const published = Math.min(minor, Math.max(1, round(PLAN.publishedMinorShare * minor)));
    const market = entities.filter((e) => e.kind !== 'person');
    const out: Breach[] = [];
    for (let i = 0; i < total; i++) {
      const severity: Severity = i < minor ? '轻微' : '一般';
      const publish = i < published;
      // the first published one ends today; the others were decided within the last ten months
      const decisionDate = publish && i === 0 ? addDays(this.today, -this.rng.int(40, 80)) : addDays(this.today, -this.rng.int(10, 300));
      const year = decisionDate.slice(0, 4);
      const violation = this.rng.pick(OTHER_VIOLATIONS);
      const penalty = this.penalty(severity, '');
      const data: Json = {
        party: this.rng.pick(market).party,
        decisionNumber: `哈新综执罚〔${year}〕${this.serial(`penalty:${year}`, 1, 4)}号`,
        violationType: violation.type,
        facts: violation.facts,
        legalBasis: violation.basis,
        ...penalty.fields,
        decisionDate,
        ...(publish && { publicationRequested: true, publicationEndDate: i === 0 ? this.today : addMonths(decisionDate, this.rng.int(1, 3)) }),
        authority: UNITS.enforcement.unit,
        authorityUscc: UNITS.enforcement.uscc,
        dataSource: UNITS.enforcement.unit,
        dataSourceUscc: UNITS.enforcement.uscc,
        severity,
        ...(publish && { remarks: '经执法部门认定确有必要公示。' }),
      };
      const record = this.envelope('breach', SOURCES.enforcement, `HXZF-SX-${year}-${pad(this.serial('breach', 1, 9))}`, 1, this.afternoon(decisionDate, 60), data);
      this.add(record, true);
      out.push({ severity, decisionDate, decisionNumber: String(data['decisionNumber']), record });
    }
    return out;
  }

  /** Penalty fields by tier; fines in 10,000 yuan (CF_NR_FK: a 2,000-yuan fine is 0.2). */
  private penalty(severity: Severity, licenceName: string): { fields: Json; blackPoints: number } {
    if (severity === '轻微') {
      if (this.rng.chance(0.5)) return { fields: { penaltyCategories: ['警告'], penaltyContent: '警告。' }, blackPoints: 2 };
      // amounts to the yuan, as decisions state them: 1,360 yuan is 0.136
      const fine = this.rng.pick([0.1, 0.136, 0.2, 0.3]);
      return { fields: { penaltyCategories: ['警告', '罚款'], penaltyContent: `警告，并处罚款人民币${yuan(fine)}元。`, fineAmount: fine }, blackPoints: 2 };
    }
    if (severity === '一般') {
      const fine = this.rng.pick([0.5, 0.839, 1, 1.5, 2, 3.06, 5]);
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
    const chosen = this.rng.sample(breaches, Math.ceil(PLAN.repairShare * breaches.length));
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
        // a penalty is repaired by ending its publication (and its sharing and use): Order 36
        Object.assign(outcomeFields, { method: '终止公示', repairCommitmentCode: code });
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
        // the party applies through Credit China; the authority that decided the breach decides (谁认定、谁修复)
        applicationChannel: '信用中国',
        handlingUnit: breachData['authority'],
        handlingUnitUscc: breachData['authorityUscc'],
        outcome,
        ...outcomeFields,
        decisionDate,
        decisionNumber: `哈新综执信修〔${year}〕${this.serial(`repair:${year}`, 1, 3)}号`,
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
        authority: authority.unit,
        authorityUscc: authority.uscc,
        dataSource: authority.unit,
        dataSourceUscc: authority.uscc,
        // no black points: the province runs no such scheme; the district assigns its own on receipt
        severity,
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
          const breach = this.breach(c, '一般', addDays(date, 40));
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
    return { schemaVersion: '2.0', recordType, recordId, revision, operation, source, occurredAt, data };
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
