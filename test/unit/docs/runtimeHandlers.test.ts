/**
 * The runtime handler Twilio's build receives is one Twilio accepts: the pin
 * in package.json (which npm run build copies into dist/deploy/package.json)
 * is a version docs/deploy.md lists, with its source, as accepted on the
 * pinned runtime and published on npm; and the Serverless stand-in accepts
 * exactly what the table says Twilio does.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TWILIO_ACCEPTED_RUNTIME_HANDLERS } from '../../../dev/fakeTwilio/fakeServerless';

const root = join(__dirname, '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };
// eslint-disable-next-line @typescript-eslint/no-require-imports
const rc = require(join(root, '.twilioserverlessrc.js')) as { runtime: string };

interface Row {
  version: string;
  runtime: string;
  build: string;
  npm: string;
  source: string;
}

/** The rows of the table under "Runtime handler versions". */
function table(): Row[] {
  const doc = readFileSync(join(root, 'docs', 'deploy.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Runtime handler versions'));
  return section
    .split('\n')
    .filter((line) => /^\| \d+\.\d+\.\d+ \|/.test(line))
    .map((line) => {
      const [version, runtime, build, npm, source] = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return { version, runtime, build, npm, source };
    });
}

describe('the runtime handler pin', () => {
  it('is an exact version that docs/deploy.md says deploys on the pinned runtime, with a source', () => {
    const pinned = pkg.dependencies['@twilio/runtime-handler'];
    expect(pinned).toMatch(/^\d+\.\d+\.\d+$/);
    expect(rc.runtime).toBe('node22');
    const deploys = table().filter((row) => row.runtime === rc.runtime && row.build === 'accepts' && row.npm.startsWith('yes'));
    expect(deploys.map((row) => row.version)).toContain(pinned);
    for (const row of table()) expect(row.source.length).toBeGreaterThan(40);
  });

  it("is not npm's latest that Twilio refuses", () => {
    const refused = table().filter((row) => row.build === 'refuses');
    expect(refused.map((row) => row.version)).toContain('2.1.0');
    expect(refused.map((row) => row.version)).not.toContain(pkg.dependencies['@twilio/runtime-handler']);
  });

  it("matches what the Serverless stand-in's builds accept", () => {
    const accepted: Record<string, string[]> = {};
    for (const row of table().filter((r) => r.build === 'accepts')) (accepted[row.runtime] ??= []).push(row.version);
    expect(TWILIO_ACCEPTED_RUNTIME_HANDLERS).toEqual(accepted);
  });
});
