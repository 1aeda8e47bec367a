/**
 * Non-penalty decisions (不予行政处罚): violations found at verification and not punished — a first
 * minor violation corrected on the spot (首违不罚, Administrative Penalty Law art. 33). Each is a
 * nonPenalty record, kept and shared nowhere, and a revision of its commitment determining it kept
 * (with the verification that found and saw corrected the violation).
 */
import { addDays, chineseDate, daysBetween } from '../calendar.js';
import { UNITS, departmentOf } from '../catalogue.js';
import { FINDINGS, inspectable } from './breaches.js';
import { reviseCommitment } from './commitments.js';
import { pad, round, type DatasetContext } from './context.js';
import type { Commitment, Json } from './model.js';
import { PLAN, SOURCES } from './plan.js';
import { verifyCommitment } from './verifications.js';

/**
 * Violations found at verification and not punished: a first minor violation corrected on the
 * spot (首违不罚, Administrative Penalty Law art. 33). A nonPenalty record — kept, shared nowhere,
 * no black points — and the commitment, corrected, determined kept. Returns the nonPenalty records.
 */
export function exemptFirstOffences(ctx: DatasetContext, commitments: Commitment[]): Json[] {
  const total = Math.max(1, round(PLAN.firstOffenceShare * commitments.length));
  const out: Json[] = [];
  for (let i = 0; i < total; i++) {
    const c = inspectable(ctx, commitments, 60);
    const department = departmentOf(c.item);
    const found = addDays(c.date, ctx.rng.int(30, Math.min(200, daysBetween(c.date, ctx.today) - 7)));
    const decisionDate = addDays(found, ctx.rng.int(1, 5));
    const year = decisionDate.slice(0, 4);
    const decisionNumber = `哈新综执不罚〔${year}〕${ctx.serial(`noPenalty:${year}`, 1, 3)}号`;
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
    const recordId = `HXZF-BC-${year}-${pad(ctx.serial('nonPenalty', 1, 9))}`;
    const record = ctx.envelope('nonPenalty', SOURCES.enforcement, recordId, 1, ctx.afternoon(decisionDate, 60), data);
    c.exemption = record;
    // corrected on the spot: the commitment is determined kept
    reviseCommitment(ctx, c, found, {
      fulfilmentStatus: '全部履行',
      fulfilmentDeterminationDate: found,
      fulfilmentDeterminationUnit: department.unit,
      fulfilmentDeterminationUnitUscc: department.uscc,
      remarks: `核查发现的问题已当场改正，依法不予行政处罚（${decisionNumber}）。`,
    });
    verifyCommitment(ctx, c, found, '全部履行', `经核查，${FINDINGS['轻微']}；承诺人当场改正后已具备${c.item.name}的许可条件，承诺已全部履行。`);
    out.push(record);
  }
  return out;
}
