/**
 * Broken commitments, penalised (breach records of the district's enforcement bureau, with black
 * points): at least one per severity tier, each preceded by a revision of its commitment stating what
 * was not performed and by the verification that found it. Also what a verification finds by tier
 * and how a commitment to inspect is chosen.
 */
import { addDays, chineseDate, daysBetween, maxDate } from '../calendar.js';
import { UNITS, departmentOf } from '../catalogue.js';
import { reviseCommitment } from './commitments.js';
import { pad, round, type DatasetContext } from './context.js';
import type { Breach, Commitment, Json } from './model.js';
import { penaltyFields } from './penalties.js';
import { PLAN, SOURCES } from './plan.js';
import { verifyCommitment } from './verifications.js';
import type { Severity } from './types.js';

/** What a verification finds, by tier. */
export const FINDINGS: Readonly<Record<Severity, string>> = {
  轻微: '经营场所公示信息、管理制度等非核心条件未按承诺落实，已于核查当日改正',
  一般: '从业人员资质、设施设备等条件未在承诺期限内达到许可要求',
  严重: '申请时提交的场所使用证明材料与实际不符，实际不具备许可条件',
};

/** What a verification that found a false commitment (虚假承诺) finds. */
export const FALSE_FINDING = '申请时承诺已配备的专业技术人员实际并未在岗，相关资格证明系临时借用，承诺内容与实际情况不符';

/**
 * Broken commitments, penalised: at least one per tier. Two are credit-check scenarios
 * (DemoScenarios): the first 一般 one found false (虚假承诺) and never repaired, the first 轻微 one
 * the breach of the first of two companies sharing a legal representative (d). A subject made
 * notEligible (a 严重 breach, a false commitment) has no commitment of its own after the broken
 * one: none is flagged by chance.
 */
export function breakCommitments(ctx: DatasetContext, commitments: Commitment[]): Breach[] {
  const total = Math.max(3, round(PLAN.breachRate * commitments.length));
  const serious = Math.max(1, round(PLAN.tierShares.严重 * total));
  const general = Math.max(1, round(PLAN.tierShares.一般 * total));
  const minor = total - serious - general;
  const tiers: Severity[] = [...Array<Severity>(serious).fill('严重'), ...Array<Severity>(general).fill('一般'), ...Array<Severity>(minor).fill('轻微')];
  const lastOfEntity = (c: Commitment): boolean => !commitments.some((x) => x !== c && x.entity === c.entity && x.date >= c.date);
  const company = (c: Commitment): boolean => c.entity.kind === 'enterprise';
  const out: Breach[] = [];
  tiers.forEach((severity, i) => {
    const scenario = severity !== '严重' && tiers.indexOf(severity) === i;
    let b: Breach;
    if (severity === '一般' && scenario) {
      const c = inspectable(ctx, commitments, 60, (x) => company(x) && lastOfEntity(x));
      b = penaliseBreach(ctx, c, severity, addDays(c.date, decisionOffset(ctx, c)), true);
      ctx.scenarios.falseCommitment = b;
    } else if (severity === '轻微' && scenario) {
      const c = inspectable(ctx, commitments, 60, company);
      b = penaliseBreach(ctx, c, severity, addDays(c.date, decisionOffset(ctx, c)));
      ctx.scenarios.responsiblePerson.push(b);
    } else {
      // an inspection needs time after the commitment; a serious breach early enough that its
      // one-year minimum period can have passed today, so that some serious repairs can be granted
      const c = inspectable(ctx, commitments, severity === '严重' ? 430 : 60, severity === '严重' ? lastOfEntity : undefined);
      b = penaliseBreach(ctx, c, severity, addDays(c.date, decisionOffset(ctx, c)));
    }
    if (scenario) ctx.reserved.add(b.commitment!.entity);
    out.push(b);
  });
  return out;
}

/** Days from a commitment to the decision on its breach: an inspection a month or more after it, a week before today at the latest. */
function decisionOffset(ctx: DatasetContext, c: Commitment): number {
  return ctx.rng.int(30, Math.min(200, daysBetween(c.date, ctx.today) - 7));
}

