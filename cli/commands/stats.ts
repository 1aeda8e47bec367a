/**
 * `credex stats`: the reform's own figures — commitments kept and breached, breaches by tier and
 * direction, first-offence exemptions, credit repairs, subjects — from the latest accepted
 * revision of every record in the sync-state table. Read-only; one Scan of the table.
 */
import type { Command } from 'commander';
import { sources } from '../../infra/topology.js';
import { SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/rules.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { integer } from '../options.js';
import { ExitCode } from '../io.js';
import {
  aggregateStats,
  COMMITMENT_TYPES,
  PUBLICATION_TYPES,
  readLatestRecords,
  REPAIR_METHODS,
  REPAIR_OUTCOMES,
  SEVERITIES,
  statsReport,
  type LatestRecords,
  type StatsReport,
  type SubjectCounts,
} from '../operations/stats.js';
import { Progress } from '../progress.js';
import { table, writeJson } from '../render.js';
import type { TargetOptions } from '../target.js';

/** DynamoDB's limit is 1,000,000; beyond a few hundred, segments only add requests. */
const MAX_SEGMENTS = 1000;

const STATS_HELP = `
Examples:
  $ credex stats --stage prod                     the figures, for people
  $ credex stats --stage prod --json              the same, one JSON document for scripts
  $ credex stats --stage prod --segments 8        a big table: 8 segments scanned in parallel
  $ credex stats --local --json | jq .commitments.keepingRate

What is counted: the latest accepted revision of every record. Withdrawn records are counted
apart ("withdrawn"), never in the figures. A commitment is breached when a counted breach names
its code (brokenCommitmentCode); kept = total − breached; keeping rate = kept / total. A
commitment counts for its licensing item's department, or its accepting unit when it has no
item. Subjects are distinct parties: organisations and individual businesses by USCC, natural
persons by their identity document (counted only: identity numbers are never printed).

Cost: stats scans the whole sync-state table once. A Scan is charged for every item it reads
(history, delivery states and quarantine too: the REV filter applies after the read), ≈ 0.5 read
units per 4 KB scanned (eventually consistent), so ≈ 131,000 read units for a 1 GB table. On a
provisioned table that competes with the pipeline's own reads: run it off-peak. --segments makes
it faster, not cheaper. The result is as current as the scan: records accepted meanwhile may or
may not be counted.

JSON (--json), keys always present, counts as numbers:
  { generatedAt, target: {stage, origin, tableName},
    scan: {segments, items, revisions, records, readUnits (null when not reported)},
    commitments: {total, kept, breached, keepingRate (0–1, 4 decimals; null with no commitments),
                  withdrawn, byDepartment: [{department, total, breached}] (most first),
                  byType: {${COMMITMENT_TYPES.join(', ')}},
                  byPublicationType: {${PUBLICATION_TYPES.join(', ')}}},
    breaches: {total, withdrawn, bySeverity: {${SEVERITIES.join(', ')}}, firstOffenceExemptions,
               byDirection: {outbound, inbound, unregistered}, brokenCommitmentNotFound},
    repairs: {total, withdrawn, byOutcome: {${REPAIR_OUTCOMES.join(', ')}}, byMethod: {${REPAIR_METHODS.join(', ')}},
              bySeverity: {${SEVERITIES.join(', ')}}},
    subjects: {committing, breaching: {marketEntities, organisations, individualBusinesses,
               naturalPersons}} }
  A value outside the schema's list, should one be stored, is added after the listed keys.

Exit status: 0 ok · 2 bad usage · 4 exchange unreachable · 130 interrupted (nothing changed)
`;

interface StatsOptions extends TargetOptions {
  json?: boolean;
  segments?: number;
}

export function registerStatsCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('stats')
      .description("the reform's figures: commitments kept and breached, breaches by tier, exemptions, repairs, subjects (scans the table)")
      .option('--json', 'one JSON document (shape below) instead of tables')
      .option('--segments <n>', `scan in n parallel segments, 1–${MAX_SEGMENTS} (default 1): faster on a big table, same cost`, parseSegments),
  )
    .addHelpText('after', STATS_HELP + TARGET_HELP)
    .action(async (options: StatsOptions) => {
      await onExchange(context, options, (exchange) => statsCommand(exchange, options, context));
    });
}

export const parseSegments = integer('--segments', 1, MAX_SEGMENTS);

