import { ConfigError } from '../../../src/config/archiveSettings';
import { readSenderConfig } from '../../../src/sender/senderConfig';

const base = {
  ARCHIVE_AWS_REGION: 'eu-west-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'secret',
  ARCHIVE_FIREHOSE_STREAM: 'message-archive',
  ARCHIVE_REDACT_DIGITS: '4',
  STATUS_CALLBACK_URL: 'https://message-archive-4821-prod.twil.io/status-callback',
};

describe('readSenderConfig', () => {
  it("reads the Function's archive settings, the Function URL and the default overrides", () => {
    expect(readSenderConfig(base)).toMatchObject({
      functionUrl: base.STATUS_CALLBACK_URL,
      overrides: { retryCount: 5, retryPolicy: ['all'], totalTimeMs: 15000 },
      redactDigits: 4,
      writer: { region: 'eu-west-1', streamName: 'message-archive' },
    });
  });

  it("reads overrides in the fragment's own form", () => {
    expect(readSenderConfig({ ...base, STATUS_CALLBACK_OVERRIDES: 'rc=2&rp=5xx,ct' }).overrides).toEqual({ retryCount: 2, retryPolicy: ['5xx', 'ct'] });
  });

  it.each([
    [{ STATUS_CALLBACK_URL: '' }, /STATUS_CALLBACK_URL is not set/],
    [{ STATUS_CALLBACK_URL: 'http://x.twil.io/status-callback' }, /STATUS_CALLBACK_URL: the status callback URL must be https/],
    [{ STATUS_CALLBACK_OVERRIDES: 'rc=8' }, /STATUS_CALLBACK_OVERRIDES: connection override rc must be a whole number from 0 to 5/],
    [{ ARCHIVE_FIREHOSE_STREAM: '' }, /ARCHIVE_FIREHOSE_STREAM is not set/],
  ])('refuses %p with a ConfigError naming the variable', (change, message) => {
    expect(() => readSenderConfig({ ...base, ...change })).toThrow(ConfigError);
    expect(() => readSenderConfig({ ...base, ...change })).toThrow(message);
  });
});
