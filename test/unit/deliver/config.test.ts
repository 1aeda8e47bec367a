import { deliverConfigFromEnv } from '../../../functions/deliver/config.js';
import { ConfigurationError } from '../../../functions/intake/config.js';
import { destinations } from '../../../infra/topology.js';

const env = { TABLE_NAME: 't', DESTINATION: 'provincial', ENDPOINT_URL: 'https://credit.hlj.example/', LANE_QUEUE_URL: 'https://sqs/q', CREDENTIALS_SECRET: 'credex/provincial' };

describe('deliverConfigFromEnv', () => {
  it('reads the lane, its endpoint and secret, and takes the lane settings from the topology', () => {
    expect(deliverConfigFromEnv(env)).toEqual({
      tableName: 't',
      destination: 'provincial',
      endpointUrl: 'https://credit.hlj.example',
      queueUrl: 'https://sqs/q',
      lane: destinations.provincial.lane,
      credentialsSecret: 'credex/provincial',
    });
  });

  it.each([
    [{ ...env, DESTINATION: 'mars' }, /DESTINATION mars is not one of provincial, municipal, publicColumn, district/],
    [{ ...env, CREDENTIALS_SECRET: '' }, /CREDENTIALS_SECRET is not set/],
    [{ ...env, ENDPOINT_URL: undefined }, /ENDPOINT_URL is not set/],
  ])('refuses an incomplete environment clearly (%#)', (bad, message) => {
    expect(() => deliverConfigFromEnv(bad)).toThrow(ConfigurationError);
    expect(() => deliverConfigFromEnv(bad)).toThrow(message);
  });
});
