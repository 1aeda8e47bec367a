/**
 * The CDK app: one stack per stage, `credex-<stage>` (infra/stages.ts), checked with cdk-nag's
 * AWS Solutions rules. Synthesizes offline, with no AWS credentials:
 *
 *   npx cdk synth                  # the dev stage
 *   npx cdk synth -c stage=prod    # another stage
 */
import { pathToFileURL } from 'node:url';
import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { applySuppressions } from './nag-suppressions.js';
import { stackName } from './outputs.js';
import { CreditExchangeStack } from './stack.js';
import { resolveStage } from './stages.js';

export function buildApp(app: App = new App()): { app: App; stack: CreditExchangeStack } {
  const stageName = String(app.node.tryGetContext('stage') ?? 'dev');
  const stage = resolveStage(stageName);
  const stack = new CreditExchangeStack(app, stackName(stage.name), {
    stage,
    env: stage.env,
    description: `Credit exchange pipeline (${stage.name}): commitments, breaches and credit repairs between the district and the provincial and municipal credit platforms`,
  });
  Tags.of(stack).add('project', 'credit-exchange');
  Tags.of(stack).add('stage', stage.name);
  applySuppressions(stack);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    buildApp().app.synth();
  } catch (err) {
    // a stage configuration error reads better without a stack trace
    if (err instanceof Error && err.name === 'StageConfigError') {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}
