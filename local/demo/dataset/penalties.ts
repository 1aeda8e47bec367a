/**
 * Penalties: the penalty fields of a decision by severity tier (warning, fine, licence revoked, with
 * black points), and the district's other penalties — breaches not about a commitment, mostly 轻微,
 * one of them published at the department's request and ending today, one 严重 repaired (scenario b).
 */
import { addDays, addMonths, daysBetween } from '../calendar.js';
import { UNITS } from '../catalogue.js';
import { pad, round, yuan, type DatasetContext } from './context.js';
import type { Breach, Commitment, Entity, Json } from './model.js';
import { marketEntities } from './parties.js';
import { PLAN, SOURCES } from './plan.js';
import type { Severity } from './types.js';

/** Violations of the district's other penalties (not about a commitment). */
const OTHER_VIOLATIONS = [
  { type: '未按规定公示营业执照', facts: '当事人未在经营场所醒目位置悬挂营业执照。', basis: '《中华人民共和国市场主体登记管理条例》第三十六条、第四十八条' },
  { type: '明码标价违法行为', facts: '当事人销售商品未按规定明码标价。', basis: '《明码标价和禁止价格欺诈规定》第五条、第二十一条' },
  { type: '占道经营', facts: '当事人擅自占用城市道路摆摊经营。', basis: '《城市市容和环境卫生管理条例》第十四条、第三十六条' },
  {
    type: '未按规定进行食品进货查验',
    facts: '当事人采购食品未查验供货者的许可证和食品出厂检验合格证。',
    basis: '《中华人民共和国食品安全法》第五十三条、第一百二十六条',
  },
  {
    type: '未按规定设置安全警示标志',
    facts: '当事人未在有较大危险因素的生产经营场所设置明显的安全警示标志。',
    basis: '《中华人民共和国安全生产法》第三十五条、第九十九条',
  },
] as const;

/** Penalty fields by tier; fines in 10,000 yuan (CF_NR_FK: a 2,000-yuan fine is 0.2). */
export function penaltyFields(ctx: DatasetContext, severity: Severity, licenceName: string): { fields: Json; blackPoints: number } {
  const { rng } = ctx;
  if (severity === '轻微') {
    if (rng.chance(0.5)) return { fields: { penaltyCategories: ['警告'], penaltyContent: '警告。' }, blackPoints: 2 };
    // amounts to the yuan, as decisions state them: 1,360 yuan is 0.136
    const fine = rng.pick([0.1, 0.136, 0.2, 0.3]);
    return { fields: { penaltyCategories: ['警告', '罚款'], penaltyContent: `警告，并处罚款人民币${yuan(fine)}元。`, fineAmount: fine }, blackPoints: 2 };
  }
  if (severity === '一般') {
    const fine = rng.pick([0.5, 0.839, 1, 1.5, 2, 3.06, 5]);
    return {
      fields: { penaltyCategories: ['警告', '罚款'], penaltyContent: `警告，并处罚款人民币${yuan(fine)}元。`, fineAmount: fine },
      blackPoints: rng.int(6, 10),
    };
  }
  const fine = rng.pick([5, 8, 10, 15, 20]);
  return {
    fields: {
      penaltyCategories: ['罚款', '吊销许可证件'],
      penaltyContent: `罚款人民币${yuan(fine)}元，吊销${licenceName}。`,
      fineAmount: fine,
      licenceSuspendedOrRevoked: licenceName,
    },
    blackPoints: rng.int(20, 40),
  };
}

/** Serious violations of the district's other penalties: notEligible for 告知承诺 until repaired. */
const SERIOUS_VIOLATIONS = [
  {
    type: '未经许可擅自经营危险化学品',
    facts: '当事人未取得危险化学品经营许可证，擅自在经营场所储存、销售危险化学品，存在重大安全隐患。',
    basis: '《危险化学品安全管理条例》第七十七条',
  },
  {
    type: '使用未经定期检验的特种设备',
    facts: '当事人使用未经定期检验的电梯，经责令限期改正后逾期未改正，继续投入使用。',
    basis: '《中华人民共和国特种设备安全法》第四十条、第八十四条',
  },
] as const;

/**
 * The district's other penalties — not about a commitment, mostly minor (轻微: shared with the
 * platforms, not published), a few 一般 and at least one 严重. One 轻微 penalty is published at the
 * department's request, its publication ending today: the next day it stops by itself (the expiry
 * sweep). The first 严重 one, decided over a year ago, is the repaired subject's (scenario b: its
 * repair is granted); a 严重 one falls on a company with no commitment after it, so none is flagged
 * by chance. The last one (一般) is the breach of `secondCompany`, the second company of the
 * responsible person (scenario d); none falls on another scenario subject. No black points: the
 * district assigns them on receipt. Queued for submission as they are made.
 */
