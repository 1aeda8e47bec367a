/**
 * Ours against the baseline (bench/baseline/): the ratio tables intake.bench.ts and
 * deliver.bench.ts add. Both run the two implementations in the same interleaved rounds, one
 * after the other, so each round's ratio compares them in the same phase of the machine; the
 * figure reported is the median of the per-round ratios.
 */
import { median } from './harness.js';
import type { Table } from './report.js';

export interface RoundFigures {
  records: number;
  threadCpuMs: number;
  fakeMs: number;
}

export interface PairedCpu {
  /** Median µs per record (main-thread CPU), and the same less the time inside the fakes. */
  oursUs: number;
  baselineUs: number;
  oursNetUs: number;
  baselineNetUs: number;
  /** ours ÷ baseline per round: median, min, max. */
  ratio: { median: number; min: number; max: number; perRound: number[] };
  netRatio: { median: number; min: number; max: number; perRound: number[] };
}

function spread(values: number[]): PairedCpu['ratio'] {
  return { median: median(values), min: Math.min(...values), max: Math.max(...values), perRound: values };
}

/** CPU per record of two cases timed in the same rounds, and their ratio round by round. */
export function pairCpu(ours: readonly RoundFigures[], baseline: readonly RoundFigures[]): PairedCpu {
  if (ours.length !== baseline.length || ours.length === 0) throw new Error(`paired cases ran ${ours.length} and ${baseline.length} rounds`);
  const us = (r: RoundFigures): number => (r.threadCpuMs * 1000) / r.records;
  const net = (r: RoundFigures): number => ((r.threadCpuMs - r.fakeMs) * 1000) / r.records;
  return {
    oursUs: median(ours.map(us)),
    baselineUs: median(baseline.map(us)),
    oursNetUs: median(ours.map(net)),
    baselineNetUs: median(baseline.map(net)),
    ratio: spread(ours.map((r, i) => us(r) / us(baseline[i]!))),
    netRatio: spread(ours.map((r, i) => net(r) / net(baseline[i]!))),
  };
}

/** "0.42×", "1.3×", "12×"; "–" when both are 0, "n/a" when only the baseline is. */
export function ratioText(ours: number, baseline: number): string {
  if (baseline === 0) return ours === 0 ? '–' : 'n/a';
  return `${trim(ours / baseline)}×`;
}

const trim = (n: number): string => (n >= 10 ? n.toFixed(0) : n.toPrecision(2));

export const ratioOf = (r: { median: number; min: number; max: number }): string => `${trim(r.median)}× (${trim(r.min)}–${trim(r.max)})`;

/** Per-record figures with up to 2 decimals. */
const per = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

export interface MetricRow {
  scenario: string;
  metric: string;
  ours: number;
  baseline: number;
  /** Formats a value (default: up to 2 decimals). */
  format?: (n: number) => string;
}

/** One row per scenario and metric: ours, baseline, ours ÷ baseline. */
export function metricsTable(title: string, rows: readonly MetricRow[], note: string): Table {
  return {
    title,
    head: ['scenario', 'per record', 'ours', 'baseline', 'ours ÷ baseline'],
    rows: rows.map((r, i) => [
      i > 0 && rows[i - 1]!.scenario === r.scenario ? '' : r.scenario,
      r.metric,
      (r.format ?? per)(r.ours),
      (r.format ?? per)(r.baseline),
      ratioText(r.ours, r.baseline),
    ]),
    right: [2, 3, 4],
    note,
  };
}

export interface CpuRow {
  scenario: string;
  /** Extra label columns (the logger). */
  labels?: string[];
  cpu: PairedCpu;
}

/** CPU µs per record of both, the median per-round ratio with its range, the same net of the fakes. */
export function cpuCompareTable(title: string, labelHeads: readonly string[], rows: readonly CpuRow[], note: string): Table {
  const us = (n: number): string => n.toFixed(1);
  const first = 1 + labelHeads.length;
  return {
    title,
    head: ['scenario', ...labelHeads, 'ours CPU µs', 'baseline CPU µs', 'ours ÷ baseline (range)', 'ours net µs', 'baseline net µs', 'net ratio (range)'],
    rows: rows.map((r) => [
      r.scenario,
      ...(r.labels ?? []),
      us(r.cpu.oursUs),
      us(r.cpu.baselineUs),
      ratioOf(r.cpu.ratio),
      us(r.cpu.oursNetUs),
      us(r.cpu.baselineNetUs),
      ratioOf(r.cpu.netRatio),
    ]),
    right: [first, first + 1, first + 2, first + 3, first + 4, first + 5],
    note,
  };
}
