/**
 * Synthesizes the stack for infra tests: the app's own feature flags (cdk.json context), bundling
 * skipped (`aws:cdk:bundling-stacks: []`: no esbuild run, the asset is a placeholder), the
 * suppressions the app applies.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { applySuppressions } from '../../infra/nag-suppressions.js';
import { CreditExchangeStack } from '../../infra/stack.js';
import { stages, type StageConfig } from '../../infra/stages.js';
import type { Topology } from '../../topology/topology.js';

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;

export interface Synthesized {
  stack: CreditExchangeStack;
  template: Template;
}

export function synthesize(options: { stage?: StageConfig; topology?: Topology; suppress?: boolean } = {}): Synthesized {
  const stage = options.stage ?? stages['dev']!;
  const app = new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [] } });
  const stack = new CreditExchangeStack(app, `credex-${stage.name}`, { stage, env: stage.env, ...(options.topology && { topology: options.topology }) });
  if (options.suppress !== false) applySuppressions(stack);
  return { stack, template: Template.fromStack(stack) };
}

/**
 * The dev or prod stack's template as the tier's global setup synthesized it (test/infra/fixtures.ts):
 * read, not synthesized again. A test of another stage or topology calls synthesize().
 */
export function synthesized(stage: 'dev' | 'prod'): Template {
  const dir = process.env['CREDEX_TEST_SYNTH_DIR'];
  if (!dir)
    throw new Error('CREDEX_TEST_SYNTH_DIR is not set: run the infra tests through jest (--selectProjects infra), whose global setup synthesizes the stack');
  return Template.fromJSON(JSON.parse(readFileSync(join(dir, `${stage}.template.json`), 'utf8')));
}

/** cdk-nag's findings the global setup recorded: per stage with the app's suppressions, and dev without. */
export function recordedNagFindings(): { dev: string[]; prod: string[]; devUnsuppressed: string[] } {
  return JSON.parse(readFileSync(join(process.env['CREDEX_TEST_SYNTH_DIR'] ?? '', 'nag.json'), 'utf8'));
}

// template properties are free-form JSON; tests index into them as the template's shape dictates
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Resources = Record<string, { Type: string; Properties: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id a `{Ref}` or `{Fn::GetAtt: [id, …]}` points at. */
export function refId(value: unknown): string | undefined {
  if (value && typeof value === 'object') {
    const v = value as { Ref?: string; 'Fn::GetAtt'?: [string, string] };
    return v.Ref ?? v['Fn::GetAtt']?.[0];
  }
  return undefined;
}

/** The logical id of the stack key (alias `alias/credex-<stage>`): the evidence log has keys of its own. */
export function stackKeyId(template: Template, stage = 'dev'): string {
  const alias = Object.values(resourcesOf(template, 'AWS::KMS::Alias')).find((a) => a.Properties['AliasName'] === `alias/credex-${stage}`);
  const id = refId(alias?.Properties['TargetKeyId']);
  if (!id) throw new Error(`no key has the alias alias/credex-${stage}`);
  return id;
}
