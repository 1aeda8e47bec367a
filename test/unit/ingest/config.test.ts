import { DEFAULT_SECRETS_PREFIX, ingestConfigFromEnv } from '../../../functions/ingest/config.js';
import { ConfigurationError } from '../../../functions/shared/errors.js';
import { createUpstreamSecrets } from '../../../functions/ingest/ingest.js';
import { memorySecretSource } from '../../../functions/shared/signing/credentials.js';
import { resolveUpstreams, upstreamSecretName, upstreams } from '../../../topology/upstreams.js';

const env = { TABLE_NAME: 't', INTAKE_QUEUE_URL: 'https://sqs/intake', EVIDENCE_QUEUE_URL: 'https://sqs/evidence' };

describe('upstream secret names', () => {
  it('are <prefix>/upstreams/<upstreamId>, for every registered upstream', () => {
    expect(upstreamSecretName('credex/prod', 'hrbxq-approval-system')).toBe('credex/prod/upstreams/hrbxq-approval-system');
    const resolved = resolveUpstreams('credex/test');
    expect(Object.keys(resolved).sort()).toEqual(Object.keys(upstreams).sort());
    for (const [id, upstream] of Object.entries(resolved)) {
      expect(upstream).toEqual({ ...upstreams[id as keyof typeof upstreams], credentialsSecret: `credex/test/upstreams/${id}` });
    }
  });

  it('are not part of the registry, so no deployment inherits another one’s', () => {
    for (const upstream of Object.values(upstreams)) expect(upstream).not.toHaveProperty('credentialsSecret');
  });
});

describe('ingestConfigFromEnv', () => {
  it('reads the table, the queue and the default limits, and names the upstream secrets under credex by default', () => {
    const config = ingestConfigFromEnv(env);
    expect(config).toEqual({
      tableName: 't',
      intakeQueueUrl: 'https://sqs/intake',
      evidenceQueueUrl: 'https://sqs/evidence',
      upstreams: resolveUpstreams('credex'),
      maxRecordsPerRequest: 100,
      maxBodyBytes: 5 * 1024 * 1024,
    });
    expect(DEFAULT_SECRETS_PREFIX).toBe('credex');
    expect(config.upstreams['hrbxq-approval-system']!.credentialsSecret).toBe('credex/upstreams/hrbxq-approval-system');
    expect(ingestConfigFromEnv({ ...env, SECRETS_PREFIX: '' }).upstreams).toEqual(resolveUpstreams('credex'));
  });

  it('names the upstream secrets under SECRETS_PREFIX, so two stages in one account read different secrets', () => {
    const config = ingestConfigFromEnv({ ...env, SECRETS_PREFIX: 'credex/prod' });
    for (const [id, upstream] of Object.entries(config.upstreams)) expect(upstream.credentialsSecret).toBe(`credex/prod/upstreams/${id}`);
  });

  it('the Lambda reads each upstream’s credentials from the secret under the prefix', async () => {
    const config = ingestConfigFromEnv({ ...env, SECRETS_PREFIX: 'credex/staging' });
    const requested: string[] = [];
    const memory = memorySecretSource({ 'credex/staging/upstreams/hrbxq-enforcement-system': { appKey: 'hrbxq-enforcement', secret: 'staging-secret' } });
    const source = {
      getSecretString: (name: string) => {
        requested.push(name);
        return memory.getSecretString(name);
      },
    };
    const secrets = createUpstreamSecrets(source, config.upstreams);
    expect(await secrets.lookup('hrbxq-enforcement')).toEqual({ upstreamId: 'hrbxq-enforcement-system', secret: 'staging-secret' });
    expect(requested).toEqual(['credex/staging/upstreams/hrbxq-enforcement-system']);
  });

  it.each([
    [{ ...env, TABLE_NAME: undefined }, /TABLE_NAME is not set/],
    [{ ...env, INTAKE_QUEUE_URL: '' }, /INTAKE_QUEUE_URL is not set/],
    [{ ...env, MAX_BODY_BYTES: '1.5' }, /MAX_BODY_BYTES must be a positive integer; got "1.5"/],
    [{ ...env, SECRETS_PREFIX: 'credex/prod/' }, /SECRETS_PREFIX must be .* without a leading or trailing slash; got "credex\/prod\/"/],
    [{ ...env, SECRETS_PREFIX: '/credex' }, /SECRETS_PREFIX .*; got "\/credex"/],
    [{ ...env, SECRETS_PREFIX: 'credex//prod' }, /SECRETS_PREFIX .*; got "credex\/\/prod"/],
    [{ ...env, SECRETS_PREFIX: 'credex prod' }, /SECRETS_PREFIX .*; got "credex prod"/],
    [{ ...env, SECRETS_PREFIX: 'credex/产品' }, /SECRETS_PREFIX .*; got "credex\/产品"/],
  ])('refuses a missing or invalid setting clearly (%#)', (bad, message) => {
    expect(() => ingestConfigFromEnv(bad)).toThrow(ConfigurationError);
    expect(() => ingestConfigFromEnv(bad)).toThrow(message);
  });
});
