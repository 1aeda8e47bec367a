/**
 * `credex replay --lane <destination>`: moves messages from a lane's DLQ back to its queue
 * (cli/operations/replay.ts), with a filter, a limit, a rate, a dry run, progress, Ctrl-C and an
 * audit entry; `--native` hands an unfiltered move to SQS's own redrive on AWS.
 */
import { Option, type Command } from 'commander';
import { withTargetOptions, onExchange, TARGET_HELP, UsageError, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { finishAudit, openAudit } from '../operations/audit.js';
import { nativeRedrive } from '../operations/native-redrive.js';
import { queueDepth } from '../operations/queues.js';
import { describeFilter, isEmptyFilter, parseFilter, replayLane, type ReplayQueue, type ReplayResult } from '../operations/replay.js';
import { destination, integer, number } from '../options.js';
import { Progress } from '../progress.js';
import { table, writeJson } from '../render.js';
import type { QueuePair, TargetOptions } from '../target.js';
import type { DestinationId } from '../../topology/topology.js';
import { appendEvents, completeAuditEntry, createAuditEntry, getDestinationState } from '../../functions/shared/state/dynamo/operations.js';

interface ReplayCommandOptions extends TargetOptions {
  lane?: DestinationId;
  intake: boolean;
  filter?: string;
  limit?: number;
  rate?: number;
  dryRun: boolean;
  native: boolean;
  holdSeconds: number;
  json: boolean;
}

const REPLAY_HELP = `
Each message is sent to the lane's queue first, then deleted from the DLQ: a crash in between
leaves a copy in both, which is delivered once all the same (revision guard, idempotency key).
Messages the filter does not match stay in the DLQ.

Filter (all given conditions must hold; | separates alternatives):
  recordType=commitment|breach|repair|nonPenalty   source=<source system>   recordId=<id>
  action=upsert|withdraw|unpublish      error=<text in the last error, e.g. "HTTP 503">
  since=<ISO time>  until=<ISO time>    (when the message was first sent to the lane)
With --intake the DLQ holds records: recordType, source, recordId, since and until apply.

Examples:
  $ credex replay --lane municipal --dry-run --stage prod            what would move
  $ credex replay --lane municipal --stage prod                      move the whole DLQ back
  $ credex replay --lane provincial --filter "error=authentication" --stage prod
  $ credex replay --lane provincial --filter recordType=repair --limit 50 --rate 5 --stage prod
  $ credex replay --lane municipal --native --stage prod             SQS's own redrive (AWS, no filter)
  $ credex replay --lane district --local                            the local runtime
  $ credex replay --intake --dry-run --stage prod                    records intake failed to process

Exit status: 0 done · 5 some messages could not be moved (listed; run again) · 130 stopped by
Ctrl-C (what moved stays moved; run again to continue) · 2 bad usage · 4 exchange unreachable
`;

export function registerReplayCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('replay')
      .description("move messages from a lane's DLQ (or the intake DLQ) back to its queue, to be processed again")
      .addOption(new Option('--lane <destination>', 'the lane (provincial, municipal, publicColumn, district)').argParser(destination).conflicts('intake'))
      .option('--intake', 'the intake DLQ: records intake failed to process (not the bodies kept there for quarantine entries)', false)
      .option('--filter <conditions>', 'only messages matching key=value[,key=value…] (see below)')
      .option('--limit <n>', 'move at most n messages', integer('--limit', 1))
      .option('--rate <per-second>', 'messages per second sent back (spare a recovering endpoint)', number('--rate', 0.1, 3000))
      .option('--dry-run', 'count and list what would move; change nothing', false)
      .option('--native', 'use SQS StartMessageMoveTask (AWS only; no --filter, --limit or --dry-run)', false)
      .option('--hold-seconds <s>', 'how long scanned messages stay invisible while the replay runs', integer('--hold-seconds', 30), 300)
      .option('--json', 'the result as JSON', false),
  )
    .addHelpText('after', REPLAY_HELP + TARGET_HELP)
    .action((options: ReplayCommandOptions) => onExchange(context, options, (exchange) => replay(exchange, options, context)));
}

async function replay(exchange: Exchange, commandOptions: ReplayCommandOptions, context: CommandContext): Promise<number> {
  const { io } = context;
  if (!commandOptions.lane && !commandOptions.intake) throw new UsageError('which DLQ? give --lane <destination> or --intake');
  const options = { ...commandOptions, lane: commandOptions.lane ?? ('intake' as const) };
  const filter = parseFilter(options.filter);
  const queues = options.lane === 'intake' ? exchange.target.intake : exchange.target.lanes[options.lane];
  if (options.native) return replayNative(exchange, options, queues, context, isEmptyFilter(filter));

  const depth = await queueDepth(exchange.clients.sqs, queues.dlqUrl);
  const by = await exchange.identity();
  const request = {
    lane: options.lane,
    ...(options.filter && { filter: describeFilter(filter) }),
    ...(options.limit && { limit: options.limit }),
    ...(options.rate && { rate: options.rate }),
  };
  // a dry run changes nothing, so it leaves no audit entry either
  const audit = options.dryRun
    ? undefined
    : await openAudit(exchange.state({ createAuditEntry, completeAuditEntry }), { action: 'replay', by, target: exchange.target.origin, request });
  const progress = new Progress(io.stderr, `replay ${options.lane}${options.dryRun ? ' (dry run)' : ''}`, {
    unit: options.dryRun ? 'matched' : 'moved',
    total: Math.min(depth.visible, options.limit ?? Number.POSITIVE_INFINITY),
    interactive: exchange.interactive,
  });
  let result: ReplayResult;
  try {
    result = await replayLane({ sqs: exchange.clients.sqs, state: exchange.state({ getDestinationState, appendEvents }) }, queues, {
      lane: options.lane,
      filter,
      ...(options.limit && { limit: options.limit }),
      ...(options.rate && { ratePerSecond: options.rate }),
      dryRun: options.dryRun,
      holdSeconds: options.holdSeconds,
      requestedBy: by,
      ...(audit && { auditId: audit.entry.id }),
      ...(io.signal && { signal: io.signal }),
      onProgress: (event, n) => {
        if (event === (options.dryRun ? 'matched' : 'moved')) progress.advance(n);
        else if (event === 'kept') progress.note('kept', n);
      },
    });
  } catch (err) {
    progress.finish();
    await finishAudit(audit, 'failed', {}, io, (err as Error).message);
    throw err;
  }
  progress.finish();
  if (options.json) writeJson(io, { ...result, ...(audit && { auditId: audit.entry.id }), filter: describeFilter(filter) });
  else io.stdout.write(formatReplay(result, audit?.entry.id));
  const counts = {
    scanned: result.scanned,
    matched: result.matched,
    moved: result.moved,
    kept: result.kept,
    arrivedDuringReplay: result.arrivedDuringReplay,
    unreadable: result.unreadable,
    unscanned: result.unscanned,
    failed: result.failures.length,
  };
  await finishAudit(audit, result.interrupted ? 'interrupted' : 'completed', counts, io);
  if (result.interrupted) return ExitCode.interrupted;
  return result.failures.length || result.unscanned ? ExitCode.incomplete : ExitCode.ok;
}

