/**
 * Subjects' enforcement histories in the table: ENF#<record pk> items under SUBJ#<subject digest>
 * (a digest of the subject's identity, never the identity number itself).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { ENFORCEMENT_PREFIX, enforcementSk, subjectPk, type RecordRef } from '../keys.js';
import type { EnforcementEntry } from '../types.js';
import { isConditionalCheckFailed, queryAll, type DynamoTable } from './table.js';

/** No entry of this record yet, or one of this revision or an older one. */
const NOT_NEWER_ENTRY = 'attribute_not_exists(pk) OR revision <= :rev';

/**
 * Records a decision in its subject's history (keyed by a digest of the subject, never its
 * identity number). An older revision never replaces a newer one's entry.
 */
export async function registerEnforcement(table: DynamoTable, subjectDigest: string, entry: EnforcementEntry): Promise<void> {
  const { ref, ...facts } = entry;
  try {
    await table.ddb.send(
      new PutCommand({
        TableName: table.tableName,
        Item: { pk: subjectPk(subjectDigest), sk: enforcementSk(ref), ...ref, ...facts },
        ConditionExpression: NOT_NEWER_ENTRY,
        ExpressionAttributeValues: { ':rev': entry.revision },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
  }
}

/** A subject's enforcement history. */
export async function listEnforcement(table: DynamoTable, subjectDigest: string): Promise<EnforcementEntry[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': subjectPk(subjectDigest), ':prefix': ENFORCEMENT_PREFIX },
    ConsistentRead: true,
  });
  return items.map((item) => ({
    ref: { recordType: item['recordType'] as RecordRef['recordType'], source: String(item['source']), recordId: String(item['recordId']) },
    revision: Number(item['revision']),
    operation: String(item['operation']),
    decisionNumber: String(item['decisionNumber']),
    decisionDate: String(item['decisionDate']),
    ...(typeof item['ground'] === 'string' && { ground: item['ground'] }),
    ...(typeof item['severity'] === 'string' && { severity: item['severity'] }),
  }));
}
