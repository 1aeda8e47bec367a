/**
 * BENCHMARK ARTEFACT, NOT PRODUCT CODE: the table the baselines (intake.ts, deliver.ts) write to,
 * in memory. The baselines are the common way — a DynamoDB document client's PutItem, nothing
 * else — so this stands for a document client that answers PutItem only: unconditional, or with
 * the one guard the baseline intake makes (`attribute_not_exists(pk) OR revision < :rev`), whose
 * failure throws the SDK's ConditionalCheckFailedException. Anything else throws instead of
 * guessing. It counts its calls (StateStats, as the benchmarks count ours' SyncState operations)
 * and the time inside them. Stored items are never changed in place, so a snapshot is cheap.
 */
import { performance } from 'node:perf_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { emptyStateStats, type StateStats } from '../fakes.js';

export type Item = Readonly<Record<string, unknown>>;

/** The baseline intake's revision guard. */
export const BASELINE_GUARD = 'attribute_not_exists(pk) OR revision < :rev';

export class BaselineTable {
  items = new Map<string, Item>();
  stats: StateStats = emptyStateStats();
  /** Puts whose guard failed (the baseline's duplicates and older revisions). */
  failedConditions = 0;

  constructor(readonly tableName: string) {}

  /** The document client's `send`: resolves or rejects like the SDK, never synchronously throws. */
  async send(command: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      if (!(command instanceof PutCommand))
        throw new Error(`the baseline table answers PutItem only, not ${(command as object | null)?.constructor?.name ?? String(command)}`);
      this.stats.calls['PutItem'] = (this.stats.calls['PutItem'] ?? 0) + 1;
      const { TableName, Item: item, ConditionExpression, ExpressionAttributeValues } = command.input;
      if (TableName !== this.tableName)
        throw Object.assign(new Error(`Requested resource not found: table ${String(TableName)}`), { name: 'ResourceNotFoundException' });
      const key = `${String(item?.['pk'])}\u0000${String(item?.['sk'])}`;
      if (ConditionExpression !== undefined) {
        if (ConditionExpression !== BASELINE_GUARD) throw new Error(`the baseline table does not evaluate ${ConditionExpression}`);
        const before = this.items.get(key);
        const revision = ExpressionAttributeValues?.[':rev'];
        if (before && !(typeof before['revision'] === 'number' && typeof revision === 'number' && before['revision'] < revision)) {
          this.failedConditions++;
          throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
        }
      }
      this.items.set(key, structuredClone(item ?? {}));
      return {};
    } finally {
      this.stats.fakeMs += performance.now() - started;
    }
  }

  clear(): void {
    this.items = new Map();
  }

  snapshot(): ReadonlyMap<string, Item> {
    return new Map(this.items);
  }

  restore(snapshot: ReadonlyMap<string, Item>): void {
    this.items = new Map(snapshot);
  }
}
