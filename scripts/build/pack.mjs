#!/usr/bin/env node
// Makes the npm package (`mochila-registry-<version>.tgz`) the way a release is made, and prints its path:
//   node scripts/build/pack.mjs [--out DIR] [--skip-web]
// 1. builds (the web app unless --skip-web, i.e. already built; then node/ compiled into dist/),
// 2. writes npm-shrinkwrap.json from package-lock.json, so an install of the package gets exactly the dependency
//    versions the tests ran with (npm honours a package's shrinkwrap, never its package-lock),
// 3. packs with `npm pack --ignore-scripts` (the build is done), and removes the shrinkwrap again whatever happens.
// `npm pack` alone does the same through the prepack / postpack scripts (`shrinkwrap.mjs write|remove`).
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { removeShrinkwrap, writeShrinkwrap } from './shrinkwrap.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const out = path.resolve(arg('out') ?? ROOT);
const quiet = { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] };
if (!process.argv.includes('--skip-web')) execFileSync('npm', ['run', 'build:web'], quiet);
execFileSync(process.execPath, [path.join(ROOT, 'scripts/build/build-node.mjs')], quiet);
writeShrinkwrap();
try {
  const json = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(json);
  console.log(path.join(out, info.filename));
} finally {
  removeShrinkwrap();
}
