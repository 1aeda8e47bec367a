/**
 * `credex quarantine list | show | release`: what intake, the ingest API and the pull kept as
 * invalid input, one entry in full, and re-submitting a corrected record. The work is in
 * cli/operations/quarantine.ts; this module parses options and renders.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import { applyEdits, format } from 'jsonc-parser';
import { parseDate } from '../../functions/shared/records/dates.js';
import { maskIdNumbersIn } from '../../functions/shared/records/identifiers.js';
import type { ValidationIssue } from '../../functions/shared/records/validate.js';
import { onExchange, TARGET_HELP, UsageError, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { integer } from '../options.js';
import { ExitCode, isInteractive, readAll, type CliIo } from '../io.js';
import {
  QUARANTINE_REASONS,
  STATUS_FILTERS,
  daysToRead,
  findQuarantineEntry,
  isQuarantineReason,
  listQuarantined,
  quarantineId,
  releaseQuarantined,
  summarise,
  toEntryJson,
  type QuarantineFilter,
  type QuarantineItem,
  type QuarantineListing,
  type ReleaseReport,
  type StatusFilter,
} from '../operations/quarantine.js';
import { table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import {
  completeAuditEntry,
  createAuditEntry,
  findQuarantined,
  getMeta,
  listQuarantine,
  markQuarantineReleased,
} from '../../functions/shared/state/dynamo/operations.js';

const QUARANTINE_EXAMPLES = `
Examples:
  $ credex quarantine list --stage prod                          today's open entries
  $ credex quarantine show 2026-03-02T01:30:00.123Z#0f6c2a1e --stage prod
  $ credex quarantine release 2026-03-02T01:30:00.123Z#0f6c2a1e --file corrected.json --stage prod

An entry's id is <sent time>#<message id>; any prefix of it that names one entry of its day works
(list shows the shortest). Run "credex quarantine <command> --help" for each command's options.
`;

const LIST_EXAMPLES = `
Examples:
  $ credex quarantine list --stage prod                          today's open entries (UTC day)
  $ credex quarantine list --days 7 --reason invalid --stage prod
  $ credex quarantine list --day 2026-03-02 --rule format:uscc --stage prod
  $ credex quarantine list --rule format --source hrbxq-approval --status all --stage prod
  $ credex quarantine list --days 30 --json --stage prod | jq -r '.[].id'

Reasons:
${Object.entries(QUARANTINE_REASONS)
  .map(([reason, meaning]) => `  ${reason.padEnd(14)}${meaning}`)
  .join('\n')}

--rule matches a rule (format:uscc) or its keyword (format matches every format:* rule).
--json prints an array of at most --limit entries, newest first, without bodies (show has them).

Exit status: 0 listed (also when nothing matched), 2 bad usage, 4 exchange unreachable.
`;

const SHOW_EXAMPLES = `
Examples:
  $ credex quarantine show 2026-03-02T01:30:00.123Z#0f6c2a1e --stage prod
  $ credex quarantine show 2026-03-02T01:30:00.123Z#0f6c2a1e --json --stage prod
  $ credex quarantine show 2026-03-02T01:30:00.123Z#0f6c2a1e --reveal --stage prod

Identity-card numbers in the body and in error messages are masked unless --reveal.

Exit status: 0 shown, 2 bad usage or an id that names several entries, 3 no such entry,
4 exchange unreachable.
`;

const RELEASE_EXAMPLES = `
Examples:
  $ credex quarantine release 2026-03-02T01:30:00.123Z#0f6c2a1e --file corrected.json --dry-run --stage prod
  $ credex quarantine release 2026-03-02T01:30:00.123Z#0f6c2a1e --file corrected.json --stage prod
  $ jq '.revision += 1' fixed.json | credex quarantine release 2026-03-02T01:30:00.123Z#0f6c2a1e --file - --stage prod
  $ credex quarantine release 2026-03-02T01:30:00.123Z#0f6c2a1e --stage prod   the original body, as it was

Without --file the entry's own body is sent again: after registering its source or fixing an
upstream's credentials. The record is first checked as intake checks it (record contract,
registered source); an invalid one is not sent and nothing changes. A valid one is sent to the
intake queue with the entry's correlation id, the entry is marked released, and an audit entry
(action quarantine-release) records who did it. A revision conflict needs a corrected record
with a higher revision: the same revision is quarantined again.

Exit status: 0 released (or would be, --dry-run), 1 invalid record or already released,
2 unreadable --file or bad usage, 3 no such entry, 4 exchange unreachable.
`;

export interface ListOptions extends TargetOptions {
  day?: string;
  days?: number;
  source?: string;
  reason?: string;
  rule?: string;
  status: StatusFilter;
  limit: number;
  json?: boolean;
}

export interface ShowOptions extends TargetOptions {
  reveal?: boolean;
  json?: boolean;
}

export interface ReleaseOptions extends TargetOptions {
  file?: string;
  force?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** At most this many days are walked: a quarantine is worked within weeks, not years. */
