/**
 * What `twilio serverless:deploy` would upload: the toolkit's own file
 * discovery over the folders .twilioserverlessrc names, and bundles that need
 * nothing Twilio would not install.
 */
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { parse } from 'json5';
import { fsHelpers } from '@twilio-labs/serverless-api';

const root = join(__dirname, '..', '..');
const rc = parse<Record<string, string>>(readFileSync(join(root, '.twilioserverlessrc'), 'utf8'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

describe('deployable layout', () => {
  it('points the toolkit at the built folders and pins a Functions runtime', () => {
    expect(rc).toMatchObject({ functionsFolder: 'dist/functions', assetsFolder: 'dist/assets', runtime: 'node22' });
  });

  it('deploys /status-callback as a protected Function from the build output', async () => {
    const { functions } = await fsHelpers.getListOfFunctionsAndAssets(root, {
      functionsFolderNames: [rc.functionsFolder],
      assetsFolderNames: [rc.assetsFolder],
    });
    expect(functions.map((f) => [f.path, f.access])).toEqual([['/status-callback', 'protected']]);
  });

  it('ships bundles that require only Node built-ins and packages in "dependencies"', () => {
    const code = readFileSync(join(root, rc.functionsFolder, 'status-callback.protected.js'), 'utf8');
    const required = [...code.matchAll(/(?:require|import)\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(required.length).toBeGreaterThan(0);
    for (const spec of required) {
      const name = spec.replace(/^node:/, '');
      const pkgName = spec
        .split('/')
        .slice(0, spec.startsWith('@') ? 2 : 1)
        .join('/');
      expect(builtinModules.includes(name) || pkgName in pkg.dependencies ? spec : `${spec} is not installable on Twilio`).toBe(spec);
    }
  });

  it('keeps @twilio/runtime-handler at an exact version (twilio-run refuses a range)', () => {
    expect(pkg.dependencies['@twilio/runtime-handler']).toMatch(/^\d+\.\d+\.\d+$/);
  });
});
