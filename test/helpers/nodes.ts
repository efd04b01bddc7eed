/**
 * Test helpers that build real nodes: in-memory services (SQLite :memory:) and started nodes (temp folder, real
 * HTTP on 127.0.0.1, port 0). Every helper returns something with `close()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger, type Logger } from '../../node/core/logger.js';
import type { Clock } from '../../node/core/clock.js';
import type { ReferenceData } from '../../node/catalogue/reference-data.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { createManifest, type Manifest } from '../../node/trust/manifest.js';
import { DEFAULT_PUBLIC_LIMITS, loadConfig, type NodeConfig, type PublicLimits } from '../../node/config.js';
import { buildServices, startNode, type MochilaNode, type Services } from '../../node/context.js';
import { initNode } from '../../node/init.js';

export function memoryServices(opts: { key?: Ed25519Key; manifest?: Manifest; clock?: Clock; founders?: string[]; referenceData?: ReferenceData } = {}): Services {
  const key = opts.key ?? generateKey();
  const issuer = generateKey();
  const manifest = opts.manifest ?? createManifest({ name: 'test network', founders: opts.founders ?? [key.did], endorsements: 1, createdAt: new Date('2026-01-01T00:00:00Z') });
  const keystore = keystoreFromData(newKeystoreData(key, issuer, new Date().toISOString()));
  // a database in memory cannot be lost or restored: its node may publish (see node/feed/own-feed.ts)
  const config = loadConfig(path.join(tmpdir(), 'mochila-memory'), { dbFile: ':memory:', httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1, standalone: true }, {});
  return buildServices(config, { keystore, manifest, logger: silentLogger, ...(opts.clock ? { clock: opts.clock } : {}), ...(opts.referenceData ? { referenceData: opts.referenceData } : {}) });
}

/** Public endpoint limits for test nodes: the defaults' concurrency, rates no test reaches. */
export const TEST_PUBLIC_LIMITS: PublicLimits = { ...DEFAULT_PUBLIC_LIMITS, verify: 100_000, lookup: 100_000, report: 100_000, claim: 100_000 };

export interface TestNode {
  node: MochilaNode;
  url: string;
  token: string;
  did: string;
  dir: string;
  close(): Promise<void>;
}

/** Initialises a node in a temp folder (like `mochila init`) and starts it on a free port. */
export async function startTestNode(
  opts: { name?: string; country?: string; manifest?: Manifest; key?: Ed25519Key; p2p?: boolean; config?: Partial<NodeConfig>; clock?: Clock; logger?: Logger } = {},
): Promise<TestNode> {
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-test-'));
  const r = initNode({
    dir,
    name: opts.name ?? 'Universidad de Prueba',
    country: opts.country ?? 'CL',
    ...(opts.manifest ? { manifest: opts.manifest } : {}),
    ...(opts.key ? { institutionKey: opts.key } : {}),
  });
  // tests call /verify and the recognition endpoints far more often than a person would: roomy rate limits
  const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: opts.p2p ? 0 : -1, publicLimits: TEST_PUBLIC_LIMITS, ...opts.config }, {});
  const node = await startNode(config, { logger: opts.logger ?? silentLogger, ...(opts.clock ? { clock: opts.clock } : {}) });
  return {
    node,
    url: node.httpUrl,
    token: r.token,
    did: r.did,
    dir,
    close: async () => {
      await node.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
