/** `credex status`: per destination delivered / rejected / failing / waiting / queued / DLQ, the intake backlog and the quarantine. */
import type { Command } from 'commander';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext } from '../context.js';
import { ExitCode } from '../io.js';
import { readStatus, type DlqStatus, type StatusReport } from '../operations/status.js';
import { integer } from '../options.js';
import { formatDuration, table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import { countByDestinationStatus, countOpenQuarantine } from '../../functions/shared/state/dynamo/operations.js';

interface StatusCommandOptions extends TargetOptions {
  json: boolean;
  check: boolean;
  days: number;
}

const STATUS_HELP = `
Columns: delivered, rejected (by the endpoint, with a reason: credex inspect), failing (the last
attempt failed; retried, or in the DLQ), waiting (repairs held back until their breach is delivered
there: credex inspect names the breach), queued and in flight (lane messages), DLQ depth and the
age of its oldest message (of a sample of 100 on a deeper DLQ).

Examples:
  $ credex status --stage prod
  $ credex status --local
  $ credex status --stage prod --json | jq '.lanes[] | select(.dlq.depth > 0)'
  $ credex status --stage prod --check || notify-ops      exit 1 when any DLQ holds messages

Exit status: 0 (with --check: and no DLQ holds messages) · 1 with --check: some DLQ holds
messages · 4 exchange unreachable
`;

export function registerStatusCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('status')
      .description('how every lane is doing: delivered, rejected, failing, waiting, queued, DLQ; intake backlog; quarantine')
      .option('--json', 'the report as JSON', false)
      .option('--check', 'exit 1 when any DLQ holds messages (for cron jobs and scripts)', false)
      .option('--days <n>', 'quarantine counted over the last n days', integer('--days', 1), 7),
  )
    .addHelpText('after', STATUS_HELP + TARGET_HELP)
    .action((options: StatusCommandOptions) =>
      onExchange(context, options, async (exchange) => {
        const report = await readStatus(
          { sqs: exchange.clients.sqs, state: exchange.state({ countByDestinationStatus, countOpenQuarantine }) },
          exchange.target,
          { days: options.days },
        );
        if (options.json) writeJson(context.io, report);
        else context.io.stdout.write(formatStatus(report));
        return options.check && !report.healthy ? ExitCode.invalid : ExitCode.ok;
      }),
    );
}

const dlqCell = (dlq: DlqStatus): string =>
  dlq.depth === 0
    ? '0'
    : `${dlq.depth}${dlq.oldestAgeSeconds !== undefined ? ` (oldest ${dlq.sampled ? '≥ ' : ''}${formatDuration(dlq.oldestAgeSeconds)})` : ''}`;

export function formatStatus(report: StatusReport): string {
  const rows = [['destination', 'delivered', 'rejected', 'failing', 'waiting', 'queued', 'in flight', 'DLQ']];
  for (const lane of report.lanes)
    rows.push([
      lane.destination,
      String(lane.delivered),
      String(lane.rejected),
      String(lane.failing),
      String(lane.waiting),
      String(lane.queued),
      String(lane.inFlight),
      dlqCell(lane.dlq),
    ]);
  const lines = [
    `${report.target} at ${report.generatedAt}`,
    '',
    table(rows),
    '',
    `intake: ${report.intake.queued} queued, ${report.intake.inFlight} in flight, DLQ ${dlqCell(report.intake.dlq)}`,
    `quarantine (open): ${report.quarantine.today} today, ${report.quarantine.lastDays} in the last ${report.quarantine.days} days (credex quarantine list)`,
    '',
    ...(report.healthy ? ['healthy: no DLQ holds messages'] : ['needs attention:', ...report.attention.map((a) => `  - ${a}`)]),
  ];
  return `${lines.join('\n')}\n`;
}
