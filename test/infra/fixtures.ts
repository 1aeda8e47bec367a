/**
 * The infra tier's shared fixtures, made once per run by its global setup (./global-setup.ts): the
 * dev and prod templates and cdk-nag's findings, as JSON files in a temporary folder named by
 * CREDEX_TEST_SYNTH_DIR. Synthesizing the stack takes seconds; the tests only read the result.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AwsSolutionsChecks } from 'cdk-nag';
import { stages } from '../../infra/stages.js';
import { synthesize } from './synth.js';

export const SYNTH_DIR_VARIABLE = 'CREDEX_TEST_SYNTH_DIR';
export const FIXTURE_STAGES = ['dev', 'prod'] as const;
export type FixtureStage = (typeof FIXTURE_STAGES)[number];

/** cdk-nag's AwsSolutions findings as `<rule> at <construct path>`, with or without the app's suppressions. */
export function nagFindings(stage: FixtureStage, suppress: boolean): string[] {
  const { stack } = synthesize({ stage: stages[stage]!, suppress });
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
}

export function writeFixtures(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const stage of FIXTURE_STAGES) {
    writeFileSync(join(dir, `${stage}.template.json`), JSON.stringify(synthesize({ stage: stages[stage]! }).template.toJSON()));
  }
  const nag = { dev: nagFindings('dev', true), prod: nagFindings('prod', true), devUnsuppressed: nagFindings('dev', false) };
  writeFileSync(join(dir, 'nag.json'), JSON.stringify(nag));
}
