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
import { SEVERITY_TIERS, earliestRepair, isSeverityTier, tierBounds, type SeverityTier } from './publication.js';
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

export { SEVERITY_TIERS, type SeverityTier } from './publication.js';

function tierOf(value: unknown): (typeof SEVERITY_TIERS)[SeverityTier] | undefined {
  return isSeverityTier(value) ? SEVERITY_TIERS[value] : undefined;
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
    keys = pointer
      .split('/')
      .slice(1)
      .map((k) => k.replaceAll('~1', '/').replaceAll('~0', '~'));
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

/**
 * Words that mark a decision not to punish: 不予(以)(行政)处罚, 免予/免于/免除(行政)处罚, 首违不罚/免罚,
 * a 不罚〔…〕 document number with any of its usual brackets (〔 [ （ ( 【). Shared with the simulators,
 * which refuse such a record as a penalty. Free text is not normalised, so every bracket form counts.
 */
export const NON_PENALTY_MARKER = /不予以?(?:行政)?处罚|免[予于除](?:行政)?处罚|首违[不免]罚|不罚[〔[（(【]|免罚/;

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
      return [
        {
          path: `${path}/uscc`,
          rule: 'partyCodeMatchesCategory',
          message: `an individual business (个体工商户) has a USCC starting 92, found one starting ${code.slice(0, 2)}`,
        },
      ];
    }
    return [
      {
        path: `${path}/uscc`,
        rule: 'partyCodeMatchesCategory',
        message: 'a USCC starting 92 belongs to an individual business: category should be 个体工商户, not 法人及非法人组织',
      },
    ];
  },

  /**
   * A breach's publication follows its tier (NDRC Order 2025 No. 36): publicationRequested is the
   * department's decision to publish a 轻微 record (一般 and 严重 are always published); an end set
   * by the department lies between the tier's minimum and maximum, counted from the decision date.
   */
  publicationPeriod(data) {
    const severity = data['severity'];
    const tier = tierOf(severity);
    const decided = parseDate(data['decisionDate']);
    if (!tier || decided === undefined) return NONE;
    const issues: RuleIssue[] = [];
    const requested = data['publicationRequested'];
    if (requested !== undefined && severity !== '轻微') {
      issues.push({
        path: '/publicationRequested',
        rule: 'publicationPeriod',
        message: `applies to tier 轻微 (minor) only: a ${describeTier(String(severity))} record is always published (NDRC Order 2025 No. 36), found ${String(requested)}`,
      });
    }
    const end = parseDate(data['publicationEndDate']);
    if (end === undefined) return issues.length ? issues : NONE;
    if (severity === '轻微' && requested !== true) {
      issues.push({
        path: '/publicationEndDate',
        rule: 'publicationPeriod',
        message:
          "a 轻微 (minor) record is in principle not published (NDRC Order 2025 No. 36): a publication end needs publicationRequested true, the department's decision that publishing it is necessary",
      });
      return issues;
    }
    const { minEnd, maxEnd } = tierBounds(severity as SeverityTier, decided);
    if (end < minEnd || end > maxEnd) {
      issues.push({
        path: '/publicationEndDate',
        rule: 'publicationPeriod',
        message:
          `publication end ${end} is outside the bounds for tier ${describeTier(String(severity))}: ` +
          `between ${minEnd} (${monthsText(tier.minMonths)}${tier.minMonths ? ' after decision' : ''}) and ${maxEnd} ` +
          `(${monthsText(tier.maxMonths)} after decision ${decided}), NDRC Order 2025 No. 36`,
      });
    }
    return issues;
  },

  /**
   * A breach is an administrative penalty. A decision not to punish (不予行政处罚, 首违不罚) that
   * arrives as a breach would be shared as a penalty and brand the company dishonest: refused,
   * with where to send it instead.
   */
  notANonPenalty(data) {
    const issues: RuleIssue[] = [];
    for (const field of ['decisionNumber', 'penaltyContent'] as const) {
      const value = data[field];
      const marker = typeof value === 'string' ? NON_PENALTY_MARKER.exec(value)?.[0] : undefined;
      if (marker === undefined) continue;
      issues.push({
        path: `/${field}`,
        rule: 'notANonPenalty',
        message: `reads as a decision not to punish ("${marker}"): that is not an administrative penalty nor dishonesty information (NDRC Order 2025 No. 36, art. 4) — send it as a nonPenalty record, which is kept but never shared as a penalty`,
      });
    }
    return issues.length ? issues : NONE;
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

  /** A repair is granted only once the tier's minimum disclosure period has run its course (earliestRepair). */
  repairAfterMinimum(data) {
    if (data['outcome'] !== '同意') return NONE;
    const severity = data['severity'];
    const tier = tierOf(severity);
    const decided = parseDate(data['breachDecisionDate']);
    const repaired = parseDate(data['decisionDate']);
    if (!tier || decided === undefined || repaired === undefined) return NONE;
    const earliest = earliestRepair(severity as SeverityTier, decided);
    if (repaired >= earliest) return NONE;
    return [
      {
        path: '/decisionDate',
        rule: 'repairAfterMinimum',
        message: `a repair of tier ${describeTier(String(severity))} can be granted from ${earliest}, the day after the minimum period of ${tier.minMonths} months from ${decided} ends (NDRC Order 2025 No. 36), found ${repaired}`,
      },
    ];
  },

  /**
   * A breach is an administrative penalty: it is repaired by 终止公示 (which stops its sharing and
   * use too, Order 36 art. 3). 移出名单 repairs an entry of a 严重失信主体名单, which this contract
   * does not carry.
   */
  repairMethod(data) {
    if (data['method'] !== '移出名单') return NONE;
    return [
      {
        path: '/method',
        rule: 'repairMethod',
        message:
          '移出名单 (removal from a list) repairs an entry of a 严重失信主体名单 (serious dishonesty list), which this contract does not carry; a breach (an administrative penalty) is repaired by 终止公示',
      },
    ];
  },
};

/**
 * Rules about whether a record may be shared, published or granted. A withdrawal takes the record
 * down everywhere, so it is never refused for them: a record shared by mistake — a decision not to
 * punish sent as a penalty, a publication against its tier — must be retractable.
 */
export const SHARING_RULES: ReadonlySet<string> = new Set(['publicationPeriod', 'notANonPenalty', 'repairMethod', 'repairAfterMinimum']);

/**
 * Runs the rules a record type's schema names (without the sharing rules for a withdrawal). Unknown
 * rule names fail loudly (a schema bug).
 */
export function applyRules(data: Data, refs: readonly RuleRef[], operation?: unknown): RuleIssue[] {
  let issues: RuleIssue[] | undefined;
  for (const ref of refs) {
    if (operation === 'withdraw' && SHARING_RULES.has(ref.rule)) continue;
    const rule = rules[ref.rule];
    if (!rule) throw new Error(`schema names unknown cross-field rule '${ref.rule}'`);
    const found = rule(data, ref);
    if (found.length > 0) (issues ??= []).push(...found);
  }
  return issues ?? NONE;
}
