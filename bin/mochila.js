#!/usr/bin/env node
// The `mochila` command: loads the Node 20 compat shim, then the TypeScript CLI through tsx.
import { register } from 'tsx/esm/api';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`mochila needs Node.js >= 20.19 (22 or 24 LTS recommended); this is ${process.version}`);
  process.exit(1);
}
register();
await import('../node/core/compat.ts');
const { main } = await import('../node/cli.ts');
await main(process.argv);
