/**
 * `npm run deploy -- --env <file> [twilio-run deploy options]`
 * Builds, then deploys the Functions with `twilio-run deploy` from dist/deploy
 * (only what the Functions need), which uploads every variable in the env file
 * (but ACCOUNT_SID and AUTH_TOKEN) to the Service's environment. Refuses to run without an explicit --env, and with
 * the local stack's files (.env, .env.example): a deployment's settings are
 * chosen, never picked up by default.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = join(__dirname, '..');
const LOCAL_FILES = new Set(['.env', '.env.example']);

function refuse(message: string): never {
  console.error(`deploy: ${message}`);
  process.exit(2);
}

function main(): void {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.includes('-h')) {
    console.log(
      'Usage: npm run deploy -- --env <file> [other twilio-run deploy options]\nBuilds, then runs twilio-run deploy with the given env file (e.g. .env.production).',
    );
    return;
  }
  const at = args.findIndex((a) => a === '--env' || a.startsWith('--env='));
  if (at === -1) refuse("give the deployment's settings explicitly: npm run deploy -- --env .env.production");
  const file = args[at].startsWith('--env=') ? args[at].slice('--env='.length) : args[at + 1];
  if (!file || file.startsWith('-')) refuse('--env needs a file: npm run deploy -- --env .env.production');
  if (LOCAL_FILES.has(basename(file))) {
    refuse(`${file} holds the local stack's settings (and local secrets); put the deployment's in their own file, e.g. .env.production`);
  }
  if (!existsSync(resolve(file))) refuse(`${file} does not exist`);
  execFileSync('npm', ['run', 'build'], { cwd: root, stdio: 'inherit' });
  // The deploy runs in dist/deploy (.twilioserverlessrc), where a relative --env would not be found.
  const withAbsoluteEnv = [...args.slice(0, at), `--env=${resolve(file)}`, ...args.slice(args[at].startsWith('--env=') ? at + 1 : at + 2)];
  const result = spawnSync(process.execPath, [join(root, 'node_modules', 'twilio-run', 'bin', 'twilio-run.js'), 'deploy', ...withAbsoluteEnv], {
    cwd: root,
    stdio: 'inherit',
  });
  process.exit(result.status ?? 1);
}

main();
