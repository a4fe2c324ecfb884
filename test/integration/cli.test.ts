/**
 * The CLI in-process (its commands are functions of argv and io), and as the
 * installed program: `npm pack`, installed into an empty folder with
 * production dependencies only, run with no TypeScript at run time.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { syntheticRecord } from '../../scripts/bench/syntheticArchive';
import { COMMAND_NAMES, main } from '../../src/cli/main';
import { firehoseObjectKey } from '../../src/domain/archiveLayout';
import { toArchiveLine } from '../../src/domain/archiveRecord';
import { bufferedIo } from '../helpers/bufferedIo';
import { cleanEnv, copyProject } from '../helpers/projectCopy';

describe('the CLI, in-process', () => {
  it('lists its commands, and refuses an unknown one with exit 2', async () => {
    const io = bufferedIo();
    expect(await main(['--help'], io)).toBe(0);
    for (const name of COMMAND_NAMES) expect(io.stdoutText()).toContain(`  ${name}`);
    const unknown = bufferedIo();
    expect(await main(['reconcil'], unknown)).toBe(2);
    expect(unknown.stderrText()).toMatch(/no command "reconcil"/);
  });

  it('runs a command with the given arguments and environment, and says why it refuses', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-'));
    try {
      const refused = bufferedIo();
      expect(await main(['poll-stale', '--archive', dir, '--dry-run'], refused)).toBe(2);
      expect(refused.stderrText()).toMatch(/holds no object .*--allow-empty/s);
      const allowed = bufferedIo({ ARCHIVE_REDACT_DIGITS: '4' });
      expect(await main(['poll-stale', '--archive', dir, '--dry-run', '--allow-empty'], allowed)).toBe(0);
      expect(allowed.stdoutText()).toMatch(/0 records, 0 messages/);
      const badSetting = bufferedIo({ ARCHIVE_REDACT_DIGITS: 'four' });
      expect(await main(['poll-stale', '--archive', dir, '--dry-run', '--allow-empty'], badSetting)).toBe(2);
      expect(badSetting.stderrText()).toMatch(/ARCHIVE_REDACT_DIGITS must be a whole number/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves the local Firehose until told to stop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cli-firehose-'));
    try {
      const io = bufferedIo();
      const running = main(['local-firehose', '--dir', dir, '--quiet'], io);
      for (let i = 0; i < 100 && io.stdoutText() === ''; i++) await new Promise((r) => setTimeout(r, 20));
      expect(io.stdoutText()).toMatch(/^http:\/\/127\.0\.0\.1:\d+\n$/);
      io.stopNow();
      expect(await running).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the packed package, installed with production dependencies only', () => {
  let work: string;
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'cli-installed-'));
    // From a fresh clone, with no dist/: `npm pack` builds it first (prepack); the tarball holds what "files" names.
    const clone = copyProject();
    let tarball: string;
    try {
      expect(existsSync(join(clone.root, 'dist'))).toBe(false);
      tarball = execFileSync('npm', ['pack', '--silent', '--pack-destination', work], { cwd: clone.root, encoding: 'utf8', env: cleanEnv() })
        .trim()
        .split('\n')
        .pop()!;
    } finally {
      clone.remove();
    }
    const app = join(work, 'app');
    mkdirSync(app);
    writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }));
    execFileSync('npm', ['install', join(work, tarball), '--omit=dev', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: app, stdio: 'pipe' });
  }, 300_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const run = (args: string[]) =>
    spawnSync('npx', ['--no-install', 'twilio-message-archive', ...args], {
      cwd: join(work, 'app'),
      encoding: 'utf8',
      env: { ...process.env, NODE_OPTIONS: '' },
    });

  it('has no TypeScript, ts-node or test tooling installed', () => {
    const installed = readdirSync(join(work, 'app', 'node_modules'));
    for (const dev of ['typescript', 'ts-node', 'jest', 'esbuild', 'eslint', 's3rver']) expect(installed).not.toContain(dev);
    expect(existsSync(join(work, 'app', 'node_modules', 'twilio-message-archive', 'dist', 'lib', 'src', 'cli', 'main.js'))).toBe(true);
  });

  it("runs --help and every command's --help", () => {
    const top = run(['--help']);
    expect(top.stderr).toBe('');
    expect(top).toMatchObject({ status: 0, stdout: expect.stringContaining('Commands:') });
    for (const name of COMMAND_NAMES) {
      const help = run([name, '--help']);
      expect({ name, status: help.status, usage: help.stdout.split('\n')[0] }).toEqual({
        name,
        status: 0,
        usage: expect.stringContaining(`twilio-message-archive ${name}`),
      });
    }
  });

  it('runs commands for real', async () => {
    const archive = join(work, 'archive');
    mkdirSync(archive);
    const result = run(['poll-stale', '--archive', archive, '--dry-run', '--allow-empty']);
    expect(result).toMatchObject({ status: 0, stdout: expect.stringMatching(/0 records, 0 messages/) });
    // An object to read, on worker threads: their code is started by its path, which the package must hold compiled.
    const now = Date.now();
    const key = firehoseObjectKey({
      prefix: 'firehose/',
      streamName: 'cli',
      streamVersion: 1,
      oldestArrival: new Date(now - 3_600_000),
      uuid: 'one',
      gzip: true,
    });
    mkdirSync(join(archive, key, '..'), { recursive: true });
    writeFileSync(join(archive, key), gzipSync(toArchiveLine(syntheticRecord(7, 1, now - 3_600_000, 'sent'))));
    const threaded = run(['poll-stale', '--archive', archive, '--dry-run', '--threads', '2']);
    expect(threaded).toMatchObject({ status: 0, stdout: expect.stringMatching(/1 records, 1 messages/) });
    // The development command too, whose code comes from dev/ compiled into the package.
    // Through the installed bin link itself: a signal to npx would stop npx, not necessarily what it runs.
    const bin = join(work, 'app', 'node_modules', '.bin', 'twilio-message-archive');
    const firehose = spawn(process.execPath, [bin, 'local-firehose', '--dir', join(work, 'delivered'), '--quiet'], {
      cwd: join(work, 'app'),
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    const url = await new Promise<string>((resolve, reject) => {
      firehose.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString().trim()));
      firehose.once('exit', (code) => reject(new Error(`local-firehose exited with ${code}`)));
    });
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    firehose.kill('SIGTERM');
    expect(await new Promise((resolve) => firehose.once('exit', resolve))).toBe(0);
    const pkg = JSON.parse(readFileSync(join(work, 'app', 'node_modules', 'twilio-message-archive', 'package.json'), 'utf8')) as {
      bin: Record<string, string>;
    };
    expect(pkg.bin).toEqual({ 'twilio-message-archive': 'bin/twilio-message-archive.js' });
  });
});
