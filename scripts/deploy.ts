/**
 * `npm run deploy -- --env <file> [--environment <suffix> | --production] [other twilio-run deploy options]`
 * Checks the settings file and the Twilio credentials, builds, then deploys
 * the Functions with `twilio-run deploy` from dist/deploy (only what the
 * Functions need; .twilioserverlessrc.js), which uploads every variable in
 * the file but ACCOUNT_SID and AUTH_TOKEN to the environment. Refuses (exit 2,
 * before the half-minute build) without an explicit --env, with the local
 * stack's files (.env, .env.example), and without credentials: a
 * deployment's settings are chosen, never picked up by default.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseEnv } from 'node:util';

const root = join(__dirname, '..');
/** Where the user typed the command: npm runs scripts from the package's root, and keeps the caller's folder here. */
const userCwd = process.env.INIT_CWD ?? process.cwd();
const LOCAL_FILES = new Set(['.env', '.env.example']);
const SID = /^(AC|SK)[0-9a-fA-F]{32}$/;

function refuse(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(2);
}

/** The value of `--name value`, `--name=value` or `-n value`, and where it stands; undefined when absent. */
function option(args: string[], long: string, short?: string): { value: string | undefined; at: number; width: number } | undefined {
  const at = args.findIndex((a) => a === long || a === short || a.startsWith(`${long}=`));
  if (at === -1) return undefined;
  if (args[at].startsWith(`${long}=`)) return { value: args[at].slice(long.length + 1), at, width: 1 };
  const value = args[at + 1];
  return { value: value === undefined || value.startsWith('-') ? undefined : value, at, width: 2 };
}

/**
 * The credentials twilio-run will deploy with, found as it finds them: the
 * --username and --password options, else the file's ACCOUNT_SID and
 * AUTH_TOKEN (with --load-system-env, an entry left empty in the file is
 * taken from the environment). Refuses when they are missing or malformed.
 */
function checkCredentials(args: string[], file: string, path: string): void {
  const settings = parseEnv(readFileSync(path, 'utf8')) as Record<string, string | undefined>;
  const fromFile = (key: string) => {
    const value = settings[key];
    if (value === '' && args.includes('--load-system-env')) return process.env[key] || undefined;
    return value || undefined;
  };
  const username = option(args, '--username', '-u')?.value ?? fromFile('ACCOUNT_SID');
  const password = option(args, '--password')?.value ?? fromFile('AUTH_TOKEN');
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

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      [
        'Usage: npm run deploy -- --env <file> [--environment <suffix> | --production] [other twilio-run deploy options]',
        'Checks the file and the credentials, builds, then runs twilio-run deploy from dist/deploy.',
        'Credentials: ACCOUNT_SID and AUTH_TOKEN in the file (never uploaded), or --username SK… --password <secret> (an API key).',
        'Environment: dev by default; --environment <suffix> for another, --production for the one without a suffix.',
        'Details: docs/deploy.md',
      ].join('\n'),
    );
    return;
  }
  const env = option(args, '--env');
  if (env === undefined) refuse("give the deployment's settings explicitly: npm run deploy -- --env .env.production");
  const file = env.value;
  if (!file) refuse('--env needs a file: npm run deploy -- --env .env.production');
  if (LOCAL_FILES.has(basename(file))) {
    refuse(`${file} holds the local stack's settings (and local secrets); put the deployment's in their own file, e.g. .env.production`);
  }
  const path = resolve(userCwd, file);
  if (!existsSync(path)) refuse(`${file} does not exist (looked for ${path})`);
  checkCredentials(args, file, path);

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
