/**
 * Node configuration: the only module that reads the environment and the node's config file (`<dir>/node.json`).
 * Precedence: explicit overrides (CLI flags, tests) > environment (MOCHILA_*) > node.json > defaults.
 * Must never open databases or sockets.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isLogLevel, LOG_LEVELS, type LogLevel } from './core/logger.js';
import { RegistryError } from './core/errors.js';
import { parsePeerAddress, peerIdToDid } from './federation/peer-ids.js';
import type { SmtpConfig } from './credentials/mailer.js';

export interface NodeFileConfig {
  name?: string;
  country?: string;
  httpHost?: string;
  httpPort?: number;
  p2pHost?: string;
  p2pPort?: number;
  /** "tcp" (default): listen on p2pHost:p2pPort; "none": no listening port (dial out; reached by p2pWs or a relay). */
  p2pListen?: P2pListen;
  /** libp2p over WebSocket on the HTTP port at this path (e.g. "/p2p"), for a reverse proxy to forward. */
  p2pWs?: string;
  /** Relay for members that have no listening port (circuit relay v2; default true; a node with none never relays). */
  p2pRelay?: boolean;
  publicUrl?: string;
  bootstrap?: string[];
  mdns?: boolean;
  syncWorkers?: number;
  /** The operator's word that this node's database holds its own feed's latest entries (see OwnFeedGate). */
  standalone?: boolean;
  logLevel?: LogLevel;
  /** Serve GET /metrics (Prometheus) on the HTTP port without a token (default off; see metricsToken). */
  metrics?: boolean;
  /** Serve GET /metrics only to `Authorization: Bearer <metricsToken>` (enables it; at least 16 characters). */
  metricsToken?: string;
  /** Per-client rate limits and bounded concurrency of the public endpoints that verify or compare (any subset). */
  publicLimits?: Partial<PublicLimits>;
  /** A read mirror: not a member, publishes nothing, replicates every member's feed and serves the public API (README, "Read mirrors"). */
  mirror?: boolean;
  /**
   * Peer ids of read mirrors this member serves outside the shared bound on non-member sync rounds (any other
   * non-member peer is served too, a few at a time: see README Decisions, "Read mirrors").
   */
  mirrors?: string[];
  /** SMTP server for e-mailing claim links to learners (README, "Delivering credentials to learners"). */
  smtp?: SmtpConfig;
}

/**
 * Limits of the public endpoints anyone can call and that cost CPU: POST /api/v1/verify, the recognition lookup and
 * the printable report. Rates are per client (IP address as express sees it: behind a reverse proxy on the same
 * machine, the X-Forwarded-For address) and per window; concurrency is node-wide.
 */
export interface PublicLimits {
  /** Length of the rate window in milliseconds. */
  windowMs: number;
  /** Requests per client and window to POST /api/v1/verify. */
  verify: number;
  /** Requests per client and window to POST /api/v1/recognition/lookup. */
  lookup: number;
  /** Requests per client and window to the printable report (GET and POST /api/v1/recognition/report). */
  report: number;
  /** Requests per client and window to a learner's claim link and share page (GET /api/v1/claims/…, /share/…). */
  claim: number;
  /** Requests to those endpoints being worked on at once, node-wide; more wait in the queue. */
  concurrent: number;
  /** Requests that may wait for a free slot; beyond it the node answers 503 busy at once. */
  queue: number;
  /** How long a request may wait in the queue before it gets 503 busy (milliseconds). */
  queueWaitMs: number;
}

export const DEFAULT_PUBLIC_LIMITS: Readonly<PublicLimits> = {
  windowMs: 60_000,
  verify: 60,
  lookup: 60,
  report: 30,
  claim: 60,
  concurrent: 4,
  queue: 32,
  queueWaitMs: 10_000,
};

const LIMIT_RANGES: Record<keyof PublicLimits, [number, number]> = {
  windowMs: [1_000, 86_400_000],
  verify: [1, 1_000_000],
  lookup: [1, 1_000_000],
  report: [1, 1_000_000],
  claim: [1, 1_000_000],
  concurrent: [1, 1_000],
  queue: [0, 100_000],
  queueWaitMs: [1, 600_000],
};

