/**
 * The functions exactly as CDK bundles them (infra/bundling.ts: esbuild, minified ESM with the
 * require banner, the AWS SDK inside but for the credential links Lambda never reaches) load in a
 * fresh Node.js process and run: each handler module imports, exports `handler`, fails without
 * its environment with the ConfigurationError that names what is missing, and with it runs
 * through its clients — so the bundle's code, not just its file, works. The benchmark's own build
 * of a bundle (bench/bundles.bench.ts) is the same bytes, and no bundle imports a package
 * statically (what is left out of it is only ever imported on demand).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { PROJECT_ROOT } from '../../infra/constructs/exchange-function.js';
import { RUNTIME_PROVIDED_CREDENTIAL_LINKS, esbuildBuildOptions, functionBundling } from '../../infra/bundling.js';
import { CreditExchangeStack } from '../../infra/stack.js';
import { stages } from '../../infra/stages.js';

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

/** Loads a bundle in a child process, invokes its handler with an empty environment, prints the outcome. */
const PROBE = `
const [file, event] = process.argv.slice(1);
let sqs;
if (process.env.PROBE_EVIDENCE_QUEUE === '1') {
  // an evidence queue that takes every message (SQS's JSON protocol, with the body's MD5 the client checks)
  const { createServer } = await import('node:http');
  const { createHash } = await import('node:crypto');
  sqs = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const { MessageBody = '' } = JSON.parse(body || '{}');
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.0' });
      res.end(JSON.stringify({ MessageId: 'probe', MD5OfMessageBody: createHash('md5').update(MessageBody).digest('hex') }));
    });
  });
  await new Promise((resolve) => sqs.listen(0, '127.0.0.1', resolve));
  process.env.EVIDENCE_QUEUE_URL = 'http://127.0.0.1:' + sqs.address().port + '/111111111111/credex-dev-evidence';
}
const mod = await import(file);
if (typeof mod.handler !== 'function') { console.log(JSON.stringify({ loaded: false })); process.exit(0); }
try {
  const result = await mod.handler(JSON.parse(event), { functionName: 'probe', awsRequestId: 'probe', getRemainingTimeInMillis: () => 1000 });
  console.log(JSON.stringify({ loaded: true, threw: false, result }));
} catch (error) {
  console.log(JSON.stringify({ loaded: true, threw: true, name: error.name, message: error.message }));
}
if (sqs) { sqs.closeAllConnections(); sqs.close(); }`;

let outdir: string;
let bundles: Array<{ functionName: string; file: string }>;

beforeAll(() => {
  outdir = mkdtempSync(path.join(tmpdir(), 'credex-bundles-'));
  const app = new App({ outdir, context: cdkContext });
  const stack = new CreditExchangeStack(app, 'credex-dev', { stage: stages['dev']!, env: stages['dev']!.env });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };
  bundles = Object.values(template.Resources)
    .filter((r) => r.Type === 'AWS::Lambda::Function')
    .map((r) => {
      const key = String((r.Properties['Code'] as { S3Key: string }).S3Key).replace(/\.zip$/, '');
      return { functionName: String(r.Properties['FunctionName']), file: path.join(outdir, `asset.${key}`, 'index.mjs') };
    });
}, 120_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const LOCAL_ENDPOINT = 'http://127.0.0.1:9';

/** Per function: an event, and a complete environment pointing every client at a closed port. */
const PROBES: Record<string, { event: unknown; env: Record<string, string> }> = {
  intake: { event: { Records: [] }, env: { LANE_QUEUE_URLS: JSON.stringify({ provincial: 'q', municipal: 'q', publicColumn: 'q', district: 'q' }) } },
  deliver: {
    event: { Records: [] },
    env: {
      DESTINATION: 'provincial',
      ENDPOINT_URL: LOCAL_ENDPOINT,
      LANE_QUEUE_URL: 'q',
      CREDENTIALS_SECRET: 'credex/dev/destinations/provincial',
      EVIDENCE_QUEUE_URL: 'q',
    },
  },
  ingest: {
    event: {
      rawPath: '/v1/records',
      rawQueryString: '',
      headers: {},
      body: '[]',
      isBase64Encoded: false,
      requestContext: { requestId: 'probe', http: { method: 'POST', sourceIp: '127.0.0.1' } },
    },
    env: { INTAKE_QUEUE_URL: 'q', EVIDENCE_QUEUE_URL: 'q' },
  },
  pull: {
    event: {},
    env: { INTAKE_QUEUE_URL: 'q', FEED_URL: LOCAL_ENDPOINT, CREDENTIALS_SECRET: 'credex/dev/feeds/provincial-breaches', EVIDENCE_QUEUE_URL: 'q' },
  },
  sweep: { event: {}, env: { LANE_QUEUE_URLS: JSON.stringify({ provincial: 'q', municipal: 'q', publicColumn: 'q', district: 'q' }) } },
  seal: {
    event: {},
    env: {
      STAGE: 'dev',
      EVIDENCE_QUEUE_URL: 'q',
      EVIDENCE_BUCKET: 'credex-dev-evidence',
      EVIDENCE_KEY_ARN: 'arn:aws-cn:kms:cn-north-1:111111111111:key/probe',
      EVIDENCE_SIGNING_ALGORITHM: 'SM2DSA',
    },
  },
};

