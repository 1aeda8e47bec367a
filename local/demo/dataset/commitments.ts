/**
 * The reform's commitments (告知承诺): which party commits for which item of the catalogue, of which
 * commitment and publication type, on which day; each commitment's first revision (with the licence
 * it obtained) and the helpers that give it later revisions and commitment codes.
 */
import { addDays, addMonths, daysBetween, maxDate, minDate } from '../calendar.js';
import { LICENSING_ITEMS, UNITS, departmentOf, type LicensingItem } from '../catalogue.js';
import { pad, round, type DatasetContext } from './context.js';
import type { Commitment, CommitmentType, Entity, Json, PublicationType } from './model.js';
import { nameEntity } from './parties.js';
import { PLAN, SOURCES } from './plan.js';

/**
 * Every party's commitments: one item each (every item of the catalogue in force in the window
 * used), a second one for some market entities; each dated on a day its item is in force, of a
 * commitment type its item allows.
 */
export function planCommitments(ctx: DatasetContext, entities: Entity[]): Commitment[] {
  const { rng } = ctx;
  const [youngest, oldest] = PLAN.commitmentWindowDays;
  const windowStart = addDays(ctx.today, -oldest);
  const windowEnd = addDays(ctx.today, -youngest);
  // items in force on some day of the window (the item taken off the list only until its end)
  const usable = LICENSING_ITEMS.filter((i) => i.validFrom <= windowEnd && i.validTo >= windowStart);
  const enterpriseItems = usable.filter((i) => i.holders === 'enterprise');
  const individualItems = usable.filter((i) => i.individualSuffixes);
  const personItems = usable.filter((i) => i.holders === 'person');
  // enterprises take the items in turn (shuffled) so that every item of the catalogue is used
  const rota = rng.shuffle(enterpriseItems);
  let turn = 0;
  const planned: Array<{ entity: Entity; item: LicensingItem }> = [];
  for (const entity of entities) {
    const item = entity.kind === 'person' ? rng.pick(personItems) : entity.kind === 'individual' ? rng.pick(individualItems) : rota[turn++ % rota.length]!;
    if (entity.kind !== 'person') nameEntity(ctx, entity, item);
    planned.push({ entity, item });
  }
  const market = planned.filter((p) => p.entity.kind !== 'person');
  for (const first of rng.sample(market, round(PLAN.secondCommitmentShare * market.length))) {
    const suitable = first.entity.kind === 'individual' ? individualItems : enterpriseItems;
    const others = suitable.filter((i) => i !== first.item);
    // a second licence usually comes from the same department (a restaurant's 排水 and 卫生 permits are the exception)
    const sameDepartment = others.filter((i) => i.department === first.item.department);
    const item = sameDepartment.length > 0 && rng.chance(0.7) ? rng.pick(sameDepartment) : rng.pick(others);
    planned.push({ entity: first.entity, item });
  }

  // commitment types by quota, so that every scale shows each of them, each on an item allowing it;
  // an item that does not allow 审批替代型 takes its first allowed type (容缺受理型), counted in the quota
  const types = new Map<number, CommitmentType>();
  planned.forEach((p, i) => {
    if (p.entity.kind === 'person') types.set(i, '证明事项型');
    else if (!p.item.allowedCommitmentTypes.includes('审批替代型')) types.set(i, p.item.allowedCommitmentTypes[0]!);
  });
  const marketIndices = rng.shuffle(planned.map((p, i) => (p.entity.kind === 'person' ? -1 : i)).filter((i) => i >= 0));
  for (const [type, share] of Object.entries(PLAN.typeShares) as Array<[CommitmentType, number]>) {
    const already = marketIndices.filter((i) => types.get(i) === type).length;
    // 其他 names its item too, but no item lists it: any item allowing 审批替代型 will do
    const fits = (i: number) => !types.has(i) && (type === '其他' || (planned[i]!.item.allowedCommitmentTypes as readonly string[]).includes(type));
    const chosen = marketIndices.filter(fits).slice(0, Math.max(0, Math.max(1, round(share * marketIndices.length)) - already));
    for (const i of chosen) types.set(i, type);
  }
  const publications = new Map<number, PublicationType>();
  const allIndices = rng.shuffle(planned.map((_, i) => i));
  let next = 0;
  for (const [publication, share] of Object.entries(PLAN.publicationShares) as Array<[PublicationType, number]>) {
    for (let n = Math.max(1, round(share * planned.length)); n > 0 && next < allIndices.length; n--) publications.set(allIndices[next++]!, publication);
  }

  return planned.map(({ entity, item }, i) => {
    const date = dateInForce(ctx, item, windowStart, windowEnd);
    return newCommitment(ctx, entity, item, types.get(i) ?? '审批替代型', publications.get(i) ?? '可向社会公开', date);
  });
}

