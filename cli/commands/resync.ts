/**
 * `credex resync --destination <d> --status failed|rejected|delivered|all`: re-enqueues every
 * record in that state at the destination, from its stored canonical form
 * (cli/operations/redeliver.ts) — after an endpoint fixed what made it reject records, or lost
 * what it had been sent.
 */
import type { Command } from 'commander';
import { InvalidArgumentError } from 'commander';
import type { DestinationId } from '../../topology/topology.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { finishAudit, openAudit, type AuditAction } from '../operations/audit.js';
import { candidatesByStatus, redeliver, RESYNC_STATUSES, type Candidate, type RedeliverResult, type ResyncStatus } from '../operations/redeliver.js';
import { destination, integer, number, time } from '../options.js';
import { Progress } from '../progress.js';
import { table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import {
  appendEvents,
  completeAuditEntry,
  createAuditEntry,
  getMeta,
  getRevision,
  streamByDestinationStatus,
} from '../../functions/shared/state/dynamo/operations.js';

interface ResyncCommandOptions extends TargetOptions {
  destination: DestinationId;
  status: ResyncStatus | 'all';
  since?: string;
  limit?: number;
  rate?: number;
  dryRun: boolean;
  json: boolean;
}

const RESYNC_HELP = `
Every record whose state at the destination is the given status is enqueued again, at its
latest accepted revision, to be sent even if the destination answered it before. Revisions still
only move forward: nothing older than what was sent is ever sent. all = failed, rejected and
delivered (the destination lost its data).

Examples:
  $ credex resync --destination municipal --status rejected --dry-run --stage prod
  $ credex resync --destination municipal --status rejected --since 2026-11-20 --stage prod
  $ credex resync --destination publicColumn --status all --rate 5 --stage prod   after a restore

Exit status: 0 done · 5 some records could not be enqueued (listed; run again) · 130 stopped by
Ctrl-C (run again: already delivered revisions are sent again, harmlessly) · 2 bad usage ·
4 exchange unreachable
`;

const statusOption = (value: string): ResyncStatus | 'all' => {
  if (value === 'all' || (RESYNC_STATUSES as readonly string[]).includes(value)) return value as ResyncStatus | 'all';
  throw new InvalidArgumentError(`--status must be one of ${[...RESYNC_STATUSES, 'all'].join(', ')}`);
};

export function registerResyncCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('resync')
      .description('re-enqueue the records in one state at a destination, from their stored canonical form')
      .requiredOption('--destination <d>', 'provincial, municipal, publicColumn or district', destination)
      .requiredOption('--status <status>', 'failed, rejected, delivered or all', statusOption)
      .option('--since <time>', 'only states updated at or after this date/time', time('--since'))
      .option('--limit <n>', 'enqueue at most n records', integer('--limit', 1))
      .option('--rate <per-second>', 'records per second enqueued', number('--rate', 0.1, 3000))
      .option('--dry-run', 'list what would be enqueued; change nothing', false)
      .option('--json', 'the result as JSON', false),
  )
    .addHelpText('after', RESYNC_HELP + TARGET_HELP)
    .action((options: ResyncCommandOptions) =>
      onExchange(context, options, (exchange) => {
        const statuses = options.status === 'all' ? RESYNC_STATUSES : [options.status];
        async function* candidates(): AsyncGenerator<Candidate> {
          for (const status of statuses) yield* candidatesByStatus(exchange.state({ streamByDestinationStatus }), options.destination, status, options.since);
        }
        const request = {
          destination: options.destination,
          status: options.status,
          ...(options.since && { since: options.since }),
          ...(options.limit && { limit: options.limit }),
          ...(options.rate && { rate: options.rate }),
        };
        return runRedelivery(exchange, context, { action: 'resync', request, candidates: candidates(), options });
      }),
    );
}

