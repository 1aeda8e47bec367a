/** What every benchmark records about where and on what code it ran. */
import { execFileSync } from 'node:child_process';
import os from 'node:os';
import { dirname, join } from 'node:path';
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

/** "±x %": half the spread of the reference workload, relative to its median. */
export const drift = (t: Throughput): string => `${(((t.max - t.min) / t.median) * 50).toFixed(0)} %`;
