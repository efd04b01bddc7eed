/**
 * What every `mochila` command that opens a node's folder shares: the passphrase (file or MOCHILA_PASSPHRASE) and the
 * node's services without listening on anything. Must never hold domain logic.
 */
import { readFileSync } from 'node:fs';
import { buildServices, type Services } from './context.js';
import { loadConfig } from './config.js';
import { silentLogger } from './core/logger.js';

export function readPassphrase(file: string | undefined): string | undefined {
  if (file) return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
  return process.env.MOCHILA_PASSPHRASE || undefined;
}

/** The node's services (SQLite open, migrations run); the caller closes them with `closeServices`. */
export function openServices(dir: string, opts: { passphraseFile?: string }): Services {
  const pp = readPassphrase(opts.passphraseFile);
  return buildServices(loadConfig(dir, pp ? { passphrase: pp } : {}), { logger: silentLogger });
}

/** Runs fn on the node's services and closes them, whether fn is synchronous or returns a promise. */
export function withServices<T>(dir: string, opts: { passphraseFile?: string }, fn: (s: Services) => T): T {
  const s = openServices(dir, opts);
  let out: T;
  try {
    out = fn(s);
  } catch (e) {
    s.store.close();
    throw e;
  }
  if (out instanceof Promise) {
    return out.finally(async () => {
      await s.credentials.stop();
      s.store.close();
    }) as T;
  }
  s.store.close();
  return out;
}

/**
 * Runs `stop` on the first SIGINT, SIGTERM or SIGHUP and ignores the ones that follow while it runs (a terminal's
 * Ctrl-C reaches both the node and bin/mochila.js when that started it, which passes signals on; the stop is bounded).
 */
export function onStopSignal(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = () => {
    if (stopping) return;
    stopping = true;
    void stop();
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, handler);
}
