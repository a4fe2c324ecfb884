'use strict';
/**
 * The root package's `prepare` (run by `npm ci` and `npm install` in a
 * checkout, never where the packed package is installed): installs Node.js
 * 22 into this folder, from the npm registry (the `node` package at the
 * version pinned beside this file), unless it is already there. Kept out of
 * the root's dependencies because its `node` command would be linked into
 * node_modules/.bin and run every npm script on 22 instead of the user's Node.
 */
const { execFileSync } = require('node:child_process');
const { existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const here = __dirname;
const wanted = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')).dependencies.node;
const binary = join(here, 'node_modules', 'node', 'bin', 'node');

function installedVersion() {
  if (!existsSync(binary)) return null;
  try {
    return execFileSync(binary, ['--version'], { encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

// `npm pack` runs prepare too; packing needs no test runtime.
const packing = ['pack', 'publish'].includes(process.env.npm_command ?? '');

if (!packing && installedVersion() !== `v${wanted}`) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: here, stdio: 'inherit' });
  const now = installedVersion();
  if (now !== `v${wanted}`) throw new Error(`Node.js ${wanted} did not install into ${here} (found ${now ?? 'nothing'})`);
}
