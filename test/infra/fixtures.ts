/**
 * The infra tier's shared fixtures, made once per run by its global setup (./global-setup.ts): the
 * dev and prod templates and cdk-nag's findings, as JSON files in a temporary folder named by
 * CREDEX_TEST_SYNTH_DIR. Synthesizing the stack takes seconds; the tests only read the result.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { applySuppressions } from '../../infra/nag-suppressions.js';
import { stages } from '../../infra/stages.js';
import { synthesize } from './synth.js';

export const SYNTH_DIR_VARIABLE = 'CREDEX_TEST_SYNTH_DIR';
export const FIXTURE_STAGES = ['dev', 'prod'] as const;
export type FixtureStage = (typeof FIXTURE_STAGES)[number];

/** cdk-nag's AwsSolutions findings over a stack, as `<rule> at <construct path>`. */
function nagFindings(stack: Stack): string[] {
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

/**
 * One synthesis per stage: the findings without the app's acknowledgements (dev: so each one is
 * shown to answer a finding), then with them, then the template.
 */
export function writeFixtures(dir: string): void {
  mkdirSync(dir, { recursive: true });
  const nag: Record<string, string[]> = {};
  for (const stage of FIXTURE_STAGES) {
    const { stack } = synthesize({ stage: stages[stage]!, suppress: false });
    if (stage === 'dev') nag['devUnsuppressed'] = nagFindings(stack);
    applySuppressions(stack);
    nag[stage] = nagFindings(stack);
    writeFileSync(join(dir, `${stage}.template.json`), JSON.stringify(Template.fromStack(stack).toJSON()));
  }
  writeFileSync(join(dir, 'nag.json'), JSON.stringify(nag));
}