const MAX_DAYS = 366;
const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 100_000;

export function registerQuarantineCommand(program: Command, context: CommandContext): void {
  const quarantine = program
    .command('quarantine')
    .description('invalid input kept for operators: list it, show an entry, release a corrected record')
    .addHelpText('after', QUARANTINE_EXAMPLES);

  withTargetOptions(quarantine.command('list'))
    .description('quarantined entries of a UTC day (default today), newest first, with a summary')
    .addOption(new Option('--day <YYYY-MM-DD>', 'one UTC day').argParser(parseDayOption).conflicts('days'))
    .addOption(new Option('--days <n>', `the last n UTC days, today included (at most ${MAX_DAYS})`).argParser(integer('--days', 1, MAX_DAYS)))
    .option('--source <source>', 'only entries of this source system')
    .addOption(new Option('--reason <reason>', 'only entries quarantined for this reason').choices(Object.keys(QUARANTINE_REASONS)))
    .option('--rule <rule>', 'only entries with an error of this rule (or rule keyword)')
    .addOption(new Option('--status <status>', 'entries with this status').choices(STATUS_FILTERS).default('open'))
    .addOption(new Option('--limit <n>', 'show at most n entries (the summary counts all)').argParser(integer('--limit', 1, MAX_LIMIT)).default(DEFAULT_LIMIT))
    .option('--json', 'a JSON array of entries instead of the table')
    .addHelpText('after', LIST_EXAMPLES + TARGET_HELP)
    .action((options: ListOptions) => onExchange(context, options, (exchange) => listCommand(exchange, options, context.io)));

  withTargetOptions(quarantine.command('show'))
    .description('one entry: every error, its facts, and the body as received')
    .argument('<id>', 'the entry id (<sent time>#<message id>, or a prefix naming one entry)')
    .option('--reveal', 'show identity-card numbers unmasked')
    .option('--json', 'the entry as JSON, with its body')
    .addHelpText('after', SHOW_EXAMPLES + TARGET_HELP)
    .action((id: string, options: ShowOptions) => onExchange(context, options, (exchange) => showCommand(exchange, id, options, context.io)));

  withTargetOptions(quarantine.command('release'))
    .description('check a corrected record (or the original body) as intake does, and send it to intake')
    .argument('<id>', 'the entry id (<sent time>#<message id>, or a prefix naming one entry)')
    .option('--file <file>', 'the corrected record (JSON); "-" reads standard input')
    .option('--dry-run', 'check, and say what would be sent; change nothing')
    .option('--force', 'release an entry that was released before')
    .option('--json', 'the outcome as JSON')
    .addHelpText('after', RELEASE_EXAMPLES + TARGET_HELP)
    .action(async (id: string, options: ReleaseOptions) => {
      const correction = options.file === undefined ? undefined : await readCorrection(options.file, context.io);
      if (correction !== undefined && !correction.ok) {
        context.io.stderr.write(`credex quarantine release: ${correction.message}\n`);
        context.setExitCode(ExitCode.unreadable);
        return;
      }
      await onExchange(context, options, (exchange) => releaseCommand(exchange, id, options, correction?.correction, context.io));
    });
}

// ---------------------------------------------------------------- option parsing

export function parseDayOption(value: string): string {
  const day = parseDate(value);
  if (day === undefined) throw new InvalidArgumentError(`expected a day as YYYY-MM-DD; found ${JSON.stringify(value)}`);
  return day;
}

/** The filter the list options name. */
export function filterOf(options: Pick<ListOptions, 'source' | 'reason' | 'rule' | 'status'>): QuarantineFilter {
  // commander checked the choices; the guard only narrows the type
  const reason = options.reason !== undefined && isQuarantineReason(options.reason) ? options.reason : undefined;
  return {
    status: options.status,
    ...(options.source !== undefined && { source: options.source }),
    ...(reason !== undefined && { reason }),
    ...(options.rule !== undefined && { rule: options.rule }),
  };
}

// ---------------------------------------------------------------- list

