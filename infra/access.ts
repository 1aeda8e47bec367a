/**
 * What each function may do to the sync-state table: exactly the DynamoDB actions its code can
 * issue. test/infra/least-privilege.test.ts bundles each handler (tree-shaken, as Lambda gets it)
 * and checks this list against the commands its code constructs, both ways — a missing action fails there, not in production, and
 * an action nobody issues is not granted. Queue and secret access is granted per resource in
 * infra/stack.ts.
 */
export type ExchangeFunctionRole = 'intake' | 'deliver' | 'ingest' | 'pull';

export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'Query' | 'BatchWriteItem';

export const tableAccess: Readonly<Record<ExchangeFunctionRole, readonly TableAction[]>> = {
  intake: ['GetItem', 'PutItem', 'UpdateItem', 'BatchWriteItem'],
  deliver: ['GetItem', 'UpdateItem', 'BatchWriteItem'],
  ingest: ['PutItem', 'UpdateItem', 'Query'],
  pull: ['GetItem', 'PutItem'],
};
