#!/usr/bin/env node
// The `mochila` command. From the npm package it runs the compiled JavaScript in dist/ (built by `npm run build`);
// from a source checkout (node/cli.ts present) it runs the TypeScript through tsx, so an edit is never shadowed by a
// stale build. MOCHILA_RUN=dist forces the compiled build in a checkout (start-up benchmark, package test).
import { existsSync } from 'node:fs';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`mochila needs Node.js >= 20.19 (22 or 24 LTS recommended); this is ${process.version}`);
  process.exit(1);
}
const source = existsSync(new URL('../node/cli.ts', import.meta.url)) && process.env.MOCHILA_RUN !== 'dist';
if (source) {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../node/core/compat.ts');
  const { main } = await import('../node/cli.ts');
  await main(process.argv);
} else {
  if (!existsSync(new URL('../dist/node/cli.js', import.meta.url))) {
    console.error('mochila: dist/ is missing; in a source checkout run `npm run build` (or unset MOCHILA_RUN)');
    process.exit(1);
  }
  // the compat shim first (libp2p 3 on Node 20), then the CLI
  await import('../dist/node/core/compat.js');
  const { main } = await import('../dist/node/cli.js');
  await main(process.argv);
}
