/**
 * What each function may do to the sync-state table: exactly the DynamoDB actions its code can
 * issue. test/infra/least-privilege.test.ts bundles each handler (tree-shaken, as Lambda gets it)
 * and checks this list against the commands its code constructs, both ways — a missing action fails there, not in production, and
 * an action nobody issues is not granted. Queue and secret access is granted per resource in
 * infra/stack.ts.
 */
export type ExchangeFunctionRole = 'intake' | 'deliver' | 'ingest' | 'pull' | 'sweep';

export type TableAction = 'GetItem' | 'BatchGetItem' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'Query' | 'BatchWriteItem';

export const tableAccess: Readonly<Record<ExchangeFunctionRole, readonly TableAction[]>> = {
  // the subject's enforcement history is read with a Query (the first-offence check)
  intake: ['GetItem', 'PutItem', 'UpdateItem', 'Query', 'BatchWriteItem'],
  // a batch's lane messages are read at once (BatchGetItem); a repair waiting for its breach:
  // registered (Put), read when the breach is delivered (Query), forgotten (Delete)
  deliver: ['GetItem', 'BatchGetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
  ingest: ['PutItem', 'UpdateItem', 'Query'],
  pull: ['GetItem', 'PutItem'],
  sweep: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchWriteItem'],
};