async function statsCommand(exchange: Exchange, options: StatsOptions, context: CommandContext): Promise<number> {
  const { io } = context;
  const progress = new Progress(io.stderr, 'stats: scanning the table', { unit: 'items read', interactive: exchange.interactive });
  let latest: LatestRecords;
  try {
    latest = await readLatestRecords(exchange.store, { segments: options.segments ?? 1, ...(io.signal && { signal: io.signal }), onPage: (n) => progress.advance(n) });
  } catch (err) {
    if (!io.signal?.aborted) throw err;
    io.stderr.write('credex stats: interrupted; nothing was changed (it only reads)\n');
    return ExitCode.interrupted;
  } finally {
    progress.finish();
  }
  const { target } = exchange;
  const report = statsReport(aggregateStats(latest.records, sources), latest.scan, { stage: target.stage, origin: target.origin, tableName: target.tableName }, new Date().toISOString());
  if (options.json) writeJson(io, report);
  else io.stdout.write(formatStats(report));
  return ExitCode.ok;
}

/** The report for people: one section per record type, aligned tables. */
export function formatStats(report: StatsReport): string {
  const { commitments: c, breaches: b, repairs: r, subjects: s, scan } = report;
  const sections = [
    [
      `Figures of ${report.target.origin} at ${report.generatedAt}`,
      `${count(scan.records)} records at their latest accepted revision (${count(scan.items)} items read in ${scan.segments} segment${scan.segments === 1 ? '' : 's'}` +
        `${scan.readUnits === null ? '' : `, ${scan.readUnits} read units`})`,
    ].join('\n'),
    section('Commitments (信用承诺)', [
      table([
        ['total', count(c.total)],
        ['kept', count(c.kept)],
        ['breached', count(c.breached)],
        ['keeping rate', c.keepingRate === null ? '–' : `${(c.keepingRate * 100).toFixed(2)} %`],
        ['withdrawn (not counted)', count(c.withdrawn)],
      ]),
      table([['department', 'commitments', 'breached'], ...c.byDepartment.map((d) => [d.department, count(d.total), count(d.breached)])]),
      table([['commitment type', 'commitments'], ...countRows(c.byType)]),
      table([['publication type', 'commitments'], ...countRows(c.byPublicationType)]),
    ]),
    section('Breaches (失信信息)', [
      table([
        ['total', count(b.total)],
        ['outbound (district → province, city)', count(b.byDirection.outbound)],
        ['inbound (province → district)', count(b.byDirection.inbound)],
        ...(b.byDirection.unregistered > 0 ? [['from a source no longer registered', count(b.byDirection.unregistered)]] : []),
        ['first-offence exemptions (首违免罚)', count(b.firstOffenceExemptions)],
        ['breaking a commitment not counted here', count(b.brokenCommitmentNotFound)],
        ['withdrawn (not counted)', count(b.withdrawn)],
      ]),
      table([['severity', 'breaches'], ...severityRows(b.bySeverity)]),
    ]),
    section('Credit repairs (信用修复)', [
      table([
        ['total', count(r.total)],
        ['withdrawn (not counted)', count(r.withdrawn)],
      ]),
      table([['outcome', 'repairs'], ...countRows(r.byOutcome)]),
      table([['method (approved)', 'repairs'], ...countRows(r.byMethod)]),
      table([['severity', 'repairs'], ...severityRows(r.bySeverity)]),
    ]),
    section('Subjects (主体)', [table([['distinct parties', 'committing', 'in breaches'], ...subjectRows(s.committing, s.breaching)])]),
  ];
  return `${sections.join('\n\n')}\n`;
}

function section(title: string, blocks: readonly string[]): string {
  return `${title}\n${blocks.map((block) => indent(block)).join('\n\n')}`;
}

const indent = (block: string): string =>
  block
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');

const count = (n: number): string => n.toLocaleString('en-US');

const countRows = (counts: Readonly<Record<string, number>>): string[][] => Object.entries(counts).map(([value, n]) => [value, count(n)]);

const severityRows = (counts: Readonly<Record<string, number>>): string[][] =>
  Object.entries(counts).map(([tier, n]) => [tier in SEVERITY_TIERS ? `${tier} (${SEVERITY_TIERS[tier as SeverityTier].english})` : tier, count(n)]);

function subjectRows(committing: SubjectCounts, breaching: SubjectCounts): string[][] {
  const row = (label: string, key: keyof SubjectCounts): string[] => [label, count(committing[key]), count(breaching[key])];
  return [row('market entities', 'marketEntities'), row('  organisations', 'organisations'), row('  individual businesses', 'individualBusinesses'), row('natural persons', 'naturalPersons')];
}
