import { FirehoseClient, PutRecordCommand, ServiceUnavailableException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import * as awsClients from '../../../src/adapters/aws/clients';
import { archiveStatusCallback, type Log } from '../../../src/ingest/archiveStatusCallback';
import { schemaErrors } from '../../helpers/archiveSchema';
import { ARCHIVE_ENV, MESSAGE_SID, smsCallback } from '../../helpers/callbacks';

const firehoseMock = mockClient(FirehoseClient);

const env = {
  ...ARCHIVE_ENV,
  AUTH_TOKEN: 'abcdefabcdefabcdefabcdefabcdef12',
};
const now = () => new Date('2026-11-26T15:31:02.123Z');

function logSpy() {
  const lines: string[] = [];
  const log: Log = (level, message, fields) => lines.push(JSON.stringify({ level, message, ...fields }));
  return { log, lines };
}

function writtenLines(): string[] {
  return firehoseMock.commandCalls(PutRecordCommand).map((c) => Buffer.from(c.args[0].input.Record!.Data!).toString('utf8'));
}

beforeEach(() => firehoseMock.reset());

describe('archiveStatusCallback', () => {
  it('answers 200 with an empty body once Firehose has the record', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const answer = await archiveStatusCallback({ ...smsCallback(), order_id: '42' }, env, logSpy().log, now);
    expect(answer).toEqual({ statusCode: 200, body: '' });
    const [line] = writtenLines();
    expect(line.endsWith('\n')).toBe(true);
    const record = JSON.parse(line) as Record<string, unknown>;
    expect(record).toMatchObject({ source: 'callback', message_sid: MESSAGE_SID, tags: { order_id: '42' }, recorded_at: now().toISOString() });
    expect(schemaErrors(record)).toEqual([]);
  });

  it('applies the redaction setting', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    await archiveStatusCallback(smsCallback(), { ...env, ARCHIVE_REDACT_DIGITS: '4' }, logSpy().log, now);
    expect(writtenLines()[0]).not.toContain('+14155550101');
    expect(JSON.parse(writtenLines()[0]).to).toBe('+1415555****');
  });

  it('archives a callback without a usable MessageSid, answers 200, and logs what was odd without a value', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const { log, lines } = logSpy();
    const answer = await archiveStatusCallback(smsCallback({ MessageSid: '', SmsSid: "SM' OR 1=1" }), env, log, now);
    expect(answer).toEqual({ statusCode: 200, body: '' });
    const record = JSON.parse(writtenLines()[0]) as Record<string, unknown>;
    expect(record).toMatchObject({
      message_sid: null,
      params: { SmsSid: "SM' OR 1=1" },
      problems: ['SmsSid is not a SID of the expected form: the field is left null'],
    });
    expect(schemaErrors(record)).toEqual([]);
    expect(lines.join('\n')).toMatch(/callback archived with problems/);
    expect(lines.join('\n')).not.toContain('OR 1=1');
  });

  it('archives even an empty callback, for the record', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    expect((await archiveStatusCallback({ request: { headers: {}, cookies: {} } }, env, logSpy().log, now)).statusCode).toBe(200);
    expect(JSON.parse(writtenLines()[0])).toMatchObject({ problems: ['MessageSid is missing', 'AccountSid is missing', 'MessageStatus is missing'] });
  });

  it('answers 413 for a record Firehose could never take when there is no fallback, and writes nothing', async () => {
    const answer = await archiveStatusCallback(smsCallback({ Huge: 'x'.repeat(1024 * 1024) }), env, logSpy().log, now);
    expect(answer.statusCode).toBe(413);
    expect(writtenLines()).toEqual([]);
  });

  it('answers 503, so that Twilio retries, when Firehose answers without a RecordId', async () => {
    firehoseMock.on(PutRecordCommand).resolves({});
    const { log, lines } = logSpy();
    const answer = await archiveStatusCallback(smsCallback(), { ...env, ARCHIVE_WRITE_BUDGET_MS: '600', ARCHIVE_FIREHOSE_STREAM: 'no-record-id' }, log, now);
    expect(answer.statusCode).toBe(503);
    expect(firehoseMock.commandCalls(PutRecordCommand).length).toBeGreaterThan(1);
    expect(lines.join('\n')).toMatch(/MissingRecordIdError/);
  });

  it('answers 503 (so that Twilio retries) when the record cannot be written', async () => {
    firehoseMock.on(PutRecordCommand).rejects(new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }));
    const { log, lines } = logSpy();
    const answer = await archiveStatusCallback(smsCallback(), env, log, now);
    expect(answer.statusCode).toBe(503);
    expect(lines.join('\n')).toMatch(/not archived/);
  });

  it('answers 500 and names the variable when the archive is not configured', async () => {
    const { log, lines } = logSpy();
    const answer = await archiveStatusCallback(smsCallback(), { ...env, ARCHIVE_FIREHOSE_STREAM: '' }, log, now);
    expect(answer.statusCode).toBe(500);
    expect(lines.join('\n')).toMatch(/ARCHIVE_FIREHOSE_STREAM is not set/);
  });

  it('answers 500, and writes nothing, when the fallback lies outside the archive the readers read', async () => {
    const { log, lines } = logSpy();
    const outside = { ...env, ARCHIVE_S3_URI: 's3://archive/', ARCHIVE_FALLBACK_S3_URI: 's3://scratch/fallback/' };
    expect((await archiveStatusCallback(smsCallback(), outside, log, now)).statusCode).toBe(500);
    expect(writtenLines()).toEqual([]);
    expect(lines.join('\n')).toMatch(/ARCHIVE_FALLBACK_S3_URI s3:\/\/scratch\/fallback\/ is outside the archive s3:\/\/archive\//);
  });

  it('creates one Firehose client per warm container and reuses it', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const clients = jest.spyOn(awsClients, 'createFirehoseClient');
    const reused = { ...env, ARCHIVE_FIREHOSE_STREAM: 'reuse-test' };
    for (let i = 0; i < 3; i++) expect((await archiveStatusCallback(smsCallback(), reused, logSpy().log, now)).statusCode).toBe(200);
    expect(clients).toHaveBeenCalledTimes(1);
    await archiveStatusCallback(smsCallback(), { ...reused, ARCHIVE_FIREHOSE_STREAM: 'changed' }, logSpy().log, now);
    expect(clients).toHaveBeenCalledTimes(2);
    clients.mockRestore();
  });

  it('never logs a phone number or a secret, whatever happens', async () => {
    const { log, lines } = logSpy();
    firehoseMock.on(PutRecordCommand).rejects(new ServiceUnavailableException({ message: 'Slow down.', $metadata: { httpStatusCode: 503 } }));
    await archiveStatusCallback(smsCallback(), env, log, now);
    await archiveStatusCallback(smsCallback({ AccountSid: 'nope' }), env, log, now);
    await archiveStatusCallback(smsCallback(), { ...env, ARCHIVE_AWS_REGION: '' }, log, now);
    const all = lines.join('\n');
    expect(lines.length).toBeGreaterThanOrEqual(3);
    for (const secret of ['4155550101', '5005550006', 'very-secret-key', 'AKIAEXAMPLE', env.AUTH_TOKEN]) expect(all).not.toContain(secret);
  });
});
