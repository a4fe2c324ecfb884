import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';

/** Settings for the local stack: the given file, else `.env` if present, else the committed `.env.example`. */
export function loadLocalSettings(projectRoot: string, envFile?: string): { file: string; settings: Record<string, string> } {
  const dotEnv = join(projectRoot, '.env');
  const file = envFile ?? (existsSync(dotEnv) ? dotEnv : join(projectRoot, '.env.example'));
  const parsed = parseEnv(readFileSync(file, 'utf8'));
  const settings: Record<string, string> = {};
  for (const [name, value] of Object.entries(parsed)) if (value !== undefined) settings[name] = value;
  return { file, settings };
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
