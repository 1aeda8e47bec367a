/**
 * `credex subject <code>`: a subject's credit profile as the credit check reads it — may it use
 * 告知承诺 (notify and commit) and why, its breaches, false commitments, commitments, red and black
 * points with their history, and (a person) the points carried as a company's responsible person.
 * Read-only; one query. Identity numbers are never printed: a natural person's code is masked.
 */
import { Option, type Command } from 'commander';
import { ID_TYPES, subjectForCode, type CheckedSubject } from '../../functions/shared/credit/check.js';
import type { BreachStanding, CommitmentStanding, FalseCommitment, PointsEvent } from '../../functions/shared/credit/profile.js';
import type { RecordRef } from '../../functions/shared/state/keys.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext, type Exchange } from '../context.js';
import { ExitCode } from '../io.js';
import { readSubject, type SubjectReport } from '../operations/subject.js';
import { day } from '../options.js';
import { table, writeJson } from '../render.js';
import { publicationDay, type TargetOptions } from '../target.js';
import { getCreditContributions } from '../../functions/shared/state/dynamo/operations.js';

const SUBJECT_HELP = `
Examples:
  $ credex subject 91230109MA1BCDE849 --stage prod              a company or individual business (USCC)
  $ credex subject <身份证号码> --id-type 身份证 --local          a natural person (printed masked)
  $ credex subject 91230109MA1BCDE849 --as-of 2026-06-30 --stage prod
  $ credex subject 91230109MA1BCDE849 --json --stage prod | jq '.reasons[].rule'

The answer is the credit check's (GET /v1/subjects/{code}/credit; docs/credit-check.md): the same
profile, rules and points policy (topology/credit-policy.ts). Looking is not a credit check: it is
not written to the check log (credex checks).

Eligibility for 告知承诺: notEligible, eligibleWithConditions or eligible. Every reason names its
rule — seriousBreach (an unrepaired 严重 breach: notEligible), falseCommitment (a false commitment
whose breach is not repaired: notEligible), blackPoints (black points in the conditions or refusal
band), generalBreach (an unrepaired 一般 breach: with conditions), brokenCommitment (a commitment
found not kept: with conditions) — with its record, platform, since and until when.

Codes: a USCC as given; with --id-type, an identity document of a natural person (a 身份证 number
is checked by its check character). A natural person's code is printed masked (first 6 and last 4
of a 身份证 number; first 2 and last 2 of another document); the identity number never is.

JSON (--json), one object:
  { subject: {category (organisation | naturalPerson), code (masked for a natural person)},
    asOf, eligibility, contributions (records the profile was folded from; 0: nothing on record),
    reasons: [{rule, effect, message, record?, origin?, since?, until, repairableFrom?, basis}],
    points: {black, blackBand, red, redBand},
    counts: {openBreaches: {byTier: {轻微, 一般, 严重}, byOrigin: {district, province}}, repairedBreaches,
             falseCommitments (not cleared), commitments: {kept, partlyKept, notKept, false, unverified, overdue}},
    asResponsiblePerson: [{company: {uscc, name}, blackPoints, openBreaches}],
    profile: {asOf,
      breaches: [{record, origin, severity, decisionNumber, decisionDate, authority, blackPoints,
                  status (open | repaired), repairedOn?, repair?, repairableFrom, publicationMaxEnd,
                  brokenCommitmentCode?}] (newest first),
      openBreaches, repairedBreaches,
      falseCommitments: [{commitmentCode, verification, verifiedOn, determiningUnit, origin,
                          followUpBreach?, clearedOn?}],
      commitments: [{record, commitmentCode, commitmentDate, commitmentType, acceptingUnit, deadline?,
                     itemCode?, status (kept | partlyKept | notKept | false | unverified), overdue,
                     verifiedOn?, verification?, rectificationDeadline?}] (newest first),
      commitmentCounts,
      points: {black, red, blackBand, redBand,
               history: [{date, colour (black | red), points (negative: taken back), why (breach |
                          falseCommitment | brokenCommitment | keptCommitment | repaired | expired),
                          record, company?}] (oldest first)},
      asResponsiblePerson} }
  A record is {recordType, source, recordId}; origin is district or province.

Exit status: 0 answered (also for a subject with nothing on record) · 2 bad usage or an invalid
code · 4 exchange unreachable
`;

interface SubjectOptions extends TargetOptions {
  idType?: string;
  asOf?: string;
  json?: boolean;
}

export function registerSubjectCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('subject')
      .description("a subject's credit profile: may it use 告知承诺 and why, breaches, commitments, red and black points")
      .argument('<code>', "a USCC, or with --id-type a natural person's identity document number")
      .addOption(new Option('--id-type <type>', "the code is a natural person's identity document of this type").choices(ID_TYPES))
      .addOption(
        new Option('--as-of <day>', "the profile as of this day, YYYY-MM-DD (default: today, Beijing date; the local runtime's own calendar day)").argParser(
          day('--as-of'),
        ),
      )
      .option('--json', 'one JSON object (shape below)'),
  )
    .addHelpText('after', SUBJECT_HELP + TARGET_HELP)
    .action(async (code: string, options: SubjectOptions, command: Command) => {
      const lookup = subjectForCode(code, options.idType);
      // the message names positions, never the code: it may be an identity number
      if (!lookup.ok) command.error(`error: <code>: ${lookup.message.replace('pass idType=', 'give --id-type ')}`);
      else await onExchange(context, options, (exchange) => showSubject(context, exchange, lookup.subject, options));
    });
}

async function showSubject(context: CommandContext, exchange: Exchange, subject: CheckedSubject, options: SubjectOptions): Promise<number> {
  const asOf = options.asOf ?? publicationDay(exchange.target, new Date());
  const report = await readSubject(exchange.state({ getCreditContributions }), subject, asOf);
  if (options.json) writeJson(context.io, report);
  else context.io.stdout.write(formatSubject(report));
  return ExitCode.ok;
}

