/**
 * `npm run infra:synth|infra:deploy|infra:diff -- [-c name=value …] [other cdk options]`
 * Checks the settings (infra/cdk.json's context and every -c) before CDK
 * runs: a key the app does not know, or a bad value, is refused in one line
 * (exit 2) and nothing is synthesised. Then runs the CDK CLI in infra/, and
 * after a synth says where the templates went and that cdk-nag passed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { checkContextKeys, InfraSettingsError, readInfraSettings, settingMeant } from './settings';

const root = join(__dirname, '..');
const infra = __dirname;

/** The -c / --context settings on the command line, as CDK reads them (`name=value`). */
function contextArguments(args: string[]): Record<string, string> {
  const context: Record<string, string> = {};
  args.forEach((arg, i) => {
    // CDK reads `-cname=value` as a cluster of one-letter flags it ignores, and synthesises the defaults.
    if (/^-c./.test(arg)) throw new InfraSettingsError(`"${arg}": write -c name=value, with a space after -c`);
    const afterContext = i > 0 && (args[i - 1] === '-c' || args[i - 1] === '--context');
    const name = arg.split('=')[0];
    if (!afterContext && arg.includes('=') && !arg.startsWith('-') && settingMeant(name)) {
      throw new InfraSettingsError(`"${arg}" looks like a setting without its -c: write -c ${arg}`);
    }
    let pair: string | undefined;
    if (arg === '-c' || arg === '--context') pair = args[i + 1];
    else if (arg.startsWith('--context=')) pair = arg.slice('--context='.length);
    if (pair === undefined && (arg === '-c' || arg === '--context')) throw new InfraSettingsError(`${arg} needs a setting: -c name=value`);
    if (pair === undefined) return;
    const at = pair.indexOf('=');
    if (at < 1) throw new InfraSettingsError(`"${pair}" is not a setting: give -c name=value`);
    context[pair.slice(0, at)] = pair.slice(at + 1);
  });
  return context;
}

function jsonContext(file: string): Record<string, unknown> {
  if (!existsSync(file)) return {};
  const parsed = JSON.parse(readFileSync(file, 'utf8')) as { context?: Record<string, unknown> };
  return file.endsWith('cdk.json') ? (parsed.context ?? {}) : parsed;
}

/** Where the synth writes: --output/-o, else cdk.json's `output`. */
function outputFolder(args: string[]): string {
  const at = args.findIndex((a) => a === '--output' || a === '-o' || a.startsWith('--output='));
  const cdkJson = JSON.parse(readFileSync(join(infra, 'cdk.json'), 'utf8')) as { output?: string };
  const given = at === -1 ? (cdkJson.output ?? 'cdk.out') : args[at].startsWith('--output=') ? args[at].slice('--output='.length) : args[at + 1];
  return isAbsolute(given) ? given : join(infra, given);
}

function main(): void {
  const [verb, ...args] = process.argv.slice(2);
  try {
    const context = { ...jsonContext(join(infra, 'cdk.json')), ...jsonContext(join(infra, 'cdk.context.json')), ...contextArguments(args) };
    checkContextKeys(Object.keys(context));
    readInfraSettings((key) => context[key]);
  } catch (error) {
    if (!(error instanceof InfraSettingsError)) throw error;
    console.error(`infra: ${error.message}`);
    process.exit(2);
  }
  const cdk = join(root, 'node_modules', 'aws-cdk', 'bin', 'cdk');
  const result = spawnSync(process.execPath, [cdk, verb, ...args], {
    cwd: infra,
    stdio: 'inherit',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true' },
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  if (verb === 'synth') {
    const out = outputFolder(args);
    // The stacks of this synth, from its manifest: the folder may hold a template from an earlier one.
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
    };
    const templates = Object.values(manifest.artifacts).flatMap((a) =>
      a.type === 'aws:cloudformation:stack' && a.properties?.templateFile ? [a.properties.templateFile] : [],
    );
    const fromUser = relative(process.env.INIT_CWD ?? process.cwd(), out);
    const shown = fromUser.startsWith('..') ? out : fromUser || '.';
    console.log(`Templates written to ${shown}/: ${templates.join(', ')}.`);
    console.log("cdk-nag's AwsSolutions and NIST 800-53 rev 5 checks passed: no finding without a written acknowledgement.");
    console.log(`CDK's validation report (CloudFormation's own checks, each acknowledged finding with its reason): ${shown}/validation-report.json`);
  }
}

main();
