/**
 * Hostile and invalid submissions the intake must quarantine, one defect each, the reasons in turn
 * (INVALID_REASONS): a USCC failing its check character, a breach missing its tier, a body cut off
 * in transit, a source no one registered, validity ending before it starts. Each is built from a
 * fresh commitment of a known entity (its own code and id), so it touches none of the valid records.
 */
import { addDays } from '../calendar.js';
import { LICENSING_ITEMS } from '../catalogue.js';
import { breakUsccCheck } from '../random.js';
import { penaliseBreach } from './breaches.js';
import { newCommitment } from './commitments.js';
import { pad, round, type DatasetContext } from './context.js';
import type { Entity, Json } from './model.js';
import { marketEntities } from './parties.js';
import { PLAN, SOURCES } from './plan.js';
import { INVALID_REASONS } from './types.js';

/** Submissions the intake must quarantine, one reason after another (each a single defect). Returns how many. */
export function invalidSubmissions(ctx: DatasetContext, entities: Entity[]): number {
  const { rng } = ctx;
  const total = Math.max(INVALID_REASONS.length, round(PLAN.invalid * ctx.scale));
  const market = marketEntities(entities);
  const businessItems = LICENSING_ITEMS.filter((i) => i.holders === 'enterprise');
  for (let i = 0; i < total; i++) {
    const reason = INVALID_REASONS[i % INVALID_REASONS.length]!;
    // old enough for the breach below to be decided in the past too
    const date = addDays(ctx.today, -rng.int(60, PLAN.commitmentWindowDays[1]));
    const entity = rng.pick(market);
    // a fresh commitment of a known entity (not one of the dataset's commitments: its own code and id)
    const item = entity.kind === 'individual' ? rng.pick(LICENSING_ITEMS.filter((x) => x.individualSuffixes)) : rng.pick(businessItems);
    const c = newCommitment(ctx, entity, item, '审批替代型', '可向社会公开', date);
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
