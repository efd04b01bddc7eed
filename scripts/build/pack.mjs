#!/usr/bin/env node
// Makes the npm package (`mochila-registry-<version>.tgz`) the way a release is made, and prints its path:
//   node scripts/build/pack.mjs [--out DIR] [--skip-web] [--no-typecheck]
// 1. builds (the web app unless --skip-web, i.e. already built; then node/ compiled into dist/, without checking the
//    types with --no-typecheck: the package test, whose types `npm run typecheck` checks),
// 2. stages the package's files in a temporary folder with npm-shrinkwrap.json copied from package-lock.json, so an
//    install of the package gets exactly the dependency versions the tests ran with (npm honours a package's
//    shrinkwrap, never its package-lock), and nothing is written into the repository,
// 3. packs the staged folder with `npm pack --ignore-scripts` (the build is done).
// `npm pack` alone does the same through the prepack / postpack scripts (`shrinkwrap.mjs write|remove`).
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const arg = (name) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const out = path.resolve(arg('out') ?? ROOT);
const quiet = { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] };
if (!process.argv.includes('--skip-web')) execFileSync('npm', ['run', 'build:web'], quiet);
execFileSync(process.execPath, [path.join(ROOT, 'scripts/build/build-node.mjs'), ...(process.argv.includes('--no-typecheck') ? ['--no-typecheck'] : [])], quiet);
// pack a staged copy (the package's files and the shrinkwrap), so nothing is written into the repository itself
const stage = mkdtempSync(path.join(tmpdir(), 'mochila-pack-'));
try {
  const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  for (const f of pkg.files) if (f !== 'npm-shrinkwrap.json' && existsSync(path.join(ROOT, f))) cpSync(path.join(ROOT, f), path.join(stage, f), { recursive: true });
  cpSync(path.join(ROOT, 'package.json'), path.join(stage, 'package.json'));
  cpSync(path.join(ROOT, 'package-lock.json'), path.join(stage, 'npm-shrinkwrap.json'));
  const json = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], { cwd: stage, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const [info] = JSON.parse(json);
  console.log(path.join(out, info.filename));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
