/**
 * BENCHMARK ARTEFACT, NOT PRODUCT CODE: a lane's deliver function written "the common way", for
 * bench/deliver.bench.ts to run beside functions/deliver/deliver.ts and report the ratios.
 *
 * AWS Lambda Powertools' BatchProcessor (SQS) with processPartialResponse, and per record:
 *  - read the record from the message body (bench/baseline/intake.ts sends the whole record);
 *  - one signed HTTP request to the endpoint for this record alone, with the same adapter
 *    (mapping, SM4 field encryption for the province), the same signing, the same credentials
 *    cache and the same timeout as ours; the answer read by the same adapter;
 *  - one PutItem of the destination state (with the same status-index attributes as ours, so the
 *    operators' index costs the same); a transient failure (non-2xx other than a per-record
 *    rejection, a network error) is thrown, and BatchProcessor reports it as a batch item failure.
 *
 * What it does not do that ours does (read the ratios with this in mind):
 *  - no batching to the provincial endpoint: one request per record where ours sends up to 100;
 *  - no reads: ours reads the record's latest revision (META), its destination state and the
 *    stored revision (3 GetItem a record), and a repair's breach (2 more), to skip superseded and
 *    already delivered revisions and to hold a repair back until its breach is delivered;
 *  - no send claim (one conditional write in ours): two invocations can send two revisions of a
 *    record in either order; the state PutItem is unconditional (last writer wins, a late failure
 *    can overwrite "delivered", an older revision a newer one);
 *  - no history event (ours appends one per outcome, 25 a BatchWriteItem);
 *  - no rate limiting, circuit breaker, credential refresh on 401/403 or backoff of retries
 *    (visibility changes), no metrics.
 */
import { randomBytes } from 'node:crypto';
import { BatchProcessor, EventType, processPartialResponse } from '@aws-lambda-powertools/batch';
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSBatchResponse, SQSRecord } from 'aws-lambda';
import type { Adapter } from '../../functions/deliver/adapters/types.js';
import { idempotencyKey, type CredentialsSource } from '../../functions/deliver/deliver.js';
import type { StructuredLogger } from '../../functions/shared/logger.js';
import { signRequest } from '../../functions/shared/signing/sign.js';
import { destinationSk, destinationStatusKey, recordPk } from '../../functions/shared/state/keys.js';
import { STATUS_INDEX_PK, STATUS_INDEX_SK } from '../../topology/table.js';
import type { DestinationId } from '../../topology/topology.js';
import type { BaselineLaneMessage } from './intake.js';

export interface BaselineDeliverDeps {
  ddb: DynamoDBDocumentClient;
  adapter: Adapter;
  credentials: CredentialsSource;
  config: { tableName: string; destination: DestinationId; endpointUrl: string; sendTimeoutSeconds: number };
  logger: StructuredLogger;
  fetch: typeof fetch;
}

export type BaselineDeliverOutcome = 'delivered' | 'rejected';

export interface BaselineDeliverResult {
  response: SQSBatchResponse;
  /** By message id, for the records that did not fail (the benchmark checks them). */
  outcomes: Map<string, BaselineDeliverOutcome>;
}

export function createBaselineDeliver(deps: BaselineDeliverDeps): (messages: SQSRecord[]) => Promise<BaselineDeliverResult> {
  const processor = new BatchProcessor(EventType.SQS);
  const { tableName, destination, endpointUrl, sendTimeoutSeconds } = deps.config;

  const handleRecord = async (message: SQSRecord, outcomes: Map<string, BaselineDeliverOutcome>): Promise<void> => {
    const lane = JSON.parse(message.body) as BaselineLaneMessage;
    const { record } = lane;
    if (lane.destination !== destination) throw new Error(`message for lane ${lane.destination} reached the ${destination} lane`);
    const key = idempotencyKey({ ...record, destination });
    const credentials = await deps.credentials.get();
    const [request] = deps.adapter.buildRequests([{ record, action: lane.action, idempotencyKey: key }], {
      ...(credentials.fieldKey && { fieldKey: credentials.fieldKey }),
      randomBytes,
    });
    if (!request) throw new Error(`the ${destination} adapter built no request`);
    const url = new URL(`${endpointUrl}${request.path}`);
    const response = await deps.fetch(url.href, {
      method: request.method,
      headers: {
        'content-type': 'application/json; charset=utf-8',
        'Idempotency-Key': key,
        ...signRequest({
          method: request.method,
          path: `${url.pathname}${url.search}`,
          ...(request.body !== undefined && { body: request.body }),
          credentials,
          algorithm: deps.adapter.signatureAlgorithm,
        }),
      },
      ...(request.body !== undefined && { body: request.body }),
      signal: AbortSignal.timeout(sendTimeoutSeconds * 1000),
    });
    const body = await response.text();
    if (response.status === 408 || response.status === 429 || response.status >= 500 || response.status === 401 || response.status === 403) {
      throw new Error(`HTTP ${response.status} from ${destination}`);
    }
    const [result] = deps.adapter.interpret(request, { status: response.status, headers: Object.fromEntries(response.headers), body });
    if (!result || result.outcome === 'transient') throw new Error(`${destination}: ${result?.reason ?? 'no result'}`);
    const now = new Date().toISOString();
    await deps.ddb.send(
      new PutCommand({
        TableName: tableName,
        Item: {
          pk: recordPk(record),
          sk: destinationSk(destination),
          destination,
          revision: record.revision,
          status: result.outcome,
          updatedAt: now,
          attempts: Number(message.attributes.ApproximateReceiveCount),
          correlationId: lane.correlationId,
          [STATUS_INDEX_PK]: destinationStatusKey(destination, result.outcome),
          [STATUS_INDEX_SK]: `${now}#${recordPk(record)}`,
          ...(result.outcome === 'delivered' && result.receipt !== undefined && { receipt: result.receipt }),
          ...(result.outcome === 'rejected' && { lastError: result.reason }),
        },
      }),
    );
    if (result.outcome === 'rejected')
      deps.logger.warn('record rejected by the destination', {
        messageId: message.messageId,
        correlationId: lane.correlationId,
        recordId: record.recordId,
        reason: result.reason,
      });
    outcomes.set(message.messageId, result.outcome);
  };

  return async (messages) => {
    const outcomes = new Map<string, BaselineDeliverOutcome>();
    const response = await processPartialResponse({ Records: messages }, (message: SQSRecord) => handleRecord(message, outcomes), processor, {
      throwOnFullBatchFailure: false,
    });
    return { response, outcomes };
  };
}
