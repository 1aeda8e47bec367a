/**
 * cdk-nag's AWS Solutions rules over the stack: no finding is left unacknowledged, and every
 * acknowledgement in infra/nag-suppressions.ts still answers a real finding (none is stale).
 */
import { AwsSolutionsChecks } from 'cdk-nag';
import { SUPPRESSIONS } from '../../infra/nag-suppressions.js';
import { stages } from '../../infra/stages.js';
import { synthesize } from './synth.js';

const findingsOf = (suppress: boolean, stage = stages['dev']!) => {
  const { stack } = synthesize({ stage, suppress });
  const report = new AwsSolutionsChecks(stack).validateScope(stack);
  return report.violations.flatMap((v) => v.violatingResources.map((r) => `${v.ruleName} at ${r.constructPath ?? r.resourceLogicalId}`));
};

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'])('the %s stack has no unacknowledged finding', (stage) => {
    expect(findingsOf(true, stages[stage]!)).toEqual([]);
  });

  it('every suppression answers a finding the stack would otherwise have', () => {
    const findings = findingsOf(false).join('\n');
    for (const suppression of SUPPRESSIONS) expect(findings).toContain(suppression.id);
  });
});
