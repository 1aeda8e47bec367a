/** The CDK app picks the stage from context (default dev), tags the stack, and refuses an unknown stage. */
import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../infra/app.js';
import { StageConfigError } from '../../infra/stages.js';

const cdkContext = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')).context as Record<string, unknown>;
const appWith = (context: Record<string, unknown>) => new App({ context: { ...cdkContext, 'aws:cdk:bundling-stacks': [], ...context } });

describe('CDK app', () => {
  it('builds the dev stack by default and the named stage on request', () => {
    expect(buildApp(appWith({})).stack.stackName).toBe('credex-dev');
    const { stack } = buildApp(appWith({ stage: 'prod' }));
    expect(stack.stackName).toBe('credex-prod');
    expect(stack.region).toBe('cn-north-1');
    // tags are applied when the stack is synthesized
    Template.fromStack(stack).hasResourceProperties('AWS::SQS::Queue', {
      Tags: Match.arrayWith([
        { Key: 'project', Value: 'credit-exchange' },
        { Key: 'stage', Value: 'prod' },
      ]),
    });
  });

  it('refuses an unknown stage, naming the known ones', () => {
    expect(() => buildApp(appWith({ stage: 'staging' }))).toThrow(StageConfigError);
    expect(() => buildApp(appWith({ stage: 'staging' }))).toThrow(/stages: dev, prod/);
  });
});