/** A day from `from` to `to` (uniform) on which the list has `item` in force. */
export function dateInForce(ctx: DatasetContext, item: LicensingItem, from: string, to: string): string {
  const lo = maxDate(from, item.validFrom);
  const hi = minDate(to, item.validTo);
  if (lo > hi) throw new Error(`licensing item ${item.code} is not in force from ${from} to ${to}`);
  return addDays(hi, -ctx.rng.int(0, daysBetween(lo, hi)));
}

/** The day by which the committer must meet the conditions: the commitment date + the item's time limit (what the exchange sets). */
export function deadlineOf(c: Commitment): string {
  return addDays(c.date, c.item.commitmentTimeLimitDays);
}

/** The next commitment code of the district (230109 + date + serial), and its serial. */
export function nextCommitmentCode(ctx: DatasetContext, date: string): { code: string; serial: string } {
  const serial = pad(ctx.serial('commitment', 1, 5));
  return { code: `230109${date.replaceAll('-', '')}${serial}`, serial };
}

/** A commitment for a licensing item and its first revision: the commitment with the licence granted on it. */
export function newCommitment(
  ctx: DatasetContext,
  entity: Entity,
  item: LicensingItem,
  type: CommitmentType,
  publication: PublicationType,
  date: string,
): Commitment {
  const { code, serial } = nextCommitmentCode(ctx, date);
  const department = departmentOf(item);
  const subject = entity.kind === 'person' ? '本人' : '本单位';
  const validTo = item.validYears ? addDays(addMonths(date, 12 * item.validYears), -1) : '2099-12-31';
  const year = date.slice(0, 4);
  let reason = `申请${item.name}（告知承诺制）`;
  let content = `${subject}承诺已具备${item.name}的全部法定条件和标准要求，所提交的申请材料真实、合法、有效，并自愿接受${department.unit}的事后核查。`;
  const extra: Json = {};
  if (type === '容缺受理型') {
    // a material the list lets follow later, handed in within the item's time limit
    const missing = ctx.rng.pick(item.commitmentMaterials);
    reason = `申请${item.name}（容缺受理）`;
    content = `${subject}申请${item.name}时${missing}暂缺，承诺于${item.commitmentTimeLimitDays}日内补齐；逾期未补齐的，自愿承担许可被撤销的后果。`;
  } else if (type === '证明事项型') {
    const proof = ctx.rng.pick(entity.kind === 'person' ? ['无犯罪记录证明', '健康体检证明'] : ['经营场所使用权证明', '无违法违规记录证明']);
    reason = `以告知承诺替代${proof}，申请${item.name}`;
    content = `${subject}承诺符合${item.name}关于${proof}的要求，所作承诺真实有效；如有不实，愿意承担相应法律责任。`;
  } else if (type === '其他') {
    extra['commitmentTypeOther'] = '并联审批承诺';
    reason = `申请${item.name}（多部门并联审批）`;
  }
  const licence: Json = {
    documentName: '准予行政许可决定书',
    documentNumber: `哈新审批许〔${year}〕${ctx.serial(`licence:${year}`, 1, 3)}号`,
    category: item.category,
    ...(item.certificate && { certificateName: item.certificate, certificateNumber: `HXXK${year}${pad(ctx.serial('certificate', 1, 9))}` }),
    content: `准予${item.name}（告知承诺制）`,
    decisionDate: date,
    validFrom: date,
    validTo,
    authority: UNITS.approval.unit,
    authorityUscc: UNITS.approval.uscc,
    status: '有效',
  };
  const data: Json = {
    commitmentCode: code,
    party: entity.party,
    commitmentType: type,
    ...extra,
    reason,
    content,
    breachLiability: '如承诺不实或未按期履行承诺，自愿承担撤销许可、记入信用记录、依法接受处罚等法律责任。',
    commitmentDate: date,
    validFrom: date,
    validTo,
    acceptingUnit: UNITS.approval.unit,
    acceptingUnitUscc: UNITS.approval.uscc,
    publicationType: publication,
    licensingItem: { itemCode: item.code, itemName: item.name, department: department.unit },
    licence,
  };
  const recordId = `HXSP-CN-${year}-${serial}`;
  const c: Commitment = { entity, item, type, publication, date, code, recordId, data, revisions: [] };
  c.revisions.push(ctx.envelope('commitment', SOURCES.approval, recordId, 1, ctx.morning(date), data));
  return c;
}

/** Revision n+1 of a commitment with `changes` applied to its latest data. */
export function reviseCommitment(ctx: DatasetContext, c: Commitment, date: string, changes: Json, operation: 'upsert' | 'withdraw' = 'upsert'): void {
  const latest = c.revisions.at(-1)!;
  const data = { ...(latest['data'] as Json), ...changes };
  c.revisions.push(ctx.envelope('commitment', SOURCES.approval, c.recordId, c.revisions.length + 1, ctx.afternoon(date), data, operation));
}