/**
 * A commitment not yet broken or exempted, of no scenario subject, at least `minAge` days old (the
 * oldest available otherwise), meeting `filter` when one does.
 */
export function inspectable(ctx: DatasetContext, commitments: Commitment[], minAge: number, filter?: (c: Commitment) => boolean): Commitment {
  const free = ctx.rng.shuffle(commitments.filter((c) => !c.breach && !c.exemption && !ctx.reserved.has(c.entity) && daysBetween(c.date, ctx.today) >= 60));
  const fitting = filter ? free.filter(filter) : free;
  const c =
    fitting.find((x) => daysBetween(x.date, ctx.today) >= minAge) ?? fitting[0] ?? free.find((x) => daysBetween(x.date, ctx.today) >= minAge) ?? free[0];
  if (!c) throw new Error('not enough commitments to inspect');
  return c;
}

/**
 * The breach record of a broken commitment, the commitment's revision stating what was not
 * performed and the verification that found it: 部分履行, 全部未履行 (严重) or — `falseCommitment` —
 * 虚假承诺, the licence then annulled (撤销).
 */
export function penaliseBreach(ctx: DatasetContext, c: Commitment, severity: Severity, decisionDate: string, falseCommitment = false): Breach {
  const year = decisionDate.slice(0, 4);
  const department = departmentOf(c.item);
  const decisionNumber = `哈新综执罚〔${year}〕${ctx.serial(`penalty:${year}`, 1, 4)}号`;
  const finding = falseCommitment ? FALSE_FINDING : FINDINGS[severity];
  const licence = c.data['licence'] as Json;
  const licenceName = `${String(licence['certificateName'] ?? licence['documentName'])}（${String(licence['certificateNumber'] ?? licence['documentNumber'])}）`;
  const penalty = penaltyFields(ctx, severity, licenceName);
  const data: Json = {
    party: c.entity.party,
    decisionNumber,
    violationType: falseCommitment ? '虚假承诺（以欺骗手段取得行政许可）' : '违反告知承诺制承诺（承诺内容与实际情况不符）',
    facts: `当事人于${chineseDate(c.date)}以告知承诺方式申请${c.item.name}，承诺已具备许可条件。经${department.unit}事后核查，${finding}${falseCommitment ? '，属于虚假承诺' : ''}。`,
    legalBasis: `《中华人民共和国行政许可法》${falseCommitment ? '第六十九条、' : ''}第七十九条；${c.item.regulation}`,
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
  const serial = ctx.serial('breach', 1, 9);
  const record = ctx.envelope('breach', SOURCES.enforcement, `HXZF-SX-${year}-${pad(serial)}`, 1, ctx.afternoon(decisionDate, 60), data);
  const b: Breach = { commitment: c, severity, decisionDate, decisionNumber, record };
  c.breach = b;

  // the commitment's own record says what was not performed, determined shortly before the decision
  const determined = maxDate(addDays(c.date, 1), addDays(decisionDate, -ctx.rng.int(1, 10)));
  const notKept = falseCommitment || severity === '严重';
  const status = falseCommitment ? '撤销' : severity === '严重' ? '吊销' : undefined;
  reviseCommitment(ctx, c, determined, {
    fulfilmentStatus: notKept ? '全部未履行' : '部分履行',
    unperformedContent: `未按承诺具备${c.item.name}条件：${finding}。`,
    liabilityPursued: `${falseCommitment ? '依法撤销行政许可，' : ''}已依法作出行政处罚（${decisionNumber}），并记入信用记录。`,
    fulfilmentDeterminationDate: determined,
    fulfilmentDeterminationUnit: department.unit,
    fulfilmentDeterminationUnitUscc: department.uscc,
    ...(status && { licence: { ...licence, status } }),
  });
  // and the verification that found it
  if (falseCommitment) verifyCommitment(ctx, c, determined, '虚假承诺', `经核查，${finding}，属于虚假承诺；依法撤销行政许可，移送综合行政执法局处理。`);
  else verifyCommitment(ctx, c, determined, notKept ? '全部未履行' : '部分履行', `经核查，${finding}，责令限期整改。`);
  return b;
}
