import { spawn } from 'node:child_process';
import { join } from 'node:path';

const root = join(__dirname, '..', '..');

/**
 * Runs one of the project's scripts as its own process, as a user would.
 * Asynchronous on purpose: the fakes it talks to answer from the test's process.
 */
export function runScript(
  script: string,
  args: string[],
  env: Record<string, string> = {},
  /** Called once the process is started: to signal it, as a user's Ctrl-C would. */
  onStart?: (child: { kill(signal: NodeJS.Signals): boolean }) => void,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', script, ...args], {
    cwd: root,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  onStart?.(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}
