/**
 * configure-callback (the real CLI) against the fake Twilio API: a Messaging
 * Service, and a Serverless service whose environments hold a protected, a
 * public and no status-callback Function.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import type { FakeMessagingService } from '../../dev/fakeTwilio/fakeServices';
import { runScript } from '../helpers/runScript';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const TOKEN = 'fake-auth-token-0123456789abcdef';
const OLD = 'https://old.example.com/callbacks';
const PROD_URL = 'https://message-archive-4821-prod.twil.io/status-callback';
const build = (sid: string, visibility: 'public' | 'protected') => ({
  sid,
  functions: [
    { path: '/status-callback', visibility },
    { path: '/health', visibility: 'public' as const },
  ],
});

describe('configure-callback', () => {
  let fake: FakeTwilioApi;
  let env: Record<string, string>;
  let service: FakeMessagingService;

  beforeEach(async () => {
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    env = { TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url };
    service = fake.services.putMessagingService({ account_sid: ACCOUNT, friendly_name: 'Statements', status_callback: OLD });
    fake.serverless.putService({
      account_sid: ACCOUNT,
      unique_name: 'message-archive',
      environments: [
        {
          sid: `ZE${'1'.repeat(32)}`,
          unique_name: 'prod-environment',
          domain_suffix: 'prod',
          domain_name: 'message-archive-4821-prod.twil.io',
          build: build(`ZB${'1'.repeat(32)}`, 'protected'),
        },
        {
          sid: `ZE${'2'.repeat(32)}`,
          unique_name: 'dev-environment',
          domain_suffix: 'dev',
          domain_name: 'message-archive-4821-dev.twil.io',
          build: build(`ZB${'2'.repeat(32)}`, 'public'),
        },
        {
          sid: `ZE${'3'.repeat(32)}`,
          unique_name: 'stage-environment',
          domain_suffix: 'stage',
          domain_name: 'message-archive-4821-stage.twil.io',
          build: null,
        },
      ],
    });
  });
  afterEach(() => fake.stop());

  const run = (args: string[]) => runScript('scripts/configure-callback.ts', ['--messaging-service', service.sid, ...args], env);

  it('finds the protected Function through the Serverless API and sets it, with the overrides, when told --yes', async () => {
    const result = await run(['--service', 'message-archive', '--environment', 'prod', '--yes']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const next = `${PROD_URL}#tt=15000&rc=5&rp=all`;
    expect(result.stdout).toContain(`current status callback: ${OLD}`);
    expect(result.stdout).toContain(`new status callback:     ${next}`);
    expect(result.stdout).toMatch(/protected \(checked through the Serverless API\)/);
    expect(result.stdout).toMatch(/Set: Twilio now holds the new status callback/);
    expect(fake.services.getMessagingService(service.sid)!.status_callback).toBe(next);
    expect(fake.services.updates).toEqual([{ sid: service.sid, form: { StatusCallback: next } }]);

    const again = await run(['--service', 'message-archive', '--environment', 'prod-environment', '--yes']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/Already set: nothing to change/);
    expect(fake.services.updates).toHaveLength(1);
  });

  it('with --dry-run prints the change and changes nothing', async () => {
    const result = await run(['--url', PROD_URL, '--overrides', 'rc=3&rp=5xx', '--dry-run']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`new status callback:     ${PROD_URL}#rc=3&rp=5xx`);
    expect(result.stdout).toMatch(/COULD NOT CHECK that it is protected/);
    expect(result.stdout).toMatch(/Dry run: nothing changed/);
    expect(fake.services.updates).toEqual([]);
    expect(fake.services.getMessagingService(service.sid)!.status_callback).toBe(OLD);
  });

  /** Runs the command on a terminal (util-linux `script` gives it a pseudo-terminal) and types `typed`. */
  function runOnTerminal(args: string[], typed: string): Promise<{ code: number | null; output: string }> {
    const command = [process.execPath, '-r', 'ts-node/register/transpile-only', 'scripts/configure-callback.ts', '--messaging-service', service.sid, ...args]
      .map((a) => `'${a.replace(/'/g, "'\\''")}'`)
      .join(' ');
    const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: join(__dirname, '..', '..'), env: { ...process.env, ...env } });
    let output = '';
    child.stdout.on('data', (d: Buffer) => {
      output += d.toString();
      if (output.includes('Change it? [y/N]') && typed) {
        child.stdin.write(typed);
        typed = '';
      }
    });
    return new Promise((resolve) => child.once('close', (code) => resolve({ code, output })));
  }

  it('on a terminal, asks before changing, and changes nothing unless told yes', async () => {
    const declined = await runOnTerminal(['--url', PROD_URL], 'n\r');
    expect(declined.output).toContain('Change it? [y/N]');
    expect(declined.output).toContain('Nothing changed.');
    expect(declined.code).toBe(1);
    expect(fake.services.updates).toEqual([]);

    const accepted = await runOnTerminal(['--url', PROD_URL], 'y\r');
    expect(accepted.output).toContain('Set: Twilio now holds the new status callback.');
    expect(accepted.code).toBe(0);
    expect(fake.services.getMessagingService(service.sid)!.status_callback).toBe(`${PROD_URL}#tt=15000&rc=5&rp=all`);
  });

  it('does not change anything without --yes when it cannot ask', async () => {
    const result = await run(['--url', PROD_URL]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/pass --yes/);
    expect(fake.services.updates).toEqual([]);
  });

  it.each([
    [
      'a public Function',
      ['--service', 'message-archive', '--environment', 'dev', '--yes'],
      /Refused: the Function at \/status-callback in service message-archive, environment dev-environment, build ZB2+ is public, not protected/,
    ],
    ['an environment with nothing deployed', ['--service', 'message-archive', '--environment', 'stage', '--yes'], /has nothing deployed/],
    ['an unknown service', ['--service', 'nope', '--environment', 'prod', '--yes'], /no Serverless service "nope" in this account \(found: message-archive\)/],
    [
      'a path with no Function',
      ['--service', 'message-archive', '--environment', 'prod', '--function-path', '/callbacks', '--yes'],
      /no Function at \/callbacks .*found: \/status-callback, \/health/,
    ],
    ['an http URL', ['--url', 'http://message-archive-4821-prod.twil.io/status-callback', '--yes'], /Refused: the status callback URL must be https/],
    [
      'a URL whose fragment conflicts with the overrides',
      ['--url', `${PROD_URL}#rc=1`, '--yes'],
      /Refused: the URL already carries connection overrides #rc=1/,
    ],
  ])('refuses %s, exits 2, and changes nothing', async (_name, args, message) => {
    const result = await run(args);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/Nothing changed/);
    expect(fake.services.updates).toEqual([]);
  });

  it('exits 2 on bad arguments', async () => {
    expect(await runScript('scripts/configure-callback.ts', ['--url', PROD_URL], env)).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--messaging-service is required/),
    });
    expect(await run(['--url', PROD_URL, '--service', 'x', '--environment', 'y'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/not both/) });
    expect(await run(['--service', 'x'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/give the Function/) });
    expect(await run(['--url', PROD_URL, '--overrides', 'rc=9'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/--overrides: connection override rc must be a whole number from 0 to 5/),
    });
    expect(fake.services.updates).toEqual([]);
  });
});
