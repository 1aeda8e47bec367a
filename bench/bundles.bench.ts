/**
 * Bundle benchmark (`npm run bench`; not part of `npm test`): each function's bundle exactly as
 * CDK builds it, its size, and its cold init — a fresh Node.js 22 process importing the bundle
 * until the `handler` export is ready.
 *
 * 1. Builds every function × variant with esbuild, with the options infra/bundling.ts gives
 *    NodejsFunction (esbuildBuildOptions: the build CDK runs; test/infra/bundles.test.ts checks
 *    the bytes are the same), metafile on: minified and gzip bytes, and what the bytes are (by
 *    package group: @aws-sdk/*, @smithy/*, Powertools, the generated validators, …).
 *    Variants: as deployed; the whole SDK bundled (the configuration before the credential links
 *    were left to the runtime); the AWS SDK left to the runtime (`externalModules: ['@aws-sdk/*']`,
 *    resolved from this repository's node_modules as Lambda resolves its own copy — so the bundles
 *    are written under bench/.bundles/, inside the repository); and the deployed bundle run without
 *    NODE_OPTIONS=--enable-source-maps (what reading the source map costs).
 * 2. Cold init: `node bench/bundles/load.mjs <bundle>` (this repository's Node 22) with the
 *    function's environment as the stack sets it (NODE_OPTIONS included) and Lambda-style AWS
 *    variables; ms since process start until the module is ready, CPU ms until then, and the first
 *    handler call (an empty batch, an unsigned request, a pull against a closed port). Baseline:
 *    an empty bundle, Node's own start. Parts of intake's bundle built alone (the SDK clients,
 *    Powertools + middy, the validators) tell what the time goes to. Runs interleaved round by
 *    round after one discarded round, so machine drift hits every bundle alike.
 * 3. Writes bench/results/bundles-<date>.json and appends to bench/results/bundles.md.
 *
 *   npx tsx bench/bundles.bench.ts             full run (15 rounds, a few minutes), writes the results
 *   npx tsx bench/bundles.bench.ts --quick     3 rounds, prints only (a smoke test of the bench)
 *   … --runs <n>   rounds;  --only <function>   one function, prints only;  --keep   keep bench/.bundles/
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import type { BundlingOptions } from 'aws-cdk-lib/aws-lambda-nodejs';
import { SOURCE_MAP_NODE_OPTIONS, esbuildBuildOptions, functionBundling } from '../infra/bundling.js';
import { environment, recordResults } from './environment.js';
import { median } from './harness.js';
import { toMarkdown, toText, type Table } from './report.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const argValue = (name: string): string | undefined => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const only = argValue('--only');
const RUNS = Number(argValue('--runs') ?? (quick ? 3 : 15));
const keep = process.argv.includes('--keep');
/** The aims of the issue: per function, the bundle as deployed. */
const AIM_KB = 250;
const AIM_INIT_MS = 100;
/** Where the bundles are written: inside the repository, so a bundle's `import '@aws-sdk/…'` resolves to node_modules/. */
const outRoot = join(root, 'bench', '.bundles');
/** Node.js 22, this repository's (package.json devDependency `node`): the system node may be another. */
const node = realpathSync(join(root, 'node_modules', '.bin', 'node'));
const loader = join(root, 'bench', 'bundles', 'load.mjs');

// ---------------------------------------------------------------- what is built and run

const CLOSED_PORT = 'http://127.0.0.1:9';
const QUEUE = 'https://sqs.cn-north-1.amazonaws.com.cn/000000000000/credex-dev-queue';

interface FunctionCase {
  name: 'intake' | 'deliver' | 'ingest' | 'pull';
  entry: string;
  /** The function's environment as infra/stack.ts sets it (values are placeholders; importing reads none). */
  env: Record<string, string>;
  event: unknown;
  /** What the first call does, for the table's note. */
  firstCall: string;
}

