/**
 * `npm run deploy -- --env <file> [--environment <suffix> | --production] [other twilio-run deploy options]`
 * Checks the settings file, the Twilio credentials and the settings the
 * Functions will be given, builds, then deploys the Functions with
 * `twilio-run deploy` from dist/deploy (only what the Functions need;
 * .twilioserverlessrc.js), which uploads every variable in the file but
 * ACCOUNT_SID and AUTH_TOKEN to the environment. Refuses (exit 2, before the
 * half-minute build) without an explicit --env, with the local stack's files
 * (.env, .env.example), without credentials, and with settings the deployed
 * Functions would refuse: a deployment's settings are chosen, never picked up
 * by default, and a deploy that succeeds must leave Functions that work.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ConfigError, readArchiveSettings, readEventStreamSettings } from '../src/config/archiveSettings';

const root = join(__dirname, '..');
/** Where the user typed the command: npm runs scripts from the package's root, and keeps the caller's folder here. */
const userCwd = process.env.INIT_CWD ?? process.cwd();
const LOCAL_FILES = new Set(['.env', '.env.example']);
const SID = /^(AC|SK)[0-9a-fA-F]{32}$/;
/** Never uploaded: twilio-run keeps them out of the environment it sets. */
const CREDENTIALS = ['ACCOUNT_SID', 'AUTH_TOKEN'];
/** The local stack's own settings (.env.example's "Local stack only"): meaningless, or misleading, deployed. */
const LOCAL_ONLY = /^(PORT|LOCAL_[A-Z0-9_]*)$/;

/** The env-file reader twilio-run itself uses (dotenv 6): the file is checked as it will be read. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dotenv = require(require.resolve('dotenv', { paths: [require.resolve('twilio-run')] })) as { parse(text: string): Record<string, string> };

function refuse(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(2);
}

/** Every value of `--name value`, `--name=value` or `-n value`, in order; a missing value is undefined. */
function options(args: string[], long: string, short?: string): { value: string | undefined; at: number; width: number }[] {
  const found: { value: string | undefined; at: number; width: number }[] = [];
  args.forEach((arg, at) => {
    if (arg.startsWith(`${long}=`)) found.push({ value: arg.slice(long.length + 1) || undefined, at, width: 1 });
    else if (arg === long || (short !== undefined && arg === short)) {
      const value = args[at + 1];
      found.push({ value: value === undefined || value.startsWith('-') ? undefined : value, at, width: 2 });
    }
  });
  return found;
}

function option(args: string[], long: string, short?: string): string | undefined {
  const found = options(args, long, short);
  if (found.length > 1) refuse(`${long} is given ${found.length} times: give it once`);
  if (found.length === 1 && found[0].value === undefined) refuse(`${long} needs a value`);
  return found[0]?.value;
}

/**
 * The credentials twilio-run will deploy with, found as it finds them: the
 * --username and --password options, else the file's ACCOUNT_SID and
 * AUTH_TOKEN. Refuses when they are missing or malformed.
 */
function checkCredentials(args: string[], file: string, path: string, settings: Record<string, string>): void {
  const username = option(args, '--username', '-u') ?? (settings.ACCOUNT_SID || undefined);
  const password = option(args, '--password') ?? (settings.AUTH_TOKEN || undefined);
  if (username === undefined && password === undefined) {
    refuse(
      `no Twilio credentials. Put ACCOUNT_SID and AUTH_TOKEN in ${file} (the deploy reads them from the file given with --env and never uploads them), ` +
        'or give an API key: --username SK… --password <its secret>. ' +
        `To deploy with the Twilio CLI's profile instead: npm run build && twilio serverless:deploy --env "${path}"`,
    );
  }
  if (username === undefined) refuse(`no account: set ACCOUNT_SID in ${file}, or give --username (AC… or an API key SK…)`);
  if (!SID.test(username))
    refuse(`the deploy's username must be an Account SID (AC…) or an API key (SK…), 34 characters: check ACCOUNT_SID in ${file} or --username`);
  if (password === undefined) refuse(`no secret for ${username.slice(0, 2)}…: set AUTH_TOKEN in ${file}, or give --password`);
}

/**
 * The variables the Functions will be given, checked as they will read them:
 * no comment kept as part of a value, nothing of the local stack's, no
 * placeholder of .env.example's, no local stand-in's endpoint, and nothing the
 * Functions' own settings reader refuses (it would answer every callback 500).
 */
