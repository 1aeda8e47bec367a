import { deliverConfigFromEnv } from '../../../functions/deliver/config.js';
import { ConfigurationError } from '../../../functions/shared/errors.js';
import { destinations } from '../../../topology/topology.js';

const env = {
  TABLE_NAME: 't',
  DESTINATION: 'provincial',
  ENDPOINT_URL: 'https://credit.hlj.example/',
  LANE_QUEUE_URL: 'https://sqs/q',
  EVIDENCE_QUEUE_URL: 'https://sqs/evidence',
  CREDENTIALS_SECRET: 'credex/provincial',
};

describe('deliverConfigFromEnv', () => {
  it('reads the lane, its endpoint and secret, and takes the lane settings from the topology', () => {
    expect(deliverConfigFromEnv(env)).toEqual({
      tableName: 't',
      destination: 'provincial',
      endpointUrl: 'https://credit.hlj.example',
      queueUrl: 'https://sqs/q',
      lane: destinations.provincial.lane,
      credentialsSecret: 'credex/provincial',
      evidenceQueueUrl: 'https://sqs/evidence',
    });
    expect(deliverConfigFromEnv({ ...env, RATE_LIMIT_PER_SECOND: '', MAX_CONCURRENCY: '' }).lane).toEqual(destinations.provincial.lane);
  });

  it("lets a stage override the lane's rate limit and concurrency, and nothing else of the lane", () => {
    const { lane } = deliverConfigFromEnv({ ...env, RATE_LIMIT_PER_SECOND: '2.5', MAX_CONCURRENCY: '3' });
    expect(lane).toEqual({ ...destinations.provincial.lane, rateLimitPerSecond: 2.5, maxConcurrency: 3 });
    expect(deliverConfigFromEnv({ ...env, RATE_LIMIT_PER_SECOND: '7' }).lane).toEqual({ ...destinations.provincial.lane, rateLimitPerSecond: 7 });
    expect(deliverConfigFromEnv({ ...env, MAX_CONCURRENCY: '1' }).lane).toEqual({ ...destinations.provincial.lane, maxConcurrency: 1 });
    expect(destinations.provincial.lane.rateLimitPerSecond).not.toBe(2.5); // the topology itself is untouched
  });

  it.each([
    [{ ...env, DESTINATION: 'mars' }, /DESTINATION mars is not one of provincial, municipal, publicColumn, district/],
    [{ ...env, CREDENTIALS_SECRET: '' }, /CREDENTIALS_SECRET is not set/],
    [{ ...env, ENDPOINT_URL: undefined }, /ENDPOINT_URL is not set/],
    [{ ...env, RATE_LIMIT_PER_SECOND: '0' }, /^RATE_LIMIT_PER_SECOND must be a positive number of requests per second; got "0"$/],
    [{ ...env, RATE_LIMIT_PER_SECOND: '-5' }, /RATE_LIMIT_PER_SECOND must be a positive number .*; got "-5"/],
    [{ ...env, RATE_LIMIT_PER_SECOND: 'fast' }, /RATE_LIMIT_PER_SECOND must be a positive number .*; got "fast"/],
    [{ ...env, RATE_LIMIT_PER_SECOND: 'Infinity' }, /RATE_LIMIT_PER_SECOND must be a positive number .*; got "Infinity"/],
    [{ ...env, RATE_LIMIT_PER_SECOND: ' ' }, /RATE_LIMIT_PER_SECOND must be a positive number .*; got " "/],
    [{ ...env, MAX_CONCURRENCY: '0' }, /^MAX_CONCURRENCY must be a positive integer \(concurrent invocations of the lane\); got "0"$/],
    [{ ...env, MAX_CONCURRENCY: '2.5' }, /MAX_CONCURRENCY must be a positive integer .*; got "2.5"/],
    [{ ...env, MAX_CONCURRENCY: 'two' }, /MAX_CONCURRENCY must be a positive integer .*; got "two"/],
  ])('refuses an incomplete or invalid environment clearly (%#)', (bad, message) => {
    expect(() => deliverConfigFromEnv(bad)).toThrow(ConfigurationError);
    expect(() => deliverConfigFromEnv(bad)).toThrow(message);
  });
});
