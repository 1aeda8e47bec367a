/**
 * The provincial breach pull against the provincial simulator's feed, a real intake queue (fauxqs)
 * and the real table (DynamoDB Local): it resumes from its cursor, never skips, and a crash between
 * enqueuing a page and moving the cursor repeats only that page.
 */
import { ReceiveMessageCommand, DeleteMessageBatchCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { pullBreachFeed, type PullDeps } from '../../functions/pull/pull.js';
import { createCredentialsProvider, memorySecretSource } from '../../functions/shared/signing/credentials.js';
import { dynamoSyncState } from '../../functions/shared/state/dynamo/index.js';
import type { SyncState } from '../../functions/shared/state/sync-state.js';
import { startSimulators, type Simulators } from '../../local/simulators/index.js';
import { breach, commitment } from '../support/records.js';
import { freshQueue, freshTable, testServers } from './servers.js';
import { destinationCredentials } from '../support/destination-credentials.js';

const credentials = destinationCredentials('pull');

let sims: Simulators;
let ddb: DynamoDBDocumentClient;
let sqs: SQSClient;
let tableName: string;
let store: SyncState;
let intakeQueueUrl: string;
const silent = { info: () => {}, error: () => {} };

beforeAll(async () => {
  sims = await startSimulators({ credentials });
  ddb = DynamoDBDocumentClient.from(testServers().ddb);
  sqs = testServers().sqs;
});
afterAll(async () => sims.stop());
beforeEach(async () => {
  sims.reset();
  tableName = await freshTable('pull');
  store = dynamoSyncState({ ddb, tableName });
  intakeQueueUrl = await freshQueue('intake');
});

const feedRecords = (n: number, from = 0) => Array.from({ length: n }, (_, i) => breach({ recordId: `PROV-${from + i}`, source: 'hlj-credit-platform' }));

function deps(overrides: Partial<PullDeps> = {}, config: Partial<PullDeps['config']> = {}): PullDeps {
  return {
    state: store,
    sqs,
    credentials: createCredentialsProvider({ source: memorySecretSource({ p: JSON.stringify(credentials.provincial) }), secretName: 'p' }),
    config: { tableName, intakeQueueUrl, feedUrl: sims.urls.provincial, source: 'hlj-credit-platform', pageSize: 10, ...config },
    logger: silent,
    sleep: async () => {},
    ...overrides,
  };
}

/** recordIds waiting in the intake queue, in order (deleted as read). */
async function drainIntake(): Promise<string[]> {
  const ids: string[] = [];
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl: intakeQueueUrl, MaxNumberOfMessages: 10 }));
    if (Messages.length === 0) return ids;
    ids.push(...Messages.map((m) => (JSON.parse(m.Body!) as { recordId: string }).recordId));
    await sqs.send(
      new DeleteMessageBatchCommand({ QueueUrl: intakeQueueUrl, Entries: Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle! })) }),
    );
  }
}

const sorted = (ids: string[]) => [...ids].sort((a, b) => Number(a.split('-')[1]) - Number(b.split('-')[1]));

