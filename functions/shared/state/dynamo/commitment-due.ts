/**
 * Commitment deadlines in the table: one DUE#<commitment code> item per commitment, written by the
 * commitment (its deadline, `cmtRevision`) and by its verifications (`verifiedBy`: the string set
 * of the verification records that count; `lastVerification`). The item is open — in the GSI under
 * `gsi1pk = DUE#open`, `gsi1sk = <deadline>#<code>` (the `dueKey`), what `credex overdue` and the
 * sweep's metric read — exactly when a commitment was tracked (`dueKey`), is not withdrawn, and no
 * verification counts (no `verifiedBy`: DynamoDB drops a set whose last element is deleted).
 *
 * Every write that sets or removes the index keys does so under a condition that makes it right
 * for the item as that write finds it; the one write that can leave the item wrongly closed (a
 * withdrawn verification emptying `verifiedBy`) is followed by a conditional reopen. DynamoDB
 * serialises the writes to one item, so whatever the interleaving of commitments and
 * verifications, the item ends open exactly when it should:
 * - an open write (tracking) requires no `verifiedBy`, and itself sets the deadline and `withdrawn`;
 * - a closing write (tracking) requires `verifiedBy` (or writes `withdrawn: true`): when the
 *   verification that closed it was taken back in between, both tracking writes fail, and the
 *   tracking tries again;
 * - a counted verification ADDs to `verifiedBy` and closes in the same write;
 * - a withdrawn verification DELETEs from `verifiedBy`, and when that left none, reopens under the
 *   condition that still none counts, a deadline is known and the commitment is not withdrawn (a
 *   refusal means a later write found the item otherwise, and set the index keys itself).
 * Nothing ever opens an item that should be closed: only the open write and the reopen open it,
 * each under its condition; `verifiedBy` appears only with a counted verification (which closes),
 * `withdrawn: true` only with a closing write, and `dueKey` never goes.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { STATUS_INDEX, STATUS_INDEX_PK, STATUS_INDEX_SK } from '../../../../topology/table.js';
import type { CommitmentDue, CommitmentVerified } from '../../credit/types.js';
import { commitmentAttributes, commitmentDueKey, commitmentDueOf } from '../credit-items.js';
import { DUE_OPEN, dueKey, recordPk } from '../keys.js';
import { isConditionalCheckFailed, queryAll, queryCount, type DynamoTable } from './table.js';

/** No commitment tracked yet, or one of this revision or an older one. */
const NOT_NEWER_COMMITMENT = '(attribute_not_exists(cmtRevision) OR cmtRevision <= :rev)';
const NOT_VERIFIED = 'attribute_not_exists(verifiedBy)';
const VERIFIED = 'attribute_exists(verifiedBy)';
const NOT_WITHDRAWN = '(attribute_not_exists(withdrawn) OR withdrawn = :false)';
/** The item should be open: a deadline known, no verification counting, the commitment not withdrawn. */
const SHOULD_BE_OPEN = `${NOT_VERIFIED} AND attribute_exists(dueKey) AND ${NOT_WITHDRAWN}`;

/** Overdue items sort below `today`: `<deadline>#<code>` < `today` exactly when the deadline is before today. */
const OVERDUE = `${STATUS_INDEX_PK} = :open AND ${STATUS_INDEX_SK} < :today`;

/**
 * Tracks a commitment's deadline (a newer or the same revision replaces the commitment's
 * attributes; an older one changes nothing): open unless a verification counts or it is withdrawn.
 */
export async function trackCommitmentDue(table: DynamoTable, due: CommitmentDue): Promise<void> {
  const key = dueKey(due.deadline, due.commitmentCode);
  for (let attempt = 0; attempt < 3; attempt++) {
    if (!due.withdrawn && (await writeCommitment(table, due, key, 'open', `${NOT_NEWER_COMMITMENT} AND ${NOT_VERIFIED}`))) return;
    if (await writeCommitment(table, due, key, 'closed', due.withdrawn ? NOT_NEWER_COMMITMENT : `${NOT_NEWER_COMMITMENT} AND ${VERIFIED}`)) return;
    if (due.withdrawn) return; // a newer revision is tracked
    // both refused: a newer revision is tracked, or the verification that closed the item was taken back in between
    const stored = await table.ddb.send(new GetCommand({ TableName: table.tableName, Key: commitmentDueKey(due.commitmentCode), ConsistentRead: true }));
    if (Number(stored.Item?.['cmtRevision'] ?? 0) > due.revision) return;
  }
  throw new Error(`could not track commitment ${due.commitmentCode} (revision ${due.revision}) after 3 attempts`);
}

