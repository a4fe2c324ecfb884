import { ConfigError, INGEST_VARIABLES, parseS3Uri, readIngestConfig } from '../../../src/config/archiveSettings';

const minimal = {
  ARCHIVE_FIREHOSE_STREAM: 'archive',
  ARCHIVE_AWS_REGION: 'eu-west-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'AKIA',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'secret',
};

describe('readIngestConfig', () => {
  it('reads the minimal production settings with their defaults', () => {
    expect(readIngestConfig(minimal)).toEqual({
      writer: {
        region: 'eu-west-1',
        credentials: { accessKeyId: 'AKIA', secretAccessKey: 'secret' },
        streamName: 'archive',
        firehoseEndpoint: undefined,
        fallback: undefined,
        s3Endpoint: undefined,
        budgetMs: 7000,
        attemptTimeoutMs: 2000,
      },
      redactDigits: 0,
    });
  });

  it('never falls back to the ambient AWS_* variables', () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', ARCHIVE_FIREHOSE_STREAM: 's' };
    expect(() => readIngestConfig(env)).toThrow(/ARCHIVE_AWS_REGION is not set/);
  });

  it.each(['ARCHIVE_FIREHOSE_STREAM', 'ARCHIVE_AWS_REGION', 'ARCHIVE_AWS_ACCESS_KEY_ID', 'ARCHIVE_AWS_SECRET_ACCESS_KEY'])(
    'names the missing %s',
    (name) => {
      const env: Record<string, string> = { ...minimal, [name]: '  ' };
      expect(() => readIngestConfig(env)).toThrow(new RegExp(`^${name} is not set`));
    },
  );

  it('reads the optional settings', () => {
    const config = readIngestConfig({
      ...minimal,
      ARCHIVE_AWS_SESSION_TOKEN: 'tok',
      ARCHIVE_FIREHOSE_ENDPOINT: 'http://127.0.0.1:4573',
      ARCHIVE_FALLBACK_S3_URI: 's3://my-bucket',
      ARCHIVE_S3_ENDPOINT: 'http://127.0.0.1:4569',
      ARCHIVE_REDACT_DIGITS: '4',
      ARCHIVE_WRITE_BUDGET_MS: '5000',
    });
    expect(config.writer.credentials.sessionToken).toBe('tok');
    expect(config.writer.fallback).toEqual({ bucket: 'my-bucket', prefix: 'fallback/' });
    expect(config.redactDigits).toBe(4);
    expect(config.writer.budgetMs).toBe(5000);
  });

  it.each([
    ['ARCHIVE_REDACT_DIGITS', 'four'],
    ['ARCHIVE_REDACT_DIGITS', '-1'],
    ['ARCHIVE_WRITE_BUDGET_MS', '20000'],
    ['ARCHIVE_FIREHOSE_ENDPOINT', 'localhost:4573'],
    ['ARCHIVE_FALLBACK_S3_URI', 'https://bucket.s3.amazonaws.com'],
  ])('refuses %s=%s with a ConfigError', (name, value) => {
    expect(() => readIngestConfig({ ...minimal, [name]: value })).toThrow(ConfigError);
  });
});

it('reads no variable that INGEST_VARIABLES (the Function\'s settings cache key) leaves out', () => {
  const read = new Set<string>();
  const env = new Proxy({ ...minimal, ARCHIVE_FALLBACK_S3_URI: 's3://bucket/p/' } as Record<string, string>, {
    get: (target, name) => {
      read.add(String(name));
      return target[String(name)];
    },
  });
  readIngestConfig(env);
  expect([...read].filter((name) => !(INGEST_VARIABLES as readonly string[]).includes(name))).toEqual([]);
  expect(read.size).toBe(INGEST_VARIABLES.length);
});

describe('parseS3Uri', () => {
  it('splits bucket and prefix and ends the prefix with a slash', () => {
    expect(parseS3Uri('s3://b-1/a/b', 'X')).toEqual({ bucket: 'b-1', prefix: 'a/b/' });
    expect(parseS3Uri('s3://b-1/', 'X')).toEqual({ bucket: 'b-1', prefix: '' });
  });
});
