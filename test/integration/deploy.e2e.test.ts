/**
 * The deploy as a user runs it, from a fresh clone: `npm run deploy -- --env
 * <file>` and `npm run build && twilio serverless:deploy --env <file>` (the
 * Twilio CLI with @twilio-labs/plugin-serverless), against a stand-in of
 * Twilio's Serverless API. The toolkit has no base-URL option: a preload
 * (dev/serverlessToStandIn.js) sends its requests for serverless.twilio.com
 * and serverless-upload.twilio.com to the stand-in, and changes nothing else.
 * Then the configure commands find what was deployed, through the same API.
 */
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeTwilioApi } from '../../dev/fakeTwilio/fakeTwilioApi';
import type { FakeServerlessService } from '../../dev/fakeTwilio/fakeServerless';
import { cleanEnv, copyProject, runCommand } from '../helpers/projectCopy';
import { serverlessAnswerChecker } from '../helpers/twilioOpenApi';

const ACCOUNT = 'AC0123456789abcdef0123456789abcdef';
const OTHER_ACCOUNT = 'ACfedcba9876543210fedcba9876543210';
const TOKEN = '0123456789abcdef0123456789abcdef';
const PRELOAD = join(__dirname, '..', '..', 'dev', 'serverlessToStandIn.js');

/** What a production settings file holds: the credentials (never uploaded) and the Function's settings. */
const ARCHIVE_SETTINGS = {
  ARCHIVE_FIREHOSE_STREAM: 'message-archive-records',
  ARCHIVE_AWS_REGION: 'eu-west-1',
  ARCHIVE_AWS_ACCESS_KEY_ID: 'AKIAEXAMPLEEXAMPLE12',
  ARCHIVE_AWS_SECRET_ACCESS_KEY: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ARCHIVE_S3_URI: 's3://message-archive-123456789012/',
  ARCHIVE_FALLBACK_S3_URI: 's3://message-archive-123456789012/fallback/',
  ARCHIVE_REDACT_DIGITS: '4',
};
const render = (settings: Record<string, string>) =>
  `${Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')}\n`;

