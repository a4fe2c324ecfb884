/**
 * `npm run vendor:twilio-oai -- <folder of twilio/twilio-oai's spec/json>`
 * Copies the parts of Twilio's OpenAPI specs that the tests check the fake
 * Twilio API against into test/fixtures/twilio-oai/: the named paths and every
 * component they reference, nothing else. The tests read only that copy, so a
 * fresh clone needs nothing beside it. Run again when the tests need more.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Spec file → the paths the tests use. */
const WANTED: Record<string, string[]> = {
  'twilio_api_v2010.json': ['/2010-04-01/Accounts/{AccountSid}/Messages.json', '/2010-04-01/Accounts/{AccountSid}/Messages/{Sid}.json'],
  'twilio_messaging_v1.json': ['/v1/Services/{Sid}'],
  'twilio_bulkexports_v1.json': ['/v1/Exports/{ResourceType}/Days/{Day}'],
  'twilio_events_v1.json': [
    '/v1/Sinks',
    '/v1/Sinks/{Sid}',
    '/v1/Subscriptions',
    '/v1/Subscriptions/{Sid}',
    '/v1/Subscriptions/{SubscriptionSid}/SubscribedEvents',
  ],
  // What a deploy (twilio-run, twilio serverless:deploy) creates and the configure commands read.
  'twilio_serverless_v1.json': [
    '/v1/Services',
    '/v1/Services/{Sid}',
    '/v1/Services/{ServiceSid}/Environments',
    '/v1/Services/{ServiceSid}/Environments/{Sid}',
    '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables',
    '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Variables/{Sid}',
    '/v1/Services/{ServiceSid}/Environments/{EnvironmentSid}/Deployments',
    '/v1/Services/{ServiceSid}/Functions',
    '/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions',
    '/v1/Services/{ServiceSid}/Functions/{FunctionSid}/Versions/{Sid}',
    '/v1/Services/{ServiceSid}/Assets',
    '/v1/Services/{ServiceSid}/Assets/{AssetSid}/Versions',
    '/v1/Services/{ServiceSid}/Assets/{AssetSid}/Versions/{Sid}',
    '/v1/Services/{ServiceSid}/Builds',
    '/v1/Services/{ServiceSid}/Builds/{Sid}',
    '/v1/Services/{ServiceSid}/Builds/{Sid}/Status',
  ],
};

const OUT = join(__dirname, '..', 'test', 'fixtures', 'twilio-oai');

interface Spec {
  openapi: string;
  info: unknown;
  servers?: unknown;
  paths: Record<string, unknown>;
  components: Record<string, Record<string, unknown>>;
}

/** Every `#/components/<kind>/<name>` reachable from `roots`, following refs inside components too. */
function referencedComponents(spec: Spec, roots: unknown[]): Map<string, Set<string>> {
  const found = new Map<string, Set<string>>();
  const queue: unknown[] = [...roots];
  while (queue.length > 0) {
    const node = queue.pop();
    if (Array.isArray(node)) queue.push(...(node as unknown[]));
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        const match = key === '$ref' && typeof value === 'string' ? /^#\/components\/([^/]+)\/(.+)$/.exec(value) : null;
        if (!match) {
          queue.push(value);
          continue;
        }
        const [, kind, name] = match;
        const names = found.get(kind) ?? new Set<string>();
        found.set(kind, names);
        if (names.has(name)) continue;
        names.add(name);
        const target = spec.components[kind]?.[name];
        if (target === undefined) throw new Error(`${value} is referenced but not in the spec`);
        queue.push(target);
      }
    }
  }
  return found;
}

function main(): void {
  const source = process.argv[2];
  if (!source) {
    console.error('Usage: npm run vendor:twilio-oai -- <folder holding twilio_api_v2010.json and the others, and LICENSE>');
    process.exit(2);
  }
  const from = resolve(source);
  mkdirSync(OUT, { recursive: true });
  for (const [file, paths] of Object.entries(WANTED)) {
    const spec = JSON.parse(readFileSync(join(from, file), 'utf8')) as Spec;
    const keptPaths: Record<string, unknown> = {};
    for (const path of paths) {
      if (!(path in spec.paths)) throw new Error(`${file} has no path ${path}`);
      keptPaths[path] = spec.paths[path];
    }
    const components: Record<string, Record<string, unknown>> = {};
    for (const [kind, names] of referencedComponents(spec, Object.values(keptPaths))) {
      components[kind] = Object.fromEntries([...names].sort().map((name) => [name, spec.components[kind][name]]));
    }
    const trimmed = { openapi: spec.openapi, info: spec.info, servers: spec.servers, paths: keptPaths, components };
    writeFileSync(join(OUT, file), `${JSON.stringify(trimmed, null, 1)}\n`);
    console.log(`${file}: ${paths.length} path(s), ${Object.values(components).reduce((n, c) => n + Object.keys(c).length, 0)} component(s)`);
  }
  const licence = join(from, 'LICENSE');
  if (!existsSync(licence)) throw new Error(`${licence} is missing: the specs are MIT licensed and their licence travels with them`);
  copyFileSync(licence, join(OUT, 'LICENSE'));
}

main();