export function formatReplay(result: ReplayResult, auditId?: string): string {
  const lines: string[] = [];
  if (result.dryRun) {
    lines.push(`dry run: ${result.matched} of ${result.scanned} messages in the ${result.lane} DLQ would move; nothing was changed`);
    if (result.messages.length) {
      const shown = result.messages.slice(0, 20);
      lines.push(
        '',
        table(
          [
            ['record type', 'source', 'record id', 'revision', 'action'],
            ...shown.map((m) => [m.recordType ?? '?', m.source ?? '?', m.recordId ?? '(not a lane message)', String(m.revision ?? ''), m.action ?? '']),
          ],
          { align: ['left', 'left', 'left', 'right', 'left'] },
        ),
      );
      if (result.matched > shown.length) lines.push(`… and ${result.matched - shown.length} more (--json lists up to 1,000)`);
    }
  } else {
    lines.push(
      `moved ${result.moved} of ${result.scanned} messages from the ${result.lane} DLQ back to its queue; ${result.kept + result.parked} left in the DLQ`,
    );
  }
  if (result.unreadable) lines.push(`${result.unreadable} message(s) are not lane messages (moved only by a replay without --filter)`);
  if (result.parked)
    lines.push(`${result.parked} body(ies) kept for quarantine entries (too large for the table) left in place: credex quarantine show / release`);
  if (result.arrivedDuringReplay)
    lines.push(
      `${result.arrivedDuringReplay} message(s) reached the DLQ while the replay ran (some may be its own copies, failing again): left for the next run`,
    );
  if (result.unscanned) lines.push(`${result.unscanned} message(s) could not be reached (more than SQS lets one client hold): run the same command again`);
  for (const f of result.failures) lines.push(`  ${f.messageId}: ${f.reason}`);
  if (result.interrupted) lines.push('interrupted: what moved stays moved; run the same command again to continue');
  if (auditId) lines.push(`audit entry ${auditId} (credex audit)`);
  return `${lines.join('\n')}\n`;
}

async function replayNative(
  exchange: Exchange,
  options: Omit<ReplayCommandOptions, 'lane'> & { lane: ReplayQueue },
  queues: QueuePair,
  context: CommandContext,
  unfiltered: boolean,
): Promise<number> {
  if (!unfiltered || options.limit || options.dryRun) throw new UsageError('--native moves the whole DLQ: it takes no --filter, --limit or --dry-run');
  if (exchange.target.endpoints) throw new UsageError('--native needs SQS on AWS: the local SQS server has no StartMessageMoveTask (replay without --native)');
  const audit = await openAudit(exchange.state({ createAuditEntry, completeAuditEntry }), {
    action: 'replay',
    by: await exchange.identity(),
    target: exchange.target.origin,
    request: { lane: options.lane, native: true, ...(options.rate && { rate: options.rate }) },
  });
  const progress = new Progress(context.io.stderr, `replay ${options.lane} (SQS move task)`, { unit: 'moved', interactive: exchange.interactive });
  let moved = 0;
  try {
    const result = await nativeRedrive(exchange.clients.sqs, queues, {
      ...(options.rate && { ratePerSecond: options.rate }),
      ...(context.io.signal && { signal: context.io.signal }),
      onProgress: (n) => {
        progress.advance(n - moved);
        moved = n;
      },
    });
    progress.finish();
    const ok = result.status === 'COMPLETED';
    await audit.finish(result.interrupted ? 'interrupted' : ok ? 'completed' : 'failed', { moved: result.moved }, result.failureReason);
    if (options.json) writeJson(context.io, { lane: options.lane, native: true, ...result, auditId: audit.entry.id });
    else
      context.io.stdout.write(
        `SQS move task ${result.status}: ${result.moved} messages moved back to the ${options.lane} queue${result.failureReason ? ` (${result.failureReason})` : ''}\naudit entry ${audit.entry.id}\n`,
      );
    return result.interrupted ? ExitCode.interrupted : ok ? ExitCode.ok : ExitCode.incomplete;
  } catch (err) {
    progress.finish();
    await audit.finish('failed', { moved }, (err as Error).message);
    throw err;
  }
}
