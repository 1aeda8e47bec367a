/**
 * Seeded randomness and the made-up identities of the demo: valid USCCs and identity numbers built
 * with the standards' own check algorithms (functions/shared/records/identifiers.ts), and
 * plausible Chinese names. Everything draws from one Rng so a seed fixes the whole dataset.
 */
import { USCC_CHARSET, orgCodeCheckCharacter, residentIdCheckCharacter, usccCheckCharacter } from '../../functions/shared/records/identifiers.js';
import { mulberry32 } from '../simulators/simulator.js';

/** A deterministic stream of choices over mulberry32 (the simulators' PRNG). */
export class Rng {
  private readonly next: () => number;

  constructor(seed: number) {
    this.next = mulberry32(seed);
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.next();
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    if (max < min) throw new Error(`empty range [${min}, ${max}]`);
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list');
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** A shuffled copy (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items];
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }

  /** `n` distinct items (all of them when there are fewer), in random order. */
  sample<T>(items: readonly T[], n: number): T[] {
    return this.shuffle(items).slice(0, Math.max(0, n));
  }
}

/** A valid USCC from its first 16 characters (authority, category, division, organisation-code body). */
export function usccFrom(first16: string): string {
  const first17 = first16 + orgCodeCheckCharacter(first16.slice(8, 16));
  return first17 + usccCheckCharacter(first17);
}

/** The same code with a wrong final check character (for the invalid submissions). */
export function breakUsccCheck(code: string): string {
  const wrong = USCC_CHARSET[(USCC_CHARSET.indexOf(code.at(-1)!) + 1) % USCC_CHARSET.length]!;
  return code.slice(0, 17) + wrong;
}

/** Divisions of Harbin New Area's districts (GB/T 2260): 松北区, 呼兰区, 平房区. */
const NEW_AREA_DIVISIONS = ['230109', '230111', '230108'] as const;
/** Birthplace divisions for identity numbers: districts of Harbin and a few Heilongjiang cities. */
const BIRTH_DIVISIONS = ['230102', '230103', '230104', '230109', '230111', '230108', '230202', '230602', '231002'] as const;

/**
 * A fresh, valid market-entity USCC: authority 9 (市场监管), category 1 (enterprise) or 2
 * (individual business, the "92" codes rules.ts ties to 个体工商户), an organisation-code body in the
 * `MA…` form issued since 2015.
 */
export function marketEntityUscc(rng: Rng, individual: boolean, taken: Set<string>): string {
  for (;;) {
    let body = 'MA';
    for (let i = 0; i < 6; i++) body += rng.pick([...USCC_CHARSET]);
    const code = usccFrom(`9${individual ? '2' : '1'}${rng.pick(NEW_AREA_DIVISIONS)}${body}`);
    if (!taken.has(code)) {
      taken.add(code);
      return code;
    }
  }
}

/** A valid 18-digit resident identity number of an adult born 1960–1999. Personal data: never print it. */
export function residentId(rng: Rng, taken: Set<string>): string {
  for (;;) {
    const birth = `${rng.int(1960, 1999)}${String(rng.int(1, 12)).padStart(2, '0')}${String(rng.int(1, 28)).padStart(2, '0')}`;
    const first17 = `${rng.pick(BIRTH_DIVISIONS)}${birth}${String(rng.int(1, 999)).padStart(3, '0')}`;
    const id = first17 + residentIdCheckCharacter(first17);
    if (!taken.has(id)) {
      taken.add(id);
      return id;
    }
  }
}

const SURNAMES = [...'王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎'];
const GIVEN = [...'伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超霞平刚桂兰志建国华红玉春雪梅海波宇鹏飞浩然欣悦晨阳东北松龙'];

export function personName(rng: Rng): string {
  const given = rng.chance(0.7) ? rng.pick(GIVEN) + rng.pick(GIVEN) : rng.pick(GIVEN);
  return rng.pick(SURNAMES) + given;
}

/** Trade-name (字号) characters: two of them make a brand such as 鑫盛 or 冰城. */
const BRAND = [...'鑫盛华泰达宏源恒瑞祥丰凯博远通利佳美鼎信安康兴隆嘉昌润泽诚德明辉晟骏江松冰雪北极光锦程金禾天和众合'];
const ENTERPRISE_PREFIXES = ['哈尔滨', '哈尔滨新区', '黑龙江'] as const;
const INDIVIDUAL_PREFIXES = ['松北区', '哈尔滨新区', '呼兰区'] as const;

/** A trade name not used yet: prefix + two-character brand + ending. */
export function entityName(rng: Rng, suffix: string, individual: boolean, taken: Set<string>): string {
  for (let attempt = 0; ; attempt++) {
    const first = rng.pick(BRAND);
    let second = rng.pick(BRAND);
    while (second === first) second = rng.pick(BRAND);
    // past a few hundred collisions the space of one ending is exhausted: add a branch number
    const branch = attempt > 200 ? `第${attempt - 200}` : '';
    const name = `${rng.pick(individual ? INDIVIDUAL_PREFIXES : ENTERPRISE_PREFIXES)}${first}${second}${branch}${suffix}`;
    if (!taken.has(name)) {
      taken.add(name);
      return name;
    }
  }
}
