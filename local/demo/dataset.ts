/**
 * The demo dataset the local runtime pushes through the pipeline: a seeded, reproducible model of
 * Harbin New Area's notify-and-commit reform (docs/domain.md). At scale 1:
 *
 *  - the licensing-item list first (wave 1): one licensingItem record per item of the 59-item
 *    catalogue (catalogue.ts, illustrative), one of them taken off the list at the end of 2025;
 *  - 108 enterprises (a few 个体工商户 among them) and a couple of natural persons make commitments
 *    for items of the list, each on a day its item is in force and of a type it allows; most
 *    commitments are verified within the item's time limit (a revision stating their fulfilment and
 *    a verification record), some are left unverified — overdue past their deadline, or not due
 *    yet; a couple of licences are cancelled at the holder's request (a status change: an upsert),
 *    and one commitment entered in error is withdrawn (retracted);
 *  - about 2 % of commitments are broken and penalised (at least one per severity tier); each such
 *    breach is preceded by a revision of its commitment and a verification stating what was not
 *    performed — one of them found a false commitment (虚假承诺);
 *  - one violation found at verification is not punished: a first-offence exemption (首违不罚), a
 *    nonPenalty record kept and shared nowhere, the commitment corrected and kept;
 *  - other penalties of the district, mostly 轻微 (shared, not published), one of them published
 *    at the department's request and ending today — the next day the expiry sweep ends it;
 *  - most breaches get a credit-repair decision by their deciding authority (approved ones with
 *    their public credit-repair commitment), applied for through Credit China; inbound breaches
 *    arrive on the provincial feed without black points (the district assigns them);
 *  - the credit check's scenarios (DemoScenarios): a company made notEligible by a 严重 breach
 *    from the province whose later commitment (wave 3) is flagged, a 严重 breach repaired, red
 *    points, a legal representative of two penalised companies, the false commitment, and a
 *    commitment refused by the list;
 *  - the pipeline's awkward cases: invalid submissions (one per reason), exact duplicates and older
 *    revisions arriving after newer ones.
 *
 * `scale` multiplies the populations and keeps the ratios. The same options always give the same
 * dataset (one mulberry32 stream, no clock, no Math.random). Nothing is printed: the records hold
 * identity numbers (personal data); the facts hold none.
 *
 * Submissions come in waves (Wave): a runner sends a wave and waits until every submission of it
 * is accounted for before the next (submissionWaves) — the list before any commitment is checked
 * against it, the province's breach before the commitment it makes ineligible.
 *
 * This module is the assembler and the public API: each kind of record has its generator under
 * dataset/ (licensing items, parties, commitments, verifications, revisions, breaches, penalties,
 * non-penalties, repairs, inbound, invalid submissions, ordering, the credit check's expectations,
 * facts), sharing one DatasetContext (dataset/context.ts).
 */
import { isDate } from './calendar.js';
import { breakCommitments } from './dataset/breaches.js';
import { planCommitments } from './dataset/commitments.js';
import { DatasetContext } from './dataset/context.js';
import { countFacts } from './dataset/facts.js';
import { inboundBreaches } from './dataset/inbound.js';
import { invalidSubmissions } from './dataset/invalid.js';
import { exemptFirstOffences } from './dataset/non-penalties.js';
import { orderSubmissions } from './dataset/ordering.js';
import { pushLicensingItems } from './dataset/licensing-items.js';
import { createEntities, marketEntities, shareLegalRepresentative } from './dataset/parties.js';
import { otherPenalties } from './dataset/penalties.js';
import { decideRepairs } from './dataset/repairs.js';
import { cancelLicences, verifyFulfilment, withdrawCommitments } from './dataset/revisions.js';
import { DEFAULT_TODAY, WAVES, type DemoDataset, type DemoOptions, type DemoSubmission } from './dataset/types.js';

