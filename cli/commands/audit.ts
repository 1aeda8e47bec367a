/**
 * `credex audit`: the trail of operator actions (replay, resync, redeliver, quarantine release),
 * newest first — who, when, what was asked, what it did. An entry still `running` long after it
 * started is an action that crashed or was killed: it is flagged, since its effect is partial.
 */
import { Option, type Command } from 'commander';
import { integer, time } from '../options.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { listAudit, type AuditAction, type AuditEntry } from '../operations/audit.js';
import { maskPersonalData } from '../operations/inspect.js';
import { formatDuration, table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import { formatFacts } from './inspect.js';
import { listAuditEntries as readAuditEntries } from '../../functions/shared/state/dynamo/operations.js';

/** Every action the trail records (keyed by AuditAction, so a new action cannot be forgotten here). */
const ACTIONS: Readonly<Record<AuditAction, string>> = {
  replay: 'DLQ messages moved back to their queue',
  resync: 'records sent again to a destination',
  redeliver: "one record's revision sent again",
  'quarantine-release': 'quarantined input released to intake',
};

/** An action still running this long after it started did not finish: its process died. */
export const UNFINISHED_AFTER_SECONDS = 3600;

export const AUDIT_EXAMPLES = `
Examples:
  $ credex audit --stage prod                               the latest 100 actions, newest first
  $ credex audit --since 2026-05-01 --action replay --stage prod
  $ credex audit --since 2026-05-01T08:00:00+08:00 --limit 20 --local
  $ credex audit --json --stage prod | jq '.[] | select(.status != "completed")'
`;

const AUDIT_NOTES = `
Actions:
${table(Object.entries(ACTIONS), { align: ['left', 'left'] }).replace(/^/gmu, '  ')}

Status: running, completed, interrupted (Ctrl-C) or failed. An entry written before its action
started and never completed is shown "did not finish: crashed or killed?" once it is an hour old:
the action's effect is partial — look at its request and run it again (every action is safe to
repeat).

--json prints the entries as stored, newest first: a JSON array of
  {id, action, by, startedAt, finishedAt?, status, target, request, counts, error?}

Exit status: 0 listed (also when there is nothing to list) · 2 bad usage · 4 exchange unreachable
`;

interface AuditOptions extends TargetOptions {
  since?: string;
  limit?: number;
  action?: AuditAction;
  json?: boolean;
}

export function registerAuditCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('audit')
      .description('operator actions (replay, resync, redeliver, quarantine release), newest first')
      .addOption(new Option('--since <when>', 'from this UTC day (YYYY-MM-DD) or time (ISO, with its zone) on (default: 90 days ago)').argParser(parseSince))
      .addOption(new Option('--limit <n>', 'at most n entries (default: 100)').argParser(integer('--limit', 1)))
      .addOption(new Option('--action <action>', 'only this action').choices(Object.keys(ACTIONS)))
      .option('--json', 'the entries as stored (a JSON array)'),
  )
    .addHelpText('after', AUDIT_EXAMPLES + AUDIT_NOTES + TARGET_HELP)
    .action(async (options: AuditOptions) => {
      await onExchange(context, options, (exchange) => listAuditEntries(context, exchange, options));
    });
}

/** `--since`: a day or a zoned time (cli/options.ts). */
export const parseSince = time('--since');

async function listAuditEntries(context: CommandContext, exchange: Exchange, options: AuditOptions): Promise<number> {
  const now = new Date();
  const entries = maskPersonalData(
    await listAudit(
      exchange.state({ listAuditEntries: readAuditEntries }),
      {
        ...(options.since !== undefined && { since: options.since }),
        ...(options.limit !== undefined && { limit: options.limit }),
        ...(options.action && { action: options.action }),
      },
      () => now,
    ),
  );
  if (options.json) writeJson(context.io, entries);
  else context.io.stdout.write(entries.length > 0 ? formatAuditEntries(entries, now) : `${describeNothing(options)}\n`);
  return ExitCode.ok;
}

function describeNothing(options: AuditOptions): string {
  return `no audit entries${options.action ? ` of ${options.action}` : ''}${options.since ? ` since ${options.since}` : ''}`;
}

// ---------------------------------------------------------------- for people

/** Entries as a table, in the order given (newest first). */
export function formatAuditEntries(entries: readonly AuditEntry[], now: Date): string {
  const rows = entries.map((e) => [e.startedAt, e.action, e.by, auditStatus(e, now), formatFacts(e.request), formatFacts(e.counts)]);
  return `${table([['started', 'action', 'by', 'status', 'request', 'counts'], ...rows], { align: ['left', 'left', 'left', 'left', 'left', 'left'] })}\n`;
}

/** What became of the action: how long it ran, why it stopped, or that it never finished. */
export function auditStatus(entry: AuditEntry, now: Date): string {
  const started = Date.parse(entry.startedAt);
  if (entry.status === 'running') {
    const age = (now.getTime() - started) / 1000;
    return age > UNFINISHED_AFTER_SECONDS
      ? `running: did not finish: crashed or killed? (started ${formatDuration(age)} ago)`
      : `running (for ${formatDuration(age)})`;
  }
  const took =
    entry.finishedAt === undefined
      ? ''
      : ` ${entry.status === 'completed' ? 'in' : 'after'} ${formatDuration((Date.parse(entry.finishedAt) - started) / 1000)}`;
  return `${entry.status}${took}${entry.error ? `: ${entry.error}` : ''}`;
}
