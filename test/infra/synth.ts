/**
 * Synthesizes the stack for infra tests: the app's own feature flags (cdk.json context), bundling
 * skipped (`aws:cdk:bundling-stacks: []`: no esbuild run, the asset is a placeholder), the
 * suppressions the app applies.
 */
import { readFileSync } from 'node:fs';
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