describe('provincial breach pull', () => {
  it('enqueues every feed record to intake, then resumes from its cursor with only what is new', async () => {
    sims.simulators.provincial.feed.push(...feedRecords(25));
    const first = await pullBreachFeed(deps());
    expect(first).toEqual(expect.objectContaining({ pages: 3, records: 25, stoppedBecause: 'caughtUp' }));
    expect(sorted(await drainIntake())).toEqual(feedRecords(25).map((r) => r['recordId']));

    sims.simulators.provincial.feed.push(...feedRecords(4, 25));
    const second = await pullBreachFeed(deps());
    expect(second).toEqual(expect.objectContaining({ pages: 1, records: 4, stoppedBecause: 'caughtUp' }));
    expect(sorted(await drainIntake())).toEqual(['PROV-25', 'PROV-26', 'PROV-27', 'PROV-28']);
  });

  it('keeps a feed record the queue refuses for its content (U+FFFE) and reads on: the cursor is never held by it', async () => {
    const bad = breach(
      { recordId: 'PROV-BAD', source: 'hlj-credit-platform' },
      { party: { name: '公司\uFFFE', category: '法人及非法人组织', uscc: (breach().data as { party: { uscc: string } }).party.uscc } },
    );
    sims.simulators.provincial.feed.push(...feedRecords(3), bad, ...feedRecords(2, 3));
    const result = await pullBreachFeed(deps());
    expect(result).toEqual(expect.objectContaining({ records: 6, stoppedBecause: 'caughtUp' }));
    expect(sorted(await drainIntake())).toEqual(feedRecords(5).map((r) => r['recordId']));
    const kept = await store.listQuarantine(new Date().toISOString().slice(0, 10));
    expect(kept.map((q) => [q.reason, q.errors[0]?.rule, JSON.parse(q.body).recordId])).toEqual([['invalid', 'queueRefused', 'PROV-BAD']]);
    expect(await store.getCursor('hlj-credit-platform')).toBeDefined();
  });

  it('repeats only the page a crash interrupted, and skips nothing', async () => {
    sims.simulators.provincial.feed.push(...feedRecords(30));
    // the invocation dies after enqueuing its second page, before moving the cursor past it
    let cursorWrites = 0;
    const crashing: SyncState = {
      ...store,
      saveCursor: async (...args) => {
        if (++cursorWrites === 2) throw new Error('Lambda timed out (simulated)');
        return store.saveCursor(...args);
      },
    };
    await expect(pullBreachFeed(deps({ state: crashing }))).rejects.toThrow('simulated');
    expect((await store.getCursor('hlj-credit-platform'))?.version).toBe(1);

    const resumed = await pullBreachFeed(deps());
    expect(resumed.stoppedBecause).toBe('caughtUp');
    const ids = await drainIntake();
    // every record at least once; only page 2 (PROV-10…19) twice
    expect(new Set(ids)).toEqual(new Set(feedRecords(30).map((r) => r['recordId'] as string)));
    const twice = [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];
    expect(sorted(twice)).toEqual(Array.from({ length: 10 }, (_, i) => `PROV-${10 + i}`));
  });

  it('stops at its cursor when the feed fails, and continues from there when it is back', async () => {
    sims.simulators.provincial.feed.push(...feedRecords(15));
    await pullBreachFeed(deps({}, { maxPages: 1 }));
    sims.simulators.provincial.setFaults({ outage: true });
    const errors: string[] = [];
    const failed = await pullBreachFeed(deps({ logger: { ...silent, error: (m: string) => errors.push(m) } }));
    expect(failed).toEqual(expect.objectContaining({ pages: 0, stoppedBecause: 'feedError', error: expect.stringContaining('HTTP 503') }));
    expect(errors).toHaveLength(1);

    sims.simulators.provincial.setFaults({});
    const back = await pullBreachFeed(deps());
    expect(back).toEqual(expect.objectContaining({ pages: 1, records: 5, stoppedBecause: 'caughtUp' }));
    expect(sorted(await drainIntake())).toEqual(feedRecords(15).map((r) => r['recordId']));
  });

  it('leaves a long backlog to the next run after its page limit', async () => {
    sims.simulators.provincial.feed.push(...feedRecords(35));
    expect(await pullBreachFeed(deps({}, { maxPages: 2 }))).toEqual(expect.objectContaining({ pages: 2, records: 20, stoppedBecause: 'pageLimit' }));
    expect(await pullBreachFeed(deps({}, { maxPages: 2 }))).toEqual(expect.objectContaining({ pages: 2, records: 15, stoppedBecause: 'pageLimit' }));
    expect(await pullBreachFeed(deps({}, { maxPages: 2 }))).toEqual(expect.objectContaining({ pages: 0, stoppedBecause: 'caughtUp' }));
    expect(sorted(await drainIntake())).toEqual(feedRecords(35).map((r) => r['recordId']));
  });
});

describe('provincial breach pull: what the feed may not carry', () => {
  it('quarantines items that are not the province’s breaches or repairs, and enqueues the rest', async () => {
    sims.simulators.provincial.feed.push(
      feedRecords(1)[0]!,
      null,
      42,
      commitment({ recordId: 'SNEAKY', source: 'hrbxq-approval' }),
      breach({ recordId: 'OTHER-SOURCE', source: 'hrbxq-enforcement' }),
      commitment({ recordId: 'PROV-COMMITMENT', source: 'hlj-credit-platform' }),
    );
    const result = await pullBreachFeed(deps());
    expect(result).toEqual(expect.objectContaining({ pages: 1, records: 6, stoppedBecause: 'caughtUp' }));
    expect(await drainIntake()).toEqual(['PROV-0']);
    const quarantined = await store.listQuarantine(new Date().toISOString().slice(0, 10));
    expect(quarantined.map((q) => [q.reason, q.errors[0]!.path]).sort()).toEqual([
      ['invalid', ''],
      ['invalid', ''],
      ['unauthorised', '/recordType'],
      ['unauthorised', '/source'],
      ['unauthorised', '/source'],
    ]);
  });
});
