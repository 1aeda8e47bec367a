/**
 * Verifications (承诺核查) as records: when and how the department checked a commitment and what it
 * found (source hrbxq-approval, recordId HC-<year>-<serial>). The commitment's own revision states
 * the fulfilment too (fulfilmentStatus, the national template's field the platforms and `credex
 * stats` read); the verification record is what the credit profile counts (red points for 全部履行,
 * a false commitment for 虚假承诺) and what takes a commitment off `credex overdue`.
 */
import { addDays } from '../calendar.js';
import { departmentOf } from '../catalogue.js';
import { pad, type DatasetContext } from './context.js';
import type { Commitment, Json } from './model.js';
import { SOURCES } from './plan.js';
import type { VerificationResult } from './types.js';

/** Days a committer found short of the conditions gets to rectify. */
const RECTIFICATION_DAYS = [15, 20, 30] as const;

/**
 * The verification record of `c` on `date`, noted on the commitment (queued with its revisions).
 * 部分履行 and 全部未履行 come with a rectification deadline.
 */
export function verifyCommitment(ctx: DatasetContext, c: Commitment, date: string, result: VerificationResult, findings?: string): Json {
  const department = departmentOf(c.item);
  const method = ctx.rng.pick(c.item.verificationMethods);
  const year = date.slice(0, 4);
  const rectify = result === '部分履行' || result === '全部未履行';
  const data: Json = {
    commitmentCode: c.code,
    party: c.entity.party,
    verificationDate: date,
    method,
    result,
    findings: findings ?? `经${method}，承诺人已具备${c.item.name}的许可条件，承诺内容与实际情况一致，承诺已全部履行。`,
    ...(rectify && { rectificationDeadline: addDays(date, ctx.rng.pick(RECTIFICATION_DAYS)) }),
    determiningUnit: department.unit,
    determiningUnitUscc: department.uscc,
  };
  const record = ctx.envelope('verification', SOURCES.approval, `HC-${year}-${pad(ctx.serial('verification', 1, 9))}`, 1, ctx.afternoon(date), data);
  c.verification = record;
  return record;
}