/** Sets the commitment's attributes, opening or closing the item, under `condition`; false when refused. */
async function writeCommitment(table: DynamoTable, due: CommitmentDue, key: string, index: 'open' | 'closed', condition: string): Promise<boolean> {
  const { set, unset } = commitmentAttributes(due, key);
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = { ':rev': due.revision };
  const sets: string[] = [];
  for (const [name, value] of Object.entries(set)) {
    names[`#${name}`] = name;
    values[`:${name}`] = value;
    sets.push(`#${name} = :${name}`);
  }
  const removes = unset.map((name) => {
    names[`#${name}`] = name;
    return `#${name}`;
  });
  if (index === 'open') {
    sets.push(`${STATUS_INDEX_PK} = :open`, `${STATUS_INDEX_SK} = :dueKey`);
    values[':open'] = DUE_OPEN;
  } else removes.push(STATUS_INDEX_PK, STATUS_INDEX_SK);
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key: commitmentDueKey(due.commitmentCode),
        UpdateExpression: `SET ${sets.join(', ')}${removes.length ? ` REMOVE ${removes.join(', ')}` : ''}`,
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      }),
    );
    return true;
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err;
    return false;
  }
}

/**
 * Records a verification of a commitment: one that counts closes the item; a withdrawn one no
 * longer counts, and reopens the item unless another verification still counts (or nothing is due).
 */
export async function recordCommitmentVerified(table: DynamoTable, verified: CommitmentVerified): Promise<void> {
  const Key = commitmentDueKey(verified.commitmentCode);
  const verification = new Set([recordPk(verified.ref)]);
  if (!verified.withdrawn) {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key,
        UpdateExpression: `SET lastVerification = :last ADD verifiedBy :verification REMOVE ${STATUS_INDEX_PK}, ${STATUS_INDEX_SK}`,
        ExpressionAttributeValues: {
          ':verification': verification,
          ':last': { ...verified.ref, verificationDate: verified.verificationDate, result: verified.result },
        },
      }),
    );
    return;
  }
  const result = await table.ddb.send(
    new UpdateCommand({
      TableName: table.tableName,
      Key,
      UpdateExpression: 'DELETE verifiedBy :verification',
      ExpressionAttributeValues: { ':verification': verification },
      ReturnValues: 'ALL_NEW',
    }),
  );
  const item = result.Attributes ?? {};
  if (item['verifiedBy'] !== undefined || typeof item['dueKey'] !== 'string' || item['withdrawn'] === true) return;
  try {
    await table.ddb.send(
      new UpdateCommand({
        TableName: table.tableName,
        Key,
        UpdateExpression: `SET ${STATUS_INDEX_PK} = :open, ${STATUS_INDEX_SK} = dueKey`,
        ConditionExpression: SHOULD_BE_OPEN,
        ExpressionAttributeValues: { ':open': DUE_OPEN, ':false': false },
      }),
    );
  } catch (err) {
    if (!isConditionalCheckFailed(err)) throw err; // a later write found the item otherwise, and set its index keys
  }
}

/** Open commitments whose deadline is before `today` (YYYY-MM-DD), earliest deadline first, at most `limit`. */
export async function listOverdueCommitments(table: DynamoTable, today: string, options: { limit?: number } = {}): Promise<CommitmentDue[]> {
  const items = await queryAll(
    table,
    { IndexName: STATUS_INDEX, KeyConditionExpression: OVERDUE, ExpressionAttributeValues: { ':open': DUE_OPEN, ':today': today } },
    options.limit,
  );
  return items.map(commitmentDueOf);
}

/** How many open commitments are overdue on `today` (Select COUNT, every page). */
export async function countOverdueCommitments(table: DynamoTable, today: string): Promise<number> {
  return queryCount(table, { IndexName: STATUS_INDEX, KeyConditionExpression: OVERDUE, ExpressionAttributeValues: { ':open': DUE_OPEN, ':today': today } });
}
