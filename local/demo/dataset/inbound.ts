/**
 * Inbound breaches: dishonesty findings of provincial and municipal authorities about district
 * entities, served on the provincial feed (source hlj-credit-platform) without black points — the
 * district assigns its own on receipt.
 */
import { addDays } from '../calendar.js';
import { PROVINCIAL_AUTHORITIES } from '../catalogue.js';
import { pad, round, yuan, type DatasetContext } from './context.js';
import type { Entity, Json } from './model.js';
import { marketEntities } from './parties.js';
import { FEED_SOURCE, PLAN } from './plan.js';
import type { Severity } from './types.js';

/** Dishonesty findings of provincial and municipal authorities about district entities, on the provincial feed. Returns how many. */
export function inboundBreaches(ctx: DatasetContext, entities: Entity[]): number {
  const { rng } = ctx;
  const total = Math.max(1, round(PLAN.inboundBreaches * ctx.scale));
  const market = marketEntities(entities);
  const tiers: Severity[] = ['一般', '严重', '轻微', '一般'];
  for (let i = 0; i < total; i++) {
    const authority = rng.pick(PROVINCIAL_AUTHORITIES);
    const severity = tiers[i % tiers.length]!;
    const decisionDate = addDays(ctx.today, -rng.int(10, 300));
    const year = decisionDate.slice(0, 4);
    const fine = severity === '轻微' ? undefined : rng.pick(severity === '一般' ? [0.5, 1, 2, 3] : [10, 20, 50]);
    const categories = severity === '轻微' ? ['警告'] : severity === '一般' ? ['罚款'] : ['罚款', '责令停产停业'];
    const data: Json = {
      party: rng.pick(market).party,
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
    ctx.add(ctx.envelope('breach', FEED_SOURCE, id, 1, ctx.afternoon(decisionDate, 120), data), true);
  }
  return total;
}
