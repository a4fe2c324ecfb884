import { DEFAULT_INFRA_SETTINGS, InfraSettingsError, readInfraSettings } from '../../../infra/settings';

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
