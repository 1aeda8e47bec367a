/**
 * The submission order: the waves in turn (Wave: the licensing-item list, then everything else,
 * then what must follow a record accepted by another way), within a wave every queued record
 * revision in time order, then the awkward cases slotted in — older revisions arriving after newer
 * ones (expect 'superseded') and exact duplicates (expect 'duplicate'), both in wave 2 — and the
 * numbered DemoSubmissions the runners send.
 */
import { round, type DatasetContext } from './context.js';
import type { Commitment, Json, Pending } from './model.js';
import { MAX_EXTRA_GAP, MIN_GAP, PLAN } from './plan.js';
import type { DemoSubmission, Wave } from './types.js';

const waveOf = (p: Pending): Wave => p.wave ?? 2;

/**
 * Submission order: wave by wave, every record revision in time order, then the awkward cases
 * slotted into wave 2 — out-of-order revision 1s after their revision 2, duplicates after the copy
 * they repeat — each at least MIN_GAP positions later, so a runner submitting in order and waiting
 * for its batches gets exactly the expected outcome.
 */
export function orderSubmissions(ctx: DatasetContext, commitments: Commitment[]): { submissions: DemoSubmission[]; duplicates: number; outOfOrder: number } {
  const { rng } = ctx;
  const firstSubmissions = ctx.pending.length;
  const base = [...ctx.pending].sort((a, b) => waveOf(a) - waveOf(b) || (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order));
  const position = new Map(base.map((p, i) => [p.record, i]));
  const lastOfMain = base.findLastIndex((p) => waveOf(p) === 2);

  // The gap needs MIN_GAP submissions after the one followed, even once the delayed revision 1s
  // are taken out of the time order: a revision 2 too close to the end of wave 2 is not overtaken.
  const outOfOrder = round(PLAN.outOfOrderShare * firstSubmissions);
  const lastOvertaking = lastOfMain - outOfOrder - MIN_GAP;
  const twoRevisions = commitments.filter((c) => c.revisions.length === 2 && !c.withdrawn && (position.get(c.revisions[1]!) ?? Infinity) <= lastOvertaking);
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
  // a duplicate resends a newest revision of wave 2: a resend of an older one would be superseded instead
  const endOfMain = inOrder.findLastIndex((p) => waveOf(p) === 2);
  const resendable = inOrder.filter((p) => waveOf(p) === 2 && p.expect === 'accepted' && p.latest && p.slot! < endOfMain + 1 - MIN_GAP);
  const resent = rng.sample(resendable, round(PLAN.duplicateShare * firstSubmissions));
  for (const p of resent) late.push({ ...p, expect: 'duplicate', slot: p.slot! + gap() });

  // a late submission stays in its wave (at its end, when its gap runs past it)
  const all = [...inOrder, ...late].sort((a, b) => waveOf(a) - waveOf(b) || a.slot! - b.slot! || a.order - b.order);
  const submissions = all.map((p, i): DemoSubmission => ({
    seq: i + 1,
    channel: p.channel,
    ...(p.upstreamId && { upstreamId: p.upstreamId }),
    body: p.body,
    // each submission its own copy, parsed from the very text it sends
    ...(p.record && { record: JSON.parse(p.body) as Json }),
    expect: p.expect,
    ...(p.reason && { reason: p.reason }),
    wave: waveOf(p),
  }));
  return { submissions, duplicates: resent.length, outOfOrder: delayed.size };
}
