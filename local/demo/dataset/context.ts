/**
 * The state every record generator shares while one dataset is built: the seeded random stream, the
 * identities already handed out, the registers' serial numbers and the submissions queued so far;
 * with the helpers that draw from them (record envelopes, office-hour times, serial numbers) and
 * small number formatting. One context per dataset: the order of draws fixes the output.
 */
import { beijingTime } from '../calendar.js';
import { Rng } from '../random.js';
import { channelFor } from './channels.js';
import type { Entity, Json, Pending, ScenarioRecords } from './model.js';

export const round = (x: number): number => Math.round(x);
export const pad = (n: number, width = 6): string => String(n).padStart(width, '0');
export const yuan = (tenThousands: number): number => Math.round(tenThousands * 10_000);

export class DatasetContext {
  readonly rng: Rng;
  readonly takenUscc = new Set<string>();
  readonly takenIds = new Set<string>();
  readonly takenNames = new Set<string>();
  /** Serial numbers: monotonic, with gaps, like a real register. */
  private readonly counters = new Map<string, number>();
  /** Submissions in creation order, before ordering (ordering.ts). */
  readonly pending: Pending[] = [];
  /** Subjects of the credit-check scenarios: random breaches and inspections leave them alone. */
  readonly reserved = new Set<Entity>();
  readonly scenarios: ScenarioRecords = { responsiblePerson: [], refused: [] };

  constructor(
    readonly seed: number,
    readonly scale: number,
    readonly today: string,
  ) {
    this.rng = new Rng(seed);
  }

  /** Queues a record for submission through the channel its source and type allow. */
  add(record: Json, latest: boolean, overrides: Partial<Pick<Pending, 'expect' | 'reason' | 'wave'>> = {}): void {
    const { channel, upstreamId } = channelFor(String(record['recordType']), String(record['source']));
    this.pending.push({
      body: JSON.stringify(record),
      record,
      channel,
      ...(upstreamId && { upstreamId }),
      expect: 'accepted',
      ...overrides,
      at: record['occurredAt'] as string,
      order: this.pending.length,
      key: `${String(record['recordType'])}/${String(record['source'])}/${String(record['recordId'])}`,
      latest,
    });
  }

  envelope(
    recordType: string,
    source: string,
    recordId: string,
    revision: number,
    occurredAt: string,
    data: Json,
    operation: 'upsert' | 'withdraw' = 'upsert',
  ): Json {
    return { schemaVersion: '2.0', recordType, recordId, revision, operation, source, occurredAt, data };
  }

  /** Morning office hours (first revisions), afternoon (later ones): a same-day update still follows its record. */
  morning(date: string): string {
    return beijingTime(date, this.rng.int(8 * 60 + 30, 11 * 60 + 30), this.rng.int(0, 59));
  }

  afternoon(date: string, offsetMinutes = 0): string {
    return beijingTime(date, this.rng.int(13 * 60, 15 * 60) + offsetMinutes, this.rng.int(0, 59));
  }

  /** Next number of a register, advancing by a random step in [minStep, maxStep]. */
  serial(register: string, minStep: number, maxStep: number): number {
    const value = (this.counters.get(register) ?? 0) + this.rng.int(minStep, maxStep);
    this.counters.set(register, value);
    return value;
  }
}
