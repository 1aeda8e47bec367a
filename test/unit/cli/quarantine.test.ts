import { integer } from '../../../cli/options.js';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import {
  describeBodyHeldIn,
  filterOf,
  formatFirstError,
  formatListSummary,
  formatListTable,
  formatRecord,
  parseDayOption,
  prettyBody,
  releaseExitCode,
} from '../../../cli/commands/quarantine.js';
import { UsageError } from '../../../cli/context.js';
import {
  checkRelease,
  daysToRead,
  matchesFilter,
  parseQuarantineId,
  quarantineId,
  releaseQuarantined,
  releaseWarnings,
  ruleMatches,
  shortIds,
  summarise,
  toEntryJson,
  type QuarantineItem,
} from '../../../cli/operations/quarantine.js';
import type { CreditRecord } from '../../../functions/shared/records/types.js';
import { dynamoSyncState } from '../../../functions/shared/state/dynamo/index.js';
import { ACCEPTING_UNIT_USCC, breakUscc, commitment, residentId } from '../../support/records.js';

const SENT = '2026-03-02T01:30:00.123Z';

function item(overrides: Partial<QuarantineItem> = {}): QuarantineItem {
  return {
    receivedAt: '2026-03-02T01:30:01.000Z',
    sentAt: SENT,
    messageId: '0f6c2a1e-4b4f-4f6e-9a51-8a2f1d0c9b77',
    reason: 'invalid',
    errors: [{ path: '/data/acceptingUnitUscc', rule: 'format:uscc', message: 'is not a valid Unified Social Credit Code' }],
    body: '{}',
    correlationId: 'corr-1',
    source: 'hrbxq-approval',
    recordType: 'commitment',
    recordId: 'HRBNA-CN-2026-000123',
    revision: 1,
    status: 'open',
    bodyBytes: 2,
    ...overrides,
  };
}

const validRecord = (overrides: Record<string, unknown> = {}) => commitment(overrides) as unknown as CreditRecord;

describe('quarantine ids', () => {
  test('an id names its day partition by its first 10 characters', () => {
    expect(parseQuarantineId(` ${SENT}#0f6c2a1e `)).toEqual({ day: '2026-03-02', prefix: `${SENT}#0f6c2a1e` });
  });

  test('an id that does not start with a real day is a usage error that says what an id looks like', () => {
    expect(() => parseQuarantineId('0f6c2a1e')).toThrow(UsageError);
    expect(() => parseQuarantineId('2026-02-30T00:00:00.000Z#x')).toThrow(/starting with the day/);
  });

  test('a short id keeps the sent time and 8 characters of the message id when nothing else is close', () => {
    const id = `${SENT}#0f6c2a1e-4b4f-4f6e-9a51-8a2f1d0c9b77`;
    expect(shortIds([id, '2026-03-02T05:00:00.000Z#aaaa']).get(id)).toBe(`${SENT}#0f6c2a1e`);
  });

  test('a short id grows until no other id of the day starts with it', () => {
    const a = `${SENT}#req-7:0`;
    const b = `${SENT}#req-7:1`;
    const short = shortIds([a, b]);
    expect(short.get(a)).toBe(a);
    expect(short.get(b)).toBe(b);
  });

  test('an id that is the prefix of another is shown whole (the exact key wins a lookup)', () => {
    const one = `${SENT}#request-1:1`;
    const ten = `${SENT}#request-1:10`;
    const short = shortIds([ten, one]);
    expect(short.get(one)).toBe(one);
    expect(short.get(ten)).toBe(ten);
  });

  test('every short id names exactly its own entry: the only id it prefixes, or that id exactly', () => {
    const ids = fc.uniqueArray(
      fc
        .tuple(fc.constantFrom(SENT, '2026-03-02T01:30:00.124Z'), fc.string({ unit: fc.constantFrom('a', 'b', ':', '1'), minLength: 1, maxLength: 12 }))
        .map(([sent, message]) => `${sent}#${message}`),
      { minLength: 1, maxLength: 30 },
    );
    fc.assert(
      fc.property(ids, (list) => {
        const short = shortIds(list);
        for (const id of list) {
          const prefix = short.get(id)!;
          const named = list.filter((other) => other.startsWith(prefix));
          expect(named.length === 1 || prefix === id).toBe(true);
          expect(id.startsWith(prefix)).toBe(true);
        }
      }),
    );
  });
});

