/**
 * Progress of a long operation (replay, resync): count, rate and, when the total is known, ETA.
 * On a terminal one line is redrawn in place (at most 10 times a second); otherwise a plain line
 * is written every `intervalMs` (default 5 s), so logs of a CI job or `| tee` stay readable.
 * Progress goes to stderr: stdout is for the result (and --json).
 */
import { formatDuration } from './render.js';

export interface ProgressOptions {
  /** What is being counted: "moved", "enqueued". */
  unit: string;
  /** Expected total, when known (e.g. the DLQ's approximate depth). */
  total?: number;
  interactive: boolean;
  intervalMs?: number;
  now?: () => number;
}

export class Progress {
  private count = 0;
  private readonly extra = new Map<string, number>();
  private readonly started: number;
  private lastDrawn = 0;
  private drawnLine = false;
  private readonly now: () => number;

  constructor(
    private readonly stream: { write(s: string): unknown },
    private readonly label: string,
    private readonly options: ProgressOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.lastDrawn = this.started;
  }

  /** Counts `n` more of the main unit. */
  advance(n = 1): void {
    this.count += n;
    this.maybeDraw();
  }

  /** Counts something else alongside ("skipped", "kept"). */
  note(name: string, n = 1): void {
    this.extra.set(name, (this.extra.get(name) ?? 0) + n);
    this.maybeDraw();
  }

  /** The current line, as it would be drawn. */
  line(): string {
    const elapsed = Math.max((this.now() - this.started) / 1000, 0.001);
    const rate = this.count / elapsed;
    const total = this.options.total;
    const parts = [`${this.label}: ${this.count}${total !== undefined ? `/~${total}` : ''} ${this.options.unit}`];
    for (const [name, n] of this.extra) parts.push(`${n} ${name}`);
    parts.push(`${rate.toFixed(rate < 10 ? 1 : 0)}/s`);
    if (total !== undefined && rate > 0 && total > this.count) parts.push(`ETA ${formatDuration((total - this.count) / rate)}`);
    return parts.join(' · ');
  }

  /** Ends the progress display (clears the terminal line). */
  finish(): void {
    if (this.options.interactive && this.drawnLine) this.stream.write('\r\x1b[K');
    this.drawnLine = false;
  }

  private maybeDraw(): void {
    const now = this.now();
    if (this.options.interactive) {
      if (now - this.lastDrawn < 100) return;
      this.stream.write(`\r\x1b[K${this.line()}`);
      this.drawnLine = true;
    } else {
      if (now - this.lastDrawn < (this.options.intervalMs ?? 5000)) return;
      this.stream.write(`${this.line()}\n`);
    }
    this.lastDrawn = now;
  }
}
