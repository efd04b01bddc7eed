/**
 * Starting worker threads, the one way the node (and its benchmarks) do it: the code is evaluated, the worker
 * announces `{ ready: true }` once loaded, is unref'd (it never keeps a process alive), and is terminated if it
 * fails to get there within a time limit (a RegistryError tells why). TypeScript entries get tsx and the compat shim loaded first, as bin/mochila.js does.
 * Must never depend on anything outside `node/core` but Node itself and tsx, and never wait on a worker unbounded.
 */
import { Worker } from 'node:worker_threads';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { RegistryError } from './errors.js';

/** URL of tsx's ESM API (its exports map names the file; require.resolve would give the CommonJS one). */
function tsxEsmApi(): string {
  const require = createRequire(import.meta.url);
  const pkgFile = require.resolve('tsx/package.json');
  const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
  return pathToFileURL(path.join(path.dirname(pkgFile), pkg.exports['./esm/api']!.import.default)).href;
}

const TS_BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.tsx).then(async (m) => { m.register(); await import(workerData.compat); await import(workerData.entry); });`;

const JS_BOOT = `const { workerData } = require('node:worker_threads');
import(workerData.compat).then(() => import(workerData.entry));`;

/** Whether this module runs compiled (dist/, the npm package) rather than as TypeScript through tsx. */
const COMPILED = import.meta.url.endsWith('.js');

/**
 * Code and data that run a worker entry written as `<name>.ts` (its own workerData travels alongside): through tsx in
 * a source checkout, or the compiled `<name>.js` beside it when the node runs from dist/ (no tsx there).
 */
export function typescriptWorker(entry: URL, data: Record<string, unknown> = {}): { code: string; workerData: Record<string, unknown> } {
  if (COMPILED)
    return {
      code: JS_BOOT,
      workerData: { ...data, compat: new URL('./compat.js', import.meta.url).href, entry: entry.href.replace(/\.ts$/, '.js') },
    };
  return {
    code: TS_BOOT,
    workerData: { ...data, tsx: tsxEsmApi(), compat: new URL('./compat.ts', import.meta.url).href, entry: entry.href },
  };
}

/** How long a worker may take to load and say it is ready (tsx compiles its TypeScript on a busy machine first). */
export const WORKER_START_TIMEOUT_MS = 60_000;

/**
 * Starts a worker from code and resolves with it once it has posted `{ ready: true }`; resolves null (after
 * terminating it) if it errors, says anything else first, or is not ready within `timeoutMs`, and tells `onFailure`
 * why with a RegistryError: `timeout` (it never got ready: the message says what to do) or `internal` (it failed to
 * load; the worker's own error is the cause). Callers then do the work in their own thread.
 */
export async function startWorker(
  code: string,
  workerData: unknown,
  onFailure: (e: RegistryError) => void,
  opts: { timeoutMs?: number; what?: string } = {},
): Promise<Worker | null> {
  const timeoutMs = opts.timeoutMs ?? WORKER_START_TIMEOUT_MS;
  const what = opts.what ?? 'worker thread';
  const worker = new Worker(code, { eval: true, workerData });
  worker.unref();
  const ready = await new Promise<boolean>((resolve) => {
    let settled = false;
    const settle = (ok: boolean, failure?: RegistryError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (failure) onFailure(failure);
      resolve(ok);
    };
    const timer = setTimeout(
      () =>
        settle(
          false,
          new RegistryError(
            'timeout',
            `${what} was not ready within ${timeoutMs} ms and was stopped; its work runs in the node's main thread. The machine is probably overloaded: if this repeats, check its load (or free a core) and restart the node`,
            { timeoutMs },
          ),
        ),
      timeoutMs,
    );
    timer.unref();
    worker.once('message', (m: { ready?: boolean } | null) => {
      if (m?.ready === true) settle(true);
      else settle(false, new RegistryError('internal', `${what} said ${JSON.stringify(m)} before it was ready`));
    });
    worker.once('error', (e) => settle(false, new RegistryError('internal', `${what} failed to load: ${e.message}`, undefined, { cause: e })));
    worker.once('exit', (c) => settle(false, new RegistryError('internal', `${what} exited with code ${c} before it was ready`)));
  });
  if (ready) return worker;
  await worker.terminate();
  return null;
}