describe('which days are read', () => {
  const now = new Date('2026-03-02T08:00:00Z');

  test('today (UTC) by default', () => {
    expect(daysToRead({}, now)).toEqual(['2026-03-02']);
  });

  test('--days walks back newest first, across a month end', () => {
    expect(daysToRead({ days: 3 }, now)).toEqual(['2026-03-02', '2026-03-01', '2026-02-28']);
  });

  test('--day reads that day only', () => {
    expect(daysToRead({ day: '2026-01-15' }, now)).toEqual(['2026-01-15']);
  });
});

describe('list filters', () => {
  test('a rule keyword matches every rule of that keyword; a whole rule only itself', () => {
    expect(ruleMatches('format:uscc', 'format')).toBe(true);
    expect(ruleMatches('format:uscc', 'format:uscc')).toBe(true);
    expect(ruleMatches('format:uscc', 'format:resident-id')).toBe(false);
    expect(ruleMatches('formatted', 'format')).toBe(false);
  });

  test('status, source, reason and rule must all match', () => {
    const entry = item();
    expect(matchesFilter(entry, { status: 'open' })).toBe(true);
    expect(matchesFilter(entry, { status: 'released' })).toBe(false);
    expect(matchesFilter(item({ status: 'released' }), { status: 'all' })).toBe(true);
    expect(matchesFilter(entry, { status: 'all', source: 'hrbxq-market' })).toBe(false);
    expect(matchesFilter(entry, { status: 'all', reason: 'malformed' })).toBe(false);
    expect(matchesFilter(entry, { status: 'all', reason: 'invalid', rule: 'format', source: 'hrbxq-approval' })).toBe(true);
    expect(matchesFilter(entry, { status: 'all', rule: 'required' })).toBe(false);
  });

  test('the options give the filter, without the ones not given', () => {
    expect(filterOf({ status: 'open' })).toEqual({ status: 'open' });
    expect(filterOf({ status: 'all', reason: 'conflict', rule: 'format', source: 's' })).toEqual({
      status: 'all',
      reason: 'conflict',
      rule: 'format',
      source: 's',
    });
  });

  test('--day takes real days only; counts are whole numbers in range', () => {
    expect(parseDayOption('2024-02-29')).toBe('2024-02-29');
    expect(() => parseDayOption('2026-02-29')).toThrow(/YYYY-MM-DD/);
    expect(integer('--days', 1, 366)('7')).toBe(7);
    for (const bad of ['0', '-1', '1.5', 'x', '367']) expect(() => integer('--days', 1, 366)(bad)).toThrow(/1 to 366/);
  });
});

