/**
 * How every function is bundled: the one definition the stack (constructs/exchange-function.ts),
 * the bundle test (test/infra/bundles.test.ts) and the bundle benchmark (bench/bundles.bench.ts)
 * share. `functionBundling` is what NodejsFunction gets; `esbuildBuildOptions` turns the same
 * options into the esbuild build CDK runs (aws-lambda-nodejs Bundling.buildEsbuildArgs: the same
 * flags, in esbuild's API form), so the benchmark measures the bundle that is deployed — the test
 * checks that both produce the same bytes.
 */
import * as path from 'node:path';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';

/**
 * The links of the AWS SDK's default credential chain after the first one. The chain
 * (@aws-sdk/credential-provider-node) tries fromEnv first, and Lambda gives every function its
 * role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN: on Lambda
 * the chain never goes further. It reaches each later link through a dynamic `import()`, so left
 * out of the bundle they cost nothing until imported — and were one ever needed, Lambda's runtime
 * carries them (nodejs22.x provides the SDK v3). Bundled, they were 130 KB of every bundle (the
 * STS, SSO and OIDC clients, the query/XML protocol), and the IMDS link's static
 * `import … from 'node:http'` made Node load its fetch implementation (undici) at init, for the
 * module's ES namespace: together a quarter to a third of each function's init
 * (bench/results/bundles.md, variant sdkAllBundled). test/infra/bundles.test.ts checks that
 * no bundle imports a package statically.
 */
export const RUNTIME_PROVIDED_CREDENTIAL_LINKS = [
  '@aws-sdk/credential-provider-sso',
  '@aws-sdk/credential-provider-ini',
  '@aws-sdk/credential-provider-process',
  '@aws-sdk/credential-provider-web-identity',
  '@aws-sdk/credential-provider-http',
  '@smithy/credential-provider-imds',
];

/**
 * Node.js 22, a minified ESM file with a source map (no sources inside), the AWS SDK inside (the
 * versions in the lockfile, the ones the tests ran — and, measured by bench/bundles.bench.ts,
 * faster to load than the runtime's own copy) but for the credential links Lambda never uses.
 */
export const functionBundling: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // bundle the AWS SDK too (the versions in the lockfile, the ones the tests ran), all but the
  // credential links after fromEnv
  externalModules: RUNTIME_PROVIDED_CREDENTIAL_LINKS,
  // jsonc-parser's "main" is a UMD build esbuild cannot follow; its ESM build is under "module"
  // (test/infra/bundles.test.ts fails without this)
  mainFields: ['module', 'main'],
  // a CommonJS dependency that requires a Node built-in needs a real require() in an ESM
  // bundle (esbuild's stub throws "Dynamic require is not supported"); none does today
  banner: "import { createRequire as __credexRequire } from 'node:module'; const require = __credexRequire(import.meta.url);",
};

/**
 * NODE_OPTIONS of a function whose stage maps stack traces to the sources (StageConfig
 * `sourceMappedStackTraces`): Node reads and parses the bundle's map when it loads the bundle —
 * part of the cold start bench/bundles.bench.ts measures.
 */
export const SOURCE_MAP_NODE_OPTIONS = '--enable-source-maps';

/** The esbuild build options (the subset CDK sets) for one entry: `esbuild.build(esbuildBuildOptions(…))`. */
export interface EsbuildBuildOptions {
  entryPoints: string[];
  absWorkingDir: string;
  bundle: true;
  outfile: string;
  target: string;
  platform: 'node';
  format?: 'esm' | 'cjs';
  minify?: boolean;
  sourcemap?: boolean;
  sourcesContent?: boolean;
  external: string[];
  mainFields?: string[];
  banner?: { js: string };
  alias?: Record<string, string>;
  metafile?: boolean;
  logLevel?: 'error' | 'warning';
}

/**
 * The esbuild build NodejsFunction runs for `entry` (relative to `projectRoot`) with `bundling`,
 * writing `<outdir>/index.mjs` (ESM) or `index.js` as CDK does. Only the options this project
 * uses are translated; any other one throws, so an option added to functionBundling cannot be
 * silently left out of what the benchmark measures.
 */
export function esbuildBuildOptions(bundling: nodejs.BundlingOptions, projectRoot: string, entry: string, outdir: string): EsbuildBuildOptions {
  const known = new Set(['format', 'target', 'minify', 'sourceMap', 'sourcesContent', 'externalModules', 'mainFields', 'banner', 'esbuildArgs']);
  const unknown = Object.keys(bundling).filter((key) => !known.has(key));
  if (unknown.length > 0) throw new Error(`esbuildBuildOptions: ${unknown.join(', ')} not translated (add it here as CDK's Bundling.buildEsbuildArgs does)`);
  const alias: Record<string, string> = {};
  for (const [key, value] of Object.entries(bundling.esbuildArgs ?? {})) {
    if (key !== '--alias' || !Array.isArray(value)) throw new Error(`esbuildBuildOptions: esbuildArgs ${key} not translated`);
    for (const item of value as string[]) {
      const at = item.indexOf('=');
      alias[item.slice(0, at)] = item.slice(at + 1);
    }
  }
  const format = bundling.format === nodejs.OutputFormat.CJS ? 'cjs' : bundling.format === nodejs.OutputFormat.ESM ? 'esm' : undefined;
  return {
    entryPoints: [path.join(projectRoot, entry)],
    // CDK runs esbuild in the project root; relative alias targets resolve from there
    absWorkingDir: projectRoot,
    bundle: true,
    outfile: path.join(outdir, format === 'esm' ? 'index.mjs' : 'index.js'),
    target: bundling.target ?? 'node22',
    platform: 'node',
    ...(format && { format }),
    ...(bundling.minify && { minify: true }),
    ...(bundling.sourceMap && { sourcemap: true }),
    // CDK passes --sources-content only when it is false
    ...(bundling.sourcesContent === false && { sourcesContent: false }),
    // CDK's default for Node.js ≥ 18 is ['@aws-sdk/*'] (the runtime's SDK)
    external: [...(bundling.externalModules ?? ['@aws-sdk/*'])],
    ...(bundling.mainFields && { mainFields: [...bundling.mainFields] }),
    ...(bundling.banner && { banner: { js: bundling.banner } }),
    ...(Object.keys(alias).length > 0 && { alias }),
  };
}
