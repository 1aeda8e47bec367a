/**
 * What every command that works on an exchange shares: the target options (--stage, --region,
 * --profile, --local, --target), opening the exchange's clients, and turning failures into the
 * documented exit codes with a message that says what to do.
 */
import { Option, type Command } from 'commander';
import { dynamoOperations, type DynamoOperations } from '../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../functions/shared/state/sync-state.js';
import { ExitCode, isInteractive, type CliIo } from './io.js';
import { callerIdentity, clientsFor, resolveTarget, TargetError, type ExchangeClients, type ExchangeTarget, type TargetOptions } from './target.js';
import { ExchangeError } from '../functions/shared/errors.js';

export interface CommandContext {
  io: CliIo;
  setExitCode(code: number): void;
}

export interface Exchange {
  target: ExchangeTarget;
  clients: ExchangeClients;
  /**
   * The exchange's sync state (its table), with the operations a command binds:
   * `exchange.state({ getMeta, readRecordItems })`, the operations from
   * functions/shared/state/dynamo/index.js. A command binds only what its code uses, so its bundle —
   * and the operator policy test/infra/operator-policy.test.ts derives from it — holds only those.
   */
  state<K extends keyof SyncState>(operations: Pick<DynamoOperations, K>): Pick<SyncState, K>;
  /** The caller's identity for audit entries (resolved once, on first use). */
  identity(): Promise<string>;
  /** Whether stderr is a terminal (progress redrawn in place). */
  interactive: boolean;
}

export const TARGET_HELP = `
Which exchange:
  --stage <name>    a deployed stage: the stack credex-<name> (its outputs name the table and queues)
  --local [dir]     the local runtime \`npm start\` runs (reads <dir>/target.json; dir: .credex-local)
  --target <file>   a target file (the JSON \`npm start\` writes)
  CREDEX_STAGE      the stage when none is given
AWS credentials come from the SDK's chain (--profile or AWS_PROFILE, SSO, environment variables).
`;

/** Adds the target options to a command. */
export function withTargetOptions(command: Command): Command {
  return command
    .option('--stage <name>', 'deployed stage (stack credex-<name>); "local" is the local runtime')
    .option('--region <region>', "AWS region (default: the stage's configured region)")
    .option('--profile <profile>', 'AWS shared-config profile')
    .addOption(new Option('--local [dir]', 'the local runtime (npm start), whose state is in dir').preset(true))
    .option('--target <file>', 'target file (JSON: table, queues, endpoints)');
}

/**
 * Runs `action` on the exchange the options name; sets the exit code it returns, or the one its
 * failure means (unavailable for an unreachable or unknown exchange, with the reason on stderr).
 */
export async function onExchange(context: CommandContext, options: TargetOptions, action: (exchange: Exchange) => Promise<number>): Promise<void> {
  let target: ExchangeTarget;
  try {
    target = await resolveTarget(options, context.io.env ?? process.env);
  } catch (err) {
    context.io.stderr.write(`credex: ${(err as Error).message}\n`);
    context.setExitCode(err instanceof TargetError && err.usage ? ExitCode.unreadable : ExitCode.unavailable);
    return;
  }
  const clients = clientsFor(target, options.profile);
  let identity: Promise<string> | undefined;
  const exchange: Exchange = {
    target,
    clients,
    state: (operations) => dynamoOperations({ ddb: clients.doc, tableName: target.tableName }, operations),
    identity: () => (identity ??= callerIdentity(target, options.profile)),
    interactive: isInteractive(context.io.stderr),
  };
  try {
    context.setExitCode(await action(exchange));
  } catch (err) {
    // anything else is a bug in credex: bin/credex.js reports it with its stack (exit 70)
    if (!(err instanceof UsageError || err instanceof TargetError || isServiceOrNetworkError(err))) throw err;
    context.io.stderr.write(`credex: ${describeFailure(err, target)}\n`);
    context.setExitCode(err instanceof UsageError || (err instanceof TargetError && err.usage) ? ExitCode.unreadable : ExitCode.unavailable);
  } finally {
    clients.destroy();
  }
}

/** A wrong invocation found only once the exchange is known (an unknown destination, a bad filter). */
export class UsageError extends ExchangeError {
  override name = 'UsageError';
}

/** An error an AWS service answered (the SDK attaches $metadata) or a network failure. */
function isServiceOrNetworkError(err: unknown): boolean {
  const e = err as { $metadata?: unknown; code?: string; cause?: { code?: string }; name?: string } | null;
  if (!e || typeof e !== 'object') return false;
  const code = e.code ?? e.cause?.code;
  return (
    e.$metadata !== undefined || e.name === 'CredentialsProviderError' || e.name === 'TimeoutError' || (typeof code === 'string' && /^E[A-Z]+$/.test(code))
  );
}

/** An AWS or network failure, as an operator can act on it. */
export function describeFailure(err: unknown, target: ExchangeTarget): string {
  if (err instanceof TargetError || err instanceof UsageError) return err.message;
  const e = err as { name?: string; message?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  if (code === 'ECONNREFUSED')
    return `${target.origin}: nothing answers at ${target.endpoints ? `${target.endpoints.dynamodb} / ${target.endpoints.sqs}` : 'the AWS endpoint'} (is the local runtime still running?)`;
  if (e.name === 'ResourceNotFoundException') return `${target.origin}: table ${target.tableName} not found (${e.message})`;
  if (e.name === 'AccessDeniedException' || e.name === 'AccessDenied')
    return `${target.origin}: access denied: ${e.message} (attach the stack's operator policy: docs/deploy.md, "Operators")`;
  if (e.name === 'CredentialsProviderError') return `no AWS credentials: ${e.message} (use --profile, or aws sso login)`;
  return `${target.origin}: ${e.name ?? 'Error'}: ${e.message ?? String(err)}`;
}
