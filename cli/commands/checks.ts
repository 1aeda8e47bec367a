/**
 * `credex checks`: the credit-check log — which upstream asked about which subject, when, and what
 * it was answered. Read-only; one query of the month's partition.
 */
import { Option, type Command } from 'commander';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { currentMonth, DEFAULT_CHECKS_LIMIT, readChecks, type ChecksReport } from '../operations/checks.js';
import { integer, month } from '../options.js';
import { table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';
import { listCreditChecks } from '../../functions/shared/state/dynamo/operations.js';

const CHECKS_HELP = `
Examples:
  $ credex checks --stage prod                         this month's checks, newest first
  $ credex checks --month 2026-05 --limit 20 --stage prod
  $ credex checks --json --local | jq '[.checks[] | select(.eligibility == "notEligible")] | length'

Every credit check the ingest API answered (GET /v1/subjects/{code}/credit) is logged under the
UTC month of its time: when, which upstream asked, the subject (a natural person's code masked;
the identity number is never kept), the answer and the rules behind it. \`credex subject\` is not
a check and is not logged.

JSON (--json), one object:
  { month (YYYY-MM), listed, limit,
    checks: [{at, upstream, subject: {category (organisation | naturalPerson), code},
              eligibility (eligible | eligibleWithConditions | notEligible), rules: [rule],
              blackPoints, redPoints, id, requestId (null when none)}] (newest first) }

Exit status: 0 listed (also when there is none) · 2 bad usage · 4 exchange unreachable
`;

interface ChecksOptions extends TargetOptions {
  month?: string;
  limit?: number;
  json?: boolean;
}

export function registerChecksCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('checks')
      .description('the credit-check log: who asked about which subject, when, and the answer (newest first)')
      .addOption(new Option('--month <month>', 'the checks of this UTC month, YYYY-MM (default: the current one)').argParser(month('--month')))
      .addOption(new Option('--limit <n>', `at most n checks, the newest (default: ${DEFAULT_CHECKS_LIMIT})`).argParser(integer('--limit', 1)))
      .option('--json', 'one JSON object (shape below)'),
  )
    .addHelpText('after', CHECKS_HELP + TARGET_HELP)
    .action(async (options: ChecksOptions) => {
      await onExchange(context, options, (exchange) => listChecks(context, exchange, options));
    });
}

async function listChecks(context: CommandContext, exchange: Exchange, options: ChecksOptions): Promise<number> {
  const report = await readChecks(exchange.state({ listCreditChecks }), {
    month: options.month ?? currentMonth(new Date()),
    ...(options.limit !== undefined && { limit: options.limit }),
  });
  if (options.json) writeJson(context.io, report);
  else context.io.stdout.write(formatChecks(report));
  return ExitCode.ok;
}

// ---------------------------------------------------------------- for people

const ANSWER: Readonly<Record<ChecksReport['checks'][number]['eligibility'], string>> = {
  eligible: 'eligible',
  eligibleWithConditions: 'with conditions',
  notEligible: 'NOT eligible',
};

export function formatChecks(report: ChecksReport): string {
  if (report.listed === 0) return `no credit checks in ${report.month}\n`;
  const rows = report.checks.map((c) => [
    c.at,
    c.upstream,
    `${c.subject.code}${c.subject.category === 'naturalPerson' ? ' (person)' : ''}`,
    ANSWER[c.eligibility],
    `${c.blackPoints}/${c.redPoints}`,
    c.rules.join(', '),
  ]);
  const more = report.listed === report.limit ? ` (the newest ${report.limit}; there may be more: --limit)` : '';
  return `${report.listed} credit check${report.listed === 1 ? '' : 's'} in ${report.month}, newest first${more}\n${table(
    [['at', 'upstream', 'subject', 'answer', 'black/red', 'rules'], ...rows],
    { align: ['left', 'left', 'left', 'left', 'right', 'left'] },
  )}\n`;
}