function probe(file: string, event: unknown, env: Record<string, string>) {
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE, `file://${file}`, JSON.stringify(event)], {
    env: {
      PATH: process.env['PATH'] ?? '',
      AWS_REGION: 'cn-north-1',
      AWS_ACCESS_KEY_ID: 'probe',
      AWS_SECRET_ACCESS_KEY: 'probe',
      AWS_MAX_ATTEMPTS: '1',
      ...env,
    },
    encoding: 'utf8',
  });
  return JSON.parse(output.trim().split('\n').at(-1)!) as { loaded: boolean; threw?: boolean; name?: string; message?: string; result?: unknown };
}

const bundleOf = (name: string) => bundles.find((b) => b.functionName === `credex-dev-${name}`)!;

describe('bundled functions', () => {
  it('bundles every function', () => {
    expect(bundles.map((b) => b.functionName).sort()).toEqual(
      ['intake', 'ingest', 'pull', 'sweep', 'seal', 'deliver-provincial', 'deliver-municipal', 'deliver-publicColumn', 'deliver-district']
        .map((n) => `credex-dev-${n}`)
        .sort(),
    );
    for (const bundle of bundles) {
      expect(existsSync(bundle.file)).toBe(true);
      // minified, source-mapped, the SDK inside: a few hundred KB, not megabytes
      expect(statSync(bundle.file).size).toBeLessThan(1_000_000);
    }
  });

  it('imports nothing but Node built-ins statically; the credential links left out only on demand', () => {
    for (const bundle of bundles) {
      const code = readFileSync(bundle.file, 'utf8');
      // `import … from "x"` and `import "x"` statements (minified or not); a dynamic import("x") has a parenthesis
      const statics = [...code.matchAll(/(?:^|[;}])\s*import\s*(?:[\w$*{},\s]+?\s*from\s*)?["']([@\w.][\w@/:.-]*)["']/gm)].map((m) => m[1]!);
      expect(statics.filter((specifier) => !specifier.startsWith('node:'))).toEqual([]);
      const dynamics = new Set([...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]!));
      expect([...dynamics].filter((specifier) => !specifier.startsWith('node:')).sort()).toEqual([...RUNTIME_PROVIDED_CREDENTIAL_LINKS].sort());
    }
  });

  it('the benchmark builds the same bytes CDK deployed (infra/bundling.ts esbuildBuildOptions)', () => {
    const out = mkdtempSync(path.join(tmpdir(), 'credex-bench-build-'));
    try {
      const options = esbuildBuildOptions(functionBundling, PROJECT_ROOT, 'functions/intake/handler.ts', out);
      // esbuild's API in a child process (as the benchmark runs it), not inside Jest's module sandbox
      const script = `import * as esbuild from 'esbuild'; await esbuild.build({ ...JSON.parse(process.argv[1]), logLevel: 'error' });`;
      execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(options)], {
        cwd: PROJECT_ROOT,
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      expect(path.basename(options.outfile)).toBe('index.mjs');
      expect(readFileSync(options.outfile).equals(readFileSync(bundleOf('intake').file))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it.each(['intake', 'deliver-provincial', 'ingest', 'pull', 'sweep'])(
    '%s without its environment fails with the ConfigurationError naming what is missing',
    (name) => {
      const { event } = PROBES[name.split('-')[0]!]!;
      const outcome = probe(bundleOf(name).file, event, {});
      expect(outcome).toMatchObject({ loaded: true, threw: true, name: 'ConfigurationError' });
      expect(outcome.message).toMatch(/TABLE_NAME|DESTINATION|CREDENTIALS_SECRET/);
    },
  );

  it('intake and deliver, configured, answer an empty batch with no failures', () => {
    for (const name of ['intake', 'deliver-provincial']) {
      const { event, env } = PROBES[name.split('-')[0]!]!;
      expect(probe(bundleOf(name).file, event, { TABLE_NAME: 't', ...env })).toEqual({ loaded: true, threw: false, result: { batchItemFailures: [] } });
    }
  });

  it('ingest, configured, refuses an unsigned request with 401', () => {
    const { event, env } = PROBES['ingest']!;
    // the refusal's evidence is queued before the answer: a queue that takes it stands in for SQS
    const outcome = probe(bundleOf('ingest').file, event, { TABLE_NAME: 't', ...env, PROBE_EVIDENCE_QUEUE: '1' });
    expect(outcome).toMatchObject({ loaded: true, threw: false, result: { statusCode: 401 } });
  });

  it('seal without its environment fails with the ConfigurationError naming what is missing (it uses no table)', () => {
    const outcome = probe(bundleOf('seal').file, PROBES['seal']!.event, {});
    expect(outcome).toMatchObject({ loaded: true, threw: true, name: 'ConfigurationError' });
    expect(outcome.message).toMatch(/STAGE|EVIDENCE_QUEUE_URL/);
  });

  it.each(['pull', 'sweep', 'seal'])('%s, configured, reaches the AWS SDK and fails on the closed endpoint, not on the bundle', (name) => {
    const { event, env } = PROBES[name]!;
    const outcome = probe(bundleOf(name).file, event, { ...(name !== 'seal' && { TABLE_NAME: 't' }), AWS_ENDPOINT_URL: LOCAL_ENDPOINT, ...env });
    expect(outcome.loaded).toBe(true);
    expect(`${outcome.name}: ${outcome.message}`).toMatch(/ECONNREFUSED|connect/i);
  });
});
