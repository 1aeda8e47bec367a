/**
 * `credex stats`: the reform's own figures — licensing commitments kept, broken and unverified,
 * breaches by tier, direction and publication, non-penalty decisions, credit repairs, subjects,
 * verifications and overdue commitments, the red and black lists — from the latest accepted
 * revision of every record in the sync-state table. Read-only; one Scan.
 */
import type { Command } from 'commander';
import { sources } from '../../topology/topology.js';
import { SEVERITY_TIERS, type SeverityTier } from '../../functions/shared/records/publication.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { integer } from '../options.js';
import { ExitCode } from '../io.js';
import {
  aggregateStats,
  COMMITMENT_TYPES,
  NON_PENALTY_GROUNDS,
  PUBLICATION_TYPES,
  readLatestRecords,
  REPAIR_METHODS,
  REPAIR_OUTCOMES,
  SEVERITIES,
  statsReport,
  type LatestRecords,
  type StatsFigures,
  type CreditList,
  type StatsReport,
  type SubjectCounts,
  TOP_LISTED,
  VERIFICATION_RESULTS,
} from '../operations/stats.js';
import { Progress } from '../progress.js';
import { table, writeJson } from '../render.js';
import { publicationDay, type TargetOptions } from '../target.js';
import { scanRevisions } from '../../functions/shared/state/dynamo/operations.js';

/** DynamoDB's limit is 1,000,000; beyond a few hundred, segments only add requests. */
const MAX_SEGMENTS = 1000;

