import { intakeConfigFromEnv } from '../../../functions/intake/config.js';
import { ConfigurationError } from '../../../functions/shared/errors.js';
import { DESTINATION_IDS } from '../../../topology/topology.js';

const lanes = Object.fromEntries(DESTINATION_IDS.map((d) => [d, `https://sqs.local/q/${d}`]));

describe('intakeConfigFromEnv', () => {
  it('reads the table, one lane queue per destination of the topology, and the DLQ', () => {
    expect(intakeConfigFromEnv({ TABLE_NAME: 't', LANE_QUEUE_URLS: JSON.stringify(lanes), INTAKE_DLQ_URL: 'https://sqs.local/q/dlq' })).toEqual({
      tableName: 't',
      laneQueueUrls: lanes,
      intakeDlqUrl: 'https://sqs.local/q/dlq',
    });
  });

  it.each([
    [{ LANE_QUEUE_URLS: JSON.stringify(lanes) }, /TABLE_NAME is not set/],
    [{ TABLE_NAME: 't', LANE_QUEUE_URLS: 'provincial=x' }, /LANE_QUEUE_URLS must be a JSON object/],
    [{ TABLE_NAME: 't', LANE_QUEUE_URLS: JSON.stringify({ ...lanes, district: '' }) }, /no queue URL for destination district/],
  ])('refuses an incomplete environment with a clear message (%#)', (env, message) => {
    expect(() => intakeConfigFromEnv(env)).toThrow(ConfigurationError);
    expect(() => intakeConfigFromEnv(env)).toThrow(message);
  });
});
