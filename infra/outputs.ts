/**
 * The stack's outputs, by name: the stack writes them, the operator CLI reads them back
 * (DescribeStacks) to find the table and the queues of a deployed stage. Kept apart from the
 * stack so the CLI does not load aws-cdk-lib.
 */
import type { DestinationId } from '../topology/topology.js';
import { resourceNames } from '../topology/names.js';

/** The CloudFormation stack of a stage. */
export const stackName = (stage: string): string => resourceNames.prefix(stage);

export const OUTPUTS = {
  tableName: 'TableName',
  intakeQueueUrl: 'IntakeQueueUrl',
  intakeDlqUrl: 'IntakeDlqUrl',
  laneQueueUrl: (destination: DestinationId) => `LaneQueueUrl${destination[0]!.toUpperCase()}${destination.slice(1)}`,
  laneDlqUrl: (destination: DestinationId) => `LaneDlqUrl${destination[0]!.toUpperCase()}${destination.slice(1)}`,
  ingestApiUrl: 'IngestApiUrl',
  alarmTopicArn: 'AlarmTopicArn',
  dashboardName: 'DashboardName',
  /** The evidence log: the Object Lock bucket of sealed windows, the KMS key that signs them and its algorithm (SM2DSA or ECDSA_SHA_256). */
  evidenceBucketName: 'EvidenceBucketName',
  evidenceSigningKeyArn: 'EvidenceSigningKeyArn',
  evidenceSigningAlgorithm: 'EvidenceSigningAlgorithm',
  evidenceQueueUrl: 'EvidenceQueueUrl',
  evidenceDlqUrl: 'EvidenceDlqUrl',
  /** For platform engineers (docs/deploy.md, "Operators"); the CLI does not need it. */
  operatorPolicyArn: 'OperatorPolicyArn',
} as const;
