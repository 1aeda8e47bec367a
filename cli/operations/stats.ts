/**
 * The reform's own figures (`credex stats`, and `npm start`'s summary), from the latest accepted
 * revision of every record: licensing commitments kept, broken and not yet verified, and the
 * keeping rate over verified ones; credit-repair commitments apart; breaches by tier, direction
 * and publication; non-penalty decisions (首违不罚 …) apart from breaches; credit repairs; the
 * subjects involved; verifications and overdue commitments, and the red and black lists, from the
 * credit profiles. Reading (one table Scan) and counting (a pure function) are apart, so the
 * counting is tested on hand-built records and every caller counts the same way.
 *
 * The credit profiles are folded here exactly as the pipeline and the credit check fold them
 * (functions/shared/credit): what each record's latest accepted revision contributes
 * (contributionsOf), grouped by subject, folded as of the day (creditProfile) under the same policy
 * (topology.credit) — so a subject's points here are the points its credit check answers.
 */
import { subjectForCode } from '../../functions/shared/credit/check.js';
import { contributionsOf } from '../../functions/shared/credit/contributions.js';
import { creditProfile, type CommitmentStanding, type CreditProfile } from '../../functions/shared/credit/profile.js';
import type { CreditContribution, Origin } from '../../functions/shared/credit/types.js';
import { notAFirstViolation } from '../../functions/shared/records/cross-record.js';
import { maskResidentId } from '../../functions/shared/records/identifiers.js';
import { schemaIndex } from '../../functions/shared/records/generated/schema-index.js';
import { publicationOf, publishedOn, SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/publication.js';
import { subjectOf, type Subject, type SubjectCategory } from '../../functions/shared/records/subject.js';
import type { CreditRecord, RecordType } from '../../functions/shared/records/types.js';
import { recordPk } from '../../functions/shared/state/keys.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import type { CreditPolicy } from '../../topology/credit-policy.js';
import { topology, type Direction, type Source } from '../../topology/topology.js';

/** The values a field's schema enumerates (every one has its key in the figures, at 0 when absent). */
function enumOf(type: RecordType, path: string): readonly string[] {
  const values = schemaIndex.fields[type]?.find((f) => f.path === path)?.enum;
  if (!values) throw new Error(`the ${type} schema enumerates no values at ${path}`);
  return values;
}

export const COMMITMENT_TYPES = enumOf('commitment', '/data/commitmentType');
export const PUBLICATION_TYPES = enumOf('commitment', '/data/publicationType');
export const FULFILMENT_STATUSES = enumOf('commitment', '/data/fulfilmentStatus');
export const REPAIR_OUTCOMES = enumOf('repair', '/data/outcome');
export const REPAIR_METHODS = enumOf('repair', '/data/method');
export const NON_PENALTY_GROUNDS = enumOf('nonPenalty', '/data/ground');
export const SEVERITIES = Object.keys(SEVERITY_TIERS) as SeverityTier[];

/** The commitment type made to obtain a credit repair: counted apart from the reform's licensing commitments. */
export const CREDIT_REPAIR_TYPE = '信用修复型';

/** Distinct subjects by party category. Market entities are organisations and individual businesses (the reform's "enterprises"). */
export interface SubjectCounts {
  marketEntities: number;
  organisations: number;
  individualBusinesses: number;
  naturalPersons: number;
}

export interface DepartmentFigures {
  /** The licensing item's department. */
  department: string;
  total: number;
  kept: number;
  broken: number;
  unverified: number;
}

export interface StatsFigures {
  /** The day publication was counted on (YYYY-MM-DD). */
  day: string;
  commitments: {
    /** Every counted commitment: licensing + creditRepair + other. */
    total: number;
    /** Made for a licensing item (licensingItem given): the reform's commitments, counted below. */
    licensing: number;
    /** 信用修复型: made to obtain a credit repair. */
    creditRepair: number;
    /** Neither (行业自律型, 主动型 … without a licensing item). */
    other: number;
    /** Licensing commitments whose fulfilment was determined 全部履行. */
    kept: number;
    /** Licensing commitments determined 部分履行 or 全部未履行. */
    broken: number;
    /** Licensing commitments without a fulfilment determination yet. */
    unverified: number;
    /** kept / (kept + broken), 4 decimals; null when none was verified. */
    keepingRate: number | null;
    /** Licensing commitments a counted breach names as broken (penalised). */
    penalised: number;
    /** Licensing commitments a counted non-penalty decision names (never counted as broken for it). */
    exempted: number;
    withdrawn: number;
    /** Licensing commitments by department, most first. */
    byDepartment: DepartmentFigures[];
    licensingItems: number;
    byType: Record<string, number>;
    byPublicationType: Record<string, number>;
    /** Published in the public column on `day`. */
    published: number;
  };
  breaches: {
    total: number;
    withdrawn: number;
    bySeverity: Record<string, number>;
    /** By the direction of the breach's source; `unregistered`: a source no longer in topology/topology.ts. */
    byDirection: Record<Direction | 'unregistered', number>;
    /** Breaches naming a commitment code no counted commitment has (one made elsewhere, or withdrawn). */
    brokenCommitmentNotFound: number;
    /** Outbound breaches: published on `day`, shared but never published (轻微 without a request), publication over. */
    publication: { published: number; notPublished: number; ended: number };
  };
  nonPenalties: {
    total: number;
    withdrawn: number;
    byGround: Record<string, number>;
    /** 首违不罚 decisions of subjects with an earlier violation (a penalty, or one not punished): not a first one. */
    notFirstViolation: number;
  };
  repairs: {
    total: number;
    withdrawn: number;
    byOutcome: Record<string, number>;
    /** Approved repairs only: the schema gives a method with 同意. */
    byMethod: Record<string, number>;
    bySeverity: Record<string, number>;
  };
  subjects: {
    /** Parties of counted licensing commitments. */
    committing: SubjectCounts;
    /** Parties of counted breaches. */
    breaching: SubjectCounts;
  };
  /** Licensing commitments in the credit profiles on `day`: verified (the latest verification decides) or not, overdue. */
  verification: VerificationFigures;
  /** The red and black lists (红黑榜) on `day`: subjects whose points put them in a band above none. */
  creditLists: CreditListFigures;
}

/** The verification results, as the schema names them. */
export const VERIFICATION_RESULTS = ['全部履行', '部分履行', '全部未履行', '虚假承诺'] as const;
export type VerificationResult = (typeof VERIFICATION_RESULTS)[number];

export interface VerificationFigures {
  /** Licensing commitments the profiles hold (commitment date on or before `day`). */
  licensing: number;
  /** With a result: the latest verification's, else the fulfilment determined on the commitment itself. */
  verified: number;
  unverified: number;
  /** verified / licensing, 4 decimals; null with no licensing commitment. */
  verifiedShare: number | null;
  byResult: Record<VerificationResult, number>;
  /** Unverified with a deadline before `day`. */
  overdue: number;
}

/** A subject on a list: organisations and individual businesses by code and name; a natural person by the masked code only. */
export interface ListedSubject {
  category: SubjectCategory;
  /** USCC (or registration number); a natural person's identity number masked. */
  code: string;
  /** null for a natural person: never named. */
  name: string | null;
  points: number;
  band: string;
}

export interface CreditList {
  /** Subjects on the list: their points reach a band above the lowest (none). */
  subjects: number;
  byCategory: Record<SubjectCategory, number>;
  /** The most points first (ties by category and code), at most TOP_LISTED. */
  top: ListedSubject[];
}

export interface CreditListFigures {
  black: CreditList;
  red: CreditList;
  /**
   * Per department, the subjects on each list through it: the authority of a breach whose points
   * count, the accepting unit of a commitment whose verification's points count (the verification's
   * determining unit when the commitment is not here). Most black first.
   */
  byDepartment: Array<{ department: string; black: number; red: number }>;
}

/** How many subjects each list shows. */
export const TOP_LISTED = 10;

/** What the figures were read from, and what reading them cost. */
export interface ScanFacts {
  segments: number;
  /** Items the Scan read (every item of the table: the filter applies after the read). */
  items: number;
  /** REV items among them. */
  revisions: number;
  /** Distinct records: the figures' input. */
  records: number;
  /** Read capacity units consumed, when the server reports them. */
  readUnits: number | null;
}

/** The `--json` document: the figures, when, and of which exchange. */
export interface StatsReport extends StatsFigures {
  generatedAt: string;
  target: { stage: string; origin: string; tableName: string };
  scan: ScanFacts;
}

export function statsReport(figures: StatsFigures, scan: ScanFacts, target: StatsReport['target'], generatedAt: string): StatsReport {
  // keys in the order the document is read: when and where first, then the figures
  return { generatedAt, target, scan, ...figures };
}

// ---------------------------------------------------------------- counting

type Data = Record<string, unknown>;

/**
 * The figures of the latest revisions of records, publication counted on `day`; withdrawn
 * (retracted) records are only counted as withdrawn.
 */
export function aggregateStats(
  records: readonly CreditRecord[],
  sources: Readonly<Record<string, Pick<Source, 'direction'>>>,
  day: string,
  policy: CreditPolicy = topology.credit,
): StatsFigures {
  const counted = records.filter((r) => r.operation !== 'withdraw');
  const withdrawn = (type: RecordType): number => records.filter((r) => r.recordType === type && r.operation === 'withdraw').length;
  const ofType = (type: RecordType) => counted.filter((r) => r.recordType === type);
  const commitments = ofType('commitment');
  const breaches = ofType('breach');
  const nonPenalties = ofType('nonPenalty');
  const repairs = ofType('repair');

  const licensing = commitments.filter((c) => c.data['licensingItem'] !== undefined && c.data['commitmentType'] !== CREDIT_REPAIR_TYPE);
  const creditRepair = commitments.filter((c) => c.data['commitmentType'] === CREDIT_REPAIR_TYPE);
  const fulfilment = (c: CreditRecord): 'kept' | 'broken' | 'unverified' => {
    const status = c.data['fulfilmentStatus'];
    return status === '全部履行' ? 'kept' : status === undefined ? 'unverified' : 'broken';
  };
  const tallyFulfilment = (list: readonly CreditRecord[]) => ({
    kept: list.filter((c) => fulfilment(c) === 'kept').length,
    broken: list.filter((c) => fulfilment(c) === 'broken').length,
    unverified: list.filter((c) => fulfilment(c) === 'unverified').length,
  });
  const { kept, broken, unverified } = tallyFulfilment(licensing);
  const codesNamedBy = (list: readonly CreditRecord[], field: string) => new Set(list.map((r) => text(r.data[field])).filter((code) => code !== undefined));
  const penalisedCodes = codesNamedBy(breaches, 'brokenCommitmentCode');
  const exemptedCodes = codesNamedBy(nonPenalties, 'relatedCommitmentCode');
  const commitmentCodes = new Set(commitments.map((c) => text(c.data['commitmentCode'])));
  const outbound = breaches.filter((b) => sources[b.source]?.direction === 'outbound');
  const publications = outbound.map((b) => publicationOf(b));

  return {
    day,
    commitments: {
      total: commitments.length,
      licensing: licensing.length,
      creditRepair: creditRepair.length,
      other: commitments.length - licensing.length - creditRepair.length,
      kept,
      broken,
      unverified,
      keepingRate: kept + broken === 0 ? null : round4(kept / (kept + broken)),
      penalised: licensing.filter((c) => penalisedCodes.has(text(c.data['commitmentCode']) ?? '')).length,
      exempted: licensing.filter((c) => exemptedCodes.has(text(c.data['commitmentCode']) ?? '')).length,
      withdrawn: withdrawn('commitment'),
      byDepartment: departmentFigures(licensing, tallyFulfilment),
      licensingItems: new Set(licensing.map((c) => text((c.data['licensingItem'] as Data | undefined)?.['itemCode']))).size,
      byType: tally(
        commitments.map((c) => text(c.data['commitmentType'])),
        COMMITMENT_TYPES,
      ),
      byPublicationType: tally(
        commitments.map((c) => text(c.data['publicationType'])),
        PUBLICATION_TYPES,
      ),
      published: commitments.filter((c) => publishedOn(publicationOf(c), day)).length,
    },
    breaches: {
      total: breaches.length,
      withdrawn: withdrawn('breach'),
      bySeverity: tally(
        breaches.map((b) => text(b.data['severity'])),
        SEVERITIES,
      ),
      byDirection: {
        outbound: outbound.length,
        inbound: breaches.filter((b) => sources[b.source]?.direction === 'inbound').length,
        unregistered: breaches.filter((b) => sources[b.source] === undefined).length,
      },
      brokenCommitmentNotFound: breaches.filter((b) => {
        const code = text(b.data['brokenCommitmentCode']);
        return code !== undefined && !commitmentCodes.has(code);
      }).length,
      publication: {
        published: publications.filter((p) => publishedOn(p, day)).length,
        notPublished: publications.filter((p) => !p.publish).length,
        ended: publications.filter((p) => p.publish && !publishedOn(p, day)).length,
      },
    },
    nonPenalties: {
      total: nonPenalties.length,
      withdrawn: withdrawn('nonPenalty'),
      byGround: tally(
        nonPenalties.map((n) => text(n.data['ground'])),
        NON_PENALTY_GROUNDS,
      ),
      notFirstViolation: notFirstViolations(counted),
    },
    repairs: {
      total: repairs.length,
      withdrawn: withdrawn('repair'),
      byOutcome: tally(
        repairs.map((r) => text(r.data['outcome'])),
        REPAIR_OUTCOMES,
      ),
      byMethod: tally(
        repairs.map((r) => text(r.data['method'])),
        REPAIR_METHODS,
      ),
      bySeverity: tally(
        repairs.map((r) => text(r.data['severity'])),
        SEVERITIES,
      ),
    },
    subjects: {
      committing: countSubjects(licensing),
      breaching: countSubjects(breaches),
    },
    ...creditFigures(records, sources, day, policy),
  };
}

// ---------------------------------------------------------------- credit profiles

/** Where a record came from, as intake writes its contributions: an inbound source is the provincial platform. */
export function originOf(record: CreditRecord, sources: Readonly<Record<string, Pick<Source, 'direction'>>>): Origin {
  return sources[record.source]?.direction === 'inbound' ? 'province' : 'district';
}

interface Identity {
  category: SubjectCategory;
  code: string;
  name: string | null;
  /** The record the name was read from: the latest occurrence names the subject. */
  seenAt: string;
}

/** The verification figures and the red and black lists, from every subject's credit profile on `day`. */
export function creditFigures(
  records: readonly CreditRecord[],
  sources: Readonly<Record<string, Pick<Source, 'direction'>>>,
  day: string,
  policy: CreditPolicy,
): Pick<StatsFigures, 'verification' | 'creditLists'> {
  const bySubject = new Map<string, CreditContribution[]>();
  const identities = new Map<string, Identity>();
  const name = (digest: string, identity: Identity) => {
    const known = identities.get(digest);
    if (!known || identity.seenAt > known.seenAt) identities.set(digest, identity);
  };
  for (const record of records) {
    const contributions = contributionsOf(record, originOf(record, sources));
    for (const { subjectDigest, contribution } of contributions) {
      const list = bySubject.get(subjectDigest);
      if (list) list.push(contribution);
      else bySubject.set(subjectDigest, [contribution]);
      const party = record.data['party'] as Data;
      const seenAt = `${record.occurredAt}#${recordPk(contribution.ref)}`;
      if (contribution.role === 'subject') name(subjectDigest, identityOf(subjectOf(party)!, party, seenAt));
      else name(subjectDigest, { category: 'naturalPersons', code: maskedId(party['legalRepIdNumber'], party['legalRepIdType']), name: null, seenAt });
    }
  }
  const profiles = [...bySubject].map(([digest, contributions]) => ({ digest, profile: creditProfile(contributions, day, policy) }));
  const facts = new Map<string, CreditContribution['fact']>();
  const acceptingUnits = new Map<string, string>();
  for (const list of bySubject.values())
    for (const c of list) {
      if (c.operation !== 'upsert') continue;
      facts.set(recordPk(c.ref), c.fact);
      if (c.fact.kind === 'commitment') acceptingUnits.set(c.fact.commitmentCode, c.fact.acceptingUnit);
    }
  const departmentOf = (fact: CreditContribution['fact'] | undefined): string | undefined => {
    switch (fact?.kind) {
      case 'breach':
        return fact.authority;
      case 'commitment':
        return fact.acceptingUnit;
      case 'verification':
        return acceptingUnits.get(fact.commitmentCode) ?? fact.determiningUnit;
      default:
        return undefined;
    }
  };

  const onList = (colour: 'black' | 'red'): Array<{ digest: string; profile: CreditProfile }> => {
    const lowest = (colour === 'black' ? policy.blackBands : policy.redBands)[0]!.band;
    return profiles.filter(({ profile }) => (colour === 'black' ? profile.points.blackBand : profile.points.redBand) !== lowest);
  };
  const listed = { black: onList('black'), red: onList('red') };
  const list = (colour: 'black' | 'red'): CreditList => {
    const on = listed[colour].map(({ digest, profile }): ListedSubject => {
      const { category, code, name: shown } = identities.get(digest)!;
      return {
        category,
        code,
        name: shown,
        points: colour === 'black' ? profile.points.black : profile.points.red,
        band: colour === 'black' ? profile.points.blackBand : profile.points.redBand,
      };
    });
    on.sort((a, b) => b.points - a.points || cmp(a.category, b.category) || cmp(a.code, b.code));
    return {
      subjects: on.length,
      byCategory: {
        organisations: on.filter((s) => s.category === 'organisations').length,
        individualBusinesses: on.filter((s) => s.category === 'individualBusinesses').length,
        naturalPersons: on.filter((s) => s.category === 'naturalPersons').length,
      },
      top: on.slice(0, TOP_LISTED),
    };
  };

  // per department: each subject once per list and department, through the records whose points count on `day`
  const perDepartment = new Map<string, { black: Set<string>; red: Set<string> }>();
  for (const colour of ['black', 'red'] as const) {
    for (const { digest, profile } of listed[colour]) {
      const sums = new Map<string, { record: string; points: number }>();
      for (const e of profile.points.history) {
        if (e.colour !== colour) continue;
        const key = `${recordPk(e.record)}#${e.company?.uscc ?? ''}`;
        const sum = sums.get(key) ?? { record: recordPk(e.record), points: 0 };
        sum.points += e.points;
        sums.set(key, sum);
      }
      for (const { record, points } of sums.values()) {
        const department = points > 0 ? departmentOf(facts.get(record)) : undefined;
        if (department === undefined) continue;
        const entry = perDepartment.get(department) ?? { black: new Set<string>(), red: new Set<string>() };
        entry[colour].add(digest);
        perDepartment.set(department, entry);
      }
    }
  }

  const standings: CommitmentStanding[] = profiles.flatMap(({ profile }) =>
    profile.commitments.filter((c) => c.itemCode !== undefined && c.commitmentType !== CREDIT_REPAIR_TYPE),
  );
  const RESULT: Record<Exclude<CommitmentStanding['status'], 'unverified'>, VerificationResult> = {
    kept: '全部履行',
    partlyKept: '部分履行',
    notKept: '全部未履行',
    false: '虚假承诺',
  };
  const byResult = Object.fromEntries(VERIFICATION_RESULTS.map((r) => [r, 0])) as Record<VerificationResult, number>;
  for (const c of standings) if (c.status !== 'unverified') byResult[RESULT[c.status]] += 1;
  const verified = standings.filter((c) => c.status !== 'unverified').length;

  return {
    verification: {
      licensing: standings.length,
      verified,
      unverified: standings.length - verified,
      verifiedShare: standings.length === 0 ? null : round4(verified / standings.length),
      byResult,
      overdue: standings.filter((c) => c.overdue).length,
    },
    creditLists: {
      black: list('black'),
      red: list('red'),
      byDepartment: [...perDepartment]
        .map(([department, { black, red }]) => ({ department, black: black.size, red: red.size }))
        .sort((a, b) => b.black - a.black || b.red - a.red || cmp(a.department, b.department)),
    },
  };
}

/** Who a subject is, as the lists may show it: a natural person by the masked code alone. */
function identityOf(subject: Subject, party: Data, seenAt: string): Identity {
  if (subject.category === 'naturalPersons') return { category: subject.category, code: maskedId(party['idNumber'], party['idType']), name: null, seenAt };
  return { category: subject.category, code: subject.key.slice(subject.key.indexOf(':') + 1), name: text(party['name']) ?? null, seenAt };
}

/** An identity number masked as the credit check masks it. */
function maskedId(idNumber: unknown, idType: unknown): string {
  const id = text(idNumber) ?? '';
  const checked = subjectForCode(id, text(idType) ?? '身份证');
  return checked.ok ? checked.subject.code : maskResidentId(id);
}

/** Code-point order, the same on every machine. */
const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** 首违不罚 decisions whose subject had an earlier violation (the same check intake warns with). */
function notFirstViolations(records: readonly CreditRecord[]): number {
  const bySubject = new Map<string, CreditRecord[]>();
  for (const r of records) {
    if (r.recordType !== 'breach' && r.recordType !== 'nonPenalty') continue;
    const subject = subjectOf(r.data['party']);
    if (subject) bySubject.set(subject.key, [...(bySubject.get(subject.key) ?? []), r]);
  }
  const decision = (r: CreditRecord) => ({
    record: `${r.recordType}/${r.source}/${r.recordId}`,
    recordType: r.recordType,
    operation: r.operation,
    decisionNumber: String(r.data['decisionNumber']),
    decisionDate: String(r.data['decisionDate']),
    ...(typeof r.data['ground'] === 'string' && { ground: r.data['ground'] }),
  });
  let count = 0;
  for (const list of bySubject.values()) {
    const history = list.map(decision);
    for (const r of list) if (r.recordType === 'nonPenalty' && r.data['ground'] === '首违不罚' && notAFirstViolation(decision(r), history).length > 0) count++;
  }
  return count;
}

function departmentFigures(
  licensing: readonly CreditRecord[],
  tallyFulfilment: (list: readonly CreditRecord[]) => { kept: number; broken: number; unverified: number },
): DepartmentFigures[] {
  const byName = new Map<string, CreditRecord[]>();
  for (const c of licensing) {
    const department = text((c.data['licensingItem'] as Data)['department']) ?? '(none)';
    byName.set(department, [...(byName.get(department) ?? []), c]);
  }
  return (
    [...byName]
      .map(([department, list]) => ({ department, total: list.length, ...tallyFulfilment(list) }))
      // most commitments first; ties by name in code-point order, the same on every machine
      .sort((a, b) => b.total - a.total || (a.department < b.department ? -1 : a.department > b.department ? 1 : 0))
  );
}

/** Occurrences of each value: every known value first (0 when absent), then any other value found. */
function tally(values: ReadonlyArray<string | undefined>, known: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(known.map((k) => [k, 0]));
  for (const value of values) if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function countSubjects(records: readonly CreditRecord[]): SubjectCounts {
  const seen = new Map<string, SubjectCategory>();
  for (const r of records) {
    const subject = subjectOf(r.data['party']);
    if (subject) seen.set(subject.key, subject.category);
  }
  const count = (category: SubjectCategory): number => [...seen.values()].filter((c) => c === category).length;
  const organisations = count('organisations');
  const individualBusinesses = count('individualBusinesses');
  return { marketEntities: organisations + individualBusinesses, organisations, individualBusinesses, naturalPersons: count('naturalPersons') };
}

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

const round4 = (x: number): number => Math.round(x * 10_000) / 10_000;

// ---------------------------------------------------------------- reading

export interface ReadOptions {
  /** Parallel scan segments (Segment/TotalSegments); default 1. */
  segments?: number;
  /** Stops between pages (Ctrl-C): the scan throws the signal's reason. */
  signal?: AbortSignal;
  /** Called after each page with the items it read, for progress. */
  onPage?: (itemsScanned: number) => void;
}

export interface LatestRecords {
  records: CreditRecord[];
  scan: ScanFacts;
}

/**
 * The latest stored revision of every record: one Scan of the table keeping, per record, the REV
 * item with the highest revision. Only winners are parsed, so old revisions cost no JSON parsing.
 * Items of one record share a partition key and so a segment; segments merge into one map.
 */
export async function readLatestRecords(state: Pick<SyncState, 'scanRevisions'>, options: ReadOptions = {}): Promise<LatestRecords> {
  const segments = options.segments ?? 1;
  const latest = new Map<string, { revision: number; sk: string; record: string }>();
  let items = 0;
  let revisions = 0;
  let readUnits: number | null = 0;

  const readSegment = async (segment: number): Promise<void> => {
    for await (const page of state.scanRevisions({ segment, totalSegments: segments, ...(options.signal && { signal: options.signal }) })) {
      items += page.scanned;
      const consumed = page.readUnits;
      readUnits = readUnits === null || consumed === undefined ? null : readUnits + consumed;
      for (const { pk, sk, revision, record } of page.revisions) {
        revisions++;
        const best = latest.get(pk);
        if (!best || revision > best.revision) latest.set(pk, { revision, sk, record });
      }
      options.onPage?.(page.scanned);
    }
  };
  await Promise.all(Array.from({ length: segments }, (_, segment) => readSegment(segment)));

  const records = [...latest].map(([pk, { sk, record }]) => parseStoredRecord(pk, sk, record));
  return { records, scan: { segments, items, revisions, records: records.length, readUnits: readUnits === null ? null : round4(readUnits) } };
}

function parseStoredRecord(pk: string, sk: string, json: string): CreditRecord {
  try {
    return JSON.parse(json) as CreditRecord;
  } catch (err) {
    throw new Error(`item ${pk} ${sk}: the stored record is not JSON (${(err as Error).message})`, { cause: err });
  }
}
