/**
 * The quarantine as operators work it: list entries by day with filters, find one by its id, and
 * release one — validated again as intake validates, sent to the intake queue, marked released,
 * audited.
 *
 * An entry's id is its item key, `<sentAt ISO>#<messageId>`: its first 10 characters name its day
 * partition (`QUAR#<day>`). Any prefix of it that names one entry of that day works as well;
 * `list` shows the shortest such prefix (`shortIds`).
 */
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { describeError } from '../../functions/shared/errors.js';
import { parseDate } from '../../functions/shared/records/dates.js';
import { maskIdNumbersIn } from '../../functions/shared/records/identifiers.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { validateRecordText, type ValidationIssue } from '../../functions/shared/records/validate.js';
import { refOf, type QuarantinedItem, type QuarantineReason, type QuarantineRelease, type SyncState } from '../../functions/shared/state/sync-state.js';
import { sources as registeredSources, type Source } from '../../topology/topology.js';
import { upstreams as registeredUpstreams, type UpstreamRegistration } from '../../topology/upstreams.js';
import { UsageError } from '../context.js';
import { openAudit } from './audit.js';

/** A quarantine item as read: the entry, its release once released, the upstream when the ingest API kept it. */
export type QuarantineItem = QuarantinedItem & Partial<QuarantineRelease> & { upstream?: string };

/** What each reason means, for people; as a Record over the reason type, also the checked list of reasons. */
export const QUARANTINE_REASONS: Readonly<Record<QuarantineReason, string>> = {
  malformed: 'not JSON',
  encoding: 'not valid UTF-8 when it was sent',
  tooLarge: 'above the record size limit',
  invalid: 'breaks the record contract',
  unknownSource: 'from a source system that is not registered',
  unauthorised: 'from an upstream not registered for its source or record type',
  conflict: 'an accepted revision sent again with different content',
};

export const isQuarantineReason = (value: string): value is QuarantineReason => Object.hasOwn(QUARANTINE_REASONS, value);

export const STATUS_FILTERS = ['open', 'released', 'all'] as const;
export type StatusFilter = (typeof STATUS_FILTERS)[number];

export interface QuarantineFilter {
  status: StatusFilter;
  source?: string;
  reason?: QuarantineReason;
  /** A rule (`format:uscc`) or its keyword (`format`, matching every `format:*`). */
  rule?: string;
}

// ---------------------------------------------------------------- ids

export const quarantineId = (item: Pick<QuarantineItem, 'sentAt' | 'messageId'>): string => `${item.sentAt}#${item.messageId}`;

/** Characters of the message id a short id keeps at least, so it reads as an id even when the day has one entry. */
const MIN_MESSAGE_ID_CHARS = 8;

/** The day partition and key prefix an id (or a prefix of one) names. */
export function parseQuarantineId(text: string): { day: string; prefix: string } {
  const prefix = text.trim();
  const day = parseDate(prefix.slice(0, 10));
  if (day === undefined) {
    throw new UsageError(
      `${JSON.stringify(text)} is not a quarantine id: expected <sent time>#<message id> as \`credex quarantine list\` shows it, starting with the day (YYYY-MM-DD)`,
    );
  }
  return { day, prefix };
}

/**
 * For each id of one day partition, its shortest prefix that no other id of the day starts with
 * (at least the sent time and 8 characters of the message id). When an id is itself the prefix of
 * another (`…#req:1`, `…#req:10`), the whole id is its short form: an exact key wins the lookup.
 * Sorted, the ids sharing the longest prefix with an id are its neighbours, so two comparisons do.
 */
export function shortIds(ids: readonly string[]): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const short = new Map<string, string>();
  sorted.forEach((id, i) => {
    const hash = id.indexOf('#');
    const least = hash < 0 ? id.length : hash + 1 + MIN_MESSAGE_ID_CHARS;
    const neighbours = [sorted[i - 1], sorted[i + 1]].filter((n): n is string => n !== undefined);
    const needed = Math.max(least, ...neighbours.map((n) => commonPrefixLength(id, n) + 1));
    short.set(id, id.slice(0, needed));
  });
  return short;
}

function commonPrefixLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return i;
}

// ---------------------------------------------------------------- listing

/** The day partitions to read, newest first: the given day, or the last `days` UTC days up to today. */
export function daysToRead(options: { day?: string; days?: number }, now: Date): string[] {
  if (options.day !== undefined) return [options.day];
  return Array.from({ length: options.days ?? 1 }, (_, i) => new Date(now.getTime() - i * 86_400_000).toISOString().slice(0, 10));
}

/** `format` matches `format:uscc` and `format:resident-id`; a whole rule matches only itself. */
export const ruleMatches = (rule: string, wanted: string): boolean => rule === wanted || rule.startsWith(`${wanted}:`);

