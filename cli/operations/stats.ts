/**
 * The reform's own figures (`credex stats`), from the latest accepted revision of every record:
 * commitments kept and breached, breaches by tier and direction, first-offence exemptions, credit
 * repairs, and the subjects involved. Reading (one table Scan) and counting (a pure function) are
 * apart, so the counting is tested on hand-built records.
 */
import { ScanCommand, type ScanCommandOutput } from '@aws-sdk/lib-dynamodb';
import { USCC_PLACEHOLDER } from '../../functions/shared/records/identifiers.js';
import { SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/rules.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import type { StateStore } from '../../functions/shared/state/repository.js';
import type { Direction, Source } from '../../infra/topology.js';

// The schemas' enums the figures break down by, so every value has its key even at 0 (scripts can
// rely on the keys). test/unit/cli/stats.test.ts fails when one of these drifts from schemas/.
export const COMMITMENT_TYPES = ['审批替代型', '容缺受理型', '证明事项型', '信用修复型', '行业自律型', '主动型', '其他'] as const;
export const PUBLICATION_TYPES = ['可向社会公开', '特定范围内公开', '不可公开'] as const;
export const REPAIR_OUTCOMES = ['同意', '不同意', '不予受理'] as const;
export const REPAIR_METHODS = ['终止公示', '移出名单'] as const;
export const SEVERITIES = Object.keys(SEVERITY_TIERS) as SeverityTier[];

/** Distinct subjects by party category. Market entities are organisations and individual businesses (the reform's "enterprises"). */
export interface SubjectCounts {
  marketEntities: number;
  organisations: number;
  individualBusinesses: number;
  naturalPersons: number;
}

export interface DepartmentFigures {
  /** The licensing item's department, or the accepting unit of a commitment without one. */
  department: string;
  total: number;
  breached: number;
}

export interface StatsFigures {
  commitments: {
    total: number;
    kept: number;
    breached: number;
    /** kept / total, 4 decimals; null when there are no commitments. */
    keepingRate: number | null;
    withdrawn: number;
    /** Most commitments first. */
    byDepartment: DepartmentFigures[];
    byType: Record<string, number>;
    byPublicationType: Record<string, number>;
  };
  breaches: {
    total: number;
    withdrawn: number;
    bySeverity: Record<string, number>;
    firstOffenceExemptions: number;
    /** By the direction of the breach's source; `unregistered`: a source no longer in infra/topology.ts. */
    byDirection: Record<Direction | 'unregistered', number>;
    /** Breaches naming a commitment code no counted commitment has (one made elsewhere, or withdrawn). */
    brokenCommitmentNotFound: number;
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
    /** Parties of counted commitments. */
    committing: SubjectCounts;
    /** Parties of counted breaches. */
    breaching: SubjectCounts;
  };
}

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

/** The figures of the latest revisions of records; withdrawn ones are only counted as withdrawn. */
export function aggregateStats(records: readonly CreditRecord[], sources: Readonly<Record<string, Pick<Source, 'direction'>>>): StatsFigures {
  const counted = records.filter((r) => r.operation !== 'withdraw');
  const withdrawn = (type: CreditRecord['recordType']): number => records.filter((r) => r.recordType === type && r.operation === 'withdraw').length;
  const commitments = counted.filter((r) => r.recordType === 'commitment');
  const breaches = counted.filter((r) => r.recordType === 'breach');
  const repairs = counted.filter((r) => r.recordType === 'repair');

  const brokenCodes = new Set(breaches.map((b) => text(b.data['brokenCommitmentCode'])).filter((code) => code !== undefined));
  const isBreached = (c: CreditRecord): boolean => brokenCodes.has(text(c.data['commitmentCode']) ?? '');
  const breached = commitments.filter(isBreached).length;
  const commitmentCodes = new Set(commitments.map((c) => text(c.data['commitmentCode'])));

  return {
    commitments: {
      total: commitments.length,
      kept: commitments.length - breached,
      breached,
      keepingRate: commitments.length === 0 ? null : round4((commitments.length - breached) / commitments.length),
      withdrawn: withdrawn('commitment'),
      byDepartment: departmentFigures(commitments, isBreached),
      byType: tally(commitments.map((c) => text(c.data['commitmentType'])), COMMITMENT_TYPES),
      byPublicationType: tally(commitments.map((c) => text(c.data['publicationType'])), PUBLICATION_TYPES),
    },
    breaches: {
      total: breaches.length,
      withdrawn: withdrawn('breach'),
      bySeverity: tally(breaches.map((b) => text(b.data['severity'])), SEVERITIES),
      firstOffenceExemptions: breaches.filter((b) => b.data['firstOffenceExemption'] === true).length,
      byDirection: {
        outbound: breaches.filter((b) => sources[b.source]?.direction === 'outbound').length,
        inbound: breaches.filter((b) => sources[b.source]?.direction === 'inbound').length,
        unregistered: breaches.filter((b) => sources[b.source] === undefined).length,
      },
      brokenCommitmentNotFound: breaches.filter((b) => {
        const code = text(b.data['brokenCommitmentCode']);
        return code !== undefined && !commitmentCodes.has(code);
      }).length,
    },
    repairs: {
      total: repairs.length,
      withdrawn: withdrawn('repair'),
      byOutcome: tally(repairs.map((r) => text(r.data['outcome'])), REPAIR_OUTCOMES),
      byMethod: tally(repairs.map((r) => text(r.data['method'])), REPAIR_METHODS),
      bySeverity: tally(repairs.map((r) => text(r.data['severity'])), SEVERITIES),
    },
    subjects: {
      committing: countSubjects(commitments),
      breaching: countSubjects(breaches),
    },
  };
}

/** The department a commitment counts for: the licensing item's, else (no item: not a licensing commitment) the accepting unit. */
function departmentOf(commitment: CreditRecord): string {
  const item = commitment.data['licensingItem'] as Data | undefined;
  return text(item?.['department']) ?? text(commitment.data['acceptingUnit']) ?? '(none)';
}

function departmentFigures(commitments: readonly CreditRecord[], isBreached: (c: CreditRecord) => boolean): DepartmentFigures[] {
  const byName = new Map<string, DepartmentFigures>();
  for (const c of commitments) {
    const department = departmentOf(c);
    const figures = byName.get(department) ?? { department, total: 0, breached: 0 };
    figures.total++;
    if (isBreached(c)) figures.breached++;
    byName.set(department, figures);
  }
  // most commitments first; ties by name in code-point order, the same on every machine
  return [...byName.values()].sort((a, b) => b.total - a.total || (a.department < b.department ? -1 : a.department > b.department ? 1 : 0));
}

/** Occurrences of each value: every known value first (0 when absent), then any other value found. */
function tally(values: ReadonlyArray<string | undefined>, known: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(known.map((k) => [k, 0]));
  for (const value of values) if (value !== undefined) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

type SubjectCategory = Exclude<keyof SubjectCounts, 'marketEntities'>;

/**
 * Who a party is: organisations and individual businesses by USCC (an individual business with
 * the placeholder code by its registration number), natural persons by their identity document.
 * The key holds identity numbers: it is only compared, never printed.
 */
function subjectOf(party: unknown): { category: SubjectCategory; key: string } | undefined {
  if (party === null || typeof party !== 'object') return undefined;
  const p = party as Data;
  switch (p['category']) {
    case '自然人':
      return { category: 'naturalPersons', key: `person:${text(p['idType'])}:${text(p['idNumber'])}` };
    case '个体工商户': {
      const code = text(p['uscc']);
      return { category: 'individualBusinesses', key: code === USCC_PLACEHOLDER || code === undefined ? `registration:${text(p['registrationNumber'])}` : `uscc:${code}` };
    }
    case '法人及非法人组织':
      return { category: 'organisations', key: `uscc:${text(p['uscc'])}` };
    default:
      return undefined;
  }
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
export async function readLatestRecords(store: StateStore, options: ReadOptions = {}): Promise<LatestRecords> {
  const segments = options.segments ?? 1;
  const latest = new Map<string, { revision: number; sk: string; record: string }>();
  let items = 0;
  let revisions = 0;
  let readUnits: number | null = 0;

  const readSegment = async (segment: number): Promise<void> => {
    for await (const page of scanRevisionPages(store, segment, segments, options.signal)) {
      items += page.ScannedCount ?? 0;
      const consumed = page.ConsumedCapacity?.CapacityUnits;
      readUnits = readUnits === null || consumed === undefined ? null : readUnits + consumed;
      for (const item of page.Items ?? []) {
        revisions++;
        const pk = String(item['pk']);
        const revision = Number(item['revision']);
        const best = latest.get(pk);
        if (!best || revision > best.revision) latest.set(pk, { revision, sk: String(item['sk']), record: String(item['record']) });
      }
      options.onPage?.(page.ScannedCount ?? 0);
    }
  };
  await Promise.all(Array.from({ length: segments }, (_, segment) => readSegment(segment)));

  const records = [...latest].map(([pk, { sk, record }]) => parseStoredRecord(pk, sk, record));
  return { records, scan: { segments, items, revisions, records: records.length, readUnits: readUnits === null ? null : round4(readUnits) } };
}

async function* scanRevisionPages(store: StateStore, segment: number, totalSegments: number, signal?: AbortSignal): AsyncGenerator<ScanCommandOutput> {
  let start: Record<string, unknown> | undefined;
  do {
    signal?.throwIfAborted();
    const page = await store.ddb.send(
      new ScanCommand({
        TableName: store.tableName,
        FilterExpression: 'begins_with(sk, :rev)',
        ProjectionExpression: 'pk, sk, #revision, #record',
        // RECORD is a DynamoDB reserved word
        ExpressionAttributeNames: { '#revision': 'revision', '#record': 'record' },
        ExpressionAttributeValues: { ':rev': 'REV#' },
        ReturnConsumedCapacity: 'TOTAL',
        ...(totalSegments > 1 && { Segment: segment, TotalSegments: totalSegments }),
        ...(start && { ExclusiveStartKey: start }),
      }),
      signal ? { abortSignal: signal } : {},
    );
    yield page;
    start = page.LastEvaluatedKey;
  } while (start);
}

function parseStoredRecord(pk: string, sk: string, json: string): CreditRecord {
  try {
    return JSON.parse(json) as CreditRecord;
  } catch (err) {
    throw new Error(`item ${pk} ${sk}: the stored record is not JSON (${(err as Error).message})`, { cause: err });
  }
}
