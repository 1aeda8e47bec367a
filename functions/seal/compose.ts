/**
 * The evidence sealer, composed: its handler from an environment map (sealConfigFromEnv), a
 * platform (functions/shared/platform.ts), and where windows go and who signs them — on AWS the
 * bucket and KMS key the environment names, locally a directory and a key file the runtime passes.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit, type Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { KMSClient } from '@aws-sdk/client-kms';
import { S3Client } from '@aws-sdk/client-s3';
import type { Env } from '../shared/env.js';
import { ConfigurationError } from '../shared/errors.js';
import { kmsSigner, type EvidenceSigner } from '../shared/evidence/signer.js';
import { s3EvidenceStore, type EvidenceStore } from '../shared/evidence/store.js';
import { loggerOf, metricsOf, type Platform } from '../shared/platform.js';
import { ENV } from '../../topology/names.js';
import { sealConfigFromEnv } from './config.js';
import { sealPending, type SealDeps, type SealResult } from './seal.js';

export function createSealHandler(deps: Omit<SealDeps, 'remainingMs'> & { logger: Logger; powertoolsMetrics: Metrics }) {
  return middy<unknown, SealResult, Error, Context>()
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.powertoolsMetrics))
    .handler(async (_event, context) => {
      const result = await sealPending({ ...deps, remainingMs: () => context.getRemainingTimeInMillis() });
      deps.logger.info('evidence sealed', { ...result });
      return result;
    });
}

/** `local`: the store and signer that stand in for the bucket and the KMS key. */
export function composeSeal(env: Env, platform: Platform, local?: { store: EvidenceStore; signer: EvidenceSigner }) {
  const { bucket, keyArn, algorithm, ...config } = sealConfigFromEnv(env);
  let store = local?.store;
  let signer = local?.signer;
  if (!store || !signer) {
    if (!bucket || !keyArn || !algorithm) {
      throw new ConfigurationError(`${ENV.evidenceBucket}, ${ENV.evidenceKeyArn} and ${ENV.evidenceSigningAlgorithm} must all be set`);
    }
    store = s3EvidenceStore(new S3Client({}), bucket);
    signer = kmsSigner(new KMSClient({}), keyArn, algorithm);
  }
  const powertoolsMetrics = metricsOf(platform, 'seal', env);
  return createSealHandler({
    sqs: platform.sqs,
    store,
    signer,
    config,
    logger: loggerOf(platform, 'seal'),
    powertoolsMetrics,
    metrics: { count: (name, value) => powertoolsMetrics.addMetric(name, MetricUnit.Count, value) },
  });
}
