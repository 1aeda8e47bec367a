/**
 * Subjects' credit profiles in the table: CREDIT#<role>#<record pk> items under SUBJ#<subject
 * digest> (the partition that holds the subject's enforcement history too), one per role and
 * record: what that record contributes to the subject's profile (../../credit/types.ts).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { CreditContribution, SubjectContribution } from '../../credit/types.js';
import { creditContributionOf, creditItem } from '../credit-items.js';
import { CREDIT_PREFIX, subjectPk } from '../keys.js';
import { isConditionalCheckFailed, queryAll, type DynamoTable } from './table.js';

/** No contribution of this record and role yet, or one of this revision or an older one (a retry of the same revision is harmless). */
const NOT_NEWER_CONTRIBUTION = 'attribute_not_exists(pk) OR revision <= :rev';

/**
 * Writes each contribution with its own conditional Put, side by side: an older revision never
 * replaces a newer one's item (its condition fails, and that is the answer), the same revision
 * may be written again. No transaction: every item stands alone.
 */
export async function putCreditContributions(table: DynamoTable, contributions: readonly SubjectContribution[]): Promise<void> {
  await Promise.all(
    contributions.map(async ({ subjectDigest, contribution }) => {
      try {
        await table.ddb.send(
          new PutCommand({
            TableName: table.tableName,
            Item: creditItem(subjectDigest, contribution),
            ConditionExpression: NOT_NEWER_CONTRIBUTION,
            ExpressionAttributeValues: { ':rev': contribution.revision },
          }),
        );
      } catch (err) {
        if (!isConditionalCheckFailed(err)) throw err; // a newer revision's contribution is stored
      }
    }),
  );
}

/** Every contribution to one subject's profile (one consistent query of its CREDIT# items), in key order: by role, then record. */
export async function getCreditContributions(table: DynamoTable, subjectDigest: string): Promise<CreditContribution[]> {
  const items = await queryAll(table, {
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
    ExpressionAttributeValues: { ':pk': subjectPk(subjectDigest), ':prefix': CREDIT_PREFIX },
    ConsistentRead: true,
  });
  return items.map(creditContributionOf);
}