function publicLimitsFrom(file: unknown): PublicLimits {
  if (file === undefined) return { ...DEFAULT_PUBLIC_LIMITS };
  if (!file || typeof file !== 'object' || Array.isArray(file)) throw new RegistryError('validation_failed', 'publicLimits in node.json must be an object');
  const out: PublicLimits = { ...DEFAULT_PUBLIC_LIMITS };
  for (const [k, v] of Object.entries(file)) {
    if (!(k in LIMIT_RANGES)) throw new RegistryError('validation_failed', `unknown setting publicLimits.${k} (known: ${Object.keys(LIMIT_RANGES).join(', ')})`);
    out[k as keyof PublicLimits] = v as number;
  }
  return out;
}

function checkPublicLimits(l: PublicLimits): void {
  for (const [k, [min, max]] of Object.entries(LIMIT_RANGES)) {
    const v = l[k as keyof PublicLimits];
    if (!Number.isInteger(v) || v < min || v > max) throw new RegistryError('validation_failed', `invalid publicLimits.${k} ${String(v)} (an integer from ${min} to ${max})`);
  }
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
  /** 'none': no TCP listener (p2pPort unused, except -1 that still disables replication). */
  p2pListen: P2pListen;
  p2pWs: string | undefined;
  p2pRelay: boolean;
  publicUrl: string | undefined; // how others reach this node's HTTP API (for verification links, status lists)
  bootstrap: string[];
  mdns: boolean;
  /** Worker threads that check incoming sync batches; undefined: one per core beyond the first, at most two. */
  syncWorkers: number | undefined;
  /**
   * This node is alone or the first of its network to start and its database is current: it may publish without
   * first confirming its own feed's head with a peer (`--standalone`). Off by default.
   */
  standalone: boolean;
  logLevel: LogLevel;
  passphrase: string | undefined;
  maxBodyBytes: number;
  webDir: string | undefined;
  /** Rate limits and bounded concurrency of the public verification, lookup and report endpoints. */
  publicLimits: PublicLimits;
  /** GET /metrics: off (404), open, or behind a bearer token (node/http/routes/metrics.routes.ts). */
  metrics: { enabled: boolean; token: string | undefined };
  /** A read mirror: never appends to a feed, refuses every admin write (`mirror_read_only`). */
  mirror: boolean;
  /** Peer ids of read mirrors served outside the bound on non-member sync rounds. */
  mirrors: string[];
  /** SMTP for claim-link e-mail; undefined: the node sends no e-mail (issuing with notify is refused). */
  smtp: SmtpConfig | undefined;
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
    p2pListen: (env.MOCHILA_P2P_LISTEN as P2pListen | undefined) || (file.p2pListen ?? 'tcp'),
    p2pWs: env.MOCHILA_P2P_WS || file.p2pWs,
    p2pRelay: env.MOCHILA_P2P_RELAY ? env.MOCHILA_P2P_RELAY === '1' || env.MOCHILA_P2P_RELAY === 'true' : file.p2pRelay !== false,
    publicUrl: env.MOCHILA_PUBLIC_URL ?? file.publicUrl,
    bootstrap: env.MOCHILA_BOOTSTRAP ? env.MOCHILA_BOOTSTRAP.split(/[\s,]+/).filter(Boolean) : (file.bootstrap ?? []),
    mdns: env.MOCHILA_MDNS ? env.MOCHILA_MDNS === '1' || env.MOCHILA_MDNS === 'true' : (file.mdns ?? false),
    syncWorkers: num(env.MOCHILA_SYNC_WORKERS) ?? file.syncWorkers,
    standalone: env.MOCHILA_STANDALONE ? env.MOCHILA_STANDALONE === '1' || env.MOCHILA_STANDALONE === 'true' : file.standalone === true,
    logLevel: (env.MOCHILA_LOG_LEVEL as LogLevel | undefined) ?? file.logLevel ?? 'info',
    passphrase: env.MOCHILA_PASSPHRASE || undefined,
    maxBodyBytes: 1024 * 1024,
    publicLimits: publicLimitsFrom(file.publicLimits),
    webDir: undefined,
    metrics: metricsFrom(env.MOCHILA_METRICS_TOKEN || file.metricsToken, env.MOCHILA_METRICS ? env.MOCHILA_METRICS === '1' || env.MOCHILA_METRICS === 'true' : file.metrics),
    mirror: env.MOCHILA_MIRROR ? env.MOCHILA_MIRROR === '1' || env.MOCHILA_MIRROR === 'true' : file.mirror === true,
    mirrors: file.mirrors ?? [],
    smtp: smtpFrom(file.smtp, abs),
    ...stripUndefined(overrides),
  };
  if (file.mirror !== undefined && typeof file.mirror !== 'boolean') throw new RegistryError('validation_failed', 'mirror in node.json must be true or false');
  checkMirrors(cfg.mirrors);
  if (cfg.mirror && cfg.standalone) throw new RegistryError('validation_failed', 'a read mirror never publishes: --standalone (MOCHILA_STANDALONE, node.json "standalone") does not apply to it');
  if (!Number.isInteger(cfg.httpPort) || cfg.httpPort < 0 || cfg.httpPort > 65535)
    throw new RegistryError('validation_failed', `invalid HTTP port ${cfg.httpPort}`);
  if (!Number.isInteger(cfg.p2pPort) || cfg.p2pPort < -1 || cfg.p2pPort > 65535)
    throw new RegistryError('validation_failed', `invalid P2P port ${cfg.p2pPort}`);
  if (cfg.syncWorkers !== undefined && (!Number.isInteger(cfg.syncWorkers) || cfg.syncWorkers < 0 || cfg.syncWorkers > 16))
    throw new RegistryError('validation_failed', `invalid number of sync workers ${cfg.syncWorkers} (0 to 16)`);
  checkPublicLimits(cfg.publicLimits);
  if (!isLogLevel(cfg.logLevel)) throw new RegistryError('validation_failed', `invalid log level ${JSON.stringify(cfg.logLevel)} (one of ${LOG_LEVELS.join(', ')})`);
  checkBootstrap(cfg.bootstrap);
  if (!P2P_LISTEN.includes(cfg.p2pListen)) throw new RegistryError('validation_failed', `invalid p2pListen ${JSON.stringify(cfg.p2pListen)} (one of ${P2P_LISTEN.join(', ')})`);
  if (cfg.p2pWs !== undefined) {
    const bad = checkWsPath(cfg.p2pWs);
    if (bad) throw new RegistryError('validation_failed', `invalid p2pWs ${JSON.stringify(cfg.p2pWs)}: ${bad}`);
  }
  if (file.p2pRelay !== undefined && typeof file.p2pRelay !== 'boolean') throw new RegistryError('validation_failed', 'p2pRelay in node.json must be true or false');
  return cfg;
}