// ---------------------------------------------------------------- for people

const ELIGIBILITY: Readonly<Record<SubjectReport['eligibility'], string>> = {
  eligible: 'eligible for 告知承诺',
  eligibleWithConditions: 'eligible for 告知承诺 with conditions (the approver decides)',
  notEligible: 'NOT eligible for 告知承诺',
};

const CATEGORY: Readonly<Record<SubjectReport['subject']['category'], string>> = {
  organisation: 'organisation or individual business',
  naturalPerson: 'natural person',
};

/** The profile as compact sections; empty ones are left out. */
export function formatSubject(report: SubjectReport): string {
  const { profile: p, points } = report;
  const c = p.commitmentCounts;
  const header = [
    `${report.subject.code} (${CATEGORY[report.subject.category]}) as of ${report.asOf}: ${ELIGIBILITY[report.eligibility]}`,
    `  black points ${points.black} (${points.blackBand}), red points ${points.red} (${points.redBand})`,
    report.contributions === 0
      ? '  nothing on record for this subject'
      : `  breaches: ${p.breaches.length - p.repairedBreaches} open, ${p.repairedBreaches} repaired · ` +
        `commitments: ${p.commitments.length} (kept ${c.kept}, partly kept ${c.partlyKept}, not kept ${c.notKept}, false ${c.false}, ` +
        `unverified ${c.unverified}, overdue ${c.overdue})`,
  ].join('\n');
  const sections = [header];
  if (report.reasons.length > 0)
    sections.push(
      `Reasons\n${report.reasons
        .map((r) => {
          const facts = [
            r.record && `record ${refText(r.record)}`,
            r.since && `since ${r.since}`,
            `until ${r.until}`,
            r.repairableFrom && `repairable from ${r.repairableFrom}`,
            `basis ${r.basis}`,
          ].filter(Boolean);
          return `  - ${r.rule} (${r.effect}): ${r.message}\n    ${facts.join(' · ')}`;
        })
        .join('\n')}`,
    );
  if (p.breaches.length > 0) sections.push(section('Breaches', breachRows(p.breaches), [4]));
  if (p.falseCommitments.length > 0) sections.push(section('False commitments (虚假承诺)', falseCommitmentRows(p.falseCommitments)));
  if (p.commitments.length > 0) sections.push(section('Commitments', commitmentRows(p.commitments)));
  if (p.points.history.length > 0) sections.push(section('Points history', historyRows(p.points.history), [2]));
  if (p.asResponsiblePerson.length > 0)
    sections.push(
      section(
        'As the responsible person (legal representative) of',
        [
          ['company', 'USCC', 'black points', 'open breaches'],
          ...p.asResponsiblePerson.map((r) => [r.company.name, r.company.uscc, String(r.blackPoints), String(r.openBreaches)]),
        ],
        [2, 3],
      ),
    );
  return `${sections.join('\n\n')}\n`;
}

function breachRows(breaches: readonly BreachStanding[]): string[][] {
  return [
    ['decision', 'date', 'authority', 'tier', 'points', 'status', 'repairable from', 'origin', 'record'],
    ...breaches.map((b) => [
      b.decisionNumber,
      b.decisionDate,
      b.authority,
      b.severity,
      String(b.blackPoints),
      b.status === 'repaired' ? `repaired ${b.repairedOn ?? ''}`.trimEnd() : 'open',
      b.repairableFrom,
      b.origin,
      refText(b.record),
    ]),
  ];
}

function falseCommitmentRows(list: readonly FalseCommitment[]): string[][] {
  return [
    ['commitment', 'verified on', 'by', 'follow-up breach', 'cleared', 'origin'],
    ...list.map((f) => [
      f.commitmentCode,
      f.verifiedOn,
      f.determiningUnit,
      f.followUpBreach ? refText(f.followUpBreach) : 'none yet',
      f.clearedOn ?? 'no',
      f.origin,
    ]),
  ];
}

const STATUS: Readonly<Record<CommitmentStanding['status'], string>> = {
  kept: '全部履行',
  partlyKept: '部分履行',
  notKept: '全部未履行',
  false: '虚假承诺',
  unverified: 'unverified',
};

function commitmentRows(list: readonly CommitmentStanding[]): string[][] {
  return [
    ['commitment', 'date', 'type', 'accepting unit', 'item', 'deadline', 'status', 'verified on'],
    ...list.map((c) => [
      c.commitmentCode,
      c.commitmentDate,
      c.commitmentType,
      c.acceptingUnit,
      c.itemCode ?? '',
      c.deadline ?? '',
      c.overdue ? `${STATUS[c.status]}, OVERDUE` : STATUS[c.status],
      c.verifiedOn ?? '',
    ]),
  ];
}

function historyRows(history: readonly PointsEvent[]): string[][] {
  return [
    ['date', 'colour', 'points', 'why', 'record', 'company'],
    ...history.map((e) => [
      e.date,
      e.colour,
      e.points > 0 ? `+${e.points}` : String(e.points),
      e.why,
      refText(e.record),
      e.company ? `${e.company.name} (${e.company.uscc})` : '',
    ]),
  ];
}

const refText = (ref: RecordRef): string => `${ref.recordType}/${ref.source}/${ref.recordId}`;

/** A titled table, indented; columns left-aligned but those given (numbers). */
function section(title: string, rows: ReadonlyArray<readonly string[]>, right: readonly number[] = []): string {
  const align = rows[0]!.map((_, i): 'left' | 'right' => (right.includes(i) ? 'right' : 'left'));
  return `${title}\n${table(rows, { align })
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')}`;
}
