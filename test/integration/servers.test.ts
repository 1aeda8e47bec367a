/** Smoke test: the servers started by the global setup are real DynamoDB and SQS implementations. */
import { ConditionalCheckFailedException, PutItemCommand, QueryCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageBatchCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { STATUS_INDEX } from '../../topology/table.js';
import { freshQueue, freshTable, testServers } from './servers.js';

describe('test servers', () => {
  const { ddb, sqs } = testServers();

  test('DynamoDB Local: conditional put and GSI query', async () => {
    const TableName = await freshTable('smoke');
    const put = new PutItemCommand({
      TableName,
      Item: {
        pk: { S: 'REC#1' },
        sk: { S: 'DEST#provincial' },
        gsi1pk: { S: 'provincial#PENDING' },
        gsi1sk: { S: '2024-01-01T00:00:00Z' },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    });
    await ddb.send(put);
    await expect(ddb.send(put)).rejects.toBeInstanceOf(ConditionalCheckFailedException);

    const { Items } = await ddb.send(
      new QueryCommand({
        TableName,
        IndexName: STATUS_INDEX,
        KeyConditionExpression: 'gsi1pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'provincial#PENDING' } },
      }),
    );
    expect(Items?.map((item) => item.pk?.S)).toEqual(['REC#1']);
  });

  test('SQS carries what AWS SQS carries: every character beyond U+FFFF, byte for byte; refuses U+FFFE and lone surrogates', async () => {
    const QueueUrl = await freshQueue('chars');
    const names = ['𠮷野家', '𠀀', '\u{2A6D6}\u{30000}\u{10FFFD}'];
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: JSON.stringify({ name: names[0] }) }));
    const batch = await sqs.send(
      new SendMessageBatchCommand({
        QueueUrl,
        Entries: [
          { Id: 'a', MessageBody: JSON.stringify({ name: names[1] }) },
          { Id: 'b', MessageBody: JSON.stringify({ name: names[2] }) },
          { Id: 'nonchar', MessageBody: 'x\uFFFE' },
          { Id: 'lone', MessageBody: 'x\udfff' },
        ],
      }),
    );
    expect((batch.Failed ?? []).map((f) => [f.Id, f.Code, f.SenderFault]).sort()).toEqual([
      ['lone', 'InvalidMessageContents', true],
      ['nonchar', 'InvalidMessageContents', true],
    ]);
    const bodies: string[] = [];
    for (let polls = 0; bodies.length < 3 && polls < 30; polls++) {
      const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
      bodies.push(...Messages.map((m) => m.Body!));
    }
    expect(bodies.map((b) => Buffer.from((JSON.parse(b) as { name: string }).name, 'utf8').toString('hex')).sort()).toEqual(
      names.map((n) => Buffer.from(n, 'utf8').toString('hex')).sort(),
    );
  });

  test('SQS: redrive to the DLQ after maxReceiveCount receives', async () => {
    const dlqUrl = await freshQueue('smoke-dlq');
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }));
    const queueUrl = await freshQueue('smoke', {
      VisibilityTimeout: '1',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: 2 }),
    });
    await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));

    for (let receive = 1; receive <= 2; receive++) {
      // Long poll covers the 1 s visibility timeout of the previous receive.
      const { Messages } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 3, MessageSystemAttributeNames: ['ApproximateReceiveCount'] }),
      );
      expect(Messages?.map((message) => [message.Body, message.Attributes?.ApproximateReceiveCount])).toEqual([['poison', String(receive)]]);
    }

    // Third receive: the message has been received maxReceiveCount times, so it moves to the DLQ.
    const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 2 }));
    expect(third.Messages ?? []).toEqual([]);
    const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1 }));
    expect(dead.Messages?.map((message) => message.Body)).toEqual(['poison']);
  });

  afterAll(() => {
    ddb.destroy();
    sqs.destroy();
  });
});
