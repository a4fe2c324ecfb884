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
    const out = join(mkdtempSync(join(home, 'synth-')), 'cdk.out');
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

  it('says where the templates went and that cdk-nag passed', () => {
    const { status, stdout, out } = synth('objectLockMode=GOVERNANCE', 'retentionYears=1');
    expect(status).toBe(0);
    expect(stdout).toContain(`Templates written to ${out}/: message-archive.template.json.`);
    expect(stdout).toMatch(/cdk-nag's AwsSolutions and NIST 800-53 rev 5 checks passed/);
    expect(stdout).toContain(`${out}/validation-report.json`);
    const template = readFileSync(join(out, 'message-archive.template.json'), 'utf8');
    expect(template).toMatch(/"Mode": "GOVERNANCE"/);
  });

  it('fails in one line, naming the setting, on a bad value', () => {
    const { status, stderr } = synth('retentionYears=0');
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toEqual(['infra: context "retentionYears" must be a whole number from 1 to 100, not "0"']);
  });

  it.each([
    ['objectLockmode=GOVERNANCE', 'objectLockMode'],
    ['retentionYear=1', 'retentionYears'],
    ['retentionyears=1', 'retentionYears'],
  ])('refuses the misspelt setting %s in one line, before anything is synthesised, instead of deploying the irreversible default', (typo, meant) => {
    const { status, stderr, out } = synth(typo, 'objectLockMode=GOVERNANCE');
    expect(status).toBe(2);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`infra: unknown setting "${typo.split('=')[0]}" (did you mean "${meant}"?); nothing was synthesised.`);
    expect(lines[0]).toMatch(/The settings are: namePrefix, region, retentionYears, objectLockMode/);
    expect(existsSync(join(out, 'message-archive.template.json'))).toBe(false);
  });

  it.each([
    [['-cobjectLockMode=GOVERNANCE'], /"-cobjectLockMode=GOVERNANCE": write -c name=value, with a space after -c/],
    [['-c=objectLockMode=GOVERNANCE'], /write -c name=value, with a space after -c/],
    [['-c', 'retentionYears=3', 'objectLockmode=GOVERNANCE'], /"objectLockmode=GOVERNANCE" looks like a setting without its -c/],
  ])('refuses %j, which CDK would ignore and synthesise the defaults from', (args, message) => {
    const out = join(mkdtempSync(join(home, 'synth-')), 'cdk.out');
    const result = spawnSync('npm', ['run', '--silent', 'infra:synth', '--', '--output', out, ...args], { cwd: root, encoding: 'utf8', timeout: 120_000 });
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(existsSync(join(out, 'message-archive.template.json'))).toBe(false);
  });
});
