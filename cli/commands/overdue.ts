/**
 * `credex overdue`: licensing commitments past their deadline without a verification, grouped by
 * department — what each department still has to verify. Read-only; reads the overdue index.
 */
import { Option, type Command } from 'commander';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { DEFAULT_OVERDUE_LIMIT, readOverdue, type OverdueReport } from '../operations/overdue.js';
import { day, integer } from '../options.js';
import { table, writeJson } from '../render.js';
import { publicationDay, type TargetOptions } from '../target.js';
import { countOverdueCommitments, listOverdueCommitments } from '../../functions/shared/state/dynamo/operations.js';

const OVERDUE_HELP = `
Examples:
  $ credex overdue --stage prod                                    every overdue commitment, by department
  $ credex overdue --department 哈尔滨新区市场监督管理局 --stage prod
  $ credex overdue --today 2026-07-01 --local                      as it will stand on that day
  $ credex overdue --json --stage prod | jq '.departments[] | {department, count}'

A commitment is overdue from the day after its deadline (承诺履行期限: the commitment date plus the
licensing item's time limit, or the earlier day its source gave) while no verification (核查)
counts and it is not withdrawn: a commitment whose deadline is today is not overdue yet. A
verification of any result ends it; a withdrawn verification opens it again.

Department: the licensing item's department (else the commitment's accepting unit). Departments
with the most overdue commitments first; in each, the earliest deadline first. The overdue index
is ordered by deadline: --department reads every overdue commitment and keeps the department's.

JSON (--json), one object:
  { today, department (the one asked for, or null), total (every overdue commitment, or the
    department's), listed (how many are below: at most limit), limit,
    departments: [{department, count (listed), commitments: [{commitmentCode,
                   record: {recordType, source, recordId}, commitmentDate, deadline, daysOverdue,
                   itemCode (null when none)}]}] }

Exit status: 0 listed (also when nothing is overdue) · 2 bad usage · 4 exchange unreachable
`;

interface OverdueOptions extends TargetOptions {
  today?: string;
  department?: string;
  limit?: number;
  json?: boolean;
}

export function registerOverdueCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('overdue')
      .description('commitments past their deadline without a verification, by department')
      .addOption(
        new Option('--today <day>', "count as of this day, YYYY-MM-DD (default: today, Beijing date; the local runtime's own calendar day)").argParser(
          day('--today'),
        ),
      )
      .option('--department <name>', 'only this department (its name as on the licensing item)')
      .addOption(new Option('--limit <n>', `at most n commitments (default: ${DEFAULT_OVERDUE_LIMIT})`).argParser(integer('--limit', 1)))
      .option('--json', 'one JSON object (shape below)'),
  )
    .addHelpText('after', OVERDUE_HELP + TARGET_HELP)
    .action(async (options: OverdueOptions) => {
      await onExchange(context, options, (exchange) => listOverdue(context, exchange, options));
    });
}

async function listOverdue(context: CommandContext, exchange: Exchange, options: OverdueOptions): Promise<number> {
  const report = await readOverdue(exchange.state({ listOverdueCommitments, countOverdueCommitments }), {
    today: options.today ?? publicationDay(exchange.target, new Date()),
    ...(options.department !== undefined && { department: options.department }),
    ...(options.limit !== undefined && { limit: options.limit }),
  });
  if (options.json) writeJson(context.io, report);
  else context.io.stdout.write(formatOverdue(report));
  return ExitCode.ok;
}

// ---------------------------------------------------------------- for people

export function formatOverdue(report: OverdueReport): string {
  const scope = report.department === null ? '' : ` of ${report.department}`;
  if (report.total === 0) return `no commitment${scope} is overdue on ${report.today}\n`;
  const shown = report.listed < report.total ? ` (the ${report.listed} with the earliest deadlines shown: --limit)` : '';
  const lines = [`${report.total} commitment${report.total === 1 ? '' : 's'}${scope} overdue on ${report.today}${shown}`];
  for (const d of report.departments) {
    lines.push(
      '',
      `${d.department}: ${d.count}`,
      table(
        [
          ['commitment', 'record', 'committed', 'deadline', 'days overdue', 'item'],
          ...d.commitments.map((c) => [
            c.commitmentCode,
            `${c.record.recordType}/${c.record.source}/${c.record.recordId}`,
            c.commitmentDate,
            c.deadline,
            String(c.daysOverdue),
            c.itemCode ?? '',
          ]),
        ],
        { align: ['left', 'left', 'left', 'left', 'right', 'left'] },
      )
        .split('\n')
        .map((line) => `  ${line}`)
        .join('\n'),
    );
  }
  return `${lines.join('\n')}\n`;
}