export { DEPARTMENTS, LICENSING_ITEMS, OFF_LIST_ITEM, UNITS, allows, inForce, type Department, type LicensingItem } from './catalogue.js';
export { channelFor } from './dataset/channels.js';
export {
  DEFAULT_TODAY,
  INVALID_REASONS,
  QUARANTINE_OF,
  VERIFICATION_RESULTS,
  WAVES,
  type Channel,
  type DemoDataset,
  type DemoFacts,
  type DemoOptions,
  type DemoScenarios,
  type DemoSubmission,
  type Eligibility,
  type Expectation,
  type InvalidReason,
  type Severity,
  type VerificationResult,
  type Wave,
} from './dataset/types.js';

/** The earliest `today`: the licensing-item list's last change (an item taken off) is at the end of 2025. */
export const EARLIEST_TODAY = '2026-02-01';

export function generateDemoDataset(options: DemoOptions): DemoDataset {
  const scale = options.scale ?? 1;
  const today = options.today ?? DEFAULT_TODAY;
  if (!Number.isSafeInteger(options.seed)) throw new Error(`seed must be an integer, found ${options.seed}`);
  // below 0.1 there are too few commitments to break one of each tier
  if (!(Number.isFinite(scale) && scale >= 0.1 && scale <= 1000)) throw new Error(`scale must be a number from 0.1 to 1000, found ${scale}`);
  if (!isDate(today) || today < EARLIEST_TODAY) throw new Error(`today must be a date YYYY-MM-DD from ${EARLIEST_TODAY} on, found ${today}`);
  return generate(new DatasetContext(options.seed, scale, today));
}

/**
 * Runs the generators in their fixed order (they draw from one random stream: the order is part of
 * the dataset), queues every record, orders the submissions and counts the facts.
 */
function generate(ctx: DatasetContext): DemoDataset {
  const licensingItemsPushed = pushLicensingItems(ctx);
  const entities = createEntities(ctx);
  const commitments = planCommitments(ctx, entities);
  const broken = breakCommitments(ctx, commitments);
  // the responsible person (scenario d): the first company's legal representative heads a second
  // one — set before any record naming either is queued
  const secondCompany = ctx.rng.pick(marketEntities(entities).filter((e) => e.kind === 'enterprise' && !ctx.reserved.has(e)));
  shareLegalRepresentative(ctx, ctx.scenarios.responsiblePerson[0]!.commitment!.entity, secondCompany);
  ctx.reserved.add(secondCompany);
  const exemptions = exemptFirstOffences(ctx, commitments);
  const fulfilmentUpdates = verifyFulfilment(ctx, commitments) + broken.length + exemptions.length;
  const cancellations = cancelLicences(ctx, commitments);
  const withdrawals = withdrawCommitments(ctx, commitments);
  for (const c of commitments) {
    c.revisions.forEach((record, i) => ctx.add(record, i === c.revisions.length - 1));
    if (c.verification) ctx.add(c.verification, true);
  }
  for (const b of broken) ctx.add(b.record, true);
  for (const e of exemptions) ctx.add(e, true);
  const others = otherPenalties(ctx, entities, commitments, secondCompany);
  const { repairs, repairCommitments } = decideRepairs(ctx, [...broken, ...others]);
  const inbound = inboundBreaches(ctx, entities, commitments);
  const invalid = invalidSubmissions(ctx, entities);
  const { submissions, duplicates, outOfOrder } = orderSubmissions(ctx, commitments);
  const submissionsByWave = { 1: 0, 2: 0, 3: 0 };
  for (const s of submissions) submissionsByWave[s.wave ?? 2]++;
  const made = { today: ctx.today, entities, commitments, broken, others, exemptions, fulfilmentUpdates, cancellations, withdrawals };
  return {
    seed: ctx.seed,
    scale: ctx.scale,
    today: ctx.today,
    submissions,
    facts: countFacts({
      ...made,
      repairs,
      repairCommitments,
      inbound,
      invalid,
      duplicates,
      outOfOrder,
      submissions: submissions.length,
      licensingItemsPushed,
      pending: ctx.pending,
      scenarios: ctx.scenarios,
      submissionsByWave,
    }),
  };
}

/** The submissions of each wave, in order: a runner sends one wave and waits for it to settle before the next. */
export function submissionWaves(submissions: readonly DemoSubmission[]): DemoSubmission[][] {
  return WAVES.map((w) => submissions.filter((s) => (s.wave ?? 2) === w)).filter((wave) => wave.length > 0);
}
