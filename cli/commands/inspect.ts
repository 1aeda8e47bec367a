/**
 * `credex inspect <recordType> <recordId>`: one record as the exchange holds it — its revisions,
 * where it was routed, its delivery state at each destination, its history. Identity numbers are
 * masked in everything printed; `--record --reveal` alone shows the record's own.
 */
import { Argument, InvalidArgumentError, type Command } from 'commander';
import type { RecordType } from '../../functions/shared/records/types.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import {
  canonicalRecordOf,
  maskPersonalData,
  maskRecord,
  readRecordItems,
  shapeInspection,
  type DestinationSummary,
  type HistoryEntry,
  type InspectView,
  type Lease,
  type RecordSummary,
} from '../operations/inspect.js';
import { checkRecordType, describeNotFound, findRecord } from '../operations/records.js';
import { table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import { getMeta, readRecordItems as readItems } from '../../functions/shared/state/dynamo/operations.js';

export const INSPECT_EXAMPLES = `
Examples:
  $ credex inspect breach HXSJ-CF-2026-000036 --stage prod          revisions, destinations, history
  $ credex inspect commitment HRBNA-CN-2026-000123 --source hrbxq-approval --local
  $ credex inspect commitment HRBNA-CN-2026-000123 --record --stage prod   the latest record (JSON)
  $ credex inspect repair HRBNA-XF-2026-000007 --json --local | jq '.destinations'
`;

const INSPECT_NOTES = `
Record ids are unique within their source system: without --source every registered source is
looked in, and an id found in several asks for --source.

A destination is "pending revision N" while the latest revision N has no outcome there yet, and
"pending (not attempted yet)" when the record was routed there but no send has started.

Identity-card numbers are masked everywhere (errors and history included); --reveal shows the
record's own, with --record only.

--json prints one document:
  record        {recordType, source, recordId, revision, operation, contentHash, firstAcceptedAt,
                 acceptedAt, correlationId, routedTo, routedRevision, routedAt,
                 routingClaim: {revision, until, expired} | null}
  revisions     [{revision, acceptedAt, contentHash}], oldest first
  destinations  [{destination, status (pending, waiting, failed, rejected, delivered), revision,
                 pendingRevision, attempted, attempts, lastError, receipt, updatedAt, sentRevision,
                 sendClaim: {revision, until, expired} | null,
                 publication: {published, until, endedAt, endError} | null (a destination that
                 publishes the record type)}], by destination id; absent values are null
  history       [{at, type, revision, destination, detail, correlationId}], oldest first
--record prints the canonical record of the latest revision instead (with or without --json).

Exit status: 0 found · 2 bad usage, or the id exists in several sources · 3 no such record ·
4 exchange unreachable
`;

interface InspectOptions extends TargetOptions {
  source?: string;
  record?: boolean;
  reveal?: boolean;
  json?: boolean;
}

export function registerInspectCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('inspect')
      .description('one record: revisions, routing, delivery at each destination, history')
      .addArgument(new Argument('<recordType>', 'commitment, breach or repair').argParser(parseRecordType))
      .argument('<recordId>', "the record's id in its source system")
      .option('--source <source>', 'the source system that sent it (default: look in every registered source)')
      .option('--record', "print the latest revision's canonical record (JSON), identity numbers masked")
      .option('--reveal', 'with --record: identity numbers unmasked')
      .option('--json', 'the whole view as one JSON document (shape below)'),
  )
    .addHelpText('after', INSPECT_EXAMPLES + INSPECT_NOTES + TARGET_HELP)
    .action(async (recordType: RecordType, recordId: string, options: InspectOptions, command: Command) => {
      if (options.reveal && !options.record) command.error('error: --reveal shows the identity numbers of the record itself: use it with --record');
      await onExchange(context, options, (exchange) => inspectRecord(context, exchange, recordType, recordId, options));
    });
}

