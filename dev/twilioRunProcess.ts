import { setTimeout as delay } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { renderEnvFile } from './localSettings';

/** A free TCP port on loopback (twilio-run prompts interactively when its port is taken). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface TwilioRunOptions {
  projectRoot: string;
  port: number;
  /** The Functions' environment (twilio-run gives them this and nothing of ours). */
  env: Record<string, string>;
  /** Where twilio-run's output goes. */
  onOutput?: (line: string) => void;
  /**
   * Serve as a deployed Function warm in its container does: one process,
   * the module loaded once (`--no-fork-process --no-live`). By default
   * twilio-run forks a process and loads the Function afresh for every
   * request (about 140 ms of CPU here), which suits editing, not load.
   */
  warm?: boolean;
}

export interface TwilioRunHandle {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

const ENV_FILE = /^twilio-run-(\d+)-\d+\.env$/;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The env files twilio-run was given hold AUTH_TOKEN and the AWS secret. A
 * stack stopped uncleanly (killed, a crash) leaves its file behind: remove
 * every one whose stack is no longer running.
 */
export function removeLeftoverEnvFiles(stateDir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(stateDir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names) {
    const owner = ENV_FILE.exec(name)?.[1];
    if (owner === undefined || isRunning(Number(owner))) continue;
    rmSync(join(stateDir, name), { force: true });
    removed.push(name);
  }
  return removed;
}

/**
 * Starts `twilio-run start` on the built Functions (dist/), as a child process
 * listening on loopback only, and resolves once it answers HTTP.
 */
export async function startTwilioRun(options: TwilioRunOptions): Promise<TwilioRunHandle> {
  const stateDir = join(options.projectRoot, '.local');
  mkdirSync(stateDir, { recursive: true });
  removeLeftoverEnvFiles(stateDir);
  // Named after this process, which outlives the twilio-run it starts: a later start knows whether it is stale.
  const envFile = join(stateDir, `twilio-run-${process.pid}-${options.port}.env`);
  writeFileSync(envFile, renderEnvFile(options.env), { mode: 0o600 });

  const bin = join(options.projectRoot, 'node_modules', 'twilio-run', 'bin', 'twilio-run.js');
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(__dirname, 'listenOnLoopback.js'),
      bin,
      'start',
      '--functions-folder',
      'dist/deploy/functions',
      '--assets-folder',
      'dist/deploy/assets',
      '--port',
      String(options.port),
      '--env',
      envFile,
      ...(options.warm ? ['--no-fork-process', '--no-live'] : []),
    ],
    { cwd: options.projectRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0', CI: 'true' } },
  );
  const forward = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) options.onOutput?.(line);
  };
  child.stdout?.on('data', forward);
  child.stderr?.on('data', forward);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    // It holds AUTH_TOKEN and the AWS secret: leave no copies behind.
    rmSync(envFile, { force: true });
  };

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new Error(`twilio-run exited with code ${child.exitCode} before it served; see its output above`);
    }
    try {
      await fetch(`http://127.0.0.1:${options.port}/`, { signal: AbortSignal.timeout(1000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error('twilio-run did not answer within 60 s');
      }
      await delay(200);
    }
  }
  return { port: options.port, process: child, stop };
}
