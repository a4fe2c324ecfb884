/**
 * `npm run build`: type-checks, then writes dist/deploy, the folder that is
 * deployed: each Function bundled into one file under dist/deploy/functions
 * (Twilio uploads every Function on its own, so code shared through a
 * relative import would not be there when deployed; a bundle per Function
 * carries its share of src/domain and src/ingest with it), the assets, and a
 * package.json whose dependencies are exactly the packages the bundles
 * require, at the exact versions installed here, plus @twilio/runtime-handler: Twilio's build installs every
 * dependency of the package.json it is sent, and the commands' packages
 * (DuckDB, csv-parse, …) have no business in the Functions' service.
 * Then compiles the sending library (src/sender) and the CLI (src/cli) into
 * dist/lib.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
const functionsSrc = join(root, 'src', 'functions');
const dist = join(root, 'dist');
const deploy = join(dist, 'deploy');

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

if (!process.argv.includes('--no-typecheck')) {
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '--noEmit', '-p', root], { stdio: 'inherit' });
}

// twilio-run keeps the deployed service's SID in the deploy folder: a rebuild must not forget it.
const deployInfo = join(deploy, '.twiliodeployinfo');
const keptDeployInfo = existsSync(deployInfo) ? readFileSync(deployInfo) : null;
rmSync(dist, { recursive: true, force: true });
mkdirSync(deploy, { recursive: true });
if (keptDeployInfo) writeFileSync(deployInfo, keptDeployInfo);
const entryPoints = listTs(functionsSrc);
const result = buildSync({
  entryPoints,
  metafile: true,
  outbase: functionsSrc,
  outdir: join(deploy, 'functions'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});

// Twilio installs only `dependencies`: a Function that requires anything else works locally and breaks deployed.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { name: string; version: string; dependencies?: Record<string, string> };
const dependencies = pkg.dependencies ?? {};
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
/** The Functions' runtime adapter: twilio-run and Twilio's build want it, at an exact version. */
const RUNTIME_HANDLER = '@twilio/runtime-handler';
const required = new Set<string>([RUNTIME_HANDLER]);
for (const [output, meta] of Object.entries(result.metafile.outputs)) {
  for (const imported of meta.imports.filter((i) => i.external)) {
    const name = imported.path.replace(/^node:/, '');
    if (builtinModules.includes(name)) continue;
    if (!(packageOf(imported.path) in dependencies)) {
      throw new Error(`${output} requires ${imported.path}, which is not in package.json "dependencies": Twilio would not install it`);
    }
    required.add(packageOf(imported.path));
  }
}
/**
 * The exact version installed here, the one the tests ran against: a range
 * (`^3.1169.0`) would let Twilio's build install whatever is newest that day.
 */
function installedVersion(name: string): string {
  const manifest = join(root, 'node_modules', ...name.split('/'), 'package.json');
  const version = (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: unknown }).version;
  if (typeof version !== 'string') throw new Error(`${manifest} has no version: run npm ci`);
  return version;
}
const deployedDependencies = Object.fromEntries([...required].sort().map((name) => [name, installedVersion(name)]));
writeFileSync(
  join(deploy, 'package.json'),
  `${JSON.stringify({ name: 'message-status-archive', version: pkg.version, private: true, description: `The deployed Functions of ${pkg.name}, written by npm run build.`, dependencies: deployedDependencies }, null, 2)}\n`,
);

mkdirSync(join(deploy, 'assets'), { recursive: true });
const assetsSrc = join(root, 'src', 'assets');
if (existsSync(assetsSrc)) {
  cpSync(assetsSrc, join(deploy, 'assets'), { recursive: true, filter: (src) => !/(^|[\\/])\.[^\\/]+$/.test(relative(assetsSrc, src)) });
}

// The sending library (package entry `./sender`) and the CLI (the package's bin): plain JavaScript with type declarations.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });

console.log(
  `built ${entryPoints.length} function(s) into ${relative(root, deploy)} (deployed with: ${Object.keys(deployedDependencies).join(', ')}), and the sending library and the CLI into ${relative(root, join(dist, 'lib'))}`,
);
