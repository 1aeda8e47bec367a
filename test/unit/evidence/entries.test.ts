/**
 * Entries where they are made: the keys of records as received (validated shape, identity numbers
 * masked), and the outbox (a failed send keeps only what was not sent).
 */
import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { entryLine, parseEntryLine, receivedRecordKey } from '../../../functions/shared/evidence/format.js';
import { ENTRIES_FORMAT, sqsEvidenceOutbox } from '../../../functions/shared/evidence/outbox.js';
import { residentId } from '../../support/records.js';
import { sendEntry } from '../../support/evidence.js';

describe('the key of a record as received', () => {
  const record = { recordType: 'commitment', source: 'hrbxq-approval', recordId: 'HRBNA-CN-2026-000123', revision: 2 };

  it('is type:source:id:revision when every part has the contract’s shape', () => {
    expect(receivedRecordKey(record)).toBe('commitment:hrbxq-approval:HRBNA-CN-2026-000123:2');
  });

  it('is none for a part out of shape: what a stranger sends is not written into the log', () => {
    for (const broken of [
      { ...record, recordType: 'commit ment' },
      { ...record, source: 'Not A Source' },
      { ...record, recordId: 'x'.repeat(200) },
      { ...record, recordId: '../etc' },
      { ...record, revision: 0 },
      { ...record, revision: '2' },
      null,
      'text',
    ]) {
      expect(receivedRecordKey(broken)).toBeUndefined();
    }
  });

  it('masks an identity number used as an id', () => {
    const id = residentId('230109', '19800101', '123');
    const key = receivedRecordKey({ ...record, recordId: id });
    expect(key).toBeDefined();
    expect(key).not.toContain(id);
  });
});

describe('entry lines', () => {
  it('refuse a record reference without a key, or members of the wrong type', () => {
    const entry = sendEntry(1);
    expect(parseEntryLine(entryLine(entry)).id).toBe(entry.id);
    const withoutKey = entryLine(entry).replace(/"key":"[^"]*",/, '');
    expect(() => parseEntryLine(withoutKey)).toThrow(/records\[0\]: no key/);
    expect(() => parseEntryLine(entryLine(entry).replace('"requestBytes":101', '"requestBytes":"101"'))).toThrow(/integers/);
  });
});

describe('the outbox', () => {
  const sqsMock = mockClient(SQSClient);
  beforeEach(() => sqsMock.reset());

  it('sends its entries as one message and is empty after', async () => {
    sqsMock.on(SendMessageCommand).resolves({ MessageId: 'm' });
    const outbox = sqsEvidenceOutbox(new SQSClient({ region: 'us-east-1' }), 'q');
    const entries = [sendEntry(1), sendEntry(2)];
    for (const e of entries) outbox.add(e);
    await outbox.flush();
    await outbox.flush();
    const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => JSON.parse(c.args[0].input.MessageBody!) as { format: string; entries: string[] });
    expect(sent).toEqual([{ format: ENTRIES_FORMAT, entries: entries.map(entryLine) }]);
  });

  it('splits what does not fit one message, and after a failed send keeps only the messages not sent', async () => {
    // 300 entries of ~1 KB: two messages; the second send fails once
    const big = Array.from({ length: 300 }, (_, i) => sendEntry(i, { path: `/p/${'x'.repeat(700)}` }));
    sqsMock.on(SendMessageCommand).resolvesOnce({ MessageId: 'a' }).rejectsOnce(new Error('throttled')).resolves({ MessageId: 'b' });
    const outbox = sqsEvidenceOutbox(new SQSClient({ region: 'us-east-1' }), 'q');
    for (const e of big) outbox.add(e);
    await expect(outbox.flush()).rejects.toThrow('throttled');
    await outbox.flush();
    const sent = sqsMock.commandCalls(SendMessageCommand).map((c) => (JSON.parse(c.args[0].input.MessageBody!) as { entries: string[] }).entries);
    const delivered = [sent[0]!, sent[2]!].flat();
    expect(sent).toHaveLength(3);
    expect(delivered).toEqual(big.map(entryLine));
    for (const body of sqsMock.commandCalls(SendMessageCommand).map((c) => c.args[0].input.MessageBody!))
      expect(Buffer.byteLength(body)).toBeLessThan(256 * 1024);
  });
});
