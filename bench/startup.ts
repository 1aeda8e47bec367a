/**
 * Start-up cost, measured in fresh processes: each entry in bench/startup/ is bundled and minified
 * with esbuild (so no TypeScript transform is timed) and run with this Node; runs are interleaved
 * so drift in machine load hits every variant alike.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { median } from './harness.js';
import type { StartupSample } from './startup/report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const esbuild = join(root, 'node_modules/.bin/esbuild');

export type StartupVariant = 'baseline' | 'precompiled' | 'compileAtRuntime';

const ENTRIES: Record<StartupVariant, string> = {
  baseline: 'bench/startup/baseline.ts',
  precompiled: 'bench/startup/precompiled.ts',
  compileAtRuntime: 'bench/startup/compile-at-runtime.ts',
};

export interface StartupStats {
  runs: number;
  /** Median wall-clock ms of the whole child process (spawn to exit), as the parent sees it. */
  wallMs: number;
  wallMinMs: number;
  wallMaxMs: number;
  /** Medians of the child's own figures (see StartupSample). */
  bootMs: number;
  loadMs: number;
  compileMs: number;
  firstCallMs: number;
  readyMs: number;
  /** Minified bundle of the entry, bytes and gzip bytes. */
  bundleBytes: number;
  bundleGzipBytes: number;
}

export interface BundleSize {
  bytes: number;
  gzipBytes: number;
}

export interface StartupResults {
  variants: Record<StartupVariant, StartupStats>;
  /** Minified bundle of functions/shared/records/validate.ts alone (what a Lambda ships for validation). */
  validateBundle: BundleSize;
}

function bundle(entry: string, outfile: string): BundleSize {
  execFileSync(
    esbuild,
    [
      join(root, entry),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--minify',
      // prefer packages' ES module builds (jsonc-parser's "main" is UMD with dynamic requires that
      // an ESM bundle cannot resolve); a Lambda bundle would be built the same way
      '--main-fields=module,main',
      '--log-level=error',
      // scripts/generate-validators.ts runs its CLI when import.meta.url is the main module: in a
      // bundle it would be, so give the bundled modules a URL that never matches argv[1].
      '--define:import.meta.url="file:///bench-bundle/not-main.js"',
      `--outfile=${outfile}`,
    ],
    { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  return { bytes: statSync(outfile).size, gzipBytes: gzipSync(readFileSync(outfile), { level: 9 }).length };
}

function runOnce(file: string, sample: string): { wallMs: number; sample: StartupSample } {
  const t0 = performance.now();
  const child = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, BENCH_SAMPLE: sample, NODE_OPTIONS: '' } });
  const wallMs = performance.now() - t0;
  if (child.status !== 0) throw new Error(`${file} exited with ${child.status}: ${child.stderr.slice(-1500)}`);
  const parsed = JSON.parse(child.stdout.trim()) as StartupSample;
  if (!parsed.valid) throw new Error(`${file}: the sample record was judged invalid`);
  return { wallMs, sample: parsed };
}

export function measureStartup(sampleRecord: unknown, runs: number): StartupResults {
  const dir = mkdtempSync(join(tmpdir(), 'validate-bench-'));
  try {
    const sample = JSON.stringify(sampleRecord);
    const variants = Object.keys(ENTRIES) as StartupVariant[];
    const files = {} as Record<StartupVariant, string>;
    const sizes = {} as Record<StartupVariant, BundleSize>;
    for (const v of variants) {
      files[v] = join(dir, `${v}.mjs`);
      sizes[v] = bundle(ENTRIES[v], files[v]);
    }
    const validateBundle = bundle('functions/shared/records/validate.ts', join(dir, 'validate.mjs'));

    const samples = Object.fromEntries(variants.map((v) => [v, [] as { wallMs: number; sample: StartupSample }[]])) as Record<
      StartupVariant,
      { wallMs: number; sample: StartupSample }[]
    >;
    for (const v of variants) runOnce(files[v], sample); // warm the file cache, discarded
    for (let i = 0; i < runs; i++) for (const v of variants) samples[v].push(runOnce(files[v], sample));

    const stats = {} as Record<StartupVariant, StartupStats>;
    for (const v of variants) {
      const s = samples[v];
      const of = (key: keyof Omit<StartupSample, 'valid'>): number => median(s.map((x) => x.sample[key]));
      const walls = s.map((x) => x.wallMs);
      stats[v] = {
        runs,
        wallMs: median(walls),
        wallMinMs: Math.min(...walls),
        wallMaxMs: Math.max(...walls),
        bootMs: of('bootMs'),
        loadMs: of('loadMs'),
        compileMs: of('compileMs'),
        firstCallMs: of('firstCallMs'),
        readyMs: of('readyMs'),
        bundleBytes: sizes[v].bytes,
        bundleGzipBytes: sizes[v].gzipBytes,
      };
    }
    return { variants: stats, validateBundle };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
