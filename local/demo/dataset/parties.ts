/**
 * The parties who make commitments: enterprises, a few individual businesses (个体工商户) and some
 * natural persons. A market entity is named (name, USCC, legal representative) only once it is given
 * its first licensing item, after which its name fits (a 餐饮 company applies for 食品经营许可).
 */
import type { LicensingItem } from '../catalogue.js';
import { entityName, marketEntityUscc, personName, residentId } from '../random.js';
import { round, type DatasetContext } from './context.js';
import type { Entity, Json } from './model.js';
import { PLAN } from './plan.js';

/** The dataset's parties: market entities (individual businesses first) unnamed yet, then natural persons. */
export function createEntities(ctx: DatasetContext): Entity[] {
  const total = Math.max(1, round(PLAN.enterprises * ctx.scale));
  const individuals = Math.min(total - 1, round(PLAN.individualBusinesses * ctx.scale));
  const persons = round(PLAN.naturalPersons * ctx.scale);
  const out: Entity[] = [];
  for (let i = 0; i < total; i++) {
    const individual = i < individuals;
    out.push({ kind: individual ? 'individual' : 'enterprise', party: {} });
  }
  for (let i = 0; i < persons; i++) {
    out.push({
      kind: 'person',
      party: { name: personName(ctx.rng), category: '自然人', idType: '身份证', idNumber: residentId(ctx.rng, ctx.takenIds) },
    });
  }
  return out;
}

/** A market entity's party, named after the first item it applies for (a 餐饮 company applies for 食品经营许可). */
export function nameEntity(ctx: DatasetContext, entity: Entity, item: LicensingItem): void {
  const individual = entity.kind === 'individual';
  const suffix = ctx.rng.pick(individual ? item.individualSuffixes! : item.enterpriseSuffixes);
  const party: Json = {
    name: entityName(ctx.rng, suffix, individual, ctx.takenNames),
    category: individual ? '个体工商户' : '法人及非法人组织',
    uscc: marketEntityUscc(ctx.rng, individual, ctx.takenUscc),
    legalRepresentative: personName(ctx.rng),
  };
  // about half the upstream records carry the representative's identity document, as real ones do
  if (ctx.rng.chance(0.5)) Object.assign(party, { legalRepIdType: '身份证', legalRepIdNumber: residentId(ctx.rng, ctx.takenIds) });
  entity.party = party;
}

/** The market entities (enterprises and individual businesses): the parties of penalties and invalid submissions. */
export function marketEntities(entities: Entity[]): Entity[] {
  return entities.filter((e) => e.kind !== 'person');
}

/**
 * Makes `a`'s legal representative `b`'s too (the same name and identity document): a responsible
 * person of two companies. Changes the party objects in place, so every record of `b` already made
 * carries him — call it before any record is queued.
 */
export function shareLegalRepresentative(ctx: DatasetContext, a: Entity, b: Entity): void {
  if (a.party['legalRepIdNumber'] === undefined) Object.assign(a.party, { legalRepIdType: '身份证', legalRepIdNumber: residentId(ctx.rng, ctx.takenIds) });
  const { legalRepresentative, legalRepIdType, legalRepIdNumber } = a.party;
  Object.assign(b.party, { legalRepresentative, legalRepIdType, legalRepIdNumber });
}
