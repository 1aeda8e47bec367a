/** Tables for the console (aligned plain text) and for bench/results/validate.md (Markdown). */
import { displayWidth } from '../cli/render.js';

export type Row = readonly string[];

export interface Table {
  title: string;
  head: Row;
  rows: Row[];
  /** Columns aligned right (numbers). */
  right?: readonly number[];
  note?: string;
}

function padTo(text: string, w: number, right: boolean): string {
  const fill = ' '.repeat(Math.max(0, w - displayWidth(text)));
  return right ? fill + text : text + fill;
}

export function toText(table: Table): string {
  const all = [table.head, ...table.rows];
  const widths = table.head.map((_, c) => Math.max(...all.map((r) => displayWidth(r[c] ?? ''))));
  const line = (r: Row): string => r.map((cell, c) => padTo(cell, widths[c]!, table.right?.includes(c) ?? false)).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [table.title, line(table.head), rule, ...table.rows.map(line), ...(table.note ? [table.note] : [])].join('\n');
}

export function toMarkdown(table: Table): string {
  const align = table.head.map((_, c) => (table.right?.includes(c) ? '---:' : ':---'));
  const line = (r: Row): string => `| ${r.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [`#### ${table.title}`, '', line(table.head), `| ${align.join(' | ')} |`, ...table.rows.map(line), ...(table.note ? ['', table.note] : [])].join('\n');
}

const grouped = (n: number): string => Math.round(n).toLocaleString('en-US');
export const fmt = {
  rate: grouped,
  int: grouped,
  us: (n: number): string => n.toFixed(2),
  ms: (n: number): string => n.toFixed(1),
  pct: (n: number): string => `${(n * 100).toFixed(0)} %`,
  bytes: (n: number): string => `${grouped(n)} B`,
  ratio: (n: number): string => `${n.toFixed(1)}×`,
};

export const us1 = (n: number): string => n.toFixed(1);
export const per = (n: number): string => (Number.isInteger(n) ? String(n) : n.toFixed(2));

/** CPU figures per record, medians over rounds (µs): the intake and deliver benchmarks' first table. */
export interface CpuFigures {
  threadCpuUs: number;
  threadCpuUsMin: number;
  threadCpuUsMax: number;
  processCpuUs: number;
  wallUs: number;
  fakeUs: number;
}

/** The CPU table's columns after the scenario's own: `<net label>` is what is left without the fakes' time. */
export const cpuHead = (netLabel: string): string[] => ['CPU µs/record', 'min–max', 'all threads µs', 'wall µs', 'in fakes µs', netLabel, 'records/CPU-s'];

export const cpuCells = (f: CpuFigures): string[] => [
  us1(f.threadCpuUs),
  `${us1(f.threadCpuUsMin)}–${us1(f.threadCpuUsMax)}`,
  us1(f.processCpuUs),
  us1(f.wallUs),
  `${us1(f.fakeUs)} (${fmt.pct(f.fakeUs / f.wallUs)})`,
  us1(f.threadCpuUs - f.fakeUs),
  fmt.rate(1e6 / f.threadCpuUs),
];

/** State operations by name, most frequent first: `acceptRevision 1, getMeta 0.5, …`. */
export const operationsText = (operations: Readonly<Record<string, number>>): string =>
  Object.entries(operations)
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([op, n]) => `${op} ${per(n)}`)
    .join(', ');

/** Nearest-rank percentile, `p` in per cent. */
export function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

/** The latency figures every HTTP benchmark reports, in ms. */
export function latencySummary(latenciesMs: readonly number[]): { p50: number; p95: number; p99: number; max: number; mean: number } {
  return {
    p50: percentile(latenciesMs, 50),
    p95: percentile(latenciesMs, 95),
    p99: percentile(latenciesMs, 99),
    max: Math.max(...latenciesMs),
    mean: latenciesMs.reduce((a, b) => a + b, 0) / latenciesMs.length,
  };
}