async function listCommand(exchange: Exchange, options: ListOptions, io: CliIo): Promise<number> {
  const days = daysToRead(options, new Date());
  const filter = filterOf(options);
  const listing = await listQuarantined(exchange.state({ listQuarantine }), days, filter);
  const shown = listing.matched.slice(0, options.limit);
  if (options.json) {
    writeJson(
      io,
      shown.map((item) => toEntryJson(item)),
    );
    return ExitCode.ok;
  }
  if (shown.length > 0) io.stdout.write(`${formatListTable(shown, listing.shortIds)}\n\n`);
  io.stdout.write(`${formatListSummary(listing, { days, filter, shown: shown.length })}\n`);
  return ExitCode.ok;
}

export function formatListTable(items: readonly QuarantineItem[], shortIds: ReadonlyMap<string, string>): string {
  const header = ['id', 'sent (UTC)', 'source', 'record', 'reason', 'first error', 'errors', 'status'];
  const rows = items.map((item) => {
    const id = quarantineId(item);
    return [
      shortIds.get(id) ?? id,
      formatSentAt(item.sentAt),
      item.source ?? '-',
      formatRecord(item),
      item.reason,
      formatFirstError(item.errors),
      String(item.errors.length),
      item.status,
    ];
  });
  return table([header, ...rows], { align: ['left', 'left', 'left', 'left', 'left', 'left', 'right', 'left'] });
}

/** "2026-03-02 01:30:00": the sent time to the second, for reading (the id carries the exact time). */
export const formatSentAt = (sentAt: string): string => `${sentAt.slice(0, 10)} ${sentAt.slice(11, 19)}`;

/** "commitment HRBNA-CN-2026-000123 rev 2", as much of it as the body told; "-" when nothing. */
export function formatRecord(item: Pick<QuarantineItem, 'recordType' | 'recordId' | 'revision'>): string {
  const parts = [item.recordType, item.recordId, item.revision === undefined ? undefined : `rev ${item.revision}`].filter((p) => p !== undefined);
  return parts.length > 0 ? parts.join(' ') : '-';
}

/** "/data/party/uscc format:uscc" ("(record)" for the record itself); "-" when there is no error. */
export function formatFirstError(errors: readonly ValidationIssue[]): string {
  const first = errors[0];
  return first === undefined ? '-' : `${first.path || '(record)'} ${first.rule}`;
}

/**
 * "3 open entries on 2026-03-02: invalid 2, malformed 1 · sources: hrbxq-approval 2, (unknown) 1"
 * and what was left out: entries over the limit, entries of the other status.
 */
