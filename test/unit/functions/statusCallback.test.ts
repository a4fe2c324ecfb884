import { FirehoseClient, PutRecordCommand, ResourceNotFoundException } from '@aws-sdk/client-firehose';
import { mockClient } from 'aws-sdk-client-mock';
import { ARCHIVE_ENV, smsCallback } from '../../helpers/callbacks';

/** The slice of Twilio.Response the Function uses, recorded for assertions. */
class FakeResponse {
  statusCode = 200;
  headers: Record<string, string> = {};
  body: unknown;
  setStatusCode(code: number) {
    this.statusCode = code;
    return this;
  }
  appendHeader(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
  setBody(body: unknown) {
    this.body = body;
    return this;
  }
}

const firehoseMock = mockClient(FirehoseClient);
const context = {
  ...ARCHIVE_ENV,
  getTwilioClient: () => {
    throw new Error('the Function must not need a Twilio client');
  },
};

beforeAll(() => {
  (global as unknown as { Twilio: unknown }).Twilio = { Response: FakeResponse };
});
afterAll(() => {
  delete (global as unknown as { Twilio?: unknown }).Twilio;
});
beforeEach(() => {
  firehoseMock.reset();
  // The Function logs refusals as JSON lines; keep test output clean.
  jest.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

async function invoke(event: Record<string, unknown>): Promise<{ error: unknown; response: FakeResponse | undefined }> {
  const { handler } = await import('../../../src/functions/status-callback.protected');
  return new Promise((resolve) => {
    void handler(context as never, event as never, (error, response) => resolve({ error, response: response as FakeResponse | undefined }));
  });
}

describe('status-callback Function', () => {
  it('answers 200 with an empty body after the write', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const { error, response } = await invoke({ ...smsCallback(), request: { headers: {}, cookies: {} } });
    expect(error).toBeNull();
    expect(response).toMatchObject({ statusCode: 200, body: '' });
    expect(firehoseMock.commandCalls(PutRecordCommand)).toHaveLength(1);
  });

  it('archives an odd callback and answers 200: it is signed, and a 4xx would make Twilio drop it', async () => {
    firehoseMock.on(PutRecordCommand).resolves({ RecordId: 'r' });
    const { response } = await invoke({ AccountSid: 'x', request: { headers: {}, cookies: {} } });
    expect(response).toMatchObject({ statusCode: 200, body: '' });
    const line = Buffer.from(firehoseMock.commandCalls(PutRecordCommand)[0].args[0].input.Record!.Data!).toString('utf8');
    expect(JSON.parse(line)).toMatchObject({ message_sid: null, account_sid: null, problems: expect.arrayContaining(['MessageSid is missing']) });
  });

  it('answers a JSON error when the record cannot be archived', async () => {
    firehoseMock.on(PutRecordCommand).rejects(new ResourceNotFoundException({ message: 'no stream', $metadata: { httpStatusCode: 400 } }));
    const { response } = await invoke({ ...smsCallback(), request: { headers: {}, cookies: {} } });
    expect(response?.statusCode).toBe(503);
    expect(response?.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(String(response?.body))).toHaveProperty('error.message');
  });
});
