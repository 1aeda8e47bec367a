/**
 * cdk-nag's AWS Solutions rules over the stack: no finding is left unacknowledged, and every
 * acknowledgement in infra/nag-suppressions.ts still answers a real finding (none is stale). The
 * findings are the ones the tier's global setup recorded (test/infra/fixtures.ts).
 */
import { SUPPRESSIONS } from '../../infra/nag-suppressions.js';
import { recordedNagFindings } from './synth.js';

const findings = recordedNagFindings();

describe('cdk-nag AwsSolutions', () => {
  it.each(['dev', 'prod'] as const)('the %s stack has no unacknowledged finding', (stage) => {
    expect(findings[stage]).toEqual([]);
  });

  it('every suppression answers a finding the stack would otherwise have', () => {
    expect(findings.devUnsuppressed.length).toBeGreaterThan(0);
    const all = findings.devUnsuppressed.join('\n');
    for (const suppression of SUPPRESSIONS) expect(all).toContain(suppression.id);
  });
});
