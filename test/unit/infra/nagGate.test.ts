import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { buildArchiveApp } from '../../../infra/archiveApp';

/** The synth fails on any cdk-nag finding that is not acknowledged with a reason. */
function synthError(addToStack: (app: ReturnType<typeof buildArchiveApp>) => void, context: Record<string, unknown> = {}): string {
  const app = new App({ context });
  const built = buildArchiveApp(app);
  addToStack(built);
  try {
    app.synth();
    return '';
  } catch (error) {
    return String((error as Error).message);
  }
}

describe('cdk-nag at synth (AwsSolutions and NIST 800-53 rev 5)', () => {
  it('passes the app as committed, with and without a replica', () => {
    expect(synthError(() => undefined)).toBe('');
    expect(synthError(() => undefined, { region: 'eu-west-1', replicaRegion: 'eu-central-1', alarmEmail: 'a@example.com', fallbackEnabled: 'false' })).toBe('');
  });

  it('fails on a wildcard policy slipped in', () => {
    const message = synthError(({ archive }) => {
      new iam.ManagedPolicy(archive, 'Careless', { statements: [new iam.PolicyStatement({ actions: ['s3:*'], resources: ['*'] })] });
    });
    expect(message).toMatch(/ERROR The IAM entity contains wildcard permissions[\s\S]*Careless/);
  });

  it('fails on a bucket without encryption by the key, logging or TLS enforcement', () => {
    const message = synthError(({ archive }) => {
      new s3.Bucket(archive, 'Plain');
    });
    expect(message).toMatch(/ERROR The S3 Bucket has server access logs disabled[\s\S]*Plain/);
    expect(message).toMatch(/NIST\.800\.53\.R5/);
  });
});
