/**
 * Starting worker threads, the one way the node (and its benchmarks) do it: the code is evaluated, the worker
 * announces `{ ready: true }` once loaded, is unref'd (it never keeps a process alive), and is terminated if it
 * fails to get there. TypeScript entries get tsx and the compat shim loaded first, as bin/mochila.js does.
 * Must never depend on anything outside `node/core` but Node itself and tsx.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

/** URL of tsx's ESM API (its exports map names the file; require.resolve would give the CommonJS one). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

const TS_BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(async (m) => { m.register(); await import(workerData.compat); await import(workerData.entry); });`;

/** Code and data that run a TypeScript worker entry (its own workerData travels alongside). */
export function typescriptWorker(entry: URL, data: Record<string, unknown> = {}): { code: string; workerData: Record<string, unknown> } {
  return {
    code: TS_BOOT,
    workerData: { ...data, tsx: tsxEsmApi(), compat: new URL('./compat.ts', import.meta.url).href, entry: entry.href },
  };
}

/**
 * Starts a worker from code and resolves with it once it has posted `{ ready: true }`; resolves null (after
 * terminating it) if it errors or says anything else first, and tells `onFailure` why.
 */
export async function startWorker(code: string, workerData: unknown, onFailure: (e: Error) => void): Promise<Worker | null> {
  const worker = new Worker(code, { eval: true, workerData });
  worker.unref();
  const ready = await new Promise<boolean>((resolve) => {
    worker.once('message', (m: { ready?: boolean } | null) => {
      if (m?.ready !== true) onFailure(new Error(`worker said ${JSON.stringify(m)} before it was ready`));
      resolve(m?.ready === true);
    });
    worker.once('error', (e) => {
      onFailure(e);
      resolve(false);
    });
  });
  if (ready) return worker;
  await worker.terminate();
  return null;
}
