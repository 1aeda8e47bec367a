/**
 * `credex redeliver <recordType> <recordId>`: sends one record's latest revision again, to every
 * destination it was routed to or to one (`--destination`).
 */
import type { Command } from 'commander';
import { DESTINATION_IDS, type DestinationId } from '../../topology/topology.js';
import { onExchange, TARGET_HELP, withTargetOptions, type CommandContext } from '../context.js';
import { ExitCode } from '../io.js';
import { checkRecordType, describeNotFound, findRecord } from '../operations/records.js';
import { destination } from '../options.js';
import type { TargetOptions } from '../target.js';
import { runRedelivery } from './resync.js';
import { getMeta } from '../../functions/shared/state/dynamo/operations.js';

interface RedeliverCommandOptions extends TargetOptions {
  source?: string;
  destination?: DestinationId;
  dryRun: boolean;
  json: boolean;
}

const REDELIVER_HELP = `
The record's latest accepted revision is enqueued for each destination, and sent even if the
destination answered it before; a record the routing rules no longer send somewhere is withdrawn
there instead. Nothing older than what a destination was sent is ever sent.

Examples:
  $ credex redeliver breach HXSJ-CF-2026-000036 --stage prod
  $ credex redeliver commitment HXSP-CN-2026-000158 --destination publicColumn --stage prod
  $ credex redeliver repair HXXF-2026-0007 --source hrb-credit-repair --dry-run --local

Exit status: 0 enqueued · 3 no such record · 2 bad usage (or the id exists in several sources:
add --source) · 5 some destinations could not be enqueued · 4 exchange unreachable
`;

export function registerRedeliverCommand(program: Command, context: CommandContext): void {
  withTargetOptions(
    program
      .command('redeliver')
      .description("send one record's latest revision again")
      .argument('<recordType>', 'commitment, breach or repair')
      .argument('<recordId>', "the record's id in its source system")
      .option('--source <source>', 'the source system (needed only when the id exists in several)')
      .option('--destination <d>', 'only this destination (default: every destination the record was routed to)', destination)
      .option('--dry-run', 'show what would be enqueued; change nothing', false)
      .option('--json', 'the result as JSON', false),
  )
    .addHelpText('after', REDELIVER_HELP + TARGET_HELP)
    .action((recordType: string, recordId: string, options: RedeliverCommandOptions) =>
      onExchange(context, options, async (exchange) => {
        const found = await findRecord(exchange.state({ getMeta }), checkRecordType(recordType), recordId, options.source);
        if (found.kind !== 'found') {
          context.io.stderr.write(`credex: ${describeNotFound(found, recordType, recordId)}\n`);
          return found.kind === 'ambiguous' ? ExitCode.unreadable : ExitCode.notFound;
        }
        const destinations = options.destination ? [options.destination] : DESTINATION_IDS.filter((d) => found.meta.routedTo.includes(d));
        const request = { record: `${recordType}/${found.ref.source}/${recordId}`, destinations };
        return runRedelivery(exchange, context, {
          action: 'redeliver',
          request,
          candidates: destinations.map((d) => ({ ref: found.ref, destination: d })),
          options: { ...options },
        });
      }),
    );
}
