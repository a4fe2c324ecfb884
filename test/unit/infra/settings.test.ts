import { checkContextKeys, DEFAULT_INFRA_SETTINGS, INFRA_SETTING_KEYS, InfraSettingsError, readInfraSettings } from '../../../infra/settings';

const read = (context: Record<string, unknown>) => readInfraSettings((key) => context[key]);

describe('the infrastructure settings', () => {
  it('default to what a regulated user needs: 7 years, compliance mode, the archive layout of the commands', () => {
    expect(read({})).toEqual({ ...DEFAULT_INFRA_SETTINGS });
    expect(DEFAULT_INFRA_SETTINGS).toMatchObject({
      retentionYears: 7,
      objectLockMode: 'COMPLIANCE',
      firehosePrefix: 'firehose/',
      fallbackPrefix: 'fallback/',
      directPrefix: 'direct/',
    });
  });

  it('read numbers and flags given as strings on the command line (-c name=value) or as JSON in cdk.json', () => {
    expect(read({ retentionYears: '10', bufferingSizeMiB: 128, fallbackEnabled: 'false', objectLockMode: 'governance' })).toMatchObject({
      retentionYears: 10,
      bufferingSizeMiB: 128,
      fallbackEnabled: false,
      objectLockMode: 'GOVERNANCE',
    });
  });

  it.each([
    [{ retentionYears: '0' }, /retentionYears.*from 1 to 100/],
    [{ retentionYears: '7.5' }, /retentionYears/],
    [{ retentionYears: '0x7' }, /retentionYears.*whole number/],
    [{ retentionYears: '1e1' }, /retentionYears.*whole number/],
    [{ objectLockMode: 'strict' }, /COMPLIANCE or GOVERNANCE/],
    [{ bufferingIntervalSeconds: '901' }, /bufferingIntervalSeconds/],
    [{ region: 'useast1' }, /region/],
    [{ region: 'us-east-1', replicaRegion: 'us-east-1' }, /must differ/],
    [{ archiveStartDay: '2026-02-30' }, /archiveStartDay.*not a day of the calendar/],
    [{ firehosePrefix: 'firehose' }, /firehosePrefix.*ending in '\/'/],
    [{ directPrefix: 'firehose/' }, /prefixes must differ/],
    [{ fallbackEnabled: 'yes' }, /true or false/],
    [{ alarmEmail: 'nobody' }, /e-mail/],
    [{ namePrefix: 'Message_Archive' }, /namePrefix/],
    [{ stagingExpirationDays: '1' }, /stagingExpirationDays.*from 7/],
    [{ retentionYears: { years: 7 } }, /single value/],
    [{ accessKeySerial: '2', retiringAccessKeySerial: '2' }, /retiringAccessKeySerial.*must be below/],
  ])('refuse %j, naming the setting', (context, message) => {
    expect(() => read(context)).toThrow(InfraSettingsError);
    expect(() => read(context)).toThrow(message);
  });
});

describe('the context keys the app is given', () => {
  it("takes every setting and CDK's own keys", () => {
    expect(() =>
      checkContextKeys([
        ...INFRA_SETTING_KEYS,
        'cli-telemetry',
        'aws:cdk:enable-path-metadata',
        'availability-zones:account=123456789012:region=us-east-1',
        '@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy',
      ]),
    ).not.toThrow();
  });

  it.each([
    ['objectLockmode', 'objectLockMode'],
    ['retentionYear', 'retentionYears'],
    ['retentionYearss', 'retentionYears'],
    ['alarmEmial', undefined],
    ['replica', undefined],
    ['foo:bar', undefined],
    ['objectLockMode:x', undefined],
  ])('refuses %s, suggesting what was meant', (key, meant) => {
    let message = '';
    try {
      checkContextKeys([key]);
    } catch (error) {
      expect(error).toBeInstanceOf(InfraSettingsError);
      message = (error as Error).message;
    }
    expect(message).toContain(`unknown setting "${key}"`);
    if (meant) expect(message).toContain(`did you mean "${meant}"?`);
    else expect(message).not.toContain('did you mean');
    expect(message).toContain('The settings are: namePrefix,');
  });

  it('every setting the app reads is a known key', () => {
    expect([...INFRA_SETTING_KEYS].sort()).toEqual(
      [
        ...new Set([
          ...Object.keys(DEFAULT_INFRA_SETTINGS),
          'region',
          'replicaRegion',
          'alarmEmail',
          'retiringAccessKeySerial',
          'twilioEventStreamsAccount',
          'eventStreamsExternalId',
        ]),
      ].sort(),
    );
  });
});
