#!/usr/bin/env node
// Runs a TypeScript entry point with tsx, loading the Node 20 compat shim first.
import { register } from 'tsx/esm/api';
import { pathToFileURL } from 'node:url';
import path from 'node:path';

register();
await import('../node/core/compat.ts');
const [, , script, ...rest] = process.argv;
if (!script) {
  console.error('usage: run-ts.js <script.ts> [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], path.resolve(script), ...rest];
await import(pathToFileURL(path.resolve(script)).href);
