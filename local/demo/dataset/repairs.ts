/**
 * Credit repairs of breaches (信用修复), decided by the authority that decided the breach and applied
 * for through Credit China: mostly granted past the tier's minimum period (with the public
 * credit-repair commitment, 信用修复型, an approved repair requires), sometimes refused, and not
 * accepted (不予受理) when applied for too early.
 */
import { SEVERITY_TIERS } from '../../../functions/shared/records/publication.js';
import { addDays, addMonths, chineseDate, daysBetween, maxDate, minDate } from '../calendar.js';
import { UNITS } from '../catalogue.js';
import { nextCommitmentCode } from './commitments.js';
import { pad, type DatasetContext } from './context.js';
import type { Breach, Json } from './model.js';
import { PLAN, SOURCES } from './plan.js';

/**
 * Repairs of most non-exempt breaches. Past the tier's minimum period a repair is mostly granted
 * (with the public credit-repair commitment it requires) and sometimes refused; before it, the
 * application is not accepted (不予受理) — which is what the timing of a young breach gives.
 */
export function decideRepairs(ctx: DatasetContext, breaches: Breach[]): { repairs: number; repairCommitments: number } {
  const { rng, today } = ctx;
  // the scenarios: the false commitment and the responsible person's breaches stay open; the
  // repaired subject's breach is repaired, granted
  const { falseCommitment, responsiblePerson, repaired } = ctx.scenarios;
  const open = new Set([falseCommitment, ...responsiblePerson]);
  const candidates = breaches.filter((b) => !open.has(b));
  const chosen = rng.sample(candidates, Math.ceil(PLAN.repairShare * candidates.length));
  if (repaired && !chosen.includes(repaired)) chosen.push(repaired);
  let repairCommitments = 0;
  for (const b of chosen) {
    const tier = SEVERITY_TIERS[b.severity];
    const minEnd = addMonths(b.decisionDate, tier.minMonths);
    const maxEnd = addMonths(b.decisionDate, tier.maxMonths);
    // the earliest day an application can meet the minimum period (never the decision day itself)
    const from = maxDate(addDays(b.decisionDate, 1), minEnd);
    let applicationDate: string;
    let outcome: '同意' | '不同意' | '不予受理';
    if (daysBetween(from, today) >= 6) {
      applicationDate = addDays(from, rng.int(0, Math.min(60, daysBetween(from, today) - 5)));
      outcome = rng.chance(PLAN.refusedRepairShare) && b !== repaired ? '不同意' : '同意';
    } else {
      // only a 一般/严重 breach gets here (a 轻微 one is at least 7 days old): minEnd is months away
      const lastDay = minDate(addDays(minEnd, -1), addDays(today, -1));
      applicationDate = addDays(b.decisionDate, rng.int(1, daysBetween(b.decisionDate, lastDay)));
      outcome = '不予受理';
    }
    const decisionDate = addDays(applicationDate, rng.int(1, Math.min(10, daysBetween(applicationDate, today))));
    const year = decisionDate.slice(0, 4);
    const breachData = b.record['data'] as Json;
    const party = breachData['party'] as Json;
    const outcomeFields: Json = {};
    if (outcome === '同意') {
      const code = repairCommitment(ctx, b, party, maxDate(addDays(b.decisionDate, 1), addDays(applicationDate, -rng.int(0, 3))));
      repairCommitments++;
      // a penalty is repaired by ending its publication (and its sharing and use): Order 36
      Object.assign(outcomeFields, { method: '终止公示', repairCommitmentCode: code });
    } else {
      outcomeFields['outcomeReason'] =
        outcome === '不同意'
          ? '当事人未全额履行行政处罚决定规定的罚款缴纳义务，不符合信用修复条件。'
          : `申请时未满最短公示期限（${chineseDate(minEnd)}届满），不符合信用修复条件。`;
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
      decisionNumber: `哈新综执信修〔${year}〕${ctx.serial(`repair:${year}`, 1, 3)}号`,
    };
    b.repair = ctx.envelope('repair', SOURCES.repair, `HXXF-${year}-${pad(ctx.serial('repairId', 1, 4))}`, 1, ctx.afternoon(decisionDate, 30), data);
    ctx.add(b.repair, true);
  }
  return { repairs: chosen.length, repairCommitments };
}

/** The public credit-repair commitment (信用修复型) an approved repair names, queued for submission; returns its code. */
function repairCommitment(ctx: DatasetContext, b: Breach, party: Json, date: string): string {
  const { code, serial } = nextCommitmentCode(ctx, date);
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
  ctx.add(ctx.envelope('commitment', SOURCES.repair, `HXXF-CN-${year}-${serial}`, 1, ctx.morning(date), data), true);
  return code;
}