export const P2P_LISTEN = ['tcp', 'none'] as const;
export type P2pListen = (typeof P2P_LISTEN)[number];

/**
 * The path of libp2p's WebSocket endpoint on the HTTP port: `/` then letters, digits, `-`, `_`, `.` and inner `/`;
 * not `/` alone (the web app is there). Returns what is wrong, or null.
 */
export function checkWsPath(p: unknown): string | null {
  if (typeof p !== 'string' || p.length > 100) return 'it must be a string of at most 100 characters';
  if (!/^(\/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$/.test(p)) return 'it must start with / and hold only letters, digits, -, _ and . between slashes (e.g. /p2p), not / alone (the web app is there)';
  return null;
}

/** /metrics is served when `metrics` is true or a token is set; a token must be a string of 16 characters or more. */
function metricsFrom(token: unknown, enabled: unknown): NodeConfig['metrics'] {
  if (enabled !== undefined && typeof enabled !== 'boolean') throw new RegistryError('validation_failed', 'metrics in node.json must be true or false');
  if (token === undefined) return { enabled: enabled === true, token: undefined };
  if (typeof token !== 'string' || token.length < 16 || /\s/.test(token))
    throw new RegistryError('validation_failed', 'metricsToken must be a string of at least 16 characters without spaces');
  return { enabled: enabled !== false, token };
}

/**
 * node.json "smtp": {host, port, secure, user?, passFile?, from, maxAttempts?, retryBaseMs?, pollMs?}; passFile is
 * read by the mailer at start (relative to the node's folder), never stored in the config.
 */
export function smtpFrom(v: unknown, dir: string): SmtpConfig | undefined {
  if (v === undefined || v === null) return undefined;
  const bad = (what: string) => new RegistryError('validation_failed', `smtp in node.json: ${what}`);
  if (typeof v !== 'object' || Array.isArray(v)) throw bad('must be an object {host, port, secure, user?, passFile?, from}');
  const o = v as Record<string, unknown>;
  const known = ['host', 'port', 'secure', 'user', 'passFile', 'from', 'maxAttempts', 'retryBaseMs', 'pollMs'];
  for (const k of Object.keys(o)) if (!known.includes(k)) throw bad(`unknown setting ${k} (known: ${known.join(', ')})`);
  if (typeof o.host !== 'string' || !o.host.trim()) throw bad('host is required');
  if (!Number.isInteger(o.port) || (o.port as number) < 1 || (o.port as number) > 65535) throw bad('port must be an integer from 1 to 65535');
  if (o.secure !== undefined && typeof o.secure !== 'boolean') throw bad('secure must be true or false');
  if (typeof o.from !== 'string' || !/@/.test(o.from) || /[\r\n]/.test(o.from)) throw bad('from must be an address such as "Registro <registro@example.org>"');
  if (o.user !== undefined && typeof o.user !== 'string') throw bad('user must be a string');
  if (o.passFile !== undefined && (typeof o.passFile !== 'string' || !o.passFile)) throw bad('passFile must be a file path');
  const int = (k: string, min: number, max: number) => {
    if (o[k] !== undefined && (!Number.isInteger(o[k]) || (o[k] as number) < min || (o[k] as number) > max)) throw bad(`${k} must be an integer from ${min} to ${max}`);
  };
  int('maxAttempts', 1, 50);
  int('retryBaseMs', 10, 86_400_000);
  int('pollMs', 10, 3_600_000);
  return {
    host: o.host,
    port: o.port as number,
    secure: o.secure === true,
    from: o.from,
    ...(o.user !== undefined ? { user: o.user as string } : {}),
    ...(o.passFile !== undefined ? { passFile: path.resolve(dir, o.passFile as string) } : {}),
    ...(o.maxAttempts !== undefined ? { maxAttempts: o.maxAttempts as number } : {}),
    ...(o.retryBaseMs !== undefined ? { retryBaseMs: o.retryBaseMs as number } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs as number } : {}),
  };
}

