/** What every benchmark records about where and on what code it ran. */
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Throughput } from './harness.js';

const repoDir = join(dirname(fileURLToPath(import.meta.url)), '..');

/** YYYY-MM-DD in local time (result file names). */
export function localDate(d: Date): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

export function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { cwd: repoDir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

/**
 * Machine, Node and commit; `uncommittedChanges` tells whether the code measured (`paths`) differs
 * from the commit named — figures of uncommitted code are not reproducible from the commit alone.
 */
export function environment(paths: readonly string[]): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    totalMemoryBytes: os.totalmem(),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    v8: process.versions.v8,
    commit: git(['rev-parse', '--short', 'HEAD']),
    uncommittedChanges: (git(['status', '--porcelain', '--', ...paths]) ?? '') !== '',
  };
}

/**
 * Whether the reference workload timed in every round varied by more than 20 %: the machine was not
 * steady. Prints the warning when it did; the results' markdown carries it too.
 */
export function unsteadyWarning(reference: Throughput): string[] {
  if ((reference.max - reference.min) / reference.median <= 0.2) return [];
  console.log('WARNING: the reference workload varied by more than 20 % between rounds: the machine was not steady; run again.');
  return ['**Warning: the reference workload varied by more than 20 % between rounds; the machine was not steady.**', ''];
}

/** "±x %": half the spread of the reference workload, relative to its median. */
export const drift = (t: Throughput): string => `${(((t.max - t.min) / t.median) * 50).toFixed(0)} %`;

export interface ResultsEntry {
  /** `validate`, `intake`, …: the results are `<name>-<date>.json` (`<name>-<date>-<HHMM>.json` for a later run that day) and `<name>.md` in bench/results/. */
  name: string;
  /** The markdown file's opening paragraph, written when the file is new. */
  intro: string;
  /** The machine line's text, and the machine's facts (environment()). */
  machine: string;
  env: Record<string, unknown>;
  /** The 1-minute load average when the bench started and ended. */
  load?: { start: number; end: number };
  /** The bench's own figures; the date, timestamp, machine and load are added. */
  json: Record<string, unknown>;
  /** The section's markdown lines between the machine line and the raw-figures line. */
  lines: readonly string[];
}

/** Writes the run's JSON and appends its section to the benchmark's markdown history. */
export function recordResults(entry: ResultsEntry): void {
  const resultsDir = join(repoDir, 'bench', 'results');
  mkdirSync(resultsDir, { recursive: true });
  const now = new Date();
  const date = localDate(now);
  const json = { date, timestamp: now.toISOString(), machine: entry.env, ...(entry.load && { loadAverage1m: entry.load }), ...entry.json };
  // a second run on the same day gets its own file: the earlier sections keep pointing at theirs
  let jsonFile = join(resultsDir, `${entry.name}-${date}.json`);
  if (existsSync(jsonFile)) jsonFile = join(resultsDir, `${entry.name}-${date}-${now.toTimeString().slice(0, 5).replace(':', '')}.json`);
  writeFileSync(jsonFile, `${JSON.stringify(json, null, 2)}\n`);
  const mdFile = join(resultsDir, `${entry.name}.md`);
  const header = existsSync(mdFile) ? '' : entry.intro;
  const section = [
    `\n## ${date} ${now.toTimeString().slice(0, 5)}`,
    '',
    `Machine: ${entry.machine}.`,
    '',
    ...entry.lines,
    `Raw figures: \`${relative(repoDir, jsonFile)}\`.`,
    '',
  ].join('\n');
  appendFileSync(mdFile, header + section);
  console.log(`wrote ${relative(process.cwd(), jsonFile)} and appended to ${relative(process.cwd(), mdFile)}`);
}
