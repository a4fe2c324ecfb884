/**
 * `npm run infra:synth` as a user runs it: the CDK CLI, offline, with no AWS
 * credentials or configuration anywhere it could look, writes the templates.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');

describe('npm run infra:synth', () => {
  let home: string;
  beforeAll(() => {
    home = mkdtempSync(join(tmpdir(), 'no-aws-'));
  });
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  function synth(...context: string[]) {
    const out = join(home, 'cdk.out');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      HOME: home,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_CONFIG_FILE: join(home, 'none'),
      AWS_SHARED_CREDENTIALS_FILE: join(home, 'none'),
    };
    const result = spawnSync('npm', ['run', '--silent', 'infra:synth', '--', '--output', out, ...context.flatMap((c) => ['-c', c])], {
      cwd: root,
      env,
      encoding: 'utf8',
      timeout: 120_000,
    });
    return { ...result, out };
  }

  it('writes the templates with no credentials, no account and no network', () => {
    const { status, stderr, out } = synth('replicaRegion=us-west-2', 'region=us-east-1');
    expect({ status, stderr: status === 0 ? '' : stderr }).toEqual({ status: 0, stderr: '' });
    const template = JSON.parse(readFileSync(join(out, 'message-archive.template.json'), 'utf8')) as { Resources: Record<string, { Type: string }> };
    expect(Object.values(template.Resources).map((r) => r.Type)).toContain('AWS::KinesisFirehose::DeliveryStream');
    expect(existsSync(join(out, 'message-archive-replica.template.json'))).toBe(true);
  });

  it('fails, naming the setting, on a bad one', () => {
    const { status, stderr } = synth('retentionYears=0');
    expect(status).not.toBe(0);
    expect(stderr).toMatch(/context "retentionYears" must be a whole number from 1 to 100/);
  });
});