export function otherPenalties(ctx: DatasetContext, entities: Entity[], commitments: Commitment[], secondCompany?: Entity): Breach[] {
  const { rng, today } = ctx;
  const total = Math.max(3, round(PLAN.otherPenalties * ctx.scale));
  const serious = Math.max(1, round(PLAN.otherTierShares.严重 * total));
  const general = Math.max(1, round(PLAN.otherTierShares.一般 * total));
  const minor = total - serious - general;
  const published = Math.min(minor, Math.max(1, round(PLAN.publishedMinorShare * minor)));
  const latestOf = (e: Entity): string => commitments.reduce((latest, c) => (c.entity === e && c.date > latest ? c.date : latest), '');
  // the repaired subject: a company of no scenario, none of its commitments broken, all made before the breach
  const repairedSubject = repairable(ctx, entities, commitments, latestOf);
  if (repairedSubject) ctx.reserved.add(repairedSubject.entity);
  const market = marketEntities(entities).filter((e) => !ctx.reserved.has(e));
  const out: Breach[] = [];
  for (let i = 0; i < total; i++) {
    // 轻微 first, then 严重, then 一般 (the last: the responsible person's second company)
    const severity: Severity = i < minor ? '轻微' : i < minor + serious ? '严重' : '一般';
    const publish = i < published;
    const scenarioB = i === minor && repairedSubject !== undefined;
    // the first published one ends today; the repaired subject's over a year ago; the others within the last ten months
    const decisionDate = scenarioB ? repairedSubject.decisionDate : publish && i === 0 ? addDays(today, -rng.int(40, 80)) : addDays(today, -rng.int(10, 300));
    const year = decisionDate.slice(0, 4);
    const violation = severity === '严重' ? rng.pick(SERIOUS_VIOLATIONS) : rng.pick(OTHER_VIOLATIONS);
    const fields = severity === '严重' ? seriousFields(ctx) : penaltyFields(ctx, severity, '').fields;
    let party: Json;
    if (scenarioB) party = repairedSubject.entity.party;
    else if (secondCompany && i === total - 1) party = secondCompany.party;
    else {
      const quiet = severity === '严重' ? market.filter((e) => e.kind === 'enterprise' && latestOf(e) < decisionDate) : [];
      party = rng.pick(quiet.length > 0 ? quiet : market).party;
    }
    const data: Json = {
      party,
      decisionNumber: `哈新综执罚〔${year}〕${ctx.serial(`penalty:${year}`, 1, 4)}号`,
      violationType: violation.type,
      facts: violation.facts,
      legalBasis: violation.basis,
      ...fields,
      decisionDate,
      ...(publish && { publicationRequested: true, publicationEndDate: i === 0 ? today : addMonths(decisionDate, rng.int(1, 3)) }),
      authority: UNITS.enforcement.unit,
      authorityUscc: UNITS.enforcement.uscc,
      dataSource: UNITS.enforcement.unit,
      dataSourceUscc: UNITS.enforcement.uscc,
      severity,
      ...(publish && { remarks: '经执法部门认定确有必要公示。' }),
    };
    const recordId = `HXZF-SX-${year}-${pad(ctx.serial('breach', 1, 9))}`;
    const record = ctx.envelope('breach', SOURCES.enforcement, recordId, 1, ctx.afternoon(decisionDate, 60), data);
    ctx.add(record, true);
    const b: Breach = { severity, decisionDate, decisionNumber: String(data['decisionNumber']), record };
    if (scenarioB) ctx.scenarios.repaired = b;
    if (party === secondCompany?.party) ctx.scenarios.responsiblePerson.push(b);
    out.push(b);
  }
  return out;
}

/** A fine and a suspension of business: what the district's serious penalties here impose. */
function seriousFields(ctx: DatasetContext): Json {
  const fine = ctx.rng.pick([5, 8, 10, 20]);
  return { penaltyCategories: ['罚款', '责令停产停业'], penaltyContent: `罚款人民币${yuan(fine)}元，责令停产停业整顿。`, fineAmount: fine };
}

/**
 * The repaired subject (scenario b) and the day of its 严重 breach: a company of no scenario, none
 * of its commitments broken or exempted, whose commitments were all made before a day 380 to 700
 * days ago — past the one-year minimum period with time to apply for repair. Undefined when no
 * company's commitments are that old (a tiny scale).
 */
function repairable(
  ctx: DatasetContext,
  entities: Entity[],
  commitments: Commitment[],
  latestOf: (e: Entity) => string,
): { entity: Entity; decisionDate: string } | undefined {
  const clean = (e: Entity) => commitments.every((c) => c.entity !== e || (!c.breach && !c.exemption));
  const old = marketEntities(entities).filter((e) => e.kind === 'enterprise' && !ctx.reserved.has(e) && clean(e) && daysBetween(latestOf(e), ctx.today) > 381);
  if (old.length === 0) return undefined;
  const entity = ctx.rng.pick(old);
  return { entity, decisionDate: addDays(ctx.today, -ctx.rng.int(380, Math.min(700, daysBetween(latestOf(entity), ctx.today) - 1))) };
}
