/**
 * Each function's environment, from the resources it uses: the stack passes its resources (CDK
 * tokens), the local runtime the emulators' names and URLs — so both hand the functions' config
 * parsers (functions/<fn>/config.ts) the same variables.
 */
import { ENV } from './names.js';
import type { DestinationId } from './topology.js';

/** What every function is told: the sync-state table and the namespace of its metrics. */
export interface CommonResources {
  tableName: string;
  metricsNamespace: string;
}

type Environment = Record<string, string>;

const common = (r: CommonResources): Environment => ({ [ENV.tableName]: r.tableName, [ENV.metricsNamespace]: r.metricsNamespace });

export const environmentOf = {
  intake: (r: CommonResources & { laneQueueUrls: Readonly<Record<DestinationId, string>>; intakeDlqUrl: string }): Environment => ({
    ...common(r),
    [ENV.laneQueueUrls]: JSON.stringify(r.laneQueueUrls),
    [ENV.intakeDlqUrl]: r.intakeDlqUrl,
  }),
  deliver: (
    r: CommonResources & {
      destination: DestinationId;
      endpointUrl: string;
      laneQueueUrl: string;
      credentialsSecret: string;
      rateLimitPerSecond: number;
      maxConcurrency: number;
      evidenceQueueUrl: string;
    },
  ): Environment => ({
    ...common(r),
    [ENV.destination]: r.destination,
    [ENV.endpointUrl]: r.endpointUrl,
    [ENV.laneQueueUrl]: r.laneQueueUrl,
    [ENV.credentialsSecret]: r.credentialsSecret,
    [ENV.rateLimitPerSecond]: String(r.rateLimitPerSecond),
    [ENV.maxConcurrency]: String(r.maxConcurrency),
    [ENV.evidenceQueueUrl]: r.evidenceQueueUrl,
  }),
  ingest: (r: CommonResources & { intakeQueueUrl: string; secretsPrefix: string; evidenceQueueUrl: string }): Environment => ({
    ...common(r),
    [ENV.intakeQueueUrl]: r.intakeQueueUrl,
    [ENV.secretsPrefix]: r.secretsPrefix,
    [ENV.evidenceQueueUrl]: r.evidenceQueueUrl,
  }),
  pull: (r: CommonResources & { intakeQueueUrl: string; feedUrl: string; credentialsSecret: string; evidenceQueueUrl: string }): Environment => ({
    ...common(r),
    [ENV.intakeQueueUrl]: r.intakeQueueUrl,
    [ENV.feedUrl]: r.feedUrl,
    [ENV.credentialsSecret]: r.credentialsSecret,
    [ENV.evidenceQueueUrl]: r.evidenceQueueUrl,
  }),
  sweep: (r: CommonResources & { laneQueueUrls: Readonly<Record<DestinationId, string>>; maxRecordsPerRun: number }): Environment => ({
    ...common(r),
    [ENV.laneQueueUrls]: JSON.stringify(r.laneQueueUrls),
    [ENV.maxRecordsPerRun]: String(r.maxRecordsPerRun),
  }),
  /** The sealer: no table (it keeps nothing there). The bucket and key are absent locally, where a directory and a key file stand in. */
  seal: (r: {
    metricsNamespace: string;
    stage: string;
    evidenceQueueUrl: string;
    evidenceBucket?: string;
    evidenceKeyArn?: string;
    signingAlgorithm?: string;
  }): Environment => ({
    [ENV.metricsNamespace]: r.metricsNamespace,
    [ENV.stage]: r.stage,
    [ENV.evidenceQueueUrl]: r.evidenceQueueUrl,
    ...(r.evidenceBucket !== undefined && { [ENV.evidenceBucket]: r.evidenceBucket }),
    ...(r.evidenceKeyArn !== undefined && { [ENV.evidenceKeyArn]: r.evidenceKeyArn }),
    ...(r.signingAlgorithm !== undefined && { [ENV.evidenceSigningAlgorithm]: r.signingAlgorithm }),
  }),
};
