/** Output helpers shared by the commands: aligned tables for people, stable JSON for scripts. */
import type { CliIo } from './io.js';

/** Rows as aligned columns: the first column left-aligned, numbers (and the rest) right-aligned. */
export function table(rows: ReadonlyArray<readonly string[]>, options: { align?: ReadonlyArray<'left' | 'right'> } = {}): string {
  if (rows.length === 0) return '';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => displayWidth(r[i] ?? ''))));
  return rows
    .map((r) =>
      r
        .map((cell, i) => {
          const pad = ' '.repeat(Math.max(0, widths[i]! - displayWidth(cell)));
          const align = options.align?.[i] ?? (i === 0 ? 'left' : 'right');
          return align === 'left' ? cell + pad : pad + cell;
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Terminal columns a string takes: CJK characters take two. */
export function displayWidth(s: string): number {
  let width = 0;
  for (const ch of s) width += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/u.test(ch) ? 2 : 1;
  return width;
}

/** One JSON document on stdout, keys in the order the command built them, ending with a newline. */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "3 m 20 s", "2 h 5 m", "4 d 3 h": an age or a duration for people. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} m ${s % 60} s`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} m`;
  return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
}