const FUNCTIONS: FunctionCase[] = [
  {
    name: 'intake',
    entry: 'functions/intake/handler.ts',
    env: { LANE_QUEUE_URLS: JSON.stringify({ provincial: QUEUE, municipal: QUEUE, publicColumn: QUEUE, district: QUEUE }), INTAKE_DLQ_URL: QUEUE },
    event: { Records: [] },
    firstCall: 'an empty SQS batch',
  },
  {
    name: 'deliver',
    entry: 'functions/deliver/handler.ts',
    env: {
      DESTINATION: 'provincial',
      ENDPOINT_URL: CLOSED_PORT,
      LANE_QUEUE_URL: QUEUE,
      CREDENTIALS_SECRET: 'credex/dev/destinations/provincial',
      RATE_LIMIT_PER_SECOND: '20',
      MAX_CONCURRENCY: '4',
    },
    event: { Records: [] },
    firstCall: 'an empty SQS batch',
  },
  {
    name: 'ingest',
    entry: 'functions/ingest/handler.ts',
    env: { INTAKE_QUEUE_URL: QUEUE, SECRETS_PREFIX: 'credex/dev' },
    event: {
      rawPath: '/v1/records',
      rawQueryString: '',
      headers: {},
      body: '[]',
      isBase64Encoded: false,
      requestContext: { requestId: 'bench', http: { method: 'POST', sourceIp: '127.0.0.1' } },
    },
    firstCall: 'an unsigned request, answered 401',
  },
  {
    name: 'pull',
    entry: 'functions/pull/handler.ts',
    env: { INTAKE_QUEUE_URL: QUEUE, FEED_URL: CLOSED_PORT, CREDENTIALS_SECRET: 'credex/dev/feeds/provincial-breaches' },
    event: {},
    firstCall:
      "its first Secrets Manager request, refused by a closed local port (AWS_ENDPOINT_URL) — over http://, so it includes the SDK's on-demand import of node:http (on Lambda the endpoints are https, loaded at init)",
  },
];

/** What Lambda and the stack set for every function (placeholders: no call leaves the machine). */
const LAMBDA_ENV: Record<string, string> = {
  AWS_REGION: 'cn-north-1',
  AWS_DEFAULT_REGION: 'cn-north-1',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_SESSION_TOKEN: 'bench',
  AWS_LAMBDA_FUNCTION_NAME: 'credex-bench',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
  // every AWS request goes to a closed local port and is not retried
  AWS_ENDPOINT_URL: CLOSED_PORT,
  AWS_MAX_ATTEMPTS: '1',
  TABLE_NAME: 'credex-dev-sync-state',
  POWERTOOLS_METRICS_NAMESPACE: 'CreditExchange/dev',
};

interface Variant {
  id: string;
  title: string;
  bundling: BundlingOptions;
  /** NODE_OPTIONS of the function when it runs. */
  nodeOptions: string;
}

const VARIANTS: Variant[] = [
  {
    id: 'deployed',
    title: 'as deployed with source-mapped stack traces (dev): the SDK bundled but for the credential links after fromEnv',
    bundling: functionBundling,
    nodeOptions: SOURCE_MAP_NODE_OPTIONS,
  },
  {
    id: 'sdkAllBundled',
    title: 'the whole SDK bundled, credential chain included (deployed until 2026-11-28)',
    bundling: { ...functionBundling, externalModules: [] },
    nodeOptions: SOURCE_MAP_NODE_OPTIONS,
  },
  {
    id: 'sdkExternal',
    title: "the SDK from the runtime (externalModules ['@aws-sdk/*'], CDK's default)",
    bundling: { ...functionBundling, externalModules: ['@aws-sdk/*'] },
    nodeOptions: SOURCE_MAP_NODE_OPTIONS,
  },
  {
    id: 'noSourceMaps',
    title: 'as deployed in production: without NODE_OPTIONS=--enable-source-maps (StageConfig sourceMappedStackTraces: false)',
    bundling: functionBundling,
    nodeOptions: '',
  },
];