describe('deploying the Functions as a user does, to a stand-in of Twilio', () => {
  let project: { root: string; remove(): void };
  let fake: FakeTwilioApi;
  let settingsFile: string;
  /** The environment a deploy runs in: the preload pointed at the stand-in. */
  let deployEnv: (extra?: Record<string, string>) => NodeJS.ProcessEnv;

  beforeAll(async () => {
    project = copyProject();
    fake = new FakeTwilioApi([{ accountSid: ACCOUNT, authToken: TOKEN }]);
    await fake.start();
    settingsFile = join(project.root, '.env.production');
    writeFileSync(settingsFile, render({ ACCOUNT_SID: ACCOUNT, AUTH_TOKEN: TOKEN, ...ARCHIVE_SETTINGS }));
    // A developer's local settings beside it: none of them may reach Twilio.
    writeFileSync(join(project.root, '.env'), render({ ACCOUNT_SID: ACCOUNT, AUTH_TOKEN: TOKEN, LOCAL_FIREHOSE_PORT: '4573', LOCAL_ONLY_SECRET: 'local' }));
    deployEnv = (extra = {}) =>
      cleanEnv({ NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${PRELOAD}`.trim(), TWILIO_SERVERLESS_STAND_IN: fake.url, ...extra });
  });
  afterAll(async () => {
    await fake.stop();
    project.remove();
  });

  const onlyService = (): FakeServerlessService => {
    const services = fake.serverless.list();
    expect(services.map((s) => s.uniqueName)).toEqual(['message-status-archive']);
    return services[0];
  };
  const devEnvironment = (service: FakeServerlessService) => service.environments.find((e) => e.domainSuffix === 'dev')!;
  const builtPackage = () => JSON.parse(readFileSync(join(project.root, 'dist', 'deploy', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

  it('npm run deploy -- --env <file>: builds, deploys the three Functions with the built dependencies and the ARCHIVE_* settings, and prints their URLs', async () => {
    const run = await runCommand('npm', ['run', 'deploy', '--', '--env', '.env.production'], { cwd: project.root, env: deployEnv() });
    expect(run.output).not.toMatch(/ENOENT|Failed Deployment/);
    expect(run.code).toBe(0);

    const service = onlyService();
    const dev = devEnvironment(service);
    expect(dev.uniqueName).toBe('dev-environment');
    for (const path of ['/status-callback', '/debugger', '/event-stream']) expect(run.stdout).toContain(`https://${dev.domainName}${path}`);

    const deployed = fake.serverless.deployedFunctions(service, 'dev');
    expect(deployed.map((f) => [f.path, f.visibility]).sort()).toEqual([
      ['/debugger', 'protected'],
      ['/event-stream', 'public'],
      ['/status-callback', 'protected'],
    ]);
    // What runs on Twilio is the bundle the build wrote, byte for byte.
    const bundles = join(project.root, 'dist', 'deploy', 'functions');
    expect(readdirSync(bundles).sort()).toEqual(['debugger.protected.js', 'event-stream.js', 'status-callback.protected.js']);
    for (const f of deployed) {
      const file = readdirSync(bundles).find((name) => name.split('.')[0] === f.path.slice(1))!;
      expect(f.content.equals(readFileSync(join(bundles, file)))).toBe(true);
    }

    const build = service.builds.find((b) => b.sid === dev.buildSid)!;
    expect(build.runtime).toBe('node22');
    expect(Object.fromEntries(build.dependencies.map((d) => [d.name, d.version]))).toEqual(builtPackage().dependencies);
    expect(builtPackage().dependencies['@twilio/runtime-handler']).toBe('2.0.3');
    // Exact versions, the ones tested here: a range would let Twilio's build install newer ones.
    for (const version of Object.values(builtPackage().dependencies)) expect(version).toMatch(/^\d+\.\d+\.\d+$/);

    // Every ARCHIVE_* setting, as written; no credentials; nothing from the local .env.
    expect(Object.fromEntries(dev.variables.map((v) => [v.key, v.value]))).toEqual(ARCHIVE_SETTINGS);

    // Every answer the toolkit got is one Twilio's spec allows.
    const check = serverlessAnswerChecker();
    expect(fake.serverless.exchanges.flatMap(check)).toEqual([]);
    expect(fake.serverless.exchanges.some((e) => e.host === 'serverless-upload.twilio.com')).toBe(true);
  }, 240_000);

  it('a second npm run deploy updates the same Service: a new build, deployed; no second service', async () => {
    const before = onlyService();
    const firstBuild = devEnvironment(before).buildSid;
    const run = await runCommand('npm', ['run', 'deploy', '--', '--env', '.env.production'], { cwd: project.root, env: deployEnv() });
    expect(run.code).toBe(0);
    const service = onlyService();
    expect(service.sid).toBe(before.sid);
    expect(service.environments).toHaveLength(1);
    expect(devEnvironment(service).buildSid).not.toBe(firstBuild);
    expect(service.builds).toHaveLength(2);
    // Versions of the same three Functions, not three more Functions.
    expect(service.functions).toHaveLength(3);
  }, 240_000);

  it('configure-callback and configure-event-stream then find the deployed Functions through the same API and wire them', async () => {
    const service = onlyService();
    const domain = devEnvironment(service).domainName;
    const messaging = fake.services.putMessagingService({ account_sid: ACCOUNT, friendly_name: 'Statements' });
    const twilioEnv = cleanEnv({ TWILIO_ACCOUNT_SID: ACCOUNT, TWILIO_AUTH_TOKEN: TOKEN, TWILIO_API_BASE_URL: fake.url });

    const callback = await runCommand(
      'npm',
      ['run', 'configure-callback', '--', '--messaging-service', messaging.sid, '--service', 'message-status-archive', '--environment', 'dev', '--yes'],
      { cwd: project.root, env: twilioEnv },
    );
    expect(callback.stderr).not.toMatch(/Refused|failed/);
    expect(callback.code).toBe(0);
    expect(callback.stdout).toMatch(/protected \(checked through the Serverless API\)/);
    expect(fake.services.getMessagingService(messaging.sid)!.status_callback).toBe(`https://${domain}/status-callback#tt=15000&rc=5&rp=all`);

    const stream = await runCommand('npm', ['run', 'configure-event-stream', '--', '--service', 'message-status-archive', '--environment', 'dev', '--yes'], {
      cwd: project.root,
      env: twilioEnv,
    });
    expect(stream.code).toBe(0);
    const [sink] = fake.events.sinks.values();
    expect(sink.sink_configuration).toMatchObject({ destination: `https://${domain}/event-stream`, method: 'POST' });
  }, 120_000);

  /** `twilio serverless:deploy …` as the Twilio CLI runs it, with the plugin installed and the CLI's credentials in its variables. */
  const twilioCli = (args: string[]) => {
    const dataDir = join(project.root, '.local', 'twilio-cli');
    mkdirSync(dataDir, { recursive: true });
    // `twilio plugins:install @twilio-labs/plugin-serverless`, from the copy npm installed: the CLI loads plugins listed here.
    writeFileSync(
      join(dataDir, 'package.json'),
      JSON.stringify({
        private: true,
        oclif: {
          schema: 1,
          plugins: [{ type: 'link', name: '@twilio-labs/plugin-serverless', root: join(project.root, 'node_modules', '@twilio-labs', 'plugin-serverless') }],
        },
      }),
    );
    const bin = join(project.root, 'node_modules', '.bin');
    return runCommand('twilio', args, {
      cwd: project.root,
      env: deployEnv({
        PATH: `${bin}:${process.env.PATH ?? ''}`,
        TWILIO_DATA_DIR: dataDir,
        TWILIO_CONFIG_DIR: join(dataDir, 'config'),
        TWILIO_CACHE_DIR: join(dataDir, 'cache'),
        // The CLI's own credentials, as a profile or these variables give them.
        TWILIO_ACCOUNT_SID: ACCOUNT,
        TWILIO_AUTH_TOKEN: TOKEN,
      }),
    });
  };

  it('npm run build && twilio serverless:deploy --env <file>: the Twilio CLI deploys the same build output to the same Service', async () => {
    const before = onlyService();
    const run = await twilioCli(['serverless:deploy', '--env', settingsFile]);
    expect(run.output).not.toMatch(/ENOENT|Failed Deployment/);
    expect(run.code).toBe(0);
    const service = onlyService();
    expect(service.sid).toBe(before.sid);
    const dev = devEnvironment(service);
    expect(service.builds).toHaveLength(3);
    expect(dev.buildSid).toBe(service.builds[2].sid);
    for (const path of ['/status-callback', '/debugger', '/event-stream']) expect(run.stdout).toContain(`https://${dev.domainName}${path}`);
    expect(
      fake.serverless
        .deployedFunctions(service, 'dev')
        .map((f) => [f.path, f.visibility])
        .sort(),
    ).toEqual([
      ['/debugger', 'protected'],
      ['/event-stream', 'public'],
      ['/status-callback', 'protected'],
    ]);
    expect(Object.fromEntries(service.builds[2].dependencies.map((d) => [d.name, d.version]))).toEqual(builtPackage().dependencies);
    expect(Object.fromEntries(dev.variables.map((v) => [v.key, v.value]))).toEqual(ARCHIVE_SETTINGS);
    expect(fake.serverless.exchanges.flatMap(serverlessAnswerChecker())).toEqual([]);
  }, 120_000);

  it('from a fresh clone (no deploy state), the deploy stops at the existing service by name, and --override-existing-project deploys to it', async () => {
    const before = onlyService();
    rmSync(join(project.root, 'dist', 'deploy', '.twiliodeployinfo'));
    const stopped = await twilioCli(['serverless:deploy', '--env', settingsFile]);
    expect(stopped.code).not.toBe(0);
    expect(stopped.output).toMatch(/Service with name "message-status-archive" already exists/);
    expect(before.builds).toHaveLength(3);

    const run = await twilioCli(['serverless:deploy', '--env', settingsFile, '--override-existing-project']);
    expect(run.code).toBe(0);
    const service = onlyService();
    expect(service.sid).toBe(before.sid);
    expect(devEnvironment(service).buildSid).toBe(service.builds[3].sid);
  }, 120_000);

  it("a deploy whose runtime handler Twilio's build refuses exits non-zero with Twilio's 20001 message on screen", async () => {
    // Twilio's accepted versions move (2.0.3 itself was refused for a while in 2025, toolkit issue #538).
    const strict = new FakeTwilioApi([{ accountSid: OTHER_ACCOUNT, authToken: TOKEN }], { serverless: { acceptedRuntimeHandlers: { node22: ['2.1.2'] } } });
    await strict.start();
    // Another account: the deploy state this checkout keeps for the first one does not apply.
    writeFileSync(join(project.root, '.env.other'), render({ ACCOUNT_SID: OTHER_ACCOUNT, AUTH_TOKEN: TOKEN, ...ARCHIVE_SETTINGS }));
    try {
      const run = await runCommand('npm', ['run', 'deploy', '--', '--env', '.env.other'], {
        cwd: project.root,
        env: deployEnv({ TWILIO_SERVERLESS_STAND_IN: strict.url }),
      });
      expect(run.code).not.toBe(0);
      expect(run.output).toMatch(/20001/);
      expect(run.output).toMatch(/No matching version found for[\s│]+@twilio\/runtime-handler@2\.0\.3/);
      const [service] = strict.serverless.list();
      expect(service.builds).toEqual([]);
      expect(service.environments.every((e) => e.buildSid === null)).toBe(true);
    } finally {
      await strict.stop();
    }
  }, 240_000);

  it("without the stand-in, on a machine with no network, gets as far as Twilio's host: a network error, not a local one", async () => {
    const run = await runCommand('npm', ['run', 'deploy', '--', '--env', '.env.other'], { cwd: project.root, env: cleanEnv() });
    expect(run.code).not.toBe(0);
    expect(run.output).not.toMatch(/ENOENT|no such file/);
    // No network: the name of Twilio's host does not resolve, or does not connect; with one, Twilio refuses the made-up account.
    expect(run.output).toMatch(/serverless\.twilio\.com|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ETIMEDOUT|Authenticate|20003/);
    expect(run.output).toMatch(/Deploying Function/);
  }, 240_000);
});

describe('npm run deploy refuses, before the build, what would deploy the wrong settings or fail at Twilio', () => {
  const root = join(__dirname, '..', '..');
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'deploy-refusals-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const deploy = (...args: string[]) => runCommand('npm', ['run', 'deploy', '--', ...args], { cwd: root, env: cleanEnv() });
  const file = (name: string, settings: Record<string, string>) => {
    const path = join(dir, name);
    writeFileSync(path, render(settings));
    return path;
  };

  it.each([
    ['no --env', [], /give the deployment's settings explicitly: npm run deploy -- --env \.env\.production/],
    ["the local stack's .env", ['--env', '.env'], /\.env holds the local stack's settings/],
    ["the local stack's .env.example", ['--env=.env.example'], /\.env\.example holds the local stack's settings/],
    ['a file that is not there', ['--env', 'nowhere.env'], /nowhere\.env does not exist/],
  ])('%s: exit 2, saying why', async (_what, args, message) => {
    const run = await deploy(...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.output).not.toMatch(/built \d+ function/);
  });

  it('no credentials: exit 2, naming the file they go in and the other two ways, in words that agree with the refusal of .env', async () => {
    const path = file('.env.production', ARCHIVE_SETTINGS);
    const run = await deploy('--env', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`no Twilio credentials. Put ACCOUNT_SID and AUTH_TOKEN in ${path}`);
    expect(run.stderr).toMatch(/--username SK… --password/);
    expect(run.stderr).toMatch(/twilio serverless:deploy --env/);
    expect(run.stderr).not.toMatch(/your \.env file/);
    expect(run.output).not.toMatch(/built \d+ function/);
  });

  it.each([
    ['an ACCOUNT_SID that is no SID', { ACCOUNT_SID: 'my-account', AUTH_TOKEN: TOKEN }, [], /must be an Account SID \(AC…\) or an API key \(SK…\)/],
    ['an account without its token', { ACCOUNT_SID: ACCOUNT }, [], /no secret for AC…: set AUTH_TOKEN/],
    ['an API key without its secret', {}, ['--username', 'SKaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'], /no secret for SK…/],
  ])('%s: exit 2, saying which', async (_what, credentials, args, message) => {
    const run = await deploy('--env', file('.env.partial', { ...credentials, ...ARCHIVE_SETTINGS }), ...args);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    // The secret is never echoed.
    expect(run.output).not.toContain(TOKEN);
  });

  it.each([
    [
      'a comment after a value (twilio-run keeps it as part of the value)',
      `ARCHIVE_REDACT_DIGITS=4 # mask the last four digits`,
      /ARCHIVE_REDACT_DIGITS's value holds a "#" comment, which twilio-run's reader keeps as part of the value/,
    ],
    ["the local stack's settings", 'PORT=3000\nLOCAL_FIREHOSE_PORT=4573', /PORT, LOCAL_FIREHOSE_PORT are the local stack's: leave them out/],
    ['an endpoint of a local stand-in', 'ARCHIVE_FIREHOSE_ENDPOINT=http://127.0.0.1:4573', /ARCHIVE_FIREHOSE_ENDPOINT points at a local stand-in/],
    [
      'a sink URL the Function refuses',
      'ARCHIVE_EVENT_STREAM_URL=https://archive.example.com/event-stream?token=1',
      /the Functions would refuse it .*without a query/,
    ],
    ['a setting the Function refuses', 'ARCHIVE_REDACT_DIGITS=four', /the Functions would refuse it \(and answer every callback 500\): ARCHIVE_REDACT_DIGITS/],
  ])('settings the deployed Functions would not work with, %s: exit 2 before the build', async (_what, extra, message) => {
    const path = join(dir, '.env.settings');
    writeFileSync(path, `${render({ ACCOUNT_SID: ACCOUNT, AUTH_TOKEN: TOKEN, ...ARCHIVE_SETTINGS })}${extra}\n`);
    const run = await deploy('--env', path);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.output).not.toMatch(/built \d+ function/);
  });

  it(".env.example's placeholders and a settings file missing what the Functions need are refused", async () => {
    const copied = readFileSync(join(root, '.env.example'), 'utf8')
      .replace(/^PORT=.*$/m, '')
      .replace(/^LOCAL_[A-Z_]+=.*$/gm, '');
    const fromExample = join(dir, '.env.copied');
    writeFileSync(fromExample, copied.replace(/^ACCOUNT_SID=.*$/m, `ACCOUNT_SID=${ACCOUNT}`));
    const placeholders = await deploy('--env', fromExample);
    expect(placeholders.code).toBe(2);
    expect(placeholders.stderr).toMatch(/ARCHIVE_AWS_ACCESS_KEY_ID is \.env\.example's local placeholder/);

    const thin = await deploy('--env', file('.env.thin', { ACCOUNT_SID: ACCOUNT, AUTH_TOKEN: TOKEN, ARCHIVE_FIREHOSE_STREAM: 'x' }));
    expect(thin.code).toBe(2);
    expect(thin.stderr).toMatch(/ARCHIVE_AWS_REGION is not set/);
  });

  it('export lines, a folder, two --env files, a bare --environment, and a link to .env.example are refused', async () => {
    const exported = join(dir, '.env.exported');
    writeFileSync(exported, `export ACCOUNT_SID=${ACCOUNT}\nexport AUTH_TOKEN=${TOKEN}\n${render(ARCHIVE_SETTINGS)}`);
    expect((await deploy('--env', exported)).stderr).toMatch(/"export NAME=…" lines, which twilio-run's reader skips/);
    expect((await deploy('--env', dir)).stderr).toMatch(/is not a file/);
    const good = file('.env.good', { ACCOUNT_SID: ACCOUNT, AUTH_TOKEN: TOKEN, ...ARCHIVE_SETTINGS });
    expect((await deploy('--env', good, '--env', good)).stderr).toMatch(/--env is given more than once/);
    expect((await deploy('--env', good, '--environment')).stderr).toMatch(/--environment needs a value/);
    const linked = join(dir, '.env.linked');
    symlinkSync(join(root, '.env.example'), linked);
    expect((await deploy('--env', linked)).stderr).toMatch(/holds the local stack's settings/);
  });
});
