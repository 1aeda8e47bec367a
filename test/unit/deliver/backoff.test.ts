import fc from 'fast-check';
import { idempotencyKey, scrubReason } from '../../../functions/deliver/deliver.js';
import { backoffSeconds } from '../../../functions/deliver/retry-policy.js';
import type { DeliverConfig } from '../../../functions/deliver/deliver.js';
import { residentId } from '../../support/records.js';

const config = { backoff: { baseSeconds: 10, maxSeconds: 900 } } as DeliverConfig;

describe('backoff of transient failures', () => {
  it('grows exponentially with the attempt, with equal jitter, capped', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 30 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (attempt, r) => {
        const ceiling = Math.min(900, 10 * 2 ** (attempt - 1));
        const seconds = backoffSeconds(attempt, undefined, { config, random: () => r });
        expect(seconds).toBeGreaterThanOrEqual(Math.max(1, Math.floor(ceiling / 2)));
        expect(seconds).toBeLessThanOrEqual(ceiling);
      }),
    );
  });

  it('honours Retry-After, within what SQS allows', () => {
    expect(backoffSeconds(1, 37, { config })).toBe(37);
    expect(backoffSeconds(1, 0, { config })).toBe(1);
    expect(backoffSeconds(1, 100_000, { config })).toBe(43_200);
  });
});

describe('delivery helpers', () => {
  it('builds the idempotency key from type, source, id, revision and destination', () => {
    expect(idempotencyKey({ recordType: 'breach', source: 'hlj-credit-platform', recordId: 'PROV-1', revision: 3, destination: 'district' })).toBe(
      'breach:hlj-credit-platform:PROV-1:3:district',
    );
  });

  it('masks identity numbers an endpoint echoes back in its reasons', () => {
    const id = residentId('230102', '19850312', '457');
    expect(scrubReason(`CF_XDR_ZJHM ${id} 格式错误`)).toBe(`CF_XDR_ZJHM ${id.slice(0, 6)}********${id.slice(-4)} 格式错误`);
  });
});
