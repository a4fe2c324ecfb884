import { FirehoseClient, PutRecordBatchCommand } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { FirehoseArchiveAppender } from '../../../src/adapters/archive/archiveAppender';
import { ArchiveWriteError } from '../../../src/adapters/aws/archiveWriter';

const firehoseMock = mockClient(FirehoseClient);
beforeEach(() => firehoseMock.reset());

const appender = () => new FirehoseArchiveAppender(new FirehoseClient({ region: 'us-east-1' }), 'archive', async () => undefined);
const lines = ['a\n', 'b\n', 'c\n'];
const sent = () => firehoseMock.commandCalls(PutRecordBatchCommand).map((c) => c.args[0].input.Records!.map((r) => Buffer.from(r.Data!).toString()));

describe('FirehoseArchiveAppender', () => {
  it('retries only the records a batch answer marks as failed', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 1, RequestResponses: [{ RecordId: '1' }, { ErrorCode: 'ServiceUnavailableException' }, { RecordId: '3' }] })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '2' }] });
    await appender().append(lines);
    expect(sent()).toEqual([lines, ['b\n']]);
  });

  it.each([
    ['fewer responses than records', { FailedPutCount: 0, RequestResponses: [{ RecordId: '1' }, { RecordId: '2' }] }],
    ['a FailedPutCount the entries do not bear out', { FailedPutCount: 1, RequestResponses: [{ RecordId: '1' }, { RecordId: '2' }, { RecordId: '3' }] }],
    ['no responses at all', { FailedPutCount: 0 }],
  ])('retries the whole batch after %s', async (_what, answer) => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce(answer)
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '1' }, { RecordId: '2' }, { RecordId: '3' }] });
    await appender().append(lines);
    expect(sent()).toEqual([lines, lines]);
  });

  it('retries an entry with neither a RecordId nor an error', async () => {
    firehoseMock
      .on(PutRecordBatchCommand)
      .resolvesOnce({ FailedPutCount: 0, RequestResponses: [{ RecordId: '1' }, {}, { RecordId: '3' }] })
      .resolves({ FailedPutCount: 0, RequestResponses: [{ RecordId: '2' }] });
    await appender().append(lines);
    expect(sent()).toEqual([lines, ['b\n']]);
  });

  it('gives up, saying why, when answers never account for the records', async () => {
    firehoseMock.on(PutRecordBatchCommand).resolves({ FailedPutCount: 0, RequestResponses: [] });
    const error = await appender()
      .append(lines)
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ArchiveWriteError);
    expect((error as Error).message).toMatch(/3 of 3 record\(s\) not appended after 6 attempts: an inconsistent answer: 0 response\(s\) for 3 record\(s\)/);
  });
});
