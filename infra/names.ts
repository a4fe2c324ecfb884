import { Aws } from 'aws-cdk-lib';
import type { InfraSettings } from './settings';

/** Every name the two stacks share or the outputs print, derived from the settings in one place. */
export function namesFor(settings: InfraSettings) {
  const prefix = settings.namePrefix;
  return {
    archiveStack: prefix,
    replicaStack: `${prefix}-replica`,
    streamName: prefix,
    secretName: `${prefix}/function-access-key`,
    keyAlias: `alias/${prefix}`,
    replicaKeyAlias: `alias/${prefix}-replica`,
    databaseName: prefix.replace(/-/g, '_'),
    workGroupName: prefix,
    /** Known before either stack is deployed, so the archive's stack can name its replica in another region. */
    replicaBucketName: (region: string) => `${prefix}-replica-${Aws.ACCOUNT_ID}-${region}`,
    /** The layout's prefixes as the table's projection enumerates them. */
    projectedPrefixes: [settings.firehosePrefix, settings.fallbackPrefix, settings.directPrefix].map((p) => p.replace(/\/$/, '')),
    /** The Kinesis path's prefix as event_lines' projection names it. */
    projectedEventsPrefix: settings.eventsPrefix.replace(/\/$/, ''),
    firehoseErrorPrefix: `${settings.firehosePrefix.replace(/\/$/, '')}-errors/`,
  };
}
