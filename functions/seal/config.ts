/** The sealer's configuration, from its environment (topology/environment.ts: set by the stack or the local runtime). */
import { ENV } from '../../topology/names.js';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from '../shared/evidence/format.js';
import { ConfigurationError } from '../shared/errors.js';
import { requiredEnv, type Env } from '../shared/env.js';
import type { SealConfig } from './seal.js';

export const MAX_ENTRIES_PER_WINDOW = 20_000;
export const LOOKBACK_WINDOWS = 10;

/**
 * STAGE — the stage the windows name; EVIDENCE_QUEUE_URL — where entries wait; on AWS also
 * EVIDENCE_BUCKET (the Object Lock bucket), EVIDENCE_KEY_ARN (the KMS signing key) and
 * EVIDENCE_SIGNING_ALGORITHM (SM2DSA or ECDSA_SHA_256).
 */
export function sealConfigFromEnv(env: Env): SealConfig & { bucket?: string; keyArn?: string; algorithm?: SigningAlgorithm } {
  const algorithm = env[ENV.evidenceSigningAlgorithm];
  if (algorithm !== undefined && !(SIGNING_ALGORITHMS as readonly string[]).includes(algorithm)) {
    throw new ConfigurationError(`${ENV.evidenceSigningAlgorithm} ${algorithm} is not one of ${SIGNING_ALGORITHMS.join(', ')}`);
  }
  return {
    stage: requiredEnv(env, ENV.stage, 'the stage the evidence windows name'),
    queueUrl: requiredEnv(env, ENV.evidenceQueueUrl, 'the evidence queue URL'),
    maxEntriesPerWindow: MAX_ENTRIES_PER_WINDOW,
    lookbackWindows: LOOKBACK_WINDOWS,
    ...(env[ENV.evidenceBucket] && { bucket: env[ENV.evidenceBucket] }),
    ...(env[ENV.evidenceKeyArn] && { keyArn: env[ENV.evidenceKeyArn] }),
    ...(algorithm && { algorithm: algorithm as SigningAlgorithm }),
  };
}
