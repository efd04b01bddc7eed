/**
 * Node configuration: the only module that reads the environment and the node's config file (`<dir>/node.json`).
 * Precedence: explicit overrides (CLI flags, tests) > environment (MOCHILA_*) > node.json > defaults.
 * Must never open databases or sockets.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { LogLevel } from './core/logger.js';
import { RegistryError } from './core/errors.js';

export interface NodeFileConfig {
  name?: string;
  country?: string;
  httpHost?: string;
  httpPort?: number;
  p2pHost?: string;
  p2pPort?: number;
  publicUrl?: string;
  bootstrap?: string[];
  mdns?: boolean;
  syncWorkers?: number;
  logLevel?: LogLevel;
}

export interface NodeConfig {
  dir: string;
  dbFile: string; // ':memory:' allowed in tests
  keystoreFile: string;
  manifestFile: string;
  httpHost: string;
  httpPort: number; // 0 = any free port
  p2pHost: string;
  p2pPort: number; // 0 = any free port; -1 = federation disabled
  publicUrl: string | undefined; // how others reach this node's HTTP API (for verification links, status lists)
  bootstrap: string[];
  mdns: boolean;
  /** Worker threads that check incoming sync batches; undefined: one per core beyond the first, at most two. */
  syncWorkers: number | undefined;
  logLevel: LogLevel;
  passphrase: string | undefined;
  maxBodyBytes: number;
  webDir: string | undefined;
}

export const CONFIG_FILE = 'node.json';

export function paths(dir: string): { keystoreFile: string; manifestFile: string; dbFile: string; configFile: string } {
  return {
    keystoreFile: path.join(dir, 'keystore.json'),
    manifestFile: path.join(dir, 'manifest.json'),
    dbFile: path.join(dir, 'registry.db'),
    configFile: path.join(dir, CONFIG_FILE),
  };
}

export function readFileConfig(dir: string): NodeFileConfig {
  const f = paths(dir).configFile;
  if (!existsSync(f)) return {};
  try {
    return JSON.parse(readFileSync(f, 'utf8')) as NodeFileConfig;
  } catch (e) {
    throw new RegistryError('validation_failed', `cannot read ${f}: ${(e as Error).message}`);
  }
}

export function loadConfig(
  dir: string,
  overrides: Partial<NodeConfig> = {},
  env: NodeJS.ProcessEnv = process.env,
): NodeConfig {
  const abs = path.resolve(dir);
  const file = readFileConfig(abs);
  const p = paths(abs);
  const num = (v: string | undefined) => (v !== undefined && v !== '' ? Number(v) : undefined);
  const cfg: NodeConfig = {
    dir: abs,
    dbFile: p.dbFile,
    keystoreFile: p.keystoreFile,
    manifestFile: p.manifestFile,
    httpHost: env.MOCHILA_HTTP_HOST ?? file.httpHost ?? '0.0.0.0',
    httpPort: num(env.MOCHILA_HTTP_PORT) ?? file.httpPort ?? 8080,
    p2pHost: env.MOCHILA_P2P_HOST ?? file.p2pHost ?? '0.0.0.0',
    p2pPort: num(env.MOCHILA_P2P_PORT) ?? file.p2pPort ?? 9090,
    publicUrl: env.MOCHILA_PUBLIC_URL ?? file.publicUrl,
    bootstrap: env.MOCHILA_BOOTSTRAP ? env.MOCHILA_BOOTSTRAP.split(/[\s,]+/).filter(Boolean) : (file.bootstrap ?? []),
    mdns: env.MOCHILA_MDNS ? env.MOCHILA_MDNS === '1' || env.MOCHILA_MDNS === 'true' : (file.mdns ?? false),
    syncWorkers: num(env.MOCHILA_SYNC_WORKERS) ?? file.syncWorkers,
    logLevel: (env.MOCHILA_LOG_LEVEL as LogLevel | undefined) ?? file.logLevel ?? 'info',
    passphrase: env.MOCHILA_PASSPHRASE || undefined,
    maxBodyBytes: 1024 * 1024,
    webDir: undefined,
    ...stripUndefined(overrides),
  };
  if (!Number.isInteger(cfg.httpPort) || cfg.httpPort < 0 || cfg.httpPort > 65535)
    throw new RegistryError('validation_failed', `invalid HTTP port ${cfg.httpPort}`);
  if (!Number.isInteger(cfg.p2pPort) || cfg.p2pPort < -1 || cfg.p2pPort > 65535)
    throw new RegistryError('validation_failed', `invalid P2P port ${cfg.p2pPort}`);
  if (cfg.syncWorkers !== undefined && (!Number.isInteger(cfg.syncWorkers) || cfg.syncWorkers < 0 || cfg.syncWorkers > 16))
    throw new RegistryError('validation_failed', `invalid number of sync workers ${cfg.syncWorkers} (0 to 16)`);
  return cfg;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
