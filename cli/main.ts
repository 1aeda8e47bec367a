/**
 * The operator CLI, `credex`. `run` takes its arguments and streams as parameters and returns the
 * exit code instead of exiting, so tests run it in-process; bin/credex.js wires it to the process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAuditCommand } from './commands/audit.js';
import { registerChecksCommand } from './commands/checks.js';
import { registerEvidenceCommand } from './commands/evidence.js';
import { registerInspectCommand } from './commands/inspect.js';
import { registerOverdueCommand } from './commands/overdue.js';
import { registerQuarantineCommand } from './commands/quarantine.js';
import { registerRedeliverCommand } from './commands/redeliver.js';
import { registerReplayCommand } from './commands/replay.js';
import { registerResyncCommand } from './commands/resync.js';
import { registerStatsCommand } from './commands/stats.js';
import { registerStatusCommand } from './commands/status.js';
import { registerSubjectCommand } from './commands/subject.js';
import { registerValidateCommand } from './commands/validate.js';
import type { CommandContext } from './context.js';
import { ExitCode, type CliIo } from './io.js';

export type { CliIo } from './io.js';

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command()
    .name('credex')
    .description('Operator tools for the credit-record exchange (commitments, verifications, breaches, credit repairs, credit checks)')
    .version(packageVersion())
    // commander exits the process by default; run() must return the code instead
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText('after', MAIN_HELP);
  const context: CommandContext = { io, setExitCode };
  registerStatusCommand(program, context);
  registerInspectCommand(program, context);
  registerQuarantineCommand(program, context);
  registerReplayCommand(program, context);
  registerResyncCommand(program, context);
  registerRedeliverCommand(program, context);
  registerStatsCommand(program, context);
  registerSubjectCommand(program, context);
  registerOverdueCommand(program, context);
  registerChecksCommand(program, context);
  registerAuditCommand(program, context);
  registerEvidenceCommand(program, context);
  registerValidateCommand(program, io, setExitCode);
  return program;
}

const MAIN_HELP = `
Examples:
  $ credex status --stage prod                              how every lane is doing
  $ credex inspect breach HXSJ-CF-2026-000036 --stage prod  one record: revisions, destinations, history
  $ credex replay --lane municipal --dry-run --stage prod   what a replay of the DLQ would move
  $ credex stats --stage prod                               commitments kept and breached, breaches by tier
  $ credex subject 91230109MA1BCDE849 --stage prod          a subject's credit profile: 告知承诺 or not, and why
  $ credex overdue --stage prod                             commitments past their deadline, by department
  $ credex checks --stage prod                              the credit-check log, newest first
  $ credex evidence verify --local                          check the signed evidence log
  $ credex validate records.ndjson                          check records before sending them

Every command works on a deployed stage (--stage <name>) or on the local runtime (--local).
Run "credex <command> --help" for its options and examples; docs/runbook.md for incidents.

Exit status: 0 ok · 1 invalid or unhealthy · 2 bad usage or unreadable input · 3 not found ·
4 exchange unreachable · 5 some items failed · 130 interrupted (Ctrl-C) · 70 internal error
`;

export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode: number = ExitCode.ok;
  const program = buildProgram(io, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (err) {
    // help and --version end in a CommanderError with exit code 0; everything else is a usage error
    if (err instanceof CommanderError) return err.exitCode === 0 ? ExitCode.ok : ExitCode.unreadable;
    throw err;
  }
  return exitCode;
}

/** This module runs from cli/ under jest and from dist/cli/ when built: the nearest package.json up is ours. */
function packageVersion(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    const parent = dirname(dir);
    if (parent === dir) return '0.0.0';
    dir = parent;
  }
}
