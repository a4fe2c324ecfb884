import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NIST80053R5Checks } from 'cdk-nag';
import { ArchiveStack } from './archiveStack';
import { namesFor } from './names';
import { ReplicaStack } from './replicaStack';
import { checkContextKeys, readInfraSettings } from './settings';

/**
 * The app: the archive's stack and, with `replicaRegion`, the replica's
 * (deployed first). cdk-nag's AwsSolutions and NIST 800-53 rev 5 packs run
 * at synth: any finding not acknowledged with a written reason fails it.
 */
export function buildArchiveApp(app: App) {
  // Access logs are delivered under a bucket policy for the logging service, not the legacy LogDeliveryWrite ACL (which ObjectOwnership BucketOwnerEnforced forbids).
  app.node.setContext('@aws-cdk/aws-s3:serverAccessLogsUseBucketPolicy', true);
  checkContextKeys(Object.keys(app.node.getAllContext() as Record<string, unknown>));
  const settings = readInfraSettings((key) => app.node.tryGetContext(key));
  const names = namesFor(settings);
  const archive = new ArchiveStack(app, names.archiveStack, settings, { description: 'Write-once archive of Twilio message records (twilio-message-archive)' });
  let replica: ReplicaStack | undefined;
  if (settings.replicaRegion) {
    replica = new ReplicaStack(
      app,
      names.replicaStack,
      { ...settings, replicaRegion: settings.replicaRegion },
      {
        description: 'Second-region write-once copy of the message archive (twilio-message-archive)',
      },
    );
    archive.addStackDependency(replica);
  }
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new NIST80053R5Checks(app));
  return { settings, archive, replica };
}
