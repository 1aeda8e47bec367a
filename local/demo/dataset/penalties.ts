/**
 * Penalties: the penalty fields of a decision by severity tier (warning, fine, licence revoked, with
 * black points), and the district's other penalties — breaches not about a commitment, mostly 轻微,
 * one of them published at the department's request and ending today.
 */
import { addDays, addMonths } from '../calendar.js';
import { UNITS } from '../catalogue.js';
import { pad, round, yuan, type DatasetContext } from './context.js';
import type { Breach, Entity, Json } from './model.js';
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

/**
 * The district's other penalties — not about a commitment, mostly minor (轻微: shared with the
 * platforms, not published). One 轻微 penalty is published at the department's request, its
 * publication ending today: the next day it stops by itself (the expiry sweep). No black points:
 * the district assigns them on receipt. The last one is the breach of `secondCompany`, the second
 * company of the responsible person (scenario d); the others fall on no scenario subject. Queued for
 * submission as they are made.
 */
export function otherPenalties(ctx: DatasetContext, entities: Entity[], secondCompany?: Entity): Breach[] {
  const { rng, today } = ctx;
  const total = Math.max(2, round(PLAN.otherPenalties * ctx.scale));
  const general = Math.max(1, round(PLAN.otherTierShares.一般 * total));
  const minor = total - general;
  const published = Math.min(minor, Math.max(1, round(PLAN.publishedMinorShare * minor)));
  const market = marketEntities(entities).filter((e) => !ctx.reserved.has(e));
  const out: Breach[] = [];
  for (let i = 0; i < total; i++) {
    const severity: Severity = i < minor ? '轻微' : '一般';
    const publish = i < published;
    // the first published one ends today; the others were decided within the last ten months
    const decisionDate = publish && i === 0 ? addDays(today, -rng.int(40, 80)) : addDays(today, -rng.int(10, 300));
    const year = decisionDate.slice(0, 4);
    const violation = rng.pick(OTHER_VIOLATIONS);
    const penalty = penaltyFields(ctx, severity, '');
    // the last one (一般) is the second company of the responsible person (scenario d)
    const party = secondCompany && i === total - 1 ? secondCompany.party : rng.pick(market).party;
    const data: Json = {
      party,
      decisionNumber: `哈新综执罚〔${year}〕${ctx.serial(`penalty:${year}`, 1, 4)}号`,
      violationType: violation.type,
      facts: violation.facts,
      legalBasis: violation.basis,
      ...penalty.fields,
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
    if (party === secondCompany?.party) ctx.scenarios.responsiblePerson.push(b);
    out.push(b);
  }
  return out;
}
