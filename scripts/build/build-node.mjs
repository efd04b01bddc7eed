#!/usr/bin/env node
// Compiles the node (node/**/*.ts) to JavaScript in dist/ and copies what it reads at run time beside it, with the
// same relative layout, so every path the code resolves from its own file works unchanged in dist/:
//   dist/node/**.js, dist/node/store/migrations, dist/schemas, dist/fixtures (the demo), dist/web/dist (the web
//   app, built first by `npm run build:web`), dist/package.json (name and version only).
// Production (`mochila` from the npm package) runs dist/; a source checkout runs the TypeScript through tsx.
// --no-typecheck: emit only (tsc --noCheck, the same JavaScript in a third of the CPU time), for the package test; the
// types are checked by `npm run typecheck` (CI). A release build checks them here too.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const DIST = path.join(ROOT, 'dist');
if (!existsSync(path.join(ROOT, 'web/dist/index.html'))) {
  console.error('build-node: web/dist is missing; run `npm run build:web` first (`npm run build` does both)');
  process.exit(1);
}
rmSync(DIST, { recursive: true, force: true });
const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', path.join(ROOT, 'scripts/build/tsconfig.node.json'), ...(process.argv.includes('--no-typecheck') ? ['--noCheck'] : [])], { stdio: 'inherit' });
cpSync(path.join(ROOT, 'node/store/migrations'), path.join(DIST, 'node/store/migrations'), { recursive: true });
cpSync(path.join(ROOT, 'schemas'), path.join(DIST, 'schemas'), { recursive: true });
// the demo fixtures, not the test-only data folders of earlier releases (fixtures/previous-release: test keys)
cpSync(path.join(ROOT, 'fixtures'), path.join(DIST, 'fixtures'), {
  recursive: true,
  filter: (src) => !src.startsWith(path.join(ROOT, 'fixtures', 'previous-release')),
});
mkdirSync(path.join(DIST, 'web'), { recursive: true });
cpSync(path.join(ROOT, 'web/dist'), path.join(DIST, 'web/dist'), { recursive: true });
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
writeFileSync(path.join(DIST, 'package.json'), JSON.stringify({ name: pkg.name, version: pkg.version, type: 'module', private: true }, null, 2) + '\n');
console.log(`build-node: dist/ ready (${pkg.name} ${pkg.version})`);