export function matchesFilter(item: QuarantineItem, filter: QuarantineFilter): boolean {
  if (filter.status !== 'all' && item.status !== filter.status) return false;
  if (filter.source !== undefined && item.source !== filter.source) return false;
  if (filter.reason !== undefined && item.reason !== filter.reason) return false;
  const wanted = filter.rule;
  return wanted === undefined || item.errors.some((e) => ruleMatches(e.rule, wanted));
}

export interface QuarantineListing {
  /** Entries matching the filter, newest first, without their bodies. */
  matched: QuarantineItem[];
  /** Entries that match every filter but the status one (the operator may want `--status all`). */
  otherStatus: number;
  /** id → the short id `list` shows. */
  shortIds: Map<string, string>;
}

/**
 * Every entry of the given days that matches the filter. Whole partitions are read: the short ids
 * must be unique among all of a day's entries, not only the matching ones.
 */
export async function listQuarantined(state: Pick<SyncState, 'listQuarantine'>, days: readonly string[], filter: QuarantineFilter): Promise<QuarantineListing> {
  const perDay = await Promise.all(days.map((day) => state.listQuarantine(day)));
  const ids = new Map<string, string>();
  for (const items of perDay) for (const [id, short] of shortIds(items.map(quarantineId))) ids.set(id, short);
  const all = perDay
    .flat()
    .map((item): QuarantineItem => ({ ...item, body: '' }))
    .sort(newestFirst);
  const matched = all.filter((item) => matchesFilter(item, filter));
  const otherStatus = all.filter((item) => matchesFilter(item, { ...filter, status: 'all' })).length - matched.length;
  return { matched, otherStatus, shortIds: ids };
}

/** Keys start with the ISO sent time, so they sort by it. */
function newestFirst(a: QuarantineItem, b: QuarantineItem): number {
  const [x, y] = [quarantineId(a), quarantineId(b)];
  return x < y ? 1 : x > y ? -1 : 0;
}

