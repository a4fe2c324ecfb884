/**
 * `npm run test:node22`: the integration tests that run the built Functions
 * (through twilio-run: the local stack, the soak, the fuzz), again under
 * Node.js 22, the version Twilio runs the Functions on (runtime node22).
 * `npm test` runs them under the Node.js that runs npm first, then this.
 * Node.js 22 comes from the npm registry into dev/node22/ (the `prepare`
 * script, run by `npm ci`); every process the tests start gets it too (it is
 * first on PATH, and they start Node with process.execPath).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');
const node22 = join(root, 'dev', 'node22', 'node_modules', 'node', 'bin');
const binary = join(node22, 'node');

/** The integration suites that start the Functions: they use the local stack, or the soak that runs on it. */
const STARTS_THE_FUNCTIONS = /\b(startLocalStack|startTestStack|runSoak)\b|scripts\/(soak|start-local)\.ts/;

function main(): void {
  if (!existsSync(binary)) {
    console.error(`test:node22: ${binary} is missing: run npm ci (its prepare step installs Node.js 22 there), or node dev/node22/install.js`);
    process.exit(2);
  }
  const version = execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  if (!version.startsWith('v22.')) {
    console.error(`test:node22: ${binary} is ${version}, not Node.js 22: run node dev/node22/install.js`);
    process.exit(2);
  }
  const dir = join(root, 'test', 'integration');
  const suites = readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts') && STARTS_THE_FUNCTIONS.test(readFileSync(join(dir, name), 'utf8')))
    .sort()
    .map((name) => join('test', 'integration', name));
  console.log(`test:node22: ${suites.length} suites that run the Functions, under Node.js ${version}`);
  const result = spawnSync(
    binary,
    [join(root, 'node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects', 'integration', '--runInBand', '--runTestsByPath', ...suites],
    {
      cwd: root,
      stdio: 'inherit',
      env: {
        ...process.env,
        PATH: `${node22}:${process.env.PATH ?? ''}`,
        NODE_OPTIONS: '--openssl-legacy-provider',
        // test/helpers/jestSetup.ts fails every suite that does not run on this major version.
        EXPECT_NODE_MAJOR: '22',
      },
    },
  );
  process.exit(result.status ?? 1);
}

main();
