#!/usr/bin/env node
// npm-shrinkwrap.json for the package: a copy of package-lock.json present only while packing (prepack writes it,
// postpack removes it), so the repository keeps one lock file and the package pins every dependency.
//   node scripts/build/shrinkwrap.mjs write|remove
import { copyFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHRINKWRAP = path.join(ROOT, 'npm-shrinkwrap.json');

export function writeShrinkwrap() {
  copyFileSync(path.join(ROOT, 'package-lock.json'), SHRINKWRAP);
}

export function removeShrinkwrap() {
  rmSync(SHRINKWRAP, { force: true });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const what = process.argv[2];
  if (what === 'write') writeShrinkwrap();
  else if (what === 'remove') removeShrinkwrap();
  else {
    console.error('usage: shrinkwrap.mjs write|remove');
    process.exit(2);
  }
}