describe('list output', () => {
  test('the table shows the short id, the record as far as known, the first error and the error count', () => {
    const known = item();
    const malformed = item({
      messageId: 'm-2',
      reason: 'malformed',
      errors: [{ path: '', rule: 'json', message: 'malformed JSON' }],
      source: undefined,
      recordType: undefined,
      recordId: undefined,
      revision: undefined,
    });
    const text = formatListTable([known, malformed], new Map([[quarantineId(known), `${SENT}#0f6c2a1e`]]));
    const [header, first, second] = text.split('\n');
    expect(header).toMatch(/^id\s+sent \(UTC\)\s+source\s+record\s+reason\s+first error\s+errors\s+status$/);
    expect(first).toMatch(
      new RegExp(
        `^${SENT}#0f6c2a1e\\s+2026-03-02 01:30:00\\s+hrbxq-approval\\s+commitment HRBNA-CN-2026-000123 rev 1\\s+invalid\\s+/data/acceptingUnitUscc format:uscc\\s+1\\s+open$`,
      ),
    );
    expect(second).toMatch(/#m-2\s+2026-03-02 01:30:00\s+-\s+-\s+malformed\s+\(record\) json\s+1\s+open$/);
  });

  test('record and first error degrade to what is known', () => {
    expect(formatRecord({ recordType: 'breach', recordId: undefined, revision: 3 })).toBe('breach rev 3');
    expect(formatFirstError([])).toBe('-');
  });

  test('entries are counted per reason and per source, most first', () => {
    const items = [item(), item({ messageId: 'b' }), item({ messageId: 'c', reason: 'malformed', source: undefined })];
    expect(summarise(items)).toEqual({
      byReason: [
        ['invalid', 2],
        ['malformed', 1],
      ],
      bySource: [
        ['hrbxq-approval', 2],
        ['(unknown)', 1],
      ],
    });
  });

  test('the summary names the days, the counts, and what the limit and the status filter left out', () => {
    const matched = [item(), item({ messageId: 'b', reason: 'unknownSource', source: 'nowhere' })];
    const text = formatListSummary({ matched, otherStatus: 2 }, { days: ['2026-03-02', '2026-03-01'], filter: { status: 'open', rule: 'format' }, shown: 1 });
    expect(text.split('\n')).toEqual([
      '2 open entries from 2026-03-01 to 2026-03-02 (rule format): invalid 1, unknownSource 1 · sources: hrbxq-approval 1, nowhere 1',
      'showing the newest 1 (--limit)',
      '2 released not shown (--status all)',
    ]);
  });

  test('an empty day says so', () => {
    expect(formatListSummary({ matched: [], otherStatus: 0 }, { days: ['2026-03-02'], filter: { status: 'all' }, shown: 0 })).toBe('no entries on 2026-03-02');
  });

  test('the JSON of an entry has every key, null where unknown, and masks identity numbers in messages', () => {
    const id = residentId('230109', '19800101', '123');
    const json = toEntryJson(item({ source: undefined, errors: [{ path: '/x', rule: 'r', message: `found ${id}` }] }));
    expect(Object.keys(json)).toEqual([
      'id',
      'day',
      'sentAt',
      'receivedAt',
      'messageId',
      'correlationId',
      'reason',
      'source',
      'recordType',
      'recordId',
      'revision',
      'upstream',
      'errors',
      'bodyBytes',
      'bodyHeldIn',
      'status',
      'released',
    ]);
    expect(json).toMatchObject({ id: `${SENT}#${item().messageId}`, day: '2026-03-02', source: null, upstream: null, bodyHeldIn: null, released: null });
    expect(json.errors[0]!.message).toBe('found 230109********1230');
    expect(toEntryJson(item({ errors: [{ path: '/x', rule: 'r', message: id }] }), { reveal: true }).errors[0]!.message).toBe(id);
  });

  test('a released entry carries its release', () => {
    const json = toEntryJson(
      item({ status: 'released', releasedAt: '2026-03-03T00:00:00.000Z', releasedBy: 'ops@host (local)', releasedMessageId: 'msg', auditId: 'aud' }),
    );
    expect(json.released).toEqual({ at: '2026-03-03T00:00:00.000Z', by: 'ops@host (local)', messageId: 'msg', auditId: 'aud' });
  });
});

describe('showing a body', () => {
  test('JSON is indented without being re-serialised: duplicate keys and number spellings survive', () => {
    expect(prettyBody('{"a":1.0,"a":2,"b":[1e3]}')).toBe('{\n  "a": 1.0,\n  "a": 2,\n  "b": [\n    1e3\n  ]\n}');
  });

  test('a body that is not JSON is shown as it is', () => {
    expect(prettyBody('{"recordType": "commitment", ')).toBe('{"recordType": "commitment", ');
  });

  test('a body held in the intake DLQ says where and how to fetch it', () => {
    const text = describeBodyHeldIn('intake-dlq:abc-123', 'http://sqs/intake-dlq');
    expect(text).toContain('message abc-123');
    expect(text).toContain('aws sqs receive-message --queue-url http://sqs/intake-dlq');
    expect(text).toContain("MessageId=='abc-123'");
  });

  test('any other holding place is shown as recorded', () => {
    expect(describeBodyHeldIn('truncated: the first 65536 characters of 90000 are kept; the upstream holds the rest', 'u')).toMatch(/^truncated/);
  });
});

describe('checking a release as intake checks it', () => {
  test('a valid record from a registered source passes', () => {
    const check = checkRelease(JSON.stringify(validRecord()));
    expect(check.valid).toBe(true);
  });

  test('a contract error fails with its path, rule and message', () => {
    const record = commitment({}, { acceptingUnitUscc: breakUscc(ACCEPTING_UNIT_USCC) });
    const check = checkRelease(JSON.stringify(record));
    expect(check).toEqual({ valid: false, errors: [expect.objectContaining({ path: '/data/acceptingUnitUscc', rule: 'format:uscc' })] });
  });

  test('malformed JSON fails with the json rule', () => {
    expect(checkRelease('{"a":')).toEqual({ valid: false, errors: [expect.objectContaining({ rule: 'json' })] });
  });

  test('a source that is not registered fails as intake would quarantine it', () => {
    const check = checkRelease(JSON.stringify(validRecord({ source: 'hrbxq-nowhere' })));
    expect(check).toEqual({ valid: false, errors: [expect.objectContaining({ path: '/source', rule: 'registeredSource' })] });
  });

  test('an entry the ingest API kept is released only if its upstream may push that source and type now', () => {
    const text = JSON.stringify(validRecord());
    expect(checkRelease(text, { upstream: 'hrbxq-approval-system' }).valid).toBe(true);
    expect(checkRelease(text, { upstream: 'hrbxq-enforcement-system' })).toEqual({
      valid: false,
      errors: [expect.objectContaining({ path: '/source', rule: 'notAuthorised' }), expect.objectContaining({ path: '/recordType', rule: 'notAuthorised' })],
    });
    expect(checkRelease(text, { upstream: 'retired-system' })).toEqual({
      valid: false,
      errors: [expect.objectContaining({ rule: 'notAuthorised', message: expect.stringContaining('no longer registered') })],
    });
  });

  test('replacement characters fail: intake quarantines them as an encoding error', () => {
    const record = commitment({}, { content: 'garbled \uFFFD text' });
    expect(checkRelease(JSON.stringify(record))).toEqual({ valid: false, errors: [expect.objectContaining({ rule: 'encoding' })] });
  });
});

describe('release warnings', () => {
  test('a conflict re-sent at the same revision is quarantined again: a higher revision is needed', () => {
    const warnings = releaseWarnings(item({ reason: 'conflict' }), validRecord({ recordId: 'HRBNA-CN-2026-000123', revision: 1 }), 1);
    expect(warnings).toEqual([expect.stringMatching(/quarantined again as a conflict; a corrected record needs revision 2 or higher/)]);
  });

  test('an older revision than the stored one is superseded', () => {
    expect(releaseWarnings(item(), validRecord({ recordId: 'HRBNA-CN-2026-000123', revision: 1 }), 4)).toEqual([
      expect.stringMatching(/holds revision 4 .* superseded/),
    ]);
  });

  test('a newer revision, or a record the exchange does not hold, goes without a warning', () => {
    expect(releaseWarnings(item({ reason: 'conflict' }), validRecord({ recordId: 'HRBNA-CN-2026-000123', revision: 2 }), 1)).toEqual([]);
    expect(releaseWarnings(item(), validRecord({ recordId: 'HRBNA-CN-2026-000123' }), undefined)).toEqual([]);
  });

  test('a correction for another record than the quarantined one is pointed out', () => {
    expect(releaseWarnings(item(), validRecord({ recordId: 'HRBNA-CN-2026-000999' }), undefined)).toEqual([
      expect.stringMatching(/HRBNA-CN-2026-000999 .* the quarantined entry was commitment HRBNA-CN-2026-000123/),
    ]);
  });
});

describe('releasing an entry', () => {
  const ddbMock = mockClient(DynamoDBDocumentClient);
  const sqsMock = mockClient(SQSClient);
  const deps = () => ({
    state: dynamoSyncState({ ddb: DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' })), tableName: 'state' }),
    sqs: new SQSClient({ region: 'us-east-1' }),
    intakeQueueUrl: 'http://sqs/intake',
    target: 'stack credex-test',
    identity: async () => 'arn:aws:iam::1:role/ops',
    now: () => new Date('2026-03-03T00:00:00.000Z'),
  });
  const correction = { text: JSON.stringify(validRecord({ recordId: 'HRBNA-CN-2026-000123' })), file: 'fixed.json' };
  const auditUpdates = () => ddbMock.commandCalls(UpdateCommand).filter((c) => String(c.args[0].input.Key?.['pk']).startsWith('AUDIT#'));

  beforeEach(() => {
    ddbMock.reset();
    sqsMock.reset();
    ddbMock.on(GetCommand).resolves({});
    ddbMock.on(PutCommand).resolves({});
    ddbMock.on(UpdateCommand).resolves({});
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'sent-1' });
  });

  test('a valid record is sent with the entry correlation id, then the entry is marked released, and the audit completed', async () => {
    const report = await releaseQuarantined(deps(), { item: item(), correction });

    expect(report).toMatchObject({
      outcome: 'released',
      messageId: 'sent-1',
      record: { recordType: 'commitment', recordId: 'HRBNA-CN-2026-000123', revision: 1, source: 'hrbxq-approval' },
    });
    const sent = sqsMock.commandCalls(SendMessageCommand)[0]!.args[0].input;
    expect(sent.QueueUrl).toBe('http://sqs/intake');
    expect(sent.MessageAttributes?.['correlationId']?.StringValue).toBe('corr-1');
    const mark = ddbMock.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.['pk'] === 'QUAR#2026-03-02')!.args[0].input;
    expect(mark.ConditionExpression).toBe('#status = :open');
    expect(mark.ExpressionAttributeValues).toMatchObject({
      ':released': 'released',
      ':message': 'sent-1',
      ':by': 'arn:aws:iam::1:role/ops',
      ':audit': report.auditId,
    });
    const audit = ddbMock.commandCalls(PutCommand)[0]!.args[0].input.Item!;
    expect(audit).toMatchObject({
      action: 'quarantine-release',
      by: 'arn:aws:iam::1:role/ops',
      target: 'stack credex-test',
      request: { id: quarantineId(item()), file: 'fixed.json' },
      status: 'running',
    });
    expect(auditUpdates()[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':status': 'completed', ':counts': { sent: 1, released: 1 } });
  });

  test('an invalid record changes nothing: no audit, no message, no mark', async () => {
    const bad = { text: JSON.stringify(commitment({}, { acceptingUnitUscc: breakUscc(ACCEPTING_UNIT_USCC) })), file: '-' };
    const report = await releaseQuarantined(deps(), { item: item(), correction: bad });

    expect(report.outcome).toBe('invalid');
    expect(report.errors).toEqual([expect.objectContaining({ rule: 'format:uscc' })]);
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(UpdateCommand)).toHaveLength(0);
  });

  test('a failed send is audited as failed and leaves the entry open', async () => {
    sqsMock.on(SendMessageCommand).rejects(Object.assign(new Error('queue gone'), { name: 'QueueDoesNotExist' }));

    await expect(releaseQuarantined(deps(), { item: item(), correction })).rejects.toThrow('queue gone');

    expect(ddbMock.commandCalls(UpdateCommand).filter((c) => c.args[0].input.Key?.['pk'] === 'QUAR#2026-03-02')).toHaveLength(0);
    expect(auditUpdates()[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':status': 'failed', ':error': 'QueueDoesNotExist: queue gone' });
  });

  test('a mark that fails after the send is audited with the message that went out', async () => {
    ddbMock
      .on(UpdateCommand, { Key: { pk: 'QUAR#2026-03-02', sk: quarantineId(item()) } })
      .rejects(Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(releaseQuarantined(deps(), { item: item(), correction })).rejects.toThrow('throttled');

    expect(auditUpdates()[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({
      ':status': 'failed',
      ':error': expect.stringContaining('sent to intake as message sent-1 but not marked released'),
    });
  });

  test('an entry another release marked meanwhile is reported, not failed', async () => {
    ddbMock
      .on(UpdateCommand, { Key: { pk: 'QUAR#2026-03-02', sk: quarantineId(item()) } })
      .rejects(Object.assign(new Error('condition'), { name: 'ConditionalCheckFailedException' }));

    const report = await releaseQuarantined(deps(), { item: item(), correction });

    expect(report.outcome).toBe('released');
    expect(report.warnings).toEqual([expect.stringMatching(/another release marked this entry released/)]);
    expect(auditUpdates()[0]!.args[0].input.ExpressionAttributeValues).toMatchObject({ ':status': 'completed', ':counts': { sent: 1, released: 0 } });
  });

  test('a released entry is refused unless forced; forced, the mark needs only the entry to exist', async () => {
    const released = item({ status: 'released', releasedAt: '2026-03-02T02:00:00.000Z' });
    expect((await releaseQuarantined(deps(), { item: released, correction })).outcome).toBe('alreadyReleased');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);

    expect((await releaseQuarantined(deps(), { item: released, correction, force: true })).outcome).toBe('released');
    const mark = ddbMock.commandCalls(UpdateCommand).find((c) => c.args[0].input.Key?.['pk'] === 'QUAR#2026-03-02')!.args[0].input;
    expect(mark.ConditionExpression).toBe('attribute_exists(pk)');
  });

  test('without a correction, a body held elsewhere cannot be released', async () => {
    const report = await releaseQuarantined(deps(), { item: item({ body: '', bodyHeldIn: 'intake-dlq:m' }) });
    expect(report.outcome).toBe('bodyNotHeld');
  });

  test('a dry run checks and reports, and writes nothing', async () => {
    const report = await releaseQuarantined(deps(), { item: item(), correction, dryRun: true });

    expect(report.outcome).toBe('wouldRelease');
    expect(sqsMock.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(ddbMock.commandCalls(PutCommand)).toHaveLength(0);
  });

  test('outcomes map to the documented exit codes', () => {
    expect([
      releaseExitCode({ outcome: 'released' }),
      releaseExitCode({ outcome: 'wouldRelease' }),
      releaseExitCode({ outcome: 'invalid' }),
      releaseExitCode({ outcome: 'alreadyReleased' }),
      releaseExitCode({ outcome: 'bodyNotHeld' }),
    ]).toEqual([0, 0, 1, 1, 2]);
  });
});