export function parseRecordType(value: string): RecordType {
  try {
    return checkRecordType(value);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

async function inspectRecord(context: CommandContext, exchange: Exchange, recordType: RecordType, recordId: string, options: InspectOptions): Promise<number> {
  const { io } = context;
  const fail = (message: string, code: number): number => {
    io.stderr.write(`credex inspect: ${maskPersonalData(message)}\n`);
    return code;
  };
  const state = exchange.state({ getMeta, readRecordItems: readItems });
  const found = await findRecord(state, recordType, recordId, options.source);
  if (found.kind !== 'found') return fail(describeNotFound(found, recordType, recordId), found.kind === 'ambiguous' ? ExitCode.unreadable : ExitCode.notFound);

  const items = await readRecordItems(state, found.ref);
  const view = shapeInspection(items, new Date());
  // findRecord read the META item a moment ago: only a deletion in between ends here
  if (!view) return fail(describeNotFound({ kind: 'notFound', tried: [found.ref.source] }, recordType, recordId), ExitCode.notFound);

  if (options.record) {
    const record = canonicalRecordOf(items, view.record.revision);
    // intake writes META before the REV# item: a crash in between leaves the record to its retry
    if (!record)
      return fail(
        `revision ${view.record.revision} of ${recordType} ${recordId} is accepted but its record is not stored yet (intake stores it when the message is retried)`,
        ExitCode.notFound,
      );
    writeJson(io, options.reveal ? record : maskRecord(record));
    return ExitCode.ok;
  }
  const masked = maskPersonalData(view);
  if (options.json) writeJson(io, masked);
  else io.stdout.write(formatInspection(masked));
  return ExitCode.ok;
}

// ---------------------------------------------------------------- for people

/** The view as people read it: a header, then revisions, destinations and history as tables. */
export function formatInspection(view: InspectView): string {
  return [formatHeader(view.record), formatRevisions(view), formatDestinations(view.destinations), formatHistory(view.history)].join('\n\n') + '\n';
}

function formatHeader(record: RecordSummary): string {
  const lines: string[][] = [
    ['latest revision', `${record.revision} (${record.operation}), content ${shortHash(record.contentHash)}`],
    ['first accepted', record.firstAcceptedAt],
    ['last accepted', record.acceptedAt],
    ['routed', formatRouted(record)],
  ];
  if (record.routedRevision !== record.revision) lines.push(['not routed yet', `revision ${record.revision}`]);
  if (record.routingClaim) lines.push(['routing', formatLease(record.routingClaim)]);
  lines.push(['correlation id', record.correlationId]);
  return `${record.recordType} ${record.recordId} from ${record.source}\n${indent(table(lines, { align: ['left', 'left'] }))}`;
}

function formatRouted(record: RecordSummary): string {
  const where = record.routedTo.length > 0 ? `to ${record.routedTo.join(', ')}` : 'to no destination';
  if (record.routedRevision === null) return `never (${where} once routed)`;
  return `revision ${record.routedRevision} at ${record.routedAt ?? '?'}, ${where}`;
}

function formatRevisions(view: InspectView): string {
  const rows = view.revisions.map((r) => [
    r.revision === view.record.revision ? `${r.revision} (latest)` : String(r.revision),
    r.acceptedAt ?? '',
    shortHash(r.contentHash),
  ]);
  return section('Revisions', [['revision', 'accepted at', 'content'], ...rows], ['left', 'left', 'left']);
}

function formatDestinations(destinations: readonly DestinationSummary[]): string {
  if (destinations.length === 0) return 'Destinations\n  none: no revision was routed anywhere yet';
  const rows = destinations.map((d) => [
    d.destination,
    destinationStatus(d),
    destinationRevision(d),
    d.attempts === null ? '' : String(d.attempts),
    d.updatedAt ?? '',
    d.receipt ?? '',
  ]);
  const notes = destinations.flatMap(destinationNotes);
  const body = section(
    'Destinations',
    [['destination', 'status', 'revision', 'attempts', 'updated at', 'receipt'], ...rows],
    ['left', 'left', 'left', 'right', 'left', 'left'],
  );
  return notes.length > 0 ? `${body}\n${indent(notes.join('\n'))}` : body;
}

export function destinationStatus(d: DestinationSummary): string {
  if (!d.attempted) return 'pending (not attempted yet)';
  if (d.revision === null) return 'pending (no outcome yet)';
  return d.status;
}

export function destinationRevision(d: DestinationSummary): string {
  const pending = d.pendingRevision === null ? [] : [`pending revision ${d.pendingRevision}`];
  return [...(d.revision === null ? [] : [String(d.revision)]), ...pending].join(', ');
}

function destinationNotes(d: DestinationSummary): string[] {
  const notes: string[] = [];
  // a delivered outcome keeps the error of an earlier failed attempt
  if (d.lastError !== null) notes.push(`${d.destination}: ${d.status === 'delivered' ? 'earlier error' : 'last error'}: ${d.lastError}`);
  if (d.sendClaim) notes.push(`${d.destination}: send of ${formatLease(d.sendClaim)}`);
  const p = d.publication;
  if (p) {
    if (p.endedAt !== null) notes.push(`${d.destination}: publication ended ${p.endedAt} (the record stays shared)`);
    else if (p.published) notes.push(`${d.destination}: published${p.until === null ? '' : ` until ${p.until}`}`);
    else notes.push(`${d.destination}: shared, not published`);
    if (p.endError !== null) notes.push(`${d.destination}: end of publication not delivered yet: ${p.endError}`);
  }
  return notes;
}

function formatLease(lease: Lease): string {
  return lease.expired
    ? `revision ${lease.revision} stopped without an outcome (claim expired ${lease.until}; the message's retry takes over)`
    : `revision ${lease.revision} in progress (claim held until ${lease.until})`;
}

function formatHistory(history: readonly HistoryEntry[]): string {
  if (history.length === 0) return 'History\n  no events';
  const rows = history.map((e) => [
    e.at,
    e.type,
    e.revision === null ? '' : String(e.revision),
    e.destination ?? '',
    formatFacts(e.detail),
    e.correlationId ?? '',
  ]);
  return section(
    'History',
    [['at', 'event', 'revision', 'destination', 'detail', 'correlation id'], ...rows],
    ['left', 'left', 'right', 'left', 'left', 'left'],
  );
}

/**
 * Facts (an event's detail, an audit entry's request) as `key=value` pairs on one line, keys
 * sorted: nested objects as `key.member=value`, lists joined with commas, text with spaces quoted.
 */
export function formatFacts(facts: Readonly<Record<string, unknown>>): string {
  return flattenFacts(facts, '')
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join(' ');
}

function flattenFacts(facts: Readonly<Record<string, unknown>>, prefix: string): Array<[string, string]> {
  return Object.entries(facts).flatMap(([key, value]): Array<[string, string]> =>
    isPlainObject(value) ? flattenFacts(value, `${prefix}${key}.`) : [[`${prefix}${key}`, formatFactValue(value)]],
  );
}

function formatFactValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatFactValue).join(',');
  if (typeof value === 'string') return /[\s"=,]/u.test(value) || value === '' ? JSON.stringify(value) : value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function section(title: string, rows: ReadonlyArray<readonly string[]>, align: ReadonlyArray<'left' | 'right'>): string {
  return `${title}\n${indent(table(rows, { align }))}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** Enough of a content hash to tell revisions apart at a glance. */
function shortHash(hash: string): string {
  return hash.slice(0, 12);
}
