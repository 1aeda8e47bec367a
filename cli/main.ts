/**
 * The operator CLI, `credex`. `run` takes its arguments and streams as parameters and returns the
 * exit code instead of exiting, so tests run it in-process; bin/credex.js wires it to the process.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerValidateCommand, VALIDATE_EXAMPLES } from './commands/validate.js';
import { ExitCode, type CliIo } from './io.js';

export type { CliIo } from './io.js';

export function buildProgram(io: CliIo, setExitCode: (code: number) => void): Command {
  const program = new Command()
    .name('credex')
    .description('Operator tools for the credit-record exchange (commitments, breaches, credit repairs)')
    .version(packageVersion())
    // commander exits the process by default; run() must return the code instead
    .exitOverride()
    .configureOutput({ writeOut: (s) => io.stdout.write(s), writeErr: (s) => io.stderr.write(s) })
    .showHelpAfterError('(add --help for usage and examples)')
    .addHelpText('after', `${VALIDATE_EXAMPLES}\nRun "credex validate --help" for input formats, output and exit codes.\n`);
  registerValidateCommand(program, io, setExitCode);
  return program;
}

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
