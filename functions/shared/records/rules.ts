/**
 * Cross-field rules: what JSON Schema cannot say (date arithmetic, bounds counted from another
 * field). Each record schema names the rules that apply to its `data` in `x-rules`, with their
 * arguments, so the contract upstreams read lists them; this module implements them.
 *
 * A rule reports nothing when the fields it reads are missing or malformed: schema validation
 * already reported those, and one mistake should produce one error.
 */
import { addMonths, parseDate } from './dates.js';
import { USCC_PLACEHOLDER, isUscc } from './identifiers.js';
import type { RuleRef } from './schema-index-types.js';

export interface RuleIssue {
  /** JSON pointer relative to the record's `data`. */
  path: string;
  rule: string;
  message: string;
}

type Data = Record<string, unknown>;

/** What a rule returns when the record obeys it: shared, so the common case allocates nothing. */
const NONE: RuleIssue[] = [];
export type Rule = (data: Data, args: RuleRef) => RuleIssue[];

/** Disclosure periods by severity tier, counted from the decision date (NDRC Order 2025 No. 36). */
export const SEVERITY_TIERS = {
  轻微: { english: 'minor', minMonths: 0, maxMonths: 3 },
  一般: { english: 'general', minMonths: 3, maxMonths: 12 },
  严重: { english: 'serious', minMonths: 12, maxMonths: 36 },
} as const;
export type SeverityTier = keyof typeof SEVERITY_TIERS;

function tierOf(value: unknown): (typeof SEVERITY_TIERS)[SeverityTier] | undefined {
  return typeof value === 'string' && Object.hasOwn(SEVERITY_TIERS, value) ? SEVERITY_TIERS[value as SeverityTier] : undefined;
}

function describeTier(tier: string): string {
  const t = SEVERITY_TIERS[tier as SeverityTier];
  return `${tier} (${t.english})`;
}

function monthsText(months: number): string {
  if (months === 0) return 'the decision date';
  return months % 12 === 0 ? `${months / 12} year${months === 12 ? '' : 's'}` : `${months} months`;
}

const pointerKeys = new Map<string, string[]>();

/** Reads a JSON pointer (relative to data). Pointers are parsed once and cached: rules run per record. */
export function readPointer(data: unknown, pointer: string): unknown {
  let keys = pointerKeys.get(pointer);
  if (keys === undefined) {
    keys = pointer.split('/').slice(1).map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
    // error paths are pointers too and unbounded in variety: only cache the schema's own (short) set
    if (pointerKeys.size < 1000) pointerKeys.set(pointer, keys);
  }
  let node = data;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Data)[key];
  }
  return node;
}

const name = (pointer: string): string => pointer.slice(1).replaceAll('/', '.');

