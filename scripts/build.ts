/**
 * `npm run build`: type-checks, then bundles each Function into one file under
 * dist/functions. Twilio uploads every Function on its own, so code shared
 * through a relative import would not be there when deployed; a bundle per
 * Function carries its share of src/domain and src/ingest with it. npm
 * packages stay external: Twilio installs `dependencies` for the service.
 * Then compiles the sending library (src/sender) and the CLI (src/cli) into
 * dist/lib.
 */
import { execFileSync } from 'node:child_process';
import { builtinModules } from 'node:module';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildSync } from 'esbuild';

const root = join(__dirname, '..');
const functionsSrc = join(root, 'src', 'functions');
const dist = join(root, 'dist');

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

rmSync(dist, { recursive: true, force: true });
const entryPoints = listTs(functionsSrc);
const result = buildSync({
  entryPoints,
  metafile: true,
  outbase: functionsSrc,
  outdir: join(dist, 'functions'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  packages: 'external',
  logLevel: 'warning',
});

// Twilio installs only `dependencies`: a Function that requires anything else works locally and breaks deployed.
const { dependencies = {} } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');
for (const [output, meta] of Object.entries(result.metafile.outputs)) {
  for (const imported of meta.imports.filter((i) => i.external)) {
    const name = imported.path.replace(/^node:/, '');
    if (builtinModules.includes(name) || packageOf(imported.path) in dependencies) continue;
    throw new Error(`${output} requires ${imported.path}, which is not in package.json "dependencies": Twilio would not install it`);
  }
}

mkdirSync(join(dist, 'assets'), { recursive: true });
const assetsSrc = join(root, 'src', 'assets');
if (existsSync(assetsSrc)) {
  cpSync(assetsSrc, join(dist, 'assets'), { recursive: true, filter: (src) => !/(^|[\\/])\.[^\\/]+$/.test(relative(assetsSrc, src)) });
}

// The sending library (package entry `./sender`) and the CLI (the package's bin): plain JavaScript with type declarations.
execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', join(root, 'tsconfig.lib.json')], { stdio: 'inherit' });

console.log(
  `built ${entryPoints.length} function(s) into ${relative(root, join(dist, 'functions'))}, and the sending library and the CLI into ${relative(root, join(dist, 'lib'))}`,
);