/** What resync and redeliver share: audit entry, progress, the run, the report and exit code. */
export async function runRedelivery(
  exchange: Exchange,
  context: CommandContext,
  run: {
    action: Extract<AuditAction, 'resync' | 'redeliver'>;
    request: Record<string, unknown>;
    candidates: AsyncIterable<Candidate> | Iterable<Candidate>;
    options: { limit?: number; rate?: number; dryRun: boolean; json: boolean };
  },
): Promise<number> {
  const { io } = context;
  const by = await exchange.identity();
  const audit = run.options.dryRun
    ? undefined
    : await openAudit(exchange.state({ createAuditEntry, completeAuditEntry }), {
        action: run.action,
        by,
        target: exchange.target.origin,
        request: run.request,
      });
  const progress = new Progress(io.stderr, `${run.action}${run.options.dryRun ? ' (dry run)' : ''}`, {
    unit: run.options.dryRun ? 'to enqueue' : 'enqueued',
    interactive: exchange.interactive,
  });
  let result: RedeliverResult;
  try {
    result = await redeliver(
      {
        sqs: exchange.clients.sqs,
        state: exchange.state({ getMeta, getRevision, appendEvents }),
        laneQueueUrls: Object.fromEntries(Object.entries(exchange.target.lanes).map(([d, q]) => [d, q.queueUrl])) as Record<DestinationId, string>,
      },
      run.candidates,
      {
        requestedBy: by,
        auditId: audit?.entry.id ?? 'dry-run',
        ...(exchange.target.calendarDay !== undefined && { today: () => exchange.target.calendarDay! }),
        dryRun: run.options.dryRun,
        ...(run.options.limit && { limit: run.options.limit }),
        ...(run.options.rate && { ratePerSecond: run.options.rate }),
        ...(io.signal && { signal: io.signal }),
        onProgress: (event, n) => (event === 'enqueued' ? progress.advance(n) : progress.note('skipped', n)),
      },
    );
  } catch (err) {
    progress.finish();
    await finishAudit(audit, 'failed', {}, io, (err as Error).message);
    throw err;
  }
  progress.finish();
  if (run.options.json) writeJson(io, { action: run.action, dryRun: run.options.dryRun, ...run.request, ...result, ...(audit && { auditId: audit.entry.id }) });
  else io.stdout.write(formatRedelivery(run.action, run.options.dryRun, result, audit?.entry.id));
  await finishAudit(
    audit,
    result.interrupted ? 'interrupted' : 'completed',
    { considered: result.considered, enqueued: result.enqueued, skipped: result.skippedCount, failed: result.failures.length },
    io,
  );
  if (result.interrupted) return ExitCode.interrupted;
  return result.failures.length ? ExitCode.incomplete : ExitCode.ok;
}

export function formatRedelivery(action: string, dryRun: boolean, result: RedeliverResult, auditId?: string): string {
  const lines = [
    dryRun
      ? `dry run: ${result.enqueued} of ${result.considered} record(s) would be enqueued; nothing was changed`
      : `${action}: enqueued ${result.enqueued} of ${result.considered} record(s)${result.skippedCount ? `, skipped ${result.skippedCount}` : ''}${result.failures.length ? `, ${result.failures.length} failed` : ''}`,
  ];
  if (result.messages.length) {
    const shown = result.messages.slice(0, 20);
    lines.push(
      '',
      table(
        [
          ['record type', 'source', 'record id', 'revision', 'destination', 'action'],
          ...shown.map((m) => [m.recordType, m.source, m.recordId, String(m.revision), m.destination, m.action]),
        ],
        { align: ['left', 'left', 'left', 'right', 'left', 'left'] },
      ),
    );
    if (result.messages.length > shown.length) lines.push(`… and ${result.messages.length - shown.length} more (--json lists up to 1,000)`);
  }
  for (const s of result.skipped.slice(0, 20)) lines.push(`  skipped ${s.record} → ${s.destination}: ${s.reason}`);
  for (const f of result.failures) lines.push(`  FAILED ${f.record} → ${f.destination}: ${f.reason}`);
  if (result.interrupted) lines.push('interrupted: run the same command again to continue');
  if (auditId) lines.push(`audit entry ${auditId} (credex audit)`);
  return `${lines.join('\n')}\n`;
}
