/**
 * What `twilio serverless:deploy` (and `twilio-run deploy`) would send, as the
 * toolkit itself works it out from .twilioserverlessrc: the Functions it finds
 * and the package.json whose dependencies Twilio's build installs, which must
 * be exactly what the built Functions require.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, resolve } from 'node:path';
import { parse } from 'json5';
import { fsHelpers } from '@twilio-labs/serverless-api';
// The toolkit's own reading of the config, flags and package.json for a deploy.
import { getConfigFromFlags } from 'twilio-run/dist/config/deploy';

const root = join(__dirname, '..', '..');
const rc = parse<{ runtime: string }>(readFileSync(join(root, '.twilioserverlessrc'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** What a deploy from the repository root would use (no network: credentials are given, the env file is the example). */
async function deployConfig() {
  const cwd = process.cwd();
  process.chdir(root);
  try {
    const flags = { username: 'AC00000000000000000000000000000000', password: 'x', env: resolve(root, '.env.example'), assets: true, functions: true };
    return await getConfigFromFlags(flags as unknown as Parameters<typeof getConfigFromFlags>[0]);
  } finally {
    process.chdir(cwd);
  }
}

/** The packages a built Function requires (not Node's own modules). */
function requiredPackages(bundle: string): string[] {
  const code = readFileSync(bundle, 'utf8');
  return [...code.matchAll(/(?:require|import)\("([^"]+)"\)/g)]
    .map((m) => m[1])
    .filter((spec) => !builtinModules.includes(spec.replace(/^node:/, '')))
    .map((spec) =>
      spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/'),
    );
}

describe('what a deploy sends', () => {
  it('deploys from dist/deploy on the pinned runtime', async () => {
    const config = await deployConfig();
    expect(resolve(root, config.cwd)).toBe(join(root, 'dist', 'deploy'));
    expect(config.runtime).toBe('node22');
    expect(rc.runtime).toBe('node22');
  });

  it('deploys /status-callback and /debugger (protected) and /event-stream (public, checking signatures itself) from the build output', async () => {
    const config = await deployConfig();
    const { functions } = await fsHelpers.getListOfFunctionsAndAssets(resolve(root, config.cwd), {
      functionsFolderNames: [config.functionsFolderName!],
      assetsFolderNames: [config.assetsFolderName!],
    });
    expect(functions.map((f) => [f.path, f.access]).sort()).toEqual([
      ['/debugger', 'protected'],
      ['/event-stream', 'public'],
      ['/status-callback', 'protected'],
    ]);
  });

  it("sends as dependencies exactly what the built Functions require, with @twilio/runtime-handler, at the repository's versions", async () => {
    const config = await deployConfig();
    const sent = (config.pkgJson as { dependencies: Record<string, string> }).dependencies;
    const bundles = join(resolve(root, config.cwd), config.functionsFolderName!);
    const required = [...new Set([...readdirSync(bundles).flatMap((name) => requiredPackages(join(bundles, name))), '@twilio/runtime-handler'])].sort();
    expect(required).toContain('@aws-sdk/client-firehose');
    // The Event Streams Function checks signatures with twilio's validators: the runtime's own copy is private to runtime-handler.
    expect(required).toContain('twilio');
    expect(Object.keys(sent).sort()).toEqual(required);
    for (const name of required) expect(sent[name]).toBe(pkg.dependencies[name]);
    // None of the commands' packages.
    for (const name of ['csv-parse', 'cli-progress', 'p-queue', 'p-throttle', '@duckdb/node-api']) expect(sent).not.toHaveProperty(name);
  });

  it('keeps @twilio/runtime-handler at an exact version (twilio-run refuses a range)', () => {
    expect(pkg.dependencies['@twilio/runtime-handler']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
