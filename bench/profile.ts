/**
 * CPU profile of validateRecord: bundles bench/profile-entry.ts (esbuild, names kept, not
 * minified), runs it under `node --cpu-prof`, and prints where the time goes: self time by
 * function and inclusive time by stage (normalisation, ajv validator and its formats, cross-field
 * rules, error building). Not part of `npm run bench`; run it when the figures need explaining.
 *
 *   node_modules/.bin/tsx bench/profile.ts [commitment|breach] [valid|invalid] [record|text] [seconds]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
}

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'validate-profile-'));
try {
  const bundle = join(dir, 'profile.mjs');
  execFileSync(
    join(root, 'node_modules/.bin/esbuild'),
    [
      join(root, 'bench/profile-entry.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      '--keep-names',
      '--main-fields=module,main',
      '--log-level=error',
      `--outfile=${bundle}`,
    ],
    { stdio: 'inherit' },
  );
  const out = execFileSync(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100', bundle, ...args], { encoding: 'utf8' });
  const info = JSON.parse(out.trim()) as { ajvRoot: string; recordsPerSecond: number };
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error('no profile written');
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;

  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const hits = new Map<number, number>();
  for (const s of profile.samples) hits.set(s, (hits.get(s) ?? 0) + 1);
  const total = profile.samples.length;
  const label = (f: CallFrame): string => `${f.functionName || '(anonymous)'}${f.url ? ` ${f.url.split('/').pop()}:${f.lineNumber + 1}` : ''}`;

  const self = new Map<string, number>();
  // stages: the first stage function found walking up from the sampled frame
  const STAGES: [string, (name: string) => boolean][] = [
    ['error building (fromAjv)', (n) => n === 'fromAjv'],
    ['ajv: format uscc', (n) => n === 'isUscc'],
    ['ajv: format resident-id', (n) => n === 'resident-id' || n === 'isResidentId'],
    ['ajv: format date', (n) => n === 'date'],
    ['ajv: format date-time', (n) => n === 'date_time' || n === 'date-time'],
    ['ajv: ucs2length', (n) => n === 'ucs2length'],
    ['ajv: generated code', (n) => n === info.ajvRoot],
    ['normalisation', (n) => n === 'normaliseRecord'],
    ['cross-field rules', (n) => n === 'applyRules'],
    ['JSON.parse', (n) => n === 'parse' || n === 'JSON.parse'],
    ['garbage collector', (n) => n === '(garbage collector)'],
    ['validateRecord/Text own code (incl. the JSON.parse builtin)', (n) => n === 'validateRecord' || n === 'validateRecordText'],
  ];
  const stages = new Map<string, number>();
  for (const [id, count] of hits) {
    const node = byId.get(id)!;
    self.set(label(node.callFrame), (self.get(label(node.callFrame)) ?? 0) + count);
    let stage = 'other (harness, idle)';
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const name = byId.get(cur)!.callFrame.functionName;
      const hit = STAGES.find(([, test]) => test(name));
      if (hit) {
        stage = hit[0];
        break;
      }
    }
    stages.set(stage, (stages.get(stage) ?? 0) + count);
  }
  const pct = (n: number): string => `${((n / total) * 100).toFixed(1).padStart(5)} %`;
  console.log(
    `${args.join(' ') || 'commitment valid record'}: ${info.recordsPerSecond.toLocaleString('en-US')} records/s under the profiler (${total} samples)`,
  );
  console.log('\nBy stage (innermost stage on the stack):');
  for (const [name, n] of [...stages].sort((a, b) => b[1] - a[1])) console.log(`${pct(n)}  ${name}`);
  console.log('\nSelf time, top 25:');
  for (const [name, n] of [...self].sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${pct(n)}  ${name}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
