/**
 * Hostile and invalid submissions the intake must quarantine, one defect each, the reasons in turn
 * (INVALID_REASONS): a USCC failing its check character, a breach missing its tier, a body cut off
 * in transit, a source no one registered, validity ending before it starts, a commitment for an item
 * the licensing-item list does not have in force or that does not allow its type. Each is built from
 * a fresh commitment of a known entity (its own code and id), so it touches none of the valid records.
 */
import { addDays, daysBetween } from '../calendar.js';
import { LICENSING_ITEMS, OFF_LIST_ITEM, allows, inForce } from '../catalogue.js';
import { breakUsccCheck } from '../random.js';
import { penaliseBreach } from './breaches.js';
import { newCommitment } from './commitments.js';
import { pad, round, type DatasetContext } from './context.js';
import type { Commitment, Entity, Json } from './model.js';
import { marketEntities } from './parties.js';
import { PLAN, SOURCES } from './plan.js';
import { INVALID_REASONS } from './types.js';

/** Submissions the intake must quarantine, one reason after another (each a single defect). Returns how many. */
export function invalidSubmissions(ctx: DatasetContext, entities: Entity[]): number {
  const { rng } = ctx;
  const total = Math.max(INVALID_REASONS.length, round(PLAN.invalid * ctx.scale));
  const market = marketEntities(entities).filter((e) => !ctx.reserved.has(e));
  let refusals = 0;
  for (let i = 0; i < total; i++) {
    const reason = INVALID_REASONS[i % INVALID_REASONS.length]!;
    if (reason === 'licensing-item') {
      refuseForItem(ctx, rng.pick(market.filter((e) => e.kind === 'enterprise')), refusals++);
      continue;
    }
    // old enough for the breach below to be decided in the past too
    const date = addDays(ctx.today, -rng.int(60, PLAN.commitmentWindowDays[1]));
    const entity = rng.pick(market);
    // a fresh commitment of a known entity (not one of the dataset's commitments: its own code and id),
    // for an item the list has in force that day, allowing 审批替代型: its one defect is the reason's
    const items = LICENSING_ITEMS.filter(
      (x) => (entity.kind === 'individual' ? x.individualSuffixes : x.holders === 'enterprise') && allows(x, '审批替代型', date),
    );
    const c = newCommitment(ctx, entity, rng.pick(items), '审批替代型', '可向社会公开', date);
    const record = c.revisions[0]!;
    const data = record['data'] as Json;
    switch (reason) {
      case 'uscc-check':
        // a typo in the last character: the GB 32100 check fails
        data['party'] = { ...(data['party'] as Json), uscc: breakUsccCheck(String((data['party'] as Json)['uscc'])) };
        ctx.add(record, false, { expect: 'invalid', reason });
        break;
      case 'missing-field': {
        // a breach whose tier the enforcement system left out
        const breach = penaliseBreach(ctx, c, '一般', addDays(date, 40));
        delete (breach.record['data'] as Json)['severity'];
        ctx.add(breach.record, false, { expect: 'invalid', reason });
        break;
      }
      case 'malformed-json': {
        // a body cut off in transit
        const text = JSON.stringify(record);
        const body = text.slice(0, Math.floor(text.length * 0.6));
        ctx.pending.push({ body, channel: 'queue', expect: 'invalid', reason, at: record['occurredAt'] as string, order: ctx.pending.length });
        break;
      }
      case 'unknown-source':
        record['source'] = SOURCES.unregistered;
        record['recordId'] = `HXZJ-CN-${date.slice(0, 4)}-${pad(ctx.serial('housing', 1, 9))}`;
        ctx.add(record, false, { expect: 'invalid', reason });
        break;
      case 'date-order':
        // validity ending the day before it starts
        data['validTo'] = addDays(date, -1);
        ctx.add(record, false, { expect: 'invalid', reason });
        break;
    }
  }
  return total;
}

/**
 * A commitment refused by the licensing-item list, valid by the schema (scenario e): in turn one for
 * the item taken off the list, dated after its end, and one of 审批替代型 for an item that allows
 * 容缺受理型 only. Sent in wave 2, once the list (wave 1) is in.
 */
function refuseForItem(ctx: DatasetContext, entity: Entity, n: number): void {
  const { rng, today } = ctx;
  const offList = LICENSING_ITEMS.find((x) => x.name === OFF_LIST_ITEM.name)!;
  const room = daysBetween(offList.validTo, today) - 1;
  let c: Commitment;
  let why: 'notInForce' | 'typeNotAllowed';
  if (n % 2 === 0 && room >= 1) {
    why = 'notInForce';
    c = newCommitment(ctx, entity, offList, '审批替代型', '可向社会公开', addDays(offList.validTo, rng.int(1, Math.min(room, 300))));
  } else {
    why = 'typeNotAllowed';
    const date = addDays(today, -rng.int(20, 300));
    const item = rng.pick(LICENSING_ITEMS.filter((x) => x.holders === 'enterprise' && inForce(x, date) && !x.allowedCommitmentTypes.includes('审批替代型')));
    c = newCommitment(ctx, entity, item, '审批替代型', '可向社会公开', date);
  }
  ctx.add(c.revisions[0]!, false, { expect: 'invalid', reason: 'licensing-item' });
  ctx.scenarios.refused.push({ commitment: c, why });
}
