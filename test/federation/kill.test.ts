// Killing a node (SIGKILL, as a power cut would) in the middle of a catch-up leaves its database consistent — every
// feed a contiguous, verified prefix of the author's chain, projections matching — and the next start resumes from
// where it stopped. The killed node runs as a real `mochila start` process.
import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateKey } from '../../node/identity/keys.js';
import { signEntry, type Entry } from '../../node/feed/entry.js';
import { networkId } from '../../node/trust/manifest.js';
import { initNode } from '../../node/init.js';
import { loadConfig } from '../../node/config.js';
import { startNode } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { LIVENESS_MS, startNet, waitFor, type TestNet } from './net.js';

const ROOT = path.resolve(__dirname, '../..');

describe('a node killed mid-sync', () => {
  let net: TestNet | undefined;
  let child: ChildProcess | undefined;
  const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-kill-'));
  afterAll(async () => {
    child?.kill('SIGKILL');
    await net?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('keeps a consistent database and resumes on restart', async () => {
    const author = generateKey(); // a founder whose feed A holds (store-and-forward): 20,000 entries
    const victim = generateKey();
    net = await startNet(1, { extraFounders: [author, victim], syncIntervalMs: 60_000 });
    const a = net.nodes[0]!;
    const N = 20_000;
    const net_ = networkId(net.manifest);
    const entries: Entry[] = [];
    let prev: string | null = null;
    for (let i = 1; i <= N; i++) {
      const e: Entry = signEntry(author, { v: 2, net: net_, author: author.did, seq: i, prev, ts: new Date().toISOString(), type: 'membership', body: { action: 'acknowledge-manifest', manifestHash: 'b'.repeat(64), statement: `entrada ${i} ${'x'.repeat(400)}` } });
      entries.push(e);
      prev = e.id;
    }
    for (let i = 0; i < N; i += 5_000) expect(a.node.services.feed.ingestBatch(author.did, entries.slice(i, i + 5_000)).accepted).toBe(5_000);

    // the victim: a real process that starts pulling from A
    const dir = path.join(tmp, 'victim');
    initNode({ dir, name: 'Universidad Víctima', country: 'GT', manifest: net.manifest, institutionKey: victim });
    child = spawn(process.execPath, [path.join(ROOT, 'bin/mochila.js'), 'start', '--dir', dir, '--http-port', '0', '--http-host', '127.0.0.1', '--p2p-port', '0', '--bootstrap', a.addr, '--log-level', 'error'], { cwd: ROOT, stdio: 'ignore' });
    const exited = new Promise<void>((r) => child!.once('exit', () => r()));
    const db = path.join(dir, 'registry.db');
    const held = () => {
      try {
        const d = new Database(db, { readonly: true, fileMustExist: true });
        try {
          return (d.prepare('SELECT head_seq AS s FROM feeds WHERE author = ?').get(author.did) as { s: number } | undefined)?.s ?? 0;
        } finally {
          d.close();
        }
      } catch {
        return 0;
      }
    };
    await waitFor(() => held() >= 500, 60_000, 'the victim to start receiving');
    child.kill('SIGKILL');
    await exited;

    // consistent after the kill: integrity, and the feed is a contiguous chain whose head matches its entries
    const d = new Database(db, { readonly: true });
    expect(d.pragma('integrity_check', { simple: true })).toBe('ok');
    const head = d.prepare('SELECT head_seq AS seq, head_id AS id FROM feeds WHERE author = ?').get(author.did) as { seq: number; id: string };
    const stats = d.prepare('SELECT count(*) AS n, min(seq) AS lo, max(seq) AS hi FROM entries WHERE author = ?').get(author.did) as { n: number; lo: number; hi: number };
    d.close();
    expect(head.seq).toBeGreaterThanOrEqual(500);
    expect(head.seq, 'killed before it finished (otherwise this test proves nothing)').toBeLessThan(N);
    expect(stats).toEqual({ n: head.seq, lo: 1, hi: head.seq });
    expect(head.id).toBe(entries[head.seq - 1]!.id);

    // restart in-process: the next round resumes from the stored head and completes
    const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0 }, {});
    const again = await startNode(config, { logger: silentLogger, replication: { syncIntervalMs: 60_000 } });
    try {
      await again.replicator!.dial(a.addr);
      await waitFor(() => (again.services.feed.head(author.did)?.seq ?? 0) === N, LIVENESS_MS * 2, 'the restarted node to catch up');
      const r = again.services.feed.rebuild(); // projections re-derive cleanly from what was stored
      expect(r.entries).toBeGreaterThanOrEqual(N);
      const rounds = again.replicator!.status().rounds.filter((x) => 'entriesAccepted' in x);
      // it pulled only what it lacked
      expect(rounds.reduce((s, x) => s + ((x as { entriesAccepted?: number }).entriesAccepted ?? 0), 0)).toBeLessThanOrEqual(N - head.seq + 10);
    } finally {
      await again.stop();
    }
  }, 120_000);
});