/** Parts of intake's bundle alone, built as deployed, run without a first call. */
const PARTS: Array<{ id: string; title: string; entry: string }> = [
  { id: 'sdk', title: 'AWS SDK: DynamoDB + document client + SQS and the commands intake sends', entry: 'bench/bundles/parts/sdk.ts' },
  { id: 'powertools', title: 'Powertools Logger + Metrics, their middlewares, middy', entry: 'bench/bundles/parts/powertools.ts' },
  { id: 'validators', title: 'validation: precompiled validators, schema index, rules (validateRecordText)', entry: 'bench/bundles/parts/validators.ts' },
];

// ---------------------------------------------------------------- build and size

/** The package groups a bundle's bytes are reported in, first match wins. */
const GROUPS: Array<[string, RegExp]> = [
  ['@aws-sdk/*', /node_modules\/@aws-sdk\//],
  ['@smithy/*', /node_modules\/@smithy\//],
  ['Powertools', /node_modules\/@aws-lambda-powertools\//],
  ['middy', /node_modules\/@middy\//],
  ['ajv runtime', /node_modules\/(ajv|ajv-formats|fast-uri|fast-deep-equal|json-schema-traverse)\//],
  ['validators (generated)', /functions\/shared\/records\/generated\/validators\.ts$/],
  ['schema index (generated)', /functions\/shared\/records\/generated\/schema-index\.ts$/],
  ['schemas (JSON)', /^schemas\//],
  ['jsonc-parser', /node_modules\/jsonc-parser\//],
  ['other packages', /node_modules\//],
  ['our code', /^(functions|infra|bench)\//],
];

interface BuiltBundle {
  file: string;
  bytes: number;
  gzipBytes: number;
  mapBytes: number;
  /** Output bytes by package group (GROUPS), and the rest (esbuild's runtime helpers, the banner). */
  groups: Record<string, number>;
  /** Output bytes by package (node_modules/<package>) or our directory, largest first. */
  packages: Array<[string, number]>;
  /** Node built-ins the bundle imports statically (loaded before any of its code runs). */
  builtinImports: string[];
}

function packageOf(input: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
  if (m) return m[1]!;
  return input
    .split('/')
    .slice(0, input.startsWith('functions/shared/') ? 3 : 2)
    .join('/');
}

async function build(entry: string, bundling: BundlingOptions, outdir: string): Promise<BuiltBundle> {
  const options = esbuildBuildOptions(bundling, root, entry, outdir);
  const result = await esbuild.build({ ...options, metafile: true, logLevel: 'error' });
  const outKey = relative(root, options.outfile);
  const output = result.metafile.outputs[outKey];
  if (!output) throw new Error(`${entry}: no ${outKey} in the metafile`);
  const groups: Record<string, number> = {};
  const packages: Record<string, number> = {};
  let inputsBytes = 0;
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const group = GROUPS.find(([, re]) => re.test(input))?.[0] ?? 'other';
    groups[group] = (groups[group] ?? 0) + bytesInOutput;
    packages[packageOf(input)] = (packages[packageOf(input)] ?? 0) + bytesInOutput;
    inputsBytes += bytesInOutput;
  }
  const text = readFileSync(options.outfile);
  groups['esbuild runtime, banner'] = text.length - inputsBytes;
  const builtinImports = [...new Set([...text.toString('utf8').matchAll(/from"(node:[a-z_/]+)"/g)].map((m) => m[1]!))].sort();
  return {
    file: options.outfile,
    bytes: text.length,
    gzipBytes: gzipSync(text, { level: 9 }).length,
    mapBytes: existsSync(`${options.outfile}.map`) ? statSync(`${options.outfile}.map`).size : 0,
    groups,
    packages: Object.entries(packages).sort((a, b) => b[1] - a[1]),
    builtinImports,
  };
}

// ---------------------------------------------------------------- cold init

interface Sample {
  importStartMs: number;
  readyMs: number;
  cpuMs: number;
  firstCallMs: number | null;
  outcome: string | null;
}

interface Job {
  key: string;
  file: string;
  env: Record<string, string>;
  event?: unknown;
}

function runOnce(job: Job): Sample {
  const args = [loader, pathToFileURL(job.file).href, ...(job.event === undefined ? [] : [JSON.stringify(job.event)])];
  const child = spawnSync(node, args, { cwd: root, encoding: 'utf8', env: { PATH: process.env['PATH'] ?? '', ...job.env } });
  if (child.status !== 0) throw new Error(`${job.key}: exited with ${child.status}: ${child.stderr.slice(-1500)}`);
  const line = child.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"credexBundleBench"'));
  if (!line) throw new Error(`${job.key}: no result line in ${child.stdout.slice(-500)}`);
  return JSON.parse(line) as Sample;
}

interface Stats {
  runs: number;
  /** ms since process start until the handler was ready: median, 90th percentile, min, max. */
  readyMs: number;
  readyP90Ms: number;
  readyMinMs: number;
  readyMaxMs: number;
  /** ms the import itself took (ready − import start), median. */
  importMs: number;
  /** CPU ms (all threads) until ready, median. */
  cpuMs: number;
  firstCallMs: number | null;
  firstCallP90Ms: number | null;
  outcome: string | null;
}

/** Nearest-rank percentile. */
function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

function stats(samples: Sample[]): Stats {
  const ready = samples.map((s) => s.readyMs);
  const first = samples.map((s) => s.firstCallMs).filter((x): x is number => x !== null);
  return {
    runs: samples.length,
    readyMs: median(ready),
    readyP90Ms: percentile(ready, 0.9),
    readyMinMs: Math.min(...ready),
    readyMaxMs: Math.max(...ready),
    importMs: median(samples.map((s) => s.readyMs - s.importStartMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    firstCallMs: first.length ? median(first) : null,
    firstCallP90Ms: first.length ? percentile(first, 0.9) : null,
    outcome: samples.at(-1)!.outcome,
  };
}

/** One discarded round (file cache, page cache of the Node binary), then `runs` interleaved rounds. */
function measure(jobs: Job[], runs: number): Map<string, Stats> {
  for (const job of jobs) runOnce(job);
  const samples = new Map<string, Sample[]>(jobs.map((j) => [j.key, []]));
  for (let r = 0; r < runs; r++) {
    for (const job of jobs) samples.get(job.key)!.push(runOnce(job));
    process.stderr.write(`\r  round ${r + 1}/${runs}`);
  }
  process.stderr.write('\n');
  return new Map([...samples].map(([key, s]) => [key, stats(s)]));
}

// ---------------------------------------------------------------- report

const kb = (bytes: number): string => (bytes / 1024).toFixed(0);
const ms = (n: number | null): string => (n === null ? '—' : n.toFixed(0));

function topGroups(b: BuiltBundle, n: number): string {
  return Object.entries(b.groups)
    .sort((x, y) => y[1] - x[1])
    .slice(0, n)
    .map(([g, bytes]) => `${g} ${kb(bytes)}`)
    .join(' · ');
}

function log(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function main(): Promise<void> {
  const started = performance.now();
  const nodeVersion = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
  if (!nodeVersion.startsWith('v22.')) throw new Error(`${node} is ${nodeVersion}, not Node.js 22 (npm install?)`);
  const loadStart = os.loadavg()[0]!;
  const env: Record<string, unknown> = {
    ...environment(['functions', 'infra/bundling.ts', 'infra/constructs/exchange-function.ts', 'bench/bundles', 'package-lock.json']),
    node: nodeVersion,
  };
  const functions = FUNCTIONS.filter((f) => !only || f.name === only);
  if (functions.length === 0) throw new Error(`--only ${only}: no such function`);
  log(`bundle benchmark${quick || only ? ' (prints only)' : ''}: ${functions.length} functions × ${VARIANTS.length} variants, ${RUNS} rounds, ${nodeVersion}`);

  rmSync(outRoot, { recursive: true, force: true });
  mkdirSync(outRoot, { recursive: true });
  // as in Lambda's /var/task: no package.json with "type": "module" above the bundles (this repository's would make an index.js ESM)
  writeFileSync(join(outRoot, 'package.json'), '{}\n');
  try {
    log('building…');
    const built = new Map<string, BuiltBundle>();
    const buildKey = (v: Variant): string => JSON.stringify(v.bundling);
    const buildDirs = new Map<string, string>();
    for (const v of VARIANTS) if (!buildDirs.has(buildKey(v))) buildDirs.set(buildKey(v), v.id);
    for (const f of functions) {
      for (const [key, dir] of buildDirs) {
        built.set(`${f.name}/${dir}`, await build(f.entry, JSON.parse(key) as BundlingOptions, join(outRoot, dir, f.name)));
      }
    }
    const bundleOf = (f: FunctionCase, v: Variant): BuiltBundle => built.get(`${f.name}/${buildDirs.get(buildKey(v))!}`)!;
    const baseline = await build('bench/bundles/empty.ts', functionBundling, join(outRoot, 'baseline'));
    const parts = new Map<string, BuiltBundle>();
    if (!only || only === 'intake') for (const p of PARTS) parts.set(p.id, await build(p.entry, functionBundling, join(outRoot, 'parts', p.id)));

    log('cold init (fresh processes)…');
    const jobs: Job[] = [{ key: 'baseline', file: baseline.file, env: { ...LAMBDA_ENV, NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS }, event: {} }];
    for (const f of functions) {
      for (const v of VARIANTS)
        jobs.push({ key: `${f.name}/${v.id}`, file: bundleOf(f, v).file, env: { ...LAMBDA_ENV, ...f.env, NODE_OPTIONS: v.nodeOptions }, event: f.event });
    }
    for (const [id, b] of parts) jobs.push({ key: `part/${id}`, file: b.file, env: { ...LAMBDA_ENV, NODE_OPTIONS: SOURCE_MAP_NODE_OPTIONS } });
    const timing = measure(jobs, RUNS);
    const base = timing.get('baseline')!;

    // ---- tables
    const sizeTable: Table = {
      title: 'Bundles: size (esbuild as CDK runs it, minified) and what the bytes are',
      head: ['function', 'variant', 'KB', 'gzip KB', `≤ ${AIM_KB} KB`, 'source map KB', 'largest parts, KB'],
      right: [2, 3, 5],
      rows: functions.flatMap((f) =>
        VARIANTS.filter((v, i) => VARIANTS.findIndex((w) => buildKey(w) === buildKey(v)) === i).map((v) => {
          const b = bundleOf(f, v);
          return [f.name, v.id, kb(b.bytes), kb(b.gzipBytes), b.bytes <= AIM_KB * 1024 ? 'yes' : 'no', kb(b.mapBytes), topGroups(b, 5)];
        }),
      ),
      note: `KB = 1,024 bytes; gzip -9 as an indication of the zip. Parts: bytes each package group contributes to the minified output (esbuild metafile). Built-ins the deployed bundles import statically: ${bundleOf(functions[0]!, VARIANTS[0]!).builtinImports.join(', ')}.`,
    };
    const initRows = functions.flatMap((f) =>
      VARIANTS.map((v) => {
        const s = timing.get(`${f.name}/${v.id}`)!;
        const net = s.readyMs - base.readyMs;
        return [
          f.name,
          v.id,
          ms(s.readyMs),
          ms(s.readyP90Ms),
          ms(net),
          net <= AIM_INIT_MS ? 'yes' : 'no',
          ms(s.cpuMs - base.cpuMs),
          ms(s.firstCallMs),
          ms(s.firstCallP90Ms),
        ];
      }),
    );
    const initTable: Table = {
      title: `Cold init: a fresh Node.js process importing the bundle until the handler is ready (median of ${RUNS} runs, interleaved), ms`,
      head: ['function', 'variant', 'ready', 'ready p90', 'minus baseline', `≤ ${AIM_INIT_MS} ms`, 'CPU minus baseline', 'first call', 'first call p90'],
      right: [2, 3, 4, 6, 7, 8],
      rows: [
        ['(baseline)', 'empty bundle', ms(base.readyMs), ms(base.readyP90Ms), '0', '', `(${ms(base.cpuMs)})`, ms(base.firstCallMs), ms(base.firstCallP90Ms)],
        ...initRows,
      ],
      note:
        "ready = ms from process start (performance.timeOrigin) until `await import(bundle)` returned a module with `handler`: Node.js start + reading, compiling and evaluating the bundle (and, with --enable-source-maps, reading and parsing its source map; for sdkExternal, resolving and loading the runtime SDK's files from node_modules). " +
        "minus baseline = ready − the empty bundle's ready (Node.js's own start). CPU = user + system time of the process, all threads (less sensitive to other load on the machine than wall time). " +
        `First call (not part of init): ${functions.map((f) => `${f.name}: ${f.firstCall}`).join('; ')}.`,
    };
    const intakeDeployed = built.get('intake/deployed');
    const partRows = [...parts].map(([id, b]) => {
      const s = timing.get(`part/${id}`)!;
      return [PARTS.find((p) => p.id === id)!.title, kb(b.bytes), ms(s.readyMs - base.readyMs), ms(s.cpuMs - base.cpuMs)];
    });
    const partsTable: Table | undefined =
      intakeDeployed && partRows.length
        ? {
            title: "What intake's init goes to: parts of its bundle built alone (as deployed), ms minus baseline",
            head: ['part', 'KB', 'ready', 'CPU'],
            right: [1, 2, 3],
            rows: [
              ...partRows,
              [
                'intake, whole bundle (deployed)',
                kb(intakeDeployed.bytes),
                ms(timing.get('intake/deployed')!.readyMs - base.readyMs),
                ms(timing.get('intake/deployed')!.cpuMs - base.cpuMs),
              ],
            ],
            note: 'Each part pays its own share of Node built-ins and module loading, so the parts need not add up to the whole.',
          }
        : undefined;
    const tables = [sizeTable, initTable, ...(partsTable ? [partsTable] : [])];
    const variantsLine = `Variants: ${VARIANTS.map((v) => `\`${v.id}\` ${v.title}`).join('; ')}.`;

    // ---- what the figures say, in words (the same for every run, from its own figures)
    const netOf = (f: FunctionCase, v: string): number => timing.get(`${f.name}/${v}`)!.readyMs - base.readyMs;
    const sdkKb = (b: BuiltBundle): number => ((b.groups['@aws-sdk/*'] ?? 0) + (b.groups['@smithy/*'] ?? 0)) / 1024;
    const findings = functions.map((f) => {
      const dep = bundleOf(f, VARIANTS[0]!);
      const all = bundleOf(
        f,
        VARIANTS.find((v) => v.id === 'sdkAllBundled')!,
      );
      const ext = bundleOf(
        f,
        VARIANTS.find((v) => v.id === 'sdkExternal')!,
      );
      return (
        `${f.name}: ${kb(dep.bytes)} KB, of which the AWS SDK (@aws-sdk/* + @smithy/*) ${sdkKb(dep).toFixed(0)} KB; ` +
        `the credential links left to the runtime took ${kb(all.bytes - dep.bytes)} KB and ${ms(netOf(f, 'sdkAllBundled') - netOf(f, 'deployed'))} ms off its init; ` +
        `the whole SDK from the runtime would make it ${kb(ext.bytes)} KB but its init ${ms(netOf(f, 'sdkExternal') - netOf(f, 'deployed'))} ms longer; ` +
        `--enable-source-maps costs ${ms(netOf(f, 'deployed') - netOf(f, 'noSourceMaps'))} ms of its init.`
      );
    });

    // the aims apply to production, which runs without --enable-source-maps (the same bundle)
    const deployedRows = functions.map((f) => ({ f, b: bundleOf(f, VARIANTS[0]!), s: timing.get(`${f.name}/noSourceMaps`)! }));
    const verdict =
      `Aims ≤ ${AIM_KB} KB and ≤ ${AIM_INIT_MS} ms init (minus Node's start) per function as deployed in production: ` +
      deployedRows
        .map(
          ({ f, b, s }) =>
            `${f.name} ${kb(b.bytes)} KB ${b.bytes <= AIM_KB * 1024 ? 'met' : 'NOT met'}, ${ms(s.readyMs - base.readyMs)} ms ${s.readyMs - base.readyMs <= AIM_INIT_MS ? 'met' : 'NOT met'}`,
        )
        .join('; ') +
      '.';
    const loadEnd = os.loadavg()[0]!;
    const machine =
      `${String(env['cpu'])}, ${String(env['cores'])} cores, ${(Number(env['totalMemoryBytes']) / 2 ** 30).toFixed(1)} GiB, ${String(env['platform'])}, ` +
      `Node ${nodeVersion} (bench/bundles/load.mjs; the bench itself on ${process.version}), esbuild ${esbuild.version}, commit ${String(env['commit'])}` +
      (env['uncommittedChanges'] ? ' + uncommitted changes in functions, infra/bundling.ts, bench/bundles or the lockfile' : '') +
      `; load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (1 min)`;

    console.log(`\n${machine}\n\n${variantsLine}`);
    for (const t of tables) console.log(`\n${toText(t)}`);
    console.log(`\n${findings.join('\n')}\n\n${verdict}`);
    const elapsed = (performance.now() - started) / 1000;
    console.log(`(bench ran ${elapsed.toFixed(0)} s)`);
    if (quick || only) return;

    recordResults({
      name: 'bundles',
      intro:
        '# Bundle benchmark results\n\nAppended by `npm run bench` (bench/bundles.bench.ts): each function bundled exactly as CDK bundles it, its size and its cold init in fresh Node.js 22 processes; the JSON files beside this one hold every figure.\n',
      machine,
      env,
      load: { start: loadStart, end: loadEnd },
      json: {
        config: { runs: RUNS, aims: { kb: AIM_KB, initMs: AIM_INIT_MS }, lambdaEnv: LAMBDA_ENV, variants: VARIANTS, esbuild: esbuild.version },
        baseline: { bundle: baseline, init: base },
        functions: Object.fromEntries(
          functions.map((f) => [
            f.name,
            Object.fromEntries(
              VARIANTS.map((v) => [
                v.id,
                {
                  bundle: { ...bundleOf(f, v), file: relative(root, bundleOf(f, v).file), packages: bundleOf(f, v).packages.slice(0, 40) },
                  init: timing.get(`${f.name}/${v.id}`),
                },
              ]),
            ),
          ]),
        ),
        parts: Object.fromEntries([...parts].map(([id, b]) => [id, { bytes: b.bytes, groups: b.groups, init: timing.get(`part/${id}`) }])),
        benchSeconds: elapsed,
      },
      lines: [
        `**${verdict}**`,
        '',
        variantsLine,
        '',
        ...tables.flatMap((t) => [toMarkdown(t), '']),
        'In short (median differences of this run; a few ms either way are noise on a shared machine):',
        '',
        ...findings.map((l) => `- ${l}`),
        '',
      ],
    });
  } finally {
    if (!keep) rmSync(outRoot, { recursive: true, force: true });
  }
}

await main();
