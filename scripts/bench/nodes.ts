/**
 * Benchmark fixtures: real nodes in this process (temp folders, SQLite on disk, libp2p on loopback) and
 * pre-signed feeds, so a benchmark measures replication, not setup.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { silentLogger } from '../../node/core/logger.js';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { signEntry, type Entry, type EntryType } from '../../node/feed/entry.js';
import { createManifest, networkId, type Manifest } from '../../node/trust/manifest.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, startNode, type MochilaNode, type Services } from '../../node/context.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { initNode } from '../../node/init.js';
import type { ReplicatorOptions } from '../../node/federation/replicator.js';

export interface BenchNode {
  key: Ed25519Key;
  dir: string;
  node: MochilaNode;
  addr: string;
  token: string; // admin token (HTTP API)
}

export async function makeNodes(n: number, opts: { extraFounders?: string[]; replication?: Partial<ReplicatorOptions>; http?: boolean } = {}): Promise<{ manifest: Manifest; nodes: BenchNode[]; close: () => Promise<void> }> {
  const keys = Array.from({ length: n }, () => generateKey());
  const manifest = createManifest({ name: `bench ${Date.now()}`, founders: [...keys.map((k) => k.did), ...(opts.extraFounders ?? [])], endorsements: 2 });
  const nodes: BenchNode[] = [];
  for (const [i, key] of keys.entries()) {
    const dir = mkdtempSync(path.join(tmpdir(), `mochila-bench-${i}-`));
    const init = initNode({ dir, name: `Universidad ${i}`, country: ['MX', 'CL', 'GT'][i % 3]!, manifest, institutionKey: key });
    // fresh nodes that publish before they are connected (see node/feed/own-feed.ts)
    const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0, standalone: true }, {});
    const node = await startNode(config, { logger: silentLogger, http: opts.http ?? false, replication: { syncIntervalMs: 5_000, ...opts.replication } });
    nodes.push({ key, dir, token: init.token, node, addr: node.replicator!.addresses().find((a) => a.includes('127.0.0.1'))! });
  }
  return {
    manifest,
    nodes,
    close: async () => {
      await Promise.all(nodes.map((x) => x.node.stop()));
      for (const x of nodes) rmSync(x.dir, { recursive: true, force: true });
    },
  };
}

/** N consecutive signed entries of one author (~600-byte membership statements), starting after `after`. */
export function signedFeed(key: Ed25519Key, manifest: Manifest, n: number, after: { seq: number; id: string | null } = { seq: 0, id: null }, type: EntryType = 'membership'): Entry[] {
  const net = networkId(manifest);
  const out: Entry[] = [];
  let prev = after.id;
  const statement = 'Declaración institucional de participación en la red de cooperación en microcredenciales. '.repeat(5);
  const ts = new Date().toISOString();
  for (let i = 0; i < n; i++) {
    const e = signEntry(key, { v: 2, net, author: key.did, seq: after.seq + i + 1, prev, ts, type, body: { action: 'acknowledge-manifest', manifestHash: 'a'.repeat(64), statement: `${i} ${statement}` } });
    prev = e.id;
    out.push(e);
  }
  return out;
}

/**
 * One node's services in a temp folder (SQLite file, no HTTP or network), keyed by `self` with a fresh issuer key:
 * for benchmarks that load a replica and query it. `dir` is the folder to remove afterwards.
 */
export function benchServices(self: Ed25519Key, manifest: Manifest, label: string): { s: Services; dir: string } {
  const dir = mkdtempSync(path.join(tmpdir(), `mochila-bench-${label}-`));
  const keystore = keystoreFromData(newKeystoreData(self, generateKey(), new Date().toISOString()));
  const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {});
  return { s: buildServices(config, { keystore, manifest, logger: silentLogger }), dir };
}

/** A feed written by hand for a benchmark: `push` signs the next entry of `key`, chained to the one before. */
export function feedWriter(key: Ed25519Key, net: string, ts = new Date().toISOString()): { entries: Entry[]; push(type: EntryType, body: unknown): void } {
  const entries: Entry[] = [];
  let prev: string | null = null;
  return {
    entries,
    push(type, body) {
      const e = signEntry(key, { v: 2, net, author: key.did, seq: entries.length + 1, prev, ts, type, body });
      prev = e.id;
      entries.push(e);
    },
  };
}