const STATS_HELP = `
Examples:
  $ credex stats --stage prod                     the figures, for people
  $ credex stats --stage prod --json              the same, one JSON document for scripts
  $ credex stats --stage prod --segments 8        a big table: 8 segments scanned in parallel
  $ credex stats --local --json | jq .commitments.keepingRate

What is counted: the latest accepted revision of every record. Withdrawn (retracted) records are
counted apart ("withdrawn"), never in the figures.
  Commitments: the reform's are the licensing commitments (made for a licensing item); credit-repair
  commitments (信用修复型) and others are counted apart. Of the licensing ones, kept = fulfilment
  determined 全部履行, broken = 部分履行 or 全部未履行, unverified = no determination yet; keeping
  rate = kept / (kept + broken) — verified ones only. penalised: a breach names it as broken;
  exempted: a non-penalty decision names it (never counted as broken for that). A licensing
  commitment counts for its licensing item's department.
  Breaches: administrative penalties (失信信息). Publication on the day counted (Beijing date):
  published, not published (轻微 without the department's request), publication over.
  Non-penalty decisions (不予处罚, 首违不罚 …): kept, never shared nor published; notFirstViolation
  counts 首违不罚 decisions of subjects with an earlier violation.
  Subjects are distinct parties: organisations and individual businesses by USCC, natural persons
  by their identity document (counted only: identity numbers are never printed).
  Verification and the red and black lists come from every subject's credit profile on the day,
  folded as the credit check folds it (the same contributions, rules and points policy, so the
  points here are those \`credex subject\` and the credit check answer). Verification counts the
  licensing commitments with their result — the latest verification record's, else the fulfilment
  determined on the commitment itself (commitments.kept/broken count only the latter) — and the
  overdue ones: unverified with a deadline before the day. A subject is on the black (red) list when
  its points reach a band above none (topology/credit-policy.ts); the top ${TOP_LISTED} of each list name
  organisations and individual businesses by code and name, a natural person by the masked code
  only. Per department: the subjects on each list through it — the authority of a breach whose
  points count, the accepting unit of a commitment whose verification's points count.

Cost: stats scans the whole sync-state table once. A Scan is charged for every item it reads
(history, delivery states and quarantine too: the REV filter applies after the read), ≈ 0.5 read
units per 4 KB scanned (eventually consistent), so ≈ 131,000 read units for a 1 GB table. On a
provisioned table that competes with the pipeline's own reads: run it off-peak. --segments makes
it faster, not cheaper. The result is as current as the scan: records accepted meanwhile may or
may not be counted.

JSON (--json), keys always present, counts as numbers:
  { generatedAt, target: {stage, origin, tableName},
    scan: {segments, items, revisions, records, readUnits (null when not reported)},
    day (YYYY-MM-DD: publication counted on it),
    commitments: {total, licensing, creditRepair, other, kept, broken, unverified,
                  keepingRate (0–1, 4 decimals; null with nothing verified), penalised, exempted,
                  withdrawn, byDepartment: [{department, total, kept, broken, unverified}] (most first),
                  licensingItems, published,
                  byType: {${COMMITMENT_TYPES.join(', ')}},
                  byPublicationType: {${PUBLICATION_TYPES.join(', ')}}},
    breaches: {total, withdrawn, bySeverity: {${SEVERITIES.join(', ')}},
               byDirection: {outbound, inbound, unregistered}, brokenCommitmentNotFound,
               publication: {published, notPublished, ended} (outbound breaches)},
    nonPenalties: {total, withdrawn, byGround: {${NON_PENALTY_GROUNDS.join(', ')}}, notFirstViolation},
    repairs: {total, withdrawn, byOutcome: {${REPAIR_OUTCOMES.join(', ')}}, byMethod: {${REPAIR_METHODS.join(', ')}},
              bySeverity: {${SEVERITIES.join(', ')}}},
    subjects: {committing (licensing commitments), breaching: {marketEntities, organisations,
               individualBusinesses, naturalPersons}},
    verification: {licensing, verified, unverified, verifiedShare (0–1, 4 decimals; null with none),
                   byResult: {${VERIFICATION_RESULTS.join(', ')}}, overdue},
    creditLists: {black, red: {subjects, byCategory: {organisations, individualBusinesses, naturalPersons},
                               top: [{category, code (masked for naturalPersons), name (null for
                                      naturalPersons), points, band}] (at most ${TOP_LISTED}, most points first)},
                  byDepartment: [{department, black, red}] (most black first)} }
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
      .description(
        "the reform's figures: commitments kept, broken and unverified, breaches by tier and publication, non-penalty decisions, repairs, subjects, verifications, red and black lists (scans the table)",
      )
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
    latest = await readLatestRecords(exchange.state({ scanRevisions }), {
      segments: options.segments ?? 1,
      ...(io.signal && { signal: io.signal }),
      onPage: (n) => progress.advance(n),
    });
  } catch (err) {
    if (!io.signal?.aborted) throw err;
    io.stderr.write('credex stats: interrupted; nothing was changed (it only reads)\n');
    return ExitCode.interrupted;
  } finally {
    progress.finish();
  }
  const { target } = exchange;
  const now = new Date();
  const report = statsReport(
    aggregateStats(latest.records, sources, publicationDay(target, now)),
    latest.scan,
    { stage: target.stage, origin: target.origin, tableName: target.tableName },
    now.toISOString(),
  );
  if (options.json) writeJson(io, report);
  else io.stdout.write(formatStats(report));
  return ExitCode.ok;
}

/** The report for people: one section per record type, aligned tables. */
export function formatStats(report: StatsReport): string {
  const { scan } = report;
  const header = [
    `Figures of ${report.target.origin} at ${report.generatedAt} (publication as of ${report.day})`,
    `${count(scan.records)} records at their latest accepted revision (${count(scan.items)} items read in ${scan.segments} segment${scan.segments === 1 ? '' : 's'}` +
      `${scan.readUnits === null ? '' : `, ${scan.readUnits} read units`})`,
  ].join('\n');
  return `${[header, ...statsSections(report)].join('\n\n')}\n`;
}

/** The figures as sections of aligned tables: `credex stats` prints them all, `npm start` too. */
export function statsSections(figures: StatsFigures): string[] {
  const { commitments: c, breaches: b, nonPenalties: n, repairs: r, subjects: s, verification: v, creditLists: l } = figures;
  return [
    section('Commitments (信用承诺)', [
      table([
        ["licensing commitments (the reform's)", count(c.licensing)],
        ['  kept (全部履行)', count(c.kept)],
        ['  broken (部分履行, 全部未履行)', count(c.broken)],
        ['  not verified yet', count(c.unverified)],
        ['  keeping rate (kept / verified)', c.keepingRate === null ? '–' : `${(c.keepingRate * 100).toFixed(2)} %`],
        ['  penalised (a breach names it)', count(c.penalised)],
        ['  exempted (a non-penalty decision names it)', count(c.exempted)],
        ['  licensing items', count(c.licensingItems)],
        ['credit-repair commitments (信用修复型)', count(c.creditRepair)],
        ['other commitments', count(c.other)],
        ['published in the commitment column', count(c.published)],
        ['withdrawn (not counted)', count(c.withdrawn)],
      ]),
      table([
        ['department', 'licensing', 'kept', 'broken', 'unverified'],
        ...c.byDepartment.map((d) => [d.department, count(d.total), count(d.kept), count(d.broken), count(d.unverified)]),
      ]),
      table([['commitment type', 'commitments'], ...countRows(c.byType)]),
      table([['publication type', 'commitments'], ...countRows(c.byPublicationType)]),
    ]),
    section('Breaches (失信信息: administrative penalties)', [
      table([
        ['total', count(b.total)],
        ['outbound (district → province, city)', count(b.byDirection.outbound)],
        ['  published', count(b.publication.published)],
        ['  shared, not published (轻微)', count(b.publication.notPublished)],
        ['  publication over', count(b.publication.ended)],
        ['inbound (province → district)', count(b.byDirection.inbound)],
        ...(b.byDirection.unregistered > 0 ? [['from a source no longer registered', count(b.byDirection.unregistered)]] : []),
        ['breaking a commitment not counted here', count(b.brokenCommitmentNotFound)],
        ['withdrawn (not counted)', count(b.withdrawn)],
      ]),
      table([['severity', 'breaches'], ...severityRows(b.bySeverity)]),
    ]),
    section('Non-penalty decisions (不予行政处罚: kept, never shared)', [
      table([
        ['total', count(n.total)],
        ...countRows(n.byGround).map((row) => [`  ${row[0]!}`, row[1]!]),
        ['首违不罚 of subjects with an earlier violation', count(n.notFirstViolation)],
        ['withdrawn (not counted)', count(n.withdrawn)],
      ]),
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
    section('Verification (承诺核查: licensing commitments, as the credit profiles hold them)', [
      table([
        ['licensing commitments', count(v.licensing)],
        ['  verified', count(v.verified)],
        ...VERIFICATION_RESULTS.map((r) => [`    ${r}`, count(v.byResult[r])]),
        ['  not verified yet', count(v.unverified)],
        ['    overdue (deadline passed)', count(v.overdue)],
        ['  verified share', v.verifiedShare === null ? '–' : `${(v.verifiedShare * 100).toFixed(2)} %`],
      ]),
    ]),
    section('Red and black lists (红黑榜)', [
      table([
        ['subjects on the list', 'black', 'red'],
        ['all', count(l.black.subjects), count(l.red.subjects)],
        ['  organisations', count(l.black.byCategory.organisations), count(l.red.byCategory.organisations)],
        ['  individual businesses', count(l.black.byCategory.individualBusinesses), count(l.red.byCategory.individualBusinesses)],
        ['  natural persons', count(l.black.byCategory.naturalPersons), count(l.red.byCategory.naturalPersons)],
      ]),
      ...topTable('most black points', l.black),
      ...topTable('most red points', l.red),
      ...(l.byDepartment.length > 0
        ? [table([['department', 'black list', 'red list'], ...l.byDepartment.map((d) => [d.department, count(d.black), count(d.red)])])]
        : []),
    ]),
  ];
}

/** A list's top subjects as a table (none when the list is empty). */
function topTable(title: string, list: CreditList): string[] {
  if (list.top.length === 0) return [];
  return [
    table([[title, 'code', 'points', 'band'], ...list.top.map((s) => [s.name ?? '(a natural person)', s.code, count(s.points), s.band])], {
      align: ['left', 'left', 'right', 'left'],
    }),
  ];
}

/**
 * The headline figures in a few lines (`npm start`'s summary): the same figures object as
 * `credex stats`, so the two always agree.
 */
export function summaryLines(f: StatsFigures): string[] {
  const c = f.commitments;
  const b = f.breaches;
  const v = f.verification;
  const l = f.creditLists;
  const tiers = SEVERITIES.map((t) => `${t} ${b.bySeverity[t] ?? 0}`).join(', ');
  const grounds = Object.entries(f.nonPenalties.byGround)
    .filter(([, n]) => n > 0)
    .map(([g, n]) => `${g} ${n}`)
    .join(', ');
  return [
    `the reform: ${count(c.licensing)} licensing commitments on ${count(c.licensingItems)} licensing items of ${count(c.byDepartment.length)} departments, ` +
      `by ${count(f.subjects.committing.marketEntities)} market entities and ${count(f.subjects.committing.naturalPersons)} natural persons`,
    `  verified ${count(c.kept + c.broken)}: kept ${count(c.kept)}, broken ${count(c.broken)} (penalised ${count(c.penalised)}), ` +
      `keeping rate ${c.keepingRate === null ? '–' : `${(c.keepingRate * 100).toFixed(1)} %`}; not verified yet ${count(c.unverified)}; ` +
      `credit-repair commitments apart: ${count(c.creditRepair)}`,
    `breaches: ${count(b.total)} (${tiers}); outbound: published ${count(b.publication.published)}, shared not published ${count(b.publication.notPublished)}, ` +
      `publication over ${count(b.publication.ended)}; inbound from the province ${count(b.byDirection.inbound)}`,
    `non-penalty decisions (kept, never shared): ${count(f.nonPenalties.total)}${grounds ? ` (${grounds})` : ''}; ` +
      `credit repairs: ${count(f.repairs.total)} (${REPAIR_OUTCOMES.map((o) => `${o} ${f.repairs.byOutcome[o] ?? 0}`).join(', ')})`,
    `verification: ${count(v.verified)} of ${count(v.licensing)} licensing commitments verified` +
      `${v.verifiedShare === null ? '' : ` (${(v.verifiedShare * 100).toFixed(1)} %)`}: ` +
      `${VERIFICATION_RESULTS.map((r) => `${r} ${count(v.byResult[r])}`).join(', ')}; overdue ${count(v.overdue)}`,
    `red and black lists: ${count(l.black.subjects)} subjects on the black list, ${count(l.red.subjects)} on the red list` +
      `${leader('most black points', l.black)}${leader('most red points', l.red)}`,
  ];
}

/** The first of a list, for the summary: a natural person is not named there. */
function leader(title: string, list: CreditList): string {
  const first = list.top[0];
  if (!first) return '';
  return `; ${title}: ${first.name === null ? `a natural person (${first.code})` : `${first.name} (${first.code})`} ${count(first.points)} (${first.band})`;
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
  return [
    row('market entities', 'marketEntities'),
    row('  organisations', 'organisations'),
    row('  individual businesses', 'individualBusinesses'),
    row('natural persons', 'naturalPersons'),
  ];
}