export function formatListSummary(
  listing: Pick<QuarantineListing, 'matched' | 'otherStatus'>,
  context: { days: readonly string[]; filter: QuarantineFilter; shown: number },
): string {
  const { days, filter, shown } = context;
  const when = days.length === 1 ? `on ${days[0]}` : `from ${days.at(-1)} to ${days[0]}`;
  const status = filter.status === 'all' ? '' : `${filter.status} `;
  const total = listing.matched.length;
  const noun = `${status}entr${total === 1 ? 'y' : 'ies'}`;
  const narrowed = [filter.reason && `reason ${filter.reason}`, filter.source && `source ${filter.source}`, filter.rule && `rule ${filter.rule}`]
    .filter(Boolean)
    .join(', ');
  const lines = [`${total === 0 ? 'no' : total} ${noun} ${when}${narrowed ? ` (${narrowed})` : ''}`];
  if (total > 0) {
    const { byReason, bySource } = summarise(listing.matched);
    const counts = (pairs: ReadonlyArray<[string, number]>) => pairs.map(([key, n]) => `${key} ${n}`).join(', ');
    lines[0] += `: ${counts(byReason)} · sources: ${counts(bySource)}`;
  }
  if (shown < total) lines.push(`showing the newest ${shown} (--limit)`);
  if (listing.otherStatus > 0 && filter.status !== 'all') {
    const other = filter.status === 'open' ? 'released' : 'open';
    lines.push(`${listing.otherStatus} ${other} not shown (--status all)`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------- show

/** The entry an id names; not found → exit 3; an ambiguous prefix is a usage error (exit 2). */
async function resolveEntry(exchange: Exchange, id: string, command: string, io: CliIo): Promise<QuarantineItem | number> {
  const found = await findQuarantineEntry(exchange.state({ findQuarantined }), id);
  if (found.kind === 'found') return found.item;
  if (found.kind === 'ambiguous') {
    throw new UsageError(`${id} names several quarantine entries (${found.ids.join(', ')}${found.ids.length >= 5 ? ', …' : ''}): give more of the id`);
  }
  io.stderr.write(
    `credex quarantine ${command}: no quarantine entry ${id} on ${found.day} (list that day's entries: credex quarantine list --day ${found.day} --status all)\n`,
  );
  return ExitCode.notFound;
}

async function showCommand(exchange: Exchange, id: string, options: ShowOptions, io: CliIo): Promise<number> {
  const item = await resolveEntry(exchange, id, 'show', io);
  if (typeof item === 'number') return item;
  const reveal = options.reveal === true;
  if (options.json) {
    writeJson(io, { ...toEntryJson(item, { reveal }), body: item.body === '' && item.bodyHeldIn !== undefined ? null : revealOrMask(item.body, reveal) });
    return ExitCode.ok;
  }
  io.stdout.write(formatEntry(item, { reveal, intakeDlqUrl: exchange.target.intake.dlqUrl }));
  return ExitCode.ok;
}

const revealOrMask = (text: string, reveal: boolean): string => (reveal ? text : maskIdNumbersIn(text));

/** Everything about one entry, for people. */
export function formatEntry(item: QuarantineItem, options: { reveal: boolean; intakeDlqUrl: string }): string {
  const id = quarantineId(item);
  const facts: Array<[string, string]> = [
    ['status', item.status],
    ['reason', `${item.reason} (${QUARANTINE_REASONS[item.reason] ?? 'unknown reason'})`],
    ['record', formatRecord(item)],
    ['source', item.source ?? '-'],
    ['sent', `${item.sentAt} (received ${item.receivedAt})`],
    ['message', item.messageId],
    ['correlation', item.correlationId],
  ];
  if (item.upstream !== undefined) facts.push(['upstream', item.upstream]);
  if (item.releasedAt !== undefined)
    facts.push([
      'released',
      `${item.releasedAt} by ${item.releasedBy ?? '?'} as intake message ${item.releasedMessageId ?? '?'} (audit ${item.auditId ?? '?'})`,
    ]);

  const out = [`quarantine entry ${id}`, indent(table(facts, { align: ['left', 'left'] })), '', `errors (${item.errors.length}):`];
  for (const issue of item.errors) out.push(`  ${formatIssue({ ...issue, message: revealOrMask(issue.message, options.reveal) })}`);
  out.push('');
  if (item.bodyHeldIn !== undefined) out.push(`body: ${describeBodyHeldIn(item.bodyHeldIn, options.intakeDlqUrl)}`);
  if (item.body !== '') {
    const masked = options.reveal ? '' : '; identity-card numbers masked, --reveal shows them';
    out.push(`body (${item.bodyBytes} bytes${masked}):`, revealOrMask(prettyBody(item.body), options.reveal));
  }
  if (item.status === 'open') out.push('', releaseHint(item, id));
  return `${out.join('\n')}\n`;
}

/** The next step for an open entry; a conflict is only resolved by a higher revision. */
function releaseHint(item: QuarantineItem, id: string): string {
  const command = `credex quarantine release ${id} --file corrected.json [--dry-run]`;
  return item.reason === 'conflict'
    ? `to release a corrected record, with a higher revision than ${item.revision ?? 'the accepted one'}: ${command}`
    : `to release a corrected record: ${command}`;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}

/** "/data/party/uscc [format:uscc] 统一社会信用代码: …", as `credex validate --pretty` prints an error. */
export function formatIssue(issue: ValidationIssue): string {
  const title = issue.title ? ` ${issue.title}` : '';
  return `${issue.path || '(record)'} [${issue.rule}]${title}: ${issue.message}`;
}

/**
 * The body indented for reading when it is JSON, else as it is. Only whitespace between tokens is
 * changed (never parse-and-print), so what is shown is what was sent: duplicate keys, number
 * spellings and escapes included.
 */
export function prettyBody(text: string): string {
  try {
    JSON.parse(text);
  } catch {
    return text;
  }
  return applyEdits(text, format(text, undefined, { tabSize: 2, insertSpaces: true, eol: '\n' }));
}

/** Where a body that is not (wholly) in the table is, and how to fetch it. */
export function describeBodyHeldIn(heldIn: string, intakeDlqUrl: string): string {
  const dlqMessage = /^intake-dlq:(.+)$/.exec(heldIn)?.[1];
  if (dlqMessage === undefined) return heldIn;
  return [
    `too large for the table, kept in the intake DLQ as message ${dlqMessage}. To save it, run until it prints`,
    `(messages received reappear after 60 s; the DLQ keeps messages for its retention period):`,
    `  aws sqs receive-message --queue-url ${intakeDlqUrl} --max-number-of-messages 10 --visibility-timeout 60 \\`,
    `    --query "Messages[?MessageId=='${dlqMessage}'].Body" --output text > body.json`,
  ].join('\n');
}

// ---------------------------------------------------------------- release

type ReadCorrection = { ok: true; correction: { text: string; file: string } } | { ok: false; message: string };

/** The corrected record from a file or standard input, as strict UTF-8 (intake reads nothing else). */
export async function readCorrection(file: string, io: CliIo): Promise<ReadCorrection> {
  const name = file === '-' ? 'standard input' : file;
  let bytes: Uint8Array;
  if (file === '-') {
    // waiting on a terminal looks like a hang: the operator forgot to pipe the record
    if (isInteractive(io.stdin)) return { ok: false, message: '--file -: pipe the corrected record to standard input' };
    bytes = await readAll(io.stdin);
  } else {
    try {
      bytes = await readFile(file);
    } catch (err) {
      return { ok: false, message: `cannot read ${file}: ${(err as Error).message}` };
    }
  }
  try {
    return { ok: true, correction: { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), file } };
  } catch {
    return {
      ok: false,
      message: `${name} is not valid UTF-8 (GB18030 or GBK text? convert it first; \`credex validate --encoding gb18030\` reads it and says where)`,
    };
  }
}

async function releaseCommand(
  exchange: Exchange,
  id: string,
  options: ReleaseOptions,
  correction: { text: string; file: string } | undefined,
  io: CliIo,
): Promise<number> {
  const item = await resolveEntry(exchange, id, 'release', io);
  if (typeof item === 'number') return item;
  const report = await releaseQuarantined(
    {
      state: exchange.state({ getMeta, markQuarantineReleased, createAuditEntry, completeAuditEntry }),
      sqs: exchange.clients.sqs,
      intakeQueueUrl: exchange.target.intake.queueUrl,
      target: exchange.target.origin,
      identity: exchange.identity,
    },
    { item, ...(correction && { correction }), force: options.force === true, dryRun: options.dryRun === true },
  );
  const refusal = describeRefusal(report, item, exchange.target.intake.dlqUrl);
  if (refusal !== undefined) io.stderr.write(`credex quarantine release: ${refusal}\n`);
  if (options.json) writeJson(io, report);
  else {
    io.stdout.write(formatReleaseReport(report));
    for (const warning of report.warnings) io.stderr.write(`warning: ${warning}\n`);
  }
  return releaseExitCode(report);
}

export function releaseExitCode(report: Pick<ReleaseReport, 'outcome'>): number {
  switch (report.outcome) {
    case 'released':
    case 'wouldRelease':
      return ExitCode.ok;
    case 'invalid':
    case 'alreadyReleased':
      return ExitCode.invalid;
    case 'bodyNotHeld':
      return ExitCode.unreadable;
  }
}

/** Why nothing was sent, when it is not the record's fault (an invalid record prints its errors instead). */
function describeRefusal(report: ReleaseReport, item: QuarantineItem, intakeDlqUrl: string): string | undefined {
  if (report.outcome === 'alreadyReleased') {
    return `${report.id} was already released at ${item.releasedAt ?? '?'} by ${item.releasedBy ?? '?'} (intake message ${item.releasedMessageId ?? '?'}, audit ${item.auditId ?? '?'}); --force sends it again`;
  }
  if (report.outcome === 'bodyNotHeld') {
    return `${report.id}: the body is not in the table, give the record with --file\nbody: ${describeBodyHeldIn(item.bodyHeldIn ?? '?', intakeDlqUrl)}`;
  }
  return undefined;
}

/** The outcome for people (stdout); refusals go to stderr (describeRefusal). */
export function formatReleaseReport(report: ReleaseReport): string {
  const r = report.record;
  const what = r ? `${r.recordType} ${r.recordId} revision ${r.revision} of ${r.source}` : '';
  switch (report.outcome) {
    case 'released':
      return [
        `released ${report.id}: sent ${what} to intake as message ${report.messageId ?? '?'} (correlation ${report.correlationId}, audit ${report.auditId ?? '?'})`,
        `follow it: credex inspect ${r?.recordType ?? ''} ${r?.recordId ?? ''}`,
        '',
      ].join('\n');
    case 'wouldRelease':
      return `dry run: ${report.id} would send ${what} to intake (correlation ${report.correlationId}); nothing was changed\n`;
    case 'invalid':
      return [
        `${report.id}: not released, the record is invalid (${report.errors.length} error${report.errors.length === 1 ? '' : 's'}); nothing was changed`,
        ...report.errors.map((e) => `  ${formatIssue(e)}`),
        '',
      ].join('\n');
    case 'alreadyReleased':
    case 'bodyNotHeld':
      return '';
  }
}
