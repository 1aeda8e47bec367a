/**
 * Later revisions of kept commitments: fulfilment determined (verified, 全部履行), a licence cancelled
 * at the holder's request (a status change, an upsert) and a commitment entered in error withdrawn.
 * Revisions about broken or exempted commitments come with their breach or non-penalty.
 */
import { addDays, chineseDate, daysBetween } from '../calendar.js';
import { departmentOf } from '../catalogue.js';
import { reviseCommitment } from './commitments.js';
import { round, type DatasetContext } from './context.js';
import type { Commitment, Json } from './model.js';
import { PLAN } from './plan.js';

/** Kept commitments whose fulfilment was determined (verified): revision 2 with 全部履行. Returns how many. */
export function verifyFulfilment(ctx: DatasetContext, commitments: Commitment[]): number {
  const kept = commitments.filter((c) => !c.breach && !c.exemption && daysBetween(c.date, ctx.today) > 30);
  const chosen = ctx.rng.sample(kept, round(PLAN.fulfilmentShare * kept.length));
  for (const c of chosen) {
    const determined = addDays(c.date, ctx.rng.int(30, Math.min(180, daysBetween(c.date, ctx.today) - 1)));
    const unit = departmentOf(c.item);
    reviseCommitment(ctx, c, determined, {
      fulfilmentStatus: '全部履行',
      fulfilmentDeterminationDate: determined,
      fulfilmentDeterminationUnit: unit.unit,
      fulfilmentDeterminationUnitUscc: unit.uscc,
    });
  }
  return chosen.length;
}

/** Commitments whose licence the holder cancelled: a change of status (an upsert), off the public column, still shared. */
export function cancelLicences(ctx: DatasetContext, commitments: Commitment[]): number {
  const chosen = ctx.rng.sample(untouched(commitments), round(PLAN.cancellations * ctx.scale));
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
  const chosen = ctx.rng.sample(untouched(commitments), round(PLAN.withdrawals * ctx.scale));
  for (const c of chosen) {
    const date = dayAfterLastRevision(ctx, c);
    reviseCommitment(ctx, c, date, { remarks: `承诺信息录入有误，于${chineseDate(date)}撤回。` }, 'withdraw');
    c.withdrawn = true;
  }
  return chosen.length;
}

/** Commitments neither broken, exempted, cancelled nor withdrawn. */
function untouched(commitments: Commitment[]): Commitment[] {
  return commitments.filter((c) => !c.breach && !c.exemption && !c.cancelled && !c.withdrawn);
}

function dayAfterLastRevision(ctx: DatasetContext, c: Commitment): string {
  const last = (c.revisions.at(-1)!['occurredAt'] as string).slice(0, 10);
  return addDays(last, ctx.rng.int(1, Math.max(1, daysBetween(last, ctx.today))));
}