/** Entries per reason and per source (`(unknown)` when the body named none), most first. */
export function summarise(items: readonly QuarantineItem[]): { byReason: Array<[string, number]>; bySource: Array<[string, number]> } {
  const count = (key: (item: QuarantineItem) => string): Array<[string, number]> => {
    const counts = new Map<string, number>();
    for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
    return [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  };
  return { byReason: count((i) => i.reason), bySource: count((i) => i.source ?? '(unknown)') };
}

// ---------------------------------------------------------------- one entry, as JSON

/** `list --json` and `show --json`: every key always present (null when unknown), bodies apart. */
export interface QuarantineEntryJson {
  id: string;
  day: string;
  sentAt: string;
  receivedAt: string;
  messageId: string;
  correlationId: string;
  reason: string;
  source: string | null;
  recordType: string | null;
  recordId: string | null;
  revision: number | null;
  upstream: string | null;
  errors: ValidationIssue[];
  bodyBytes: number;
  bodyHeldIn: string | null;
  status: string;
  released: { at: string; by: string; messageId: string; auditId: string } | null;
}

/** The JSON of an entry; identity-card numbers in error messages masked unless `reveal`. */
export function toEntryJson(item: QuarantineItem, options: { reveal?: boolean } = {}): QuarantineEntryJson {
  const mask = options.reveal ? (s: string) => s : maskIdNumbersIn;
  return {
    id: quarantineId(item),
    day: item.sentAt.slice(0, 10),
    sentAt: item.sentAt,
    receivedAt: item.receivedAt,
    messageId: item.messageId,
    correlationId: item.correlationId,
    reason: item.reason,
    source: item.source ?? null,
    recordType: item.recordType ?? null,
    recordId: item.recordId ?? null,
    revision: item.revision ?? null,
    upstream: item.upstream ?? null,
    errors: item.errors.map((e) => ({ ...e, message: mask(e.message) })),
    bodyBytes: item.bodyBytes,
    bodyHeldIn: item.bodyHeldIn ?? null,
    status: item.status,
    released:
      item.releasedAt !== undefined
        ? { at: item.releasedAt, by: item.releasedBy ?? '', messageId: item.releasedMessageId ?? '', auditId: item.auditId ?? '' }
        : null,
  };
}

// ---------------------------------------------------------------- finding one entry

/** How many entries a prefix lookup reads: enough to name the candidates of an ambiguous prefix. */
const AMBIGUITY_SAMPLE = 5;

export type FoundEntry = { kind: 'found'; item: QuarantineItem } | { kind: 'notFound'; day: string } | { kind: 'ambiguous'; ids: string[] };

export async function findQuarantineEntry(state: Pick<SyncState, 'findQuarantined'>, id: string): Promise<FoundEntry> {
  const { day, prefix } = parseQuarantineId(id);
  const items: QuarantineItem[] = await state.findQuarantined(day, prefix, AMBIGUITY_SAMPLE);
  const first = items[0];
  if (first === undefined) return { kind: 'notFound', day };
  // an exact key sorts first among the keys it prefixes
  if (items.length === 1 || quarantineId(first) === prefix) return { kind: 'found', item: first };
  return { kind: 'ambiguous', ids: items.map(quarantineId) };
}

// ---------------------------------------------------------------- release

export type ReleaseCheck = { valid: true; record: CreditRecord } | { valid: false; errors: ValidationIssue[] };

/**
 * The checks intake makes before it accepts a record, in its order: no replacement characters
 * (intake's `encoding` check), the record contract (the same validateRecordText), a registered
 * source — so a release that passes them is not quarantined again for the same reasons. An entry
 * the ingest API kept (`upstream` set) is also checked as the API checks it: a release cannot send a
 * record of a source or type its upstream may not push.
 */
export function checkRelease(
  text: string,
  options: { upstream?: string | undefined; sources?: Readonly<Record<string, Source>>; upstreams?: Readonly<Record<string, UpstreamRegistration>> } = {},
): ReleaseCheck {
  const sources = options.sources ?? registeredSources;
  if (text.includes('\uFFFD')) {
    return {
      valid: false,
      errors: [
        {
          path: '',
          rule: 'encoding',
          message: 'the record contains U+FFFD replacement characters (it was not valid UTF-8 when first sent): give the corrected text with --file',
        },
      ],
    };
  }
  const result = validateRecordText(text);
  if (!result.valid) return { valid: false, errors: result.errors };
  const record = result.record as CreditRecord;
  if (sources[record.source] === undefined) {
    return {
      valid: false,
      errors: [
        {
          path: '/source',
          rule: 'registeredSource',
          message: `source ${JSON.stringify(record.source)} is not a registered source system (topology/topology.ts): register it and deploy first`,
        },
      ],
    };
  }
  if (options.upstream !== undefined) {
    const upstream = (options.upstreams ?? (registeredUpstreams as Readonly<Record<string, UpstreamRegistration>>))[options.upstream];
    const errors: ValidationIssue[] = [];
    const fix = 'register it in topology/upstreams.ts and deploy first';
    if (!upstream)
      errors.push({
        path: '',
        rule: 'notAuthorised',
        message: `the upstream ${JSON.stringify(options.upstream)} that pushed it is no longer registered: ${fix}`,
      });
    else {
      if (!upstream.sources.includes(record.source))
        errors.push({
          path: '/source',
          rule: 'notAuthorised',
          message: `the upstream ${options.upstream} that pushed it may not push records of source ${JSON.stringify(record.source)}: ${fix}`,
        });
      if (!upstream.recordTypes.includes(record.recordType))
        errors.push({
          path: '/recordType',
          rule: 'notAuthorised',
          message: `the upstream ${options.upstream} that pushed it may not push ${record.recordType} records: ${fix}`,
        });
    }
    if (errors.length > 0) return { valid: false, errors };
  }
  return { valid: true, record };
}

const describeRecord = (r: { recordType: string; source: string; recordId: string }): string => `${r.recordType} ${r.recordId} of ${r.source}`;

/**
 * What the operator should know before a release goes out: a record other than the quarantined
 * one, or a revision intake will not deliver (not newer than the one the exchange holds).
 */
export function releaseWarnings(item: QuarantineItem, record: CreditRecord, storedRevision: number | undefined): string[] {
  const warnings: string[] = [];
  const differs = (['recordType', 'source', 'recordId'] as const).some((key) => item[key] !== undefined && item[key] !== record[key]);
  if (differs)
    warnings.push(
      `the record is ${describeRecord(record)}, the quarantined entry was ${describeRecord({ recordType: item.recordType ?? '?', source: item.source ?? '?', recordId: item.recordId ?? '?' })}`,
    );
  if (storedRevision === undefined || record.revision > storedRevision) return warnings;
  const next = `a corrected record needs revision ${storedRevision + 1} or higher`;
  if (record.revision < storedRevision) {
    warnings.push(
      `the exchange holds revision ${storedRevision} of ${describeRecord(record)}, newer than revision ${record.revision}: intake answers it superseded and delivers nothing`,
    );
  } else if (item.reason === 'conflict') {
    warnings.push(
      `revision ${record.revision} of ${describeRecord(record)} was accepted with other content: sent again, it is quarantined again as a conflict; ${next}`,
    );
  } else {
    warnings.push(
      `the exchange already holds revision ${record.revision} of ${describeRecord(record)}: intake acks it as a duplicate if its content is the same (nothing is delivered) and quarantines it as a conflict if not; ${next}`,
    );
  }
  return warnings;
}

export interface ReleaseDeps {
  state: Pick<SyncState, 'getMeta' | 'markQuarantineReleased' | 'createAuditEntry' | 'completeAuditEntry'>;
  sqs: SQSClient;
  intakeQueueUrl: string;
  /** Where the release acts, for the audit entry. */
  target: string;
  identity(): Promise<string>;
  now?: () => Date;
}

export interface ReleaseRequest {
  item: QuarantineItem;
  /** A corrected record and where it came from (a file, or `-` for standard input); the entry's own body when absent. */
  correction?: { text: string; file: string };
  /** Release an entry that was released before. */
  force?: boolean;
  dryRun?: boolean;
}

/**
 * released: sent to intake and marked; wouldRelease: a dry run that passed the checks; invalid: the
 * checks failed, nothing changed; alreadyReleased: refused without --force; bodyNotHeld: the
 * entry's body is not in the table and no correction was given.
 */
export type ReleaseOutcome = 'released' | 'wouldRelease' | 'invalid' | 'alreadyReleased' | 'bodyNotHeld';

/** `release --json`: every key always present. */
export interface ReleaseReport {
  id: string;
  outcome: ReleaseOutcome;
  record: { recordType: string; source: string; recordId: string; revision: number } | null;
  correlationId: string;
  errors: ValidationIssue[];
  warnings: string[];
  /** The intake message sent. */
  messageId: string | null;
  auditId: string | null;
}

export async function releaseQuarantined(deps: ReleaseDeps, request: ReleaseRequest): Promise<ReleaseReport> {
  const { item } = request;
  const now = deps.now ?? (() => new Date());
  const id = quarantineId(item);
  const report = (outcome: ReleaseOutcome, facts: Partial<ReleaseReport> = {}): ReleaseReport => ({
    id,
    outcome,
    record: null,
    correlationId: item.correlationId,
    errors: [],
    warnings: [],
    messageId: null,
    auditId: null,
    ...facts,
  });

  if (item.status === 'released' && !request.force) return report('alreadyReleased');
  const text = request.correction?.text ?? (item.bodyHeldIn === undefined ? item.body : undefined);
  if (text === undefined) return report('bodyNotHeld');
  const check = checkRelease(text, { upstream: item.upstream });
  if (!check.valid) return report('invalid', { errors: check.errors });
  const { record } = check;
  const facts = { recordType: record.recordType, source: record.source, recordId: record.recordId, revision: record.revision };
  const meta = await deps.state.getMeta(refOf(record));
  const warnings = releaseWarnings(item, record, meta?.revision);
  if (request.dryRun) return report('wouldRelease', { record: facts, warnings });

  const by = await deps.identity();
  const file = request.correction?.file;
  const audit = await openAudit(
    deps.state,
    { action: 'quarantine-release', by, target: deps.target, request: { id, ...(file !== undefined && { file }) } },
    now,
  );
  let messageId: string;
  try {
    messageId = await sendToIntake(deps.sqs, deps.intakeQueueUrl, record, item);
  } catch (err) {
    await audit.finish('failed', { sent: 0, released: 0 }, describeError(err));
    throw err;
  }
  // Sent first, marked after. A crash in between leaves the entry open, and releasing it again
  // sends the same revision once more, which intake acks as a duplicate. Marking first would risk
  // the opposite: an entry marked released whose record never reached intake — lost.
  let marked: boolean;
  try {
    marked = await deps.state.markQuarantineReleased(
      item,
      { releasedAt: now().toISOString(), releasedBy: by, releasedMessageId: messageId, auditId: audit.entry.id },
      { force: request.force === true },
    );
  } catch (err) {
    await audit.finish('failed', { sent: 1, released: 0 }, `sent to intake as message ${messageId} but not marked released: ${describeError(err)}`);
    throw err;
  }
  if (!marked)
    warnings.push(
      'another release marked this entry released while this one ran: the record went to intake twice (intake acks a second copy of the same revision as a duplicate)',
    );
  await audit.finish('completed', { sent: 1, released: marked ? 1 : 0 });
  return report('released', { record: facts, warnings, messageId, auditId: audit.entry.id });
}

/**
 * The record as validated (normalised, compact), as the ingest API enqueues it; the entry's
 * correlation id travels along, so the record's history joins the quarantined input's trail.
 */
async function sendToIntake(sqs: SQSClient, queueUrl: string, record: CreditRecord, item: QuarantineItem): Promise<string> {
  const sent = await sqs.send(
    new SendMessageCommand({
      QueueUrl: queueUrl,
      MessageBody: JSON.stringify(record),
      MessageAttributes: {
        correlationId: { DataType: 'String', StringValue: item.correlationId },
        releasedFrom: { DataType: 'String', StringValue: quarantineId(item) },
      },
    }),
  );
  if (sent.MessageId === undefined) throw new Error('SQS accepted the message but returned no message id');
  return sent.MessageId;
}
