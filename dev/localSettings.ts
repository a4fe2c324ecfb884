import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** The project's own settings: a process variable of one of these names overrides the env file even when the file does not name it. */
const OWN_SETTING = /^(ARCHIVE_|LOCAL_|STATUS_CALLBACK_)|^(PORT|ACCOUNT_SID|AUTH_TOKEN)$/;

/**
 * Settings for the local stack, as dotenv and twelve-factor apps read them:
 * the process environment first, then the env file, which is the given
 * file, else `.env` if present, else the committed `.env.example`. A process
 * variable counts when the file names it too, or when it is one of the
 * project's own (`ARCHIVE_*`, `LOCAL_*`, `STATUS_CALLBACK_*`, `PORT`,
 * `ACCOUNT_SID`, `AUTH_TOKEN`); the rest of the environment (PATH, HOME, …)
 * is not the Functions' business.
 */
export function loadLocalSettings(
  projectRoot: string,
  envFile?: string,
  processEnv: NodeJS.ProcessEnv = process.env,
): { file: string; settings: Record<string, string>; fromProcess: string[] } {
  const dotEnv = join(projectRoot, '.env');
  const file = envFile ?? (existsSync(dotEnv) ? dotEnv : join(projectRoot, '.env.example'));
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) settings[name] = value;
  const fromProcess: string[] = [];
  for (const [name, value] of Object.entries(processEnv)) {
    if (value === undefined || !(name in settings || OWN_SETTING.test(name))) continue;
    settings[name] = value;
    fromProcess.push(name);
  }
  return { file, settings, fromProcess: fromProcess.sort() };
}

/** Writes settings as an env file for twilio-run (dotenv syntax, one `NAME=value` a line). */
export function renderEnvFile(settings: Record<string, string>): string {
  return Object.entries(settings)
    .map(([name, value]) => {
      if (/[\r\n]/.test(value)) throw new Error(`setting ${name} spans lines; env files cannot hold that`);
      return `${name}=${value}`;
    })
    .join('\n')
    .concat('\n');
}
