/**
 * Inbound breaches: dishonesty findings of provincial and municipal authorities about district
 * entities, served on the provincial feed (source hlj-credit-platform) without black points — the
 * district assigns its own on receipt. The first is 严重 and falls on the ineligible subject
 * (scenario a), which makes a commitment afterwards: sent in wave 3, once the feed's breach is
 * accepted, so the credit check finds the subject notEligible and flags the commitment.
 */
import { addDays, daysBetween } from '../calendar.js';
import { LICENSING_ITEMS, PROVINCIAL_AUTHORITIES, allows } from '../catalogue.js';
import { newCommitment } from './commitments.js';
import { pad, round, yuan, type DatasetContext } from './context.js';
import type { Commitment, Entity, Json } from './model.js';
import { marketEntities } from './parties.js';
import { FEED_SOURCE, PLAN } from './plan.js';
import type { Severity } from './types.js';

/** Dishonesty findings of provincial and municipal authorities about district entities, on the provincial feed. Returns how many. */
export function inboundBreaches(ctx: DatasetContext, entities: Entity[], commitments: Commitment[]): number {
  const { rng } = ctx;
  const total = Math.max(1, round(PLAN.inboundBreaches * ctx.scale));
  const market = marketEntities(entities).filter((e) => !ctx.reserved.has(e));
  const latestOf = (e: Entity): string => commitments.reduce((latest, c) => (c.entity === e && c.date > latest ? c.date : latest), '');
  const tiers: Severity[] = ['严重', '一般', '轻微', '一般'];
  for (let i = 0; i < total; i++) {
    const authority = rng.pick(PROVINCIAL_AUTHORITIES);
    const severity = tiers[i % tiers.length]!;
    let entity: Entity;
    let decisionDate: string;
    if (i === 0) {
      // scenario (a): decided after the subject's last commitment, ten days ago or earlier
      entity = ineligibleSubject(ctx, commitments, market);
      decisionDate = addDays(ctx.today, -rng.int(10, Math.min(200, daysBetween(latestOf(entity), ctx.today) - 1)));
    } else {
      decisionDate = addDays(ctx.today, -rng.int(10, 300));
      // a serious breach makes its subject notEligible: one with no commitment since, so none is flagged by chance
      const quiet = severity === '严重' ? market.filter((e) => e !== ctx.scenarios.ineligible?.entity && latestOf(e) < decisionDate) : [];
      entity = rng.pick(quiet.length > 0 ? quiet : market.filter((e) => e !== ctx.scenarios.ineligible?.entity));
    }
    const year = decisionDate.slice(0, 4);
    const fine = severity === '轻微' ? undefined : rng.pick(severity === '一般' ? [0.5, 1, 2, 3] : [10, 20, 50]);
    const categories = severity === '轻微' ? ['警告'] : severity === '一般' ? ['罚款'] : ['罚款', '责令停产停业'];
    const data: Json = {
      party: entity.party,
      decisionNumber: `${authority.prefix}〔${year}〕${ctx.serial(`inbound:${authority.prefix}:${year}`, 3, 40)}号`,
      violationType: authority.violationType,
      facts: authority.facts,
      legalBasis: authority.legalBasis,
      penaltyCategories: categories,
      penaltyContent: fine === undefined ? '警告。' : `罚款人民币${yuan(fine)}元${severity === '严重' ? '，责令停产停业整顿' : ''}。`,
      ...(fine !== undefined && { fineAmount: fine }),
      decisionDate,
      authority: authority.unit,
      authorityUscc: authority.uscc,
      dataSource: authority.unit,
      dataSourceUscc: authority.uscc,
      // no black points: the province runs no such scheme; the district assigns its own on receipt
      severity,
    };
    const id = `HLJ-SX-${year}-${pad(ctx.serial('inbound', 11, 97))}`;
    const record = ctx.envelope('breach', FEED_SOURCE, id, 1, ctx.afternoon(decisionDate, 120), data);
    ctx.add(record, true);
    if (i === 0) ctx.scenarios.ineligible = { entity, breach: record, commitment: commitAfter(ctx, entity, decisionDate, commitments) };
  }
  return total;
}

/**
 * The ineligible subject: a company of no other scenario whose commitments were all made 40 days
 * ago or earlier, none of them broken (the one whose last commitment is oldest when none is).
 */
function ineligibleSubject(ctx: DatasetContext, commitments: Commitment[], market: Entity[]): Entity {
  const companies = market.filter((e) => e.kind === 'enterprise');
  const clean = companies.filter((e) => commitments.every((c) => c.entity !== e || (!c.breach && !c.exemption)));
  const quiet = clean.filter((e) => commitments.every((c) => c.entity !== e || daysBetween(c.date, ctx.today) >= 40));
  if (quiet.length > 0) return ctx.rng.pick(quiet);
  const pool = clean.length > 0 ? clean : companies;
  const latest = (e: Entity) => commitments.filter((c) => c.entity === e).reduce((d, c) => (c.date > d ? c.date : d), '');
  const subject = [...pool].sort((a, b) => (latest(a) < latest(b) ? -1 : latest(a) > latest(b) ? 1 : 0))[0];
  if (!subject) throw new Error('no company to be the ineligible subject');
  return subject;
}

/** The ineligible subject's commitment after the breach (审批替代型, an item in force allowing it), sent in wave 3. */
function commitAfter(ctx: DatasetContext, entity: Entity, breachDate: string, commitments: Commitment[]): Commitment {
  const date = addDays(breachDate, ctx.rng.int(1, Math.min(60, daysBetween(breachDate, ctx.today) - 1)));
  const usable = LICENSING_ITEMS.filter((i) => i.holders === 'enterprise' && allows(i, '审批替代型', date));
  const department = commitments.find((c) => c.entity === entity)?.item.department;
  const sameDepartment = usable.filter((i) => i.department === department);
  const item = ctx.rng.pick(sameDepartment.length > 0 ? sameDepartment : usable);
  const c = newCommitment(ctx, entity, item, '审批替代型', '可向社会公开', date);
  commitments.push(c);
  ctx.reserved.add(entity);
  ctx.add(c.revisions[0]!, true, { wave: 3 });
  return c;
}