/** node.json "mirrors": libp2p peer ids (`12D3KooW…`, as a mirror's /api/v1/network shows under self.peerId). */
function checkMirrors(list: unknown): void {
  if (!Array.isArray(list)) throw new RegistryError('validation_failed', 'mirrors in node.json must be a list of peer ids ("mirrors": ["12D3KooW…"])');
  for (const id of list) {
    let ok = false;
    try {
      ok = typeof id === 'string' && peerIdToDid(id) !== null;
    } catch {
      ok = false;
    }
    if (!ok) throw new RegistryError('validation_failed', `invalid peer id in node.json "mirrors": ${JSON.stringify(id)} (expected an Ed25519 peer id such as 12D3KooW…, as the mirror's /api/v1/network shows under self.peerId)`);
  }
}

/** Every bootstrap address must name a TCP endpoint and the peer id there: refused at start, not in a late dial. */
function checkBootstrap(list: unknown): void {
  if (!Array.isArray(list)) throw new RegistryError('validation_failed', 'bootstrap must be a list of multiaddrs (node.json "bootstrap": ["/ip4/…/tcp/…/p2p/…"])');
  for (const a of list) {
    if (typeof a !== 'string') throw new RegistryError('validation_failed', `invalid bootstrap address ${JSON.stringify(a)}: not a string`);
    try {
      parsePeerAddress(a);
    } catch (e) {
      throw new RegistryError('validation_failed', `invalid bootstrap address "${a}": ${(e as Error).message}; expected /ip4/<host>/tcp/<port>/p2p/<peer id> (or a WebSocket path: /dns4/<host>/tcp/443/wss/http-path/p2p/p2p/<peer id>), as the peer's /api/v1/network shows under self.addresses`, { address: a });
    }
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
