/**
 * The example daily workflow (docs/examples/reconcile-daily.yml): no
 * expression is expanded inside a shell script, the redaction setting comes
 * from where the Function's does, and a day given by hand is checked before
 * any command sees it. The checks run the workflow's own step scripts in bash.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';

interface Step {
  name?: string;
  run?: string;
  env?: Record<string, string>;
}
interface Workflow {
  jobs: Record<string, { env: Record<string, string>; steps: Step[] }>;
}

const workflow = parse(readFileSync(join(__dirname, '..', '..', '..', 'docs', 'examples', 'reconcile-daily.yml'), 'utf8')) as Workflow;
const job = workflow.jobs.reconcile;
const step = (name: string) => job.steps.find((s) => s.name === name)!;
const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

/** Runs one step's script in bash with the given environment; returns its exit code and what it appended to GITHUB_ENV. */
function runStep(name: string, env: Record<string, string>): { code: number | null; githubEnv: string; dir: string } {
  const dir = mkdtempSync(join(tmpdir(), 'workflow-step-'));
  dirs.push(dir);
  const githubEnv = join(dir, 'github-env');
  const result = spawnSync('bash', ['-e', '-c', step(name).run!], {
    cwd: dir,
    env: { PATH: process.env.PATH, GITHUB_ENV: githubEnv, ...env },
    encoding: 'utf8',
  });
  const written = existsSync(githubEnv) ? readFileSync(githubEnv, 'utf8') : '';
  return { code: result.status, githubEnv: written, dir };
}

describe('docs/examples/reconcile-daily.yml', () => {
  it('expands no ${{ }} expression inside a shell script: inputs and secrets reach run steps through env', () => {
    const scripts = job.steps.filter((s) => s.run).map((s) => s.run!);
    expect(scripts.length).toBeGreaterThan(3);
    for (const script of scripts) expect(script).not.toMatch(/\$\{\{/);
    expect(step('Choose the day').env).toEqual({ INPUT_DAY: '${{ inputs.day }}' });
  });

  it('reads ARCHIVE_REDACT_DIGITS from a repository variable, and stops when it is not set', () => {
    expect(job.env.ARCHIVE_REDACT_DIGITS).toBe('${{ vars.ARCHIVE_REDACT_DIGITS }}');
    expect(runStep('Check the redaction setting', { ARCHIVE_REDACT_DIGITS: '' }).code).toBe(1);
    expect(runStep('Check the redaction setting', { ARCHIVE_REDACT_DIGITS: '16' }).code).toBe(1);
    expect(runStep('Check the redaction setting', { ARCHIVE_REDACT_DIGITS: '4' }).code).toBe(0);
  });

  it('takes a valid day, defaults to yesterday, and refuses anything else before it can reach a command', () => {
    expect(runStep('Choose the day', { INPUT_DAY: '2026-11-25' }).githubEnv).toBe('DAY=2026-11-25\n');
    expect(runStep('Choose the day', { INPUT_DAY: '' }).githubEnv).toMatch(/^DAY=\d{4}-\d\d-\d\d\n$/);
    const hostile = runStep('Choose the day', { INPUT_DAY: '2026-11-25"; touch pwned; echo "' });
    expect(hostile.code).toBe(1);
    expect(hostile.githubEnv).toBe('');
    expect(existsSync(join(hostile.dir, 'pwned'))).toBe(false);
    expect(runStep('Choose the day', { INPUT_DAY: '2026-11-25\nARCHIVE=s3://elsewhere/' }).code).toBe(1);
  });

  it('runs on the engine chosen by hand or by the RECONCILE_ENGINE variable, local by default, and refuses any other before a command sees it', () => {
    expect(step('Choose the engine').env).toEqual({ INPUT_ENGINE: '${{ inputs.engine || vars.RECONCILE_ENGINE }}' });
    expect(runStep('Choose the engine', { INPUT_ENGINE: 'athena' }).githubEnv).toBe('ENGINE=athena\n');
    expect(runStep('Choose the engine', { INPUT_ENGINE: '' }).githubEnv).toBe('ENGINE=local\n');
    const hostile = runStep('Choose the engine', { INPUT_ENGINE: 'athena --i-accept-cost' });
    expect(hostile.code).toBe(1);
    expect(hostile.githubEnv).toBe('');
    expect(step('Reconcile').run).toMatch(/--engine "\$ENGINE"/);
    for (const name of ['ARCHIVE_ATHENA_WORKGROUP', 'ARCHIVE_ATHENA_DATABASE', 'ARCHIVE_ATHENA_LISTS_S3_URI'])
      expect(job.env[name]).toBe(`\${{ vars.${name} }}`);
  });
});
