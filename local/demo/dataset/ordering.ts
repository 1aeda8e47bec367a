/**
 * The submission order: every queued record revision in time order, then the awkward cases slotted
 * in — older revisions arriving after newer ones (expect 'superseded') and exact duplicates (expect
 * 'duplicate') — and the numbered DemoSubmissions the runners send.
 */
import { round, type DatasetContext } from './context.js';
import type { Commitment, Json, Pending } from './model.js';
import { MAX_EXTRA_GAP, MIN_GAP, PLAN } from './plan.js';
import type { DemoSubmission } from './types.js';

/**
 * Submission order: every record revision in time order, then the awkward cases slotted in —
 * out-of-order revision 1s after their revision 2, duplicates after the copy they repeat — each
 * at least MIN_GAP positions later, so a runner submitting in order and waiting for its batches
 * gets exactly the expected outcome.
 */
export function orderSubmissions(ctx: DatasetContext, commitments: Commitment[]): { submissions: DemoSubmission[]; duplicates: number; outOfOrder: number } {
  const { rng } = ctx;
  const firstSubmissions = ctx.pending.length;
  const base = [...ctx.pending].sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  const position = new Map(base.map((p, i) => [p.record, i]));

  // The gap needs MIN_GAP submissions after the one followed, even once the delayed revision 1s
  // are taken out of the time order: a revision 2 too close to the end is not overtaken.
  const outOfOrder = round(PLAN.outOfOrderShare * firstSubmissions);
  const lastOvertaking = base.length - 1 - outOfOrder - MIN_GAP;
  const twoRevisions = commitments.filter((c) => c.revisions.length === 2 && !c.withdrawn && position.get(c.revisions[1]!)! <= lastOvertaking);
  const delayed = new Set(rng.sample(twoRevisions, outOfOrder).map((c) => c.revisions[0]!));
  const inOrder = base.filter((p) => !p.record || !delayed.has(p.record));
  inOrder.forEach((p, i) => (p.slot = i));
  const gap = (): number => MIN_GAP + 0.5 + rng.int(0, MAX_EXTRA_GAP) + rng.float() * 0.4;

  const late: Pending[] = [];
  const byKey = new Map(inOrder.filter((p) => p.key).map((p) => [`${p.key}#${String(p.record!['revision'])}`, p]));
  for (const p of base.filter((q) => q.record && delayed.has(q.record))) {
    const newer = byKey.get(`${p.key}#2`)!;
    late.push({ ...p, expect: 'superseded', slot: newer.slot! + gap() });
  }
  // a duplicate resends a newest revision: a resend of an older one would be superseded instead
  const resendable = inOrder.filter((p) => p.expect === 'accepted' && p.latest && p.slot! < inOrder.length - MIN_GAP);
  const resent = rng.sample(resendable, round(PLAN.duplicateShare * firstSubmissions));
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
