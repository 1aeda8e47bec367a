/**
 * BENCHMARK ARTEFACT, NOT PRODUCT CODE: the intake written "the common way", for
 * bench/intake.bench.ts to run beside functions/intake/intake.ts and report the ratios.
 *
 * AWS Lambda Powertools' BatchProcessor (SQS) with processPartialResponse, and per record:
 *  - validate the body (the same validateRecordText as ours: JSON.parse, normalisation, the
 *    precompiled ajv validators, the cross-field rules) — invalid input: one PutItem into
 *    quarantine, acked;
 *  - the registered source and its routes (the same topology and planRoutes as ours);
 *  - one PutItem of the whole record as one item, guarded by `attribute_not_exists(pk) OR
 *    revision < :rev` — a failed condition (a duplicate or an older revision) is acked;
 *  - one SendMessage per destination, the whole record in the body (not a pointer);
 *  - one history PutItem.
 *
 * What it does not do that ours does (read the ratios with this in mind):
 *  - no routing claim and no "routed" mark: a crash between the PutItem and the sends loses the
 *    lane messages for good (the redelivery meets a failed condition and is acked); two copies of
 *    a message in flight at once can both route; ours claims routing in the accept write and marks
 *    the revision routed after the sends;
 *  - no content hash: a changed record under the same revision is acked as a duplicate instead of
 *    quarantined as a conflict, and a duplicate is not told from an older revision;
 *  - no lookup of where a repair's breach went (one GetItem per repair in ours);
 *  - no separate immutable revision item: the record item is overwritten by each newer revision;
 *  - one history event per record (ours writes two for a routed record: accepted and routed);
 *  - the record itself travels in every lane message (personal data on every queue, stale if a
 *    newer revision overtakes it; bigger messages).
 */
import { randomUUID } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import { planRoutes } from '../../functions/intake/routing.js';
import type { StructuredLogger } from '../../functions/shared/logger.js';
import type { LaneAction } from '../../functions/shared/queue/lane-message.js';
import { beijingDate } from '../../functions/shared/records/dates.js';
import type { CreditRecord } from '../../functions/shared/records/types.js';
import { validateRecordText } from '../../functions/shared/records/validate.js';
import { eventSk, quarantinePk, recordPk } from '../../functions/shared/state/keys.js';
import { isConditionalCheckFailed } from '../../functions/shared/state/dynamo/index.js';
import { sources, type DestinationId } from '../../topology/topology.js';

/** The sort key of the one item holding a record's latest revision. */
export const RECORD_SK = 'RECORD';

export interface BaselineIntakeDeps {
  ddb: DynamoDBDocumentClient;
  sqs: SQSClient;
  config: { tableName: string; laneQueueUrls: Readonly<Partial<Record<DestinationId, string>>> };
  logger: StructuredLogger;
  /** The day publication is decided on (YYYY-MM-DD), as intake's `today`: default the Beijing date. */
  today?: () => string;
}

/** What became of one message: `skipped` = the revision guard failed (a duplicate or an older revision). */
export type BaselineIntakeOutcome = 'routed' | 'quarantined' | 'skipped';

/** A lane message of the common way: the record itself, and where it goes. */
export interface BaselineLaneMessage {
  destination: DestinationId;
  action: LaneAction;
  correlationId: string;
  record: CreditRecord;
}

export interface BaselineIntakeResult {
  response: SQSBatchResponse;
  /** By message id (the benchmark checks them; ours returns the same map). */
  outcomes: Map<string, BaselineIntakeOutcome>;
}

export function createBaselineIntake(deps: BaselineIntakeDeps): (messages: SQSRecord[]) => Promise<BaselineIntakeResult> {
  const processor = new BatchProcessor(EventType.SQS);
  const table = deps.config.tableName;

  const handleRecord = async (message: SQSRecord, outcomes: Map<string, BaselineIntakeOutcome>): Promise<void> => {
    const correlationId = message.messageAttributes?.['correlationId']?.stringValue ?? message.messageId;
    const now = new Date().toISOString();
    const result = validateRecordText(message.body);
    const record = result.record as CreditRecord;
    const source = result.valid ? sources[record.source] : undefined;
    if (!result.valid || !source) {
      await deps.ddb.send(
        new PutCommand({
          TableName: table,
          Item: {
            pk: quarantinePk(now),
            sk: `${now}#${message.messageId}`,
            messageId: message.messageId,
            reason: result.valid ? 'unknownSource' : 'invalid',
            errors: result.errors,
            body: message.body,
            correlationId,
            receivedAt: now,
          },
        }),
      );
      deps.logger.warn('record quarantined', { messageId: message.messageId, correlationId, errors: result.errors.map((e) => `${e.path} ${e.rule}`) });
      outcomes.set(message.messageId, 'quarantined');
      return;
    }

    const pk = recordPk(record);
    try {
      await deps.ddb.send(
        new PutCommand({
          TableName: table,
          Item: { ...record, pk, sk: RECORD_SK, correlationId, updatedAt: now },
          ConditionExpression: 'attribute_not_exists(pk) OR revision < :rev',
          ExpressionAttributeValues: { ':rev': record.revision },
        }),
      );
    } catch (err) {
      if (!isConditionalCheckFailed(err)) throw err;
      await deps.ddb.send(
        new PutCommand({
          TableName: table,
          Item: { pk, sk: eventSk(now, randomUUID().slice(0, 8)), type: 'skipped', at: now, correlationId, revision: record.revision },
        }),
      );
      deps.logger.info('revision already stored or older: skipped', {
        messageId: message.messageId,
        correlationId,
        recordId: record.recordId,
        revision: record.revision,
      });
      outcomes.set(message.messageId, 'skipped');
      return;
    }

    const plan = planRoutes(record, { direction: source.direction, routedBefore: [], today: deps.today?.() ?? beijingDate(new Date()) });
    await Promise.all(
      plan.map((entry) => {
        const url = deps.config.laneQueueUrls[entry.destination];
        if (!url) throw new Error(`no queue configured for lane ${entry.destination}`);
        const body: BaselineLaneMessage = { destination: entry.destination, action: entry.action, correlationId, record };
        return deps.sqs.send(
          new SendMessageCommand({
            QueueUrl: url,
            MessageBody: JSON.stringify(body),
            MessageAttributes: {
              recordType: { DataType: 'String', StringValue: record.recordType },
              destination: { DataType: 'String', StringValue: entry.destination },
              action: { DataType: 'String', StringValue: entry.action },
            },
          }),
        );
      }),
    );
    const lanes = plan.map((p) => `${p.destination}:${p.action}`);
    await deps.ddb.send(
      new PutCommand({
        TableName: table,
        Item: { pk, sk: eventSk(now, randomUUID().slice(0, 8)), type: 'routed', at: now, correlationId, revision: record.revision, detail: { lanes } },
      }),
    );
    deps.logger.info('record routed', {
      messageId: message.messageId,
      correlationId,
      recordType: record.recordType,
      source: record.source,
      recordId: record.recordId,
      revision: record.revision,
      lanes,
    });
    outcomes.set(message.messageId, 'routed');
  };

  return async (messages) => {
    const outcomes = new Map<string, BaselineIntakeOutcome>();
    const response = await processPartialResponse({ Records: messages }, (message: SQSRecord) => handleRecord(message, outcomes), processor);
    return { response, outcomes };
  };
}
