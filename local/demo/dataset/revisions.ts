/**
 * Later revisions of kept commitments: fulfilment determined (verified, 全部履行, with the verification
 * record), a licence cancelled at the holder's request (a status change, an upsert) and a commitment
 * entered in error withdrawn. Revisions about broken or exempted commitments come with their breach
 * or non-penalty.
 */
import { addDays, chineseDate, daysBetween } from '../calendar.js';
import { departmentOf } from '../catalogue.js';
import { reviseCommitment } from './commitments.js';
import { round, type DatasetContext } from './context.js';
import type { Commitment, Json } from './model.js';
import { PLAN } from './plan.js';
import { verifyCommitment } from './verifications.js';

/**
 * Kept commitments whose fulfilment was determined: revision 2 with 全部履行 and the verification
 * record (全部履行: red points). The department verifies within the item's time limit; a
 * verification day not reached yet leaves the commitment unverified and not due, and some whose day
 * has passed are left unverified (overdue once their deadline has passed). Returns how many.
 */
export function verifyFulfilment(ctx: DatasetContext, commitments: Commitment[]): number {
  const due: Array<{ c: Commitment; day: string }> = [];
  for (const c of commitments.filter((x) => !x.breach && !x.exemption)) {
    const limit = c.item.commitmentTimeLimitDays;
    const day = addDays(c.date, ctx.rng.int(Math.min(20, limit), limit));
    if (day < ctx.today) due.push({ c, day });
  }
  const chosen = ctx.rng.sample(due, round(PLAN.fulfilmentShare * due.length));
  for (const { c, day } of chosen) {
    const unit = departmentOf(c.item);
    reviseCommitment(ctx, c, day, {
      fulfilmentStatus: '全部履行',
      fulfilmentDeterminationDate: day,
      fulfilmentDeterminationUnit: unit.unit,
      fulfilmentDeterminationUnitUscc: unit.uscc,
    });
    verifyCommitment(ctx, c, day, '全部履行');
  }
  return chosen.length;
}

/** Commitments whose licence the holder cancelled: a change of status (an upsert), off the public column, still shared. */
export function cancelLicences(ctx: DatasetContext, commitments: Commitment[]): number {
  // verified ones: a cancelled licence leaves nothing overdue to argue about
  const chosen = ctx.rng.sample(
    untouched(ctx, commitments).filter((c) => c.verification),
    round(PLAN.cancellations * ctx.scale),
  );
  for (const c of chosen) {
    const date = dayAfterLastRevision(ctx, c);
    const licence = { ...((c.revisions.at(-1)!['data'] as Json)['licence'] as Json), status: '注销' };
    reviseCommitment(ctx, c, date, { licence, remarks: `被许可人于${chineseDate(date)}申请注销许可，许可注销；承诺信息停止公示。` });
    c.cancelled = true;
  }
  return chosen.length;
}

/** A commitment entered in error (a wrong commitment code, the wrong company): retracted everywhere. */
export function withdrawCommitments(ctx: DatasetContext, commitments: Commitment[]): number {
  // an unverified one: no verification of the wrong company is left to take back
  const chosen = ctx.rng.sample(
    untouched(ctx, commitments).filter((c) => !c.verification),
    round(PLAN.withdrawals * ctx.scale),
  );
  for (const c of chosen) {
    const date = dayAfterLastRevision(ctx, c);
    reviseCommitment(ctx, c, date, { remarks: `承诺信息录入有误，于${chineseDate(date)}撤回。` }, 'withdraw');
    c.withdrawn = true;
  }
  return chosen.length;
}

/** Commitments neither broken, exempted, cancelled nor withdrawn, of no scenario subject. */
function untouched(ctx: DatasetContext, commitments: Commitment[]): Commitment[] {
  return commitments.filter((c) => !c.breach && !c.exemption && !c.cancelled && !c.withdrawn && !ctx.reserved.has(c.entity));
}

function dayAfterLastRevision(ctx: DatasetContext, c: Commitment): string {
  const last = (c.revisions.at(-1)!['occurredAt'] as string).slice(0, 10);
  return addDays(last, ctx.rng.int(1, Math.max(1, daysBetween(last, ctx.today))));
}