function checkUploadedSettings(file: string, uploaded: Record<string, string>): void {
  const problems: string[] = [];
  const commented = Object.entries(uploaded).filter(([, value]) => /\s#/.test(value));
  for (const [key] of commented)
    problems.push(`${key}'s value holds a "#" comment, which twilio-run's reader keeps as part of the value: put comments on lines of their own`);
  const local = Object.keys(uploaded).filter((key) => LOCAL_ONLY.test(key));
  if (local.length > 0)
    problems.push(`${local.join(', ')} ${local.length === 1 ? 'is' : 'are'} the local stack's: leave ${local.length === 1 ? 'it' : 'them'} out`);
  const example = dotenv.parse(readFileSync(join(root, '.env.example'), 'utf8'));
  for (const key of ['ARCHIVE_AWS_ACCESS_KEY_ID', 'ARCHIVE_AWS_SECRET_ACCESS_KEY']) {
    if (uploaded[key] !== undefined && uploaded[key] === example[key])
      problems.push(`${key} is .env.example's local placeholder: use the key from the infrastructure's secret`);
  }
  for (const key of ['ARCHIVE_FIREHOSE_ENDPOINT', 'ARCHIVE_S3_ENDPOINT']) {
    if (uploaded[key]?.startsWith('http:')) problems.push(`${key} points at a local stand-in (${uploaded[key]}): unset it for a deployment`);
  }
  if (problems.length === 0) {
    try {
      const archive = readArchiveSettings(uploaded);
      // The platform gives the Function its auth token and its URL: stand-ins here, to check what the file sets.
      readEventStreamSettings({ ...uploaded, AUTH_TOKEN: 'x' }, 'https://example.twil.io/event-stream', archive.writer.fallback !== undefined);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      problems.push(`the Functions would refuse it (and answer every callback 500): ${error.message}`);
    }
  }
  if (problems.length > 0) refuse(`${file}: ${problems.join('; ')}`);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      [
        'Usage: npm run deploy -- --env <file> [--environment <suffix> | --production] [other twilio-run deploy options]',
        'Checks the file, the credentials and the settings, builds, then runs twilio-run deploy from dist/deploy.',
        'Credentials: ACCOUNT_SID and AUTH_TOKEN in the file (never uploaded), or --username SK… --password <secret> (an API key).',
        'Environment: dev by default; --environment <suffix> for another, --production for the one without a suffix.',
        'Details: docs/deploy.md',
      ].join('\n'),
    );
    return;
  }
  const envs = options(args, '--env');
  if (envs.length === 0) refuse("give the deployment's settings explicitly: npm run deploy -- --env .env.production");
  if (envs.length > 1) refuse('--env is given more than once: give one file');
  const env = envs[0];
  const file = env.value;
  if (!file) refuse('--env needs a file: npm run deploy -- --env .env.production');
  const path = resolve(userCwd, file);
  const local = () => refuse(`${file} holds the local stack's settings (and local secrets); put the deployment's in their own file, e.g. .env.production`);
  if (LOCAL_FILES.has(basename(file))) local();
  if (!existsSync(path)) refuse(`${file} does not exist (looked for ${path})`);
  if (!statSync(path).isFile()) refuse(`${file} is not a file`);
  if (LOCAL_FILES.has(basename(realpathSync(path)))) local();
  option(args, '--environment', '--to');
  option(args, '--service-name', '-n');

  const text = readFileSync(path, 'utf8');
  if (/^\s*export\s+[A-Za-z_]/m.test(text)) refuse(`${file} has "export NAME=…" lines, which twilio-run's reader skips: write NAME=… without "export"`);
  const settings = dotenv.parse(text);
  // --load-system-env: an entry left empty in the file is taken from the environment, as twilio-run does.
  if (args.includes('--load-system-env')) for (const key of Object.keys(settings)) if (settings[key] === '') settings[key] = process.env[key] ?? '';
  checkCredentials(args, file, path, settings);
  const uploaded = Object.fromEntries(Object.entries(settings).filter(([key, value]) => value !== '' && !CREDENTIALS.includes(key)));
  checkUploadedSettings(file, uploaded);

  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  // The deploy runs in dist/deploy (.twilioserverlessrc.js), where a relative --env would not be found.
  const withAbsoluteEnv = [...args.slice(0, env.at), `--env=${path}`, ...args.slice(env.at + env.width)];
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'twilio-run', 'bin', 'twilio-run.js'), 'deploy', ...withAbsoluteEnv], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}

main();