export const rules: Readonly<Record<string, Rule>> = {
  /** `later` is on or after `earlier` (both optional). */
  dateOrder(data, args) {
    const earlierPath = String(args['earlier']);
    const laterPath = String(args['later']);
    const earlier = parseDate(readPointer(data, earlierPath));
    const later = parseDate(readPointer(data, laterPath));
    if (earlier === undefined || later === undefined || later >= earlier) return NONE;
    return [
      {
        path: laterPath,
        rule: 'dateOrder',
        message: `must be on or after ${name(earlierPath)} (${earlier}), found ${later}`,
      },
    ];
  },

  /**
   * Characters 7–14 of a commitment code (at `path`) are a real date YYYYMMDD; with `sameAs`, the
   * date the code was issued for (a commitment's own code carries its commitment date).
   */
  commitmentCodeDate(data, args) {
    const path = String(args['path']);
    const code = readPointer(data, path);
    if (typeof code !== 'string' || !/^\d{20}$/.test(code)) return NONE;
    const embedded = `${code.slice(6, 10)}-${code.slice(10, 12)}-${code.slice(12, 14)}`;
    if (parseDate(embedded) === undefined) {
      return [{ path, rule: 'commitmentCodeDate', message: `characters 7–14 (${code.slice(6, 14)}) must be a real date YYYYMMDD` }];
    }
    const samePath = args['sameAs'] === undefined ? undefined : String(args['sameAs']);
    const expected = samePath === undefined ? undefined : parseDate(readPointer(data, samePath));
    if (samePath === undefined || expected === undefined || expected === embedded) return NONE;
    return [{ path, rule: 'commitmentCodeDate', message: `characters 7–14 (${code.slice(6, 14)}) must be ${name(samePath)} ${expected.replaceAll('-', '')}` }];
  },

  /** A fine is given only with 罚款 among the penalty categories (the reverse is required by the schema). */
  fineNeedsCategory(data) {
    const categories = data['penaltyCategories'];
    if (data['fineAmount'] === undefined || !Array.isArray(categories) || categories.includes('罚款')) return NONE;
    return [{ path: '/fineAmount', rule: 'fineNeedsCategory', message: 'a fine is given but penaltyCategories does not include 罚款 (fine)' }];
  },

  /**
   * The party's USCC agrees with its category: GB 32100 codes individual businesses as authority 9,
   * category 2 ("92…"), so a 个体工商户 has a 92 code and nobody else does.
   */
  partyCodeMatchesCategory(data, args) {
    const path = String(args['path']);
    const party = readPointer(data, path) as Data | undefined;
    const code = party?.['uscc'];
    const category = party?.['category'];
    if (typeof code !== 'string' || code === USCC_PLACEHOLDER) return NONE;
    const individual = code.startsWith('92');
    const mismatch = (category === '个体工商户' && !individual) || (category === '法人及非法人组织' && individual);
    // an invalid code already has its format error: checked only on this rare path
    if (!mismatch || !isUscc(code)) return NONE;
    if (category === '个体工商户') {
      return [{ path: `${path}/uscc`, rule: 'partyCodeMatchesCategory', message: `an individual business (个体工商户) has a USCC starting 92, found one starting ${code.slice(0, 2)}` }];
    }
    return [{ path: `${path}/uscc`, rule: 'partyCodeMatchesCategory', message: 'a USCC starting 92 belongs to an individual business: category should be 个体工商户, not 法人及非法人组织' }];
  },

  /** The breach's disclosure end date lies within its tier's bounds from the decision date. */
  disclosurePeriod(data) {
    const tier = tierOf(data['severity']);
    const decided = parseDate(data['decisionDate']);
    const end = parseDate(data['disclosureEndDate']);
    if (!tier || decided === undefined || end === undefined) return NONE;
    const earliest = addMonths(decided, tier.minMonths);
    const latest = addMonths(decided, tier.maxMonths);
    if (end >= earliest && end <= latest) return NONE;
    return [
      {
        path: '/disclosureEndDate',
        rule: 'disclosurePeriod',
        message:
          `disclosure end ${end} is outside the bounds for tier ${describeTier(String(data['severity']))}: ` +
          `between ${earliest} (${monthsText(tier.minMonths)}${tier.minMonths ? ' after decision' : ''}) and ${latest} ` +
          `(${monthsText(tier.maxMonths)} after decision ${decided}), NDRC Order 2025 No. 36`,
      },
    ];
  },

  /** A first-offence exemption (首违免罚) is for minor breaches only, with no fine and no black points. */
  firstOffenceExemption(data) {
    if (data['firstOffenceExemption'] !== true) return NONE;
    const issues: RuleIssue[] = [];
    if (data['severity'] !== undefined && data['severity'] !== '轻微') {
      issues.push({ path: '/severity', rule: 'firstOffenceExemption', message: `a first-offence exemption (首违免罚) applies only to tier 轻微 (minor), found ${String(data['severity'])}` });
    }
    const categories = data['penaltyCategories'];
    if (Array.isArray(categories) && categories.includes('罚款')) {
      issues.push({ path: '/penaltyCategories', rule: 'firstOffenceExemption', message: 'a first-offence exemption (首违免罚) waives the penalty: 罚款 (fine) must not be among the categories' });
    }
    if (typeof data['blackPoints'] === 'number' && data['blackPoints'] !== 0) {
      issues.push({ path: '/blackPoints', rule: 'firstOffenceExemption', message: `a first-offence exemption (首违免罚) carries no black points, found ${data['blackPoints']}` });
    }
    return issues;
  },

  /** The repair's disclosure bounds are the breach decision date plus the tier's minimum and maximum. */
  repairDisclosureBounds(data) {
    const tier = tierOf(data['severity']);
    const decided = parseDate(data['breachDecisionDate']);
    if (!tier || decided === undefined) return NONE;
    const issues: RuleIssue[] = [];
    for (const [field, months] of [
      ['minDisclosureEndDate', tier.minMonths],
      ['maxDisclosureEndDate', tier.maxMonths],
    ] as const) {
      const given = parseDate(data[field]);
      const expected = addMonths(decided, months);
      if (given !== undefined && given !== expected) {
        issues.push({
          path: `/${field}`,
          rule: 'repairDisclosureBounds',
          message: `must be ${expected}: breachDecisionDate ${decided} plus ${months} months for tier ${describeTier(String(data['severity']))}, found ${given}`,
        });
      }
    }
    return issues;
  },

  /** A repair is granted only once the tier's minimum disclosure period has passed. */
  repairAfterMinimum(data) {
    if (data['outcome'] !== '同意') return NONE;
    const tier = tierOf(data['severity']);
    const decided = parseDate(data['breachDecisionDate']);
    const repaired = parseDate(data['decisionDate']);
    if (!tier || decided === undefined || repaired === undefined) return NONE;
    const earliest = addMonths(decided, tier.minMonths);
    if (repaired >= earliest) return NONE;
    return [
      {
        path: '/decisionDate',
        rule: 'repairAfterMinimum',
        message: `a repair of tier ${describeTier(String(data['severity']))} can be granted from ${earliest} (minimum period of ${tier.minMonths} months after ${decided}), found ${repaired}`,
      },
    ];
  },
};

/** Runs the rules a record type's schema names. Unknown rule names fail loudly (a schema bug). */
export function applyRules(data: Data, refs: readonly RuleRef[]): RuleIssue[] {
  let issues: RuleIssue[] | undefined;
  for (const ref of refs) {
    const rule = rules[ref.rule];
    if (!rule) throw new Error(`schema names unknown cross-field rule '${ref.rule}'`);
    const found = rule(data, ref);
    if (found.length > 0) (issues ??= []).push(...found);
  }
  return issues ?? NONE;
}
