import {
  ConfigError,
  ARCHIVE_VARIABLES,
  parseArchiveLocation,
  parseS3Uri,
  readArchiveLayout,
  readArchiveSettings,
  readAthenaSettings,
} from '../../../src/config/archiveSettings';

const minimal = {
  ARCHIVE_FIREHOSE_STREAM: 'archive',
  ARCHIVE_AWS_REGION: 'eu-west-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'AKIA',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'secret',
};

describe('readArchiveSettings', () => {
  it('reads the minimal production settings with their defaults', () => {
    expect(readArchiveSettings(minimal)).toEqual({
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
      layout: { firehose: 'firehose/', fallback: 'fallback/', direct: 'direct/', events: 'events/' },
      redactDigits: 0,
    });
  });

  it('never falls back to the ambient AWS_* variables', () => {
    const env = { AWS_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'y', ARCHIVE_FIREHOSE_STREAM: 's' };
    expect(() => readArchiveSettings(env)).toThrow(/ARCHIVE_AWS_REGION is not set/);
  });

  it.each(['ARCHIVE_FIREHOSE_STREAM', 'ARCHIVE_AWS_REGION', 'ARCHIVE_AWS_ACCESS_KEY_ID', 'ARCHIVE_AWS_SECRET_ACCESS_KEY'])('names the missing %s', (name) => {
    const env: Record<string, string> = { ...minimal, [name]: '  ' };
    expect(() => readArchiveSettings(env)).toThrow(new RegExp(`^${name} is not set`));
  });

  it('reads the optional settings', () => {
    const config = readArchiveSettings({
      ...minimal,
      ARCHIVE_AWS_SESSION_TOKEN: 'tok',
      ARCHIVE_FIREHOSE_ENDPOINT: 'http://127.0.0.1:4573',
      ARCHIVE_S3_URI: 's3://my-bucket',
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
    ['ARCHIVE_FIREHOSE_ENDPOINT', 'http://firehose.example.com'],
    ['ARCHIVE_S3_ENDPOINT', 'http://10.0.0.5:9000'],
    ['ARCHIVE_FIREHOSE_PREFIX', '/firehose/'],
    ['ARCHIVE_FIREHOSE_PREFIX', 'firehose'],
    ['ARCHIVE_DIRECT_PREFIX', '../direct/'],
    ['ARCHIVE_DIRECT_PREFIX', 'firehose/'],
    ['ARCHIVE_FALLBACK_S3_URI', 'https://bucket.s3.amazonaws.com'],
  ])('refuses %s=%s with a ConfigError', (name, value) => {
    expect(() => readArchiveSettings({ ...minimal, [name]: value })).toThrow(ConfigError);
  });
});

it("reads no variable that ARCHIVE_VARIABLES (the Function's settings cache key) leaves out", () => {
  const read = new Set<string>();
  const env = new Proxy<Record<string, string>>(
    { ...minimal, ARCHIVE_S3_URI: 's3://bucket/', ARCHIVE_FALLBACK_S3_URI: 's3://bucket/p/' },
    {
      get: (target, name) => {
        read.add(String(name));
        return target[String(name)];
      },
    },
  );
  readArchiveSettings(env);
  expect([...read].filter((name) => !(ARCHIVE_VARIABLES as readonly string[]).includes(name))).toEqual([]);
  expect(read.size).toBe(ARCHIVE_VARIABLES.length);
});

describe('parseS3Uri', () => {
  it('splits bucket and prefix and ends the prefix with a slash', () => {
    expect(parseS3Uri('s3://b-1/a/b', 'X')).toEqual({ bucket: 'b-1', prefix: 'a/b/' });
    expect(parseS3Uri('s3://b-1/', 'X')).toEqual({ bucket: 'b-1', prefix: '' });
  });

  it('reads the scheme in any case, but not a bucket name in upper case', () => {
    expect(parseS3Uri('S3://b-1/a/', 'X')).toEqual({ bucket: 'b-1', prefix: 'a/' });
    expect(() => parseS3Uri('s3://My-Bucket/', 'X')).toThrow(/^X must look like s3:\/\/bucket\/prefix\//);
  });
});

describe('archive locations with dot segments', () => {
  it.each([
    ['s3://bkt/r/../../../outside/', '".."'],
    ['s3://bkt/r/..', '".."'],
    ['s3://bkt/./r/', '"."'],
    ['s3://bkt//r/', 'an empty segment'],
    ['s3://bkt/r\\..\\x/', 'a backslash'],
  ])('parseS3Uri refuses %s, naming the setting and the segment', (uri, what) => {
    expect(() => parseS3Uri(uri, 'ARCHIVE_S3_URI')).toThrow(ConfigError);
    expect(() => parseS3Uri(uri, 'ARCHIVE_S3_URI')).toThrow(`ARCHIVE_S3_URI ${uri} has ${what.startsWith('"') ? `a ${what} segment` : what}`);
  });

  it('keeps names that merely contain dots', () => {
    expect(parseS3Uri('s3://my.bucket/v1.2/..x/', 'X')).toEqual({ bucket: 'my.bucket', prefix: 'v1.2/..x/' });
  });

  it("refuses a fallback that climbs out of ARCHIVE_S3_URI with .., in the layout the commands read and in the Functions' settings", () => {
    const escape = { ARCHIVE_S3_URI: 's3://bkt/r/', ARCHIVE_FALLBACK_S3_URI: 's3://bkt/r/../../../outside/' };
    const message = 'ARCHIVE_FALLBACK_S3_URI s3://bkt/r/../../../outside/ has a ".." segment';
    expect(() => readArchiveLayout(escape)).toThrow(message);
    expect(() => readArchiveLayout({ ARCHIVE_FALLBACK_S3_URI: escape.ARCHIVE_FALLBACK_S3_URI }, parseArchiveLocation('s3://bkt/r/'))).toThrow(message);
    expect(() => readArchiveSettings({ ...minimal, ...escape })).toThrow(message);
    // A fallback that only looks inside before normalising: refused too.
    expect(() => readArchiveSettings({ ...minimal, ARCHIVE_S3_URI: 's3://bkt/r/', ARCHIVE_FALLBACK_S3_URI: 's3://bkt/r/fallback/../../x/' })).toThrow(
      ConfigError,
    );
    expect(() => readArchiveSettings({ ...minimal, ARCHIVE_S3_URI: 's3://bkt/r/x/..', ARCHIVE_FALLBACK_S3_URI: 's3://bkt/r/fallback/' })).toThrow(
      'ARCHIVE_S3_URI s3://bkt/r/x/.. has a ".." segment',
    );
  });

  it("refuses --archive as an S3 URI with .. segments; a folder path is the shell's to resolve", () => {
    expect(() => parseArchiveLocation('s3://bkt/r/../other/')).toThrow('--archive s3://bkt/r/../other/ has a ".." segment');
    expect(parseArchiveLocation('../archive')).toEqual({ kind: 'folder', path: '../archive' });
  });

  it.each(['ARCHIVE_FIREHOSE_PREFIX', 'ARCHIVE_DIRECT_PREFIX', 'ARCHIVE_EVENTS_PREFIX'])('refuses %s with .. or . segments', (name) => {
    for (const value of ['../outside/', 'a/../../b/', './a/'])
      expect(() => readArchiveLayout({ [name]: value })).toThrow(new RegExp(`^${name} must be a key prefix inside the archive`));
  });
});

describe('endpoint overrides', () => {
  it.each(['https://firehose.eu-west-1.amazonaws.com', 'http://localhost:4573', 'http://127.0.0.1:4569', 'http://[::1]:4569'])('accept %s', (url) => {
    expect(readArchiveSettings({ ...minimal, ARCHIVE_FIREHOSE_ENDPOINT: url }).writer.firehoseEndpoint).toBe(url);
  });

  it('refuse plain http to anything but loopback, saying so', () => {
    expect(() => readArchiveSettings({ ...minimal, ARCHIVE_S3_ENDPOINT: 'http://minio.internal:9000' })).toThrow(
      /^ARCHIVE_S3_ENDPOINT must be https unless its host is loopback/,
    );
  });
});

describe('the write budget with a fallback', () => {
  const withFallback = { ...minimal, ARCHIVE_S3_URI: 's3://archive/', ARCHIVE_FALLBACK_S3_URI: 's3://archive/fallback/' };

  it("is refused when the fallback's reserve would leave Firehose no time", () => {
    expect(() => readArchiveSettings({ ...withFallback, ARCHIVE_WRITE_BUDGET_MS: '2099' })).toThrow(
      /^ARCHIVE_WRITE_BUDGET_MS is 2099: with a fallback, .*at least 2100$/,
    );
    expect(readArchiveSettings({ ...withFallback, ARCHIVE_WRITE_BUDGET_MS: '2100' }).writer.budgetMs).toBe(2100);
  });

  it('may be short without a fallback', () => {
    expect(readArchiveSettings({ ...minimal, ARCHIVE_WRITE_BUDGET_MS: '500' }).writer.budgetMs).toBe(500);
  });
});

describe('parseArchiveLocation', () => {
  it('reads s3:// in any case as S3, never as a folder called "S3:"', () => {
    expect(parseArchiveLocation('S3://archive/root')).toEqual({ kind: 's3', bucket: 'archive', prefix: 'root/' });
    expect(parseArchiveLocation('s3://archive')).toEqual({ kind: 's3', bucket: 'archive', prefix: '' });
  });

  it.each(['s3:archive', 's3:/archive/', 'S3:archive', 's3:'])('refuses %s, a mistyped S3 URI', (text) => {
    expect(() => parseArchiveLocation(text)).toThrow(/--archive "s3:.*" begins with s3: but is not an S3 URI/i);
  });

  it('takes anything else as a folder', () => {
    expect(parseArchiveLocation('./local-archive')).toEqual({ kind: 'folder', path: './local-archive' });
    expect(() => parseArchiveLocation(' ')).toThrow(/--archive is empty/);
  });
});

describe('readArchiveLayout', () => {
  it('reads each prefix from its variable, with the defaults', () => {
    expect(readArchiveLayout({})).toEqual({ firehose: 'firehose/', fallback: 'fallback/', direct: 'direct/', events: 'events/' });
    expect(
      readArchiveLayout({ ARCHIVE_FIREHOSE_PREFIX: 'delivered/raw/', ARCHIVE_DIRECT_PREFIX: 'appended/', ARCHIVE_EVENTS_PREFIX: 'kinesis/events/' }),
    ).toEqual({
      firehose: 'delivered/raw/',
      fallback: 'fallback/',
      direct: 'appended/',
      events: 'kinesis/events/',
    });
    expect(() => readArchiveLayout({ ARCHIVE_EVENTS_PREFIX: 'firehose/' })).toThrow(/ARCHIVE_FIREHOSE_PREFIX and ARCHIVE_EVENTS_PREFIX give the same prefix/);
  });

  it('derives the fallback prefix from ARCHIVE_FALLBACK_S3_URI inside the archive root', () => {
    const layout = readArchiveLayout({ ARCHIVE_S3_URI: 's3://archive/messages/', ARCHIVE_FALLBACK_S3_URI: 's3://archive/messages/spill/' });
    expect(layout).toEqual({
      firehose: 'firehose/',
      fallback: 'spill/',
      direct: 'direct/',
      events: 'events/',
      fallbackLocation: { bucket: 'archive', prefix: 'messages/spill/' },
    });
  });

  it('takes the archive being read as the root when ARCHIVE_S3_URI is not set', () => {
    const read = parseArchiveLocation('s3://archive/');
    expect(readArchiveLayout({ ARCHIVE_FALLBACK_S3_URI: 's3://archive/spill/' }, read).fallback).toBe('spill/');
  });

  it.each([
    ['another bucket', 's3://archive/', 's3://elsewhere/fallback/'],
    ['a prefix beside the root', 's3://archive/messages/', 's3://archive/fallback/'],
    ['the root itself', 's3://archive/messages/', 's3://archive/messages/'],
  ])('refuses a fallback outside the archive (%s): the readers would never read it', (_, root, fallback) => {
    expect(() => readArchiveLayout({ ARCHIVE_S3_URI: root, ARCHIVE_FALLBACK_S3_URI: fallback })).toThrow(
      new RegExp(`^ARCHIVE_FALLBACK_S3_URI ${fallback} is outside the archive ${root}: the poller and the reconciliation would never read`),
    );
  });

  it('refuses a fallback when the archive root is unknown', () => {
    expect(() => readArchiveLayout({ ARCHIVE_FALLBACK_S3_URI: 's3://archive/fallback/' })).toThrow(/ARCHIVE_S3_URI is not/);
  });

  it('refuses two kinds of record in one prefix', () => {
    expect(() => readArchiveLayout({ ARCHIVE_DIRECT_PREFIX: 'fallback/' })).toThrow(
      /ARCHIVE_FALLBACK_S3_URI and ARCHIVE_DIRECT_PREFIX give the same prefix "fallback\/"/,
    );
  });
});

describe('readAthenaSettings (--engine athena)', () => {
  const complete = {
    ARCHIVE_ATHENA_WORKGROUP: 'message-archive',
    ARCHIVE_ATHENA_DATABASE: 'message_archive',
    ARCHIVE_ATHENA_LISTS_S3_URI: 's3://results-bucket/twilio-lists',
  };

  it('reads the workgroup, the database and where lists are staged (a prefix always ending in /)', () => {
    expect(readAthenaSettings(complete)).toEqual({
      workGroup: 'message-archive',
      database: 'message_archive',
      lists: { bucket: 'results-bucket', prefix: 'twilio-lists/' },
      endpoint: undefined,
    });
  });

  it.each(Object.keys(complete))('refuses to run without %s, and says where it comes from', (name) => {
    const env: Record<string, string> = { ...complete };
    delete env[name];
    expect(() => readAthenaSettings(env)).toThrow(
      new RegExp(`${name} is not set: --engine athena needs it \\(the infrastructure's CommandsEnvironment output`),
    );
  });

  it('refuses a lists location that is not an S3 URI, and an endpoint override that is plain http to another host', () => {
    expect(() => readAthenaSettings({ ...complete, ARCHIVE_ATHENA_LISTS_S3_URI: '/tmp/lists' })).toThrow(ConfigError);
    expect(() => readAthenaSettings({ ...complete, ARCHIVE_ATHENA_ENDPOINT: 'http://athena.example.com' })).toThrow(/ARCHIVE_ATHENA_ENDPOINT must be https/);
    expect(readAthenaSettings({ ...complete, ARCHIVE_ATHENA_ENDPOINT: 'http://127.0.0.1:4000' }).endpoint).toBe('http://127.0.0.1:4000');
  });
});
