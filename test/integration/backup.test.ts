/**
 * Backup and restore (issue 16, item 3), on real nodes: `mochila backup` run as its own process while the node keeps
 * writing; the restored database passes SQLite's integrity check, every feed entry in it verifies, its projections
 * are what its entries derive, and a backup taken at a quiet point equals the live database table by table, row for
 * row. Corrupt, foreign and misplaced restores are refused with their own code and exit code, writing nothing. A node
 * restored from an old backup recovers its newer entries from its peers before it signs anything: no fork anywhere.
 */
import { afterAll, describe, expect, it, vi } from 'vitest';
import { execFile, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import Database from 'better-sqlite3';
import { RegistryError } from '../../node/core/errors.js';
import { silentLogger } from '../../node/core/logger.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, startNode, type MochilaNode } from '../../node/context.js';
import { entryId, verifyEntrySignature, type Entry } from '../../node/feed/entry.js';
import { initNode } from '../../node/init.js';
import { main } from '../../node/cli.js';
import { backupNode, restoreNode } from '../../node/ops/backup.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { PDF } from '../helpers/evidence-fixtures.js';
import { startNet, waitFor, LIVENESS_MS, type NetNode, type TestNet } from '../federation/net.js';

const ROOT = path.resolve(__dirname, '../..');
const BIN = path.join(ROOT, 'bin/mochila.js');
const records = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/units/cl-uac/catalogue.json'), 'utf8')) as Record<string, unknown>[];

const tmp = mkdtempSync(path.join(tmpdir(), 'mochila-backup-'));
const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
  rmSync(tmp, { recursive: true, force: true });
});

function mochila(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Every table (sqlite_master order), every row, in a stable order: what "the same database" means here. */
function dumpTables(db: Database.Database, skip: (table: string, row: Record<string, unknown>) => boolean = () => false): Record<string, unknown[]> {
  const tables = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
  const out: Record<string, unknown[]> = {};
  for (const t of tables) {
    const cols = (db.prepare(`PRAGMA table_info("${t}")`).all() as { name: string }[]).map((c) => `"${c.name}"`);
    out[t] = (db.prepare(`SELECT * FROM "${t}" ORDER BY ${cols.join(', ')}`).all() as Record<string, unknown>[]).filter((r) => !skip(t, r));
  }
  return out;
}

/** Every feed in the database: seqs from 1 without a gap, each entry's id recomputed, its chain and its signature. */
function verifyEveryEntry(db: Database.Database): number {
  const heads = db.prepare('SELECT author, head_seq AS seq, head_id AS id FROM feeds').all() as { author: string; seq: number; id: string }[];
  let n = 0;
  for (const h of heads) {
    const rows = db.prepare('SELECT id, seq, entry FROM entries WHERE author = ? ORDER BY seq').all(h.author) as { id: string; seq: number; entry: string }[];
    let prev: string | null = null;
    for (const [i, r] of rows.entries()) {
      const e = JSON.parse(r.entry) as Entry;
      expect(r.seq).toBe(i + 1);
      expect(e.seq).toBe(r.seq);
      expect(e.prev).toBe(prev);
      expect(entryId(e)).toBe(r.id);
      expect(e.id).toBe(r.id);
      expect(verifyEntrySignature(e), `signature of ${h.author}#${r.seq}`).toBe(true);
      prev = r.id;
      n++;
    }
    expect({ seq: rows.length, id: prev }).toEqual({ seq: h.seq, id: h.id });
  }
  return n;
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
}

async function refusal(p: Promise<unknown>): Promise<RegistryError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof RegistryError) return e;
    throw e;
  }
  throw new Error('the restore was not refused');
}

/** The CLI's exit code and message for argv, run in this process (main sets process.exitCode). */
async function cliExit(...args: string[]): Promise<{ code: number; stderr: string }> {
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const before = process.exitCode;
  try {
    process.exitCode = 0;
    await main(['node', 'mochila', ...args]);
    return { code: Number(process.exitCode ?? 0), stderr: err.mock.calls.map((c) => c.join(' ')).join('\n') };
  } finally {
    process.exitCode = before;
    err.mockRestore();
    log.mockRestore();
  }
}

/** Unpacks a backup with GNU tar (it is a plain ustar archive), lets `edit` change the folder, and packs it again. */
function repack(archive: string, out: string, edit: (dir: string) => void, order = ['mochila-backup.json', 'registry.db', 'keystore.json', 'manifest.json', 'node.json']): string {
  const d = mkdtempSync(path.join(tmp, 'repack-'));
  execFileSync('tar', ['-xzf', archive, '-C', d]);
  edit(d);
  execFileSync('tar', ['--format=ustar', '-czf', out, '-C', d, ...order.filter((f) => existsSync(path.join(d, f)))]);
  return out;
}

function sha256(file: string): string {
  return execFileSync('sha256sum', [file]).toString().split(' ')[0]!;
}

/** Nothing of a refused restore is left: no target folder, no temporary folder next to it. */
function nothingWritten(target: string): void {
  expect(existsSync(target), `${target} was created`).toBe(false);
  expect(readdirSync(path.dirname(target)).filter((f) => f.includes('.restore-'))).toEqual([]);
}

describe('mochila backup / restore', () => {
  let node: TestNode;
  let underLoad: string;

  it('backs up a running node under write load (as its own process), and the restored copy is whole and consistent', async () => {
    node = await startTestNode({ name: 'Universidad Austral de Chile' });
    cleanups.push(() => node.close());
    const s = node.node.services;
    // a reader holding a snapshot (as a long sync serve would) keeps the node's checkpoints from moving anything
    // newer into the database file: what follows lives only in the write-ahead log, which a file copy would miss
    const reader = new Database(path.join(node.dir, 'registry.db'), { readonly: true });
    reader.prepare('BEGIN').run();
    reader.prepare('SELECT COUNT(*) FROM entries').get();
    cleanups.push(() => {
      if (reader.inTransaction) reader.prepare('COMMIT').run();
      reader.close();
    });
    for (const r of records.slice(0, 3)) s.catalogue.create(r);
    const live = s.store.sqlite;
    const entriesAtStart = count(live, 'entries');

    // the load: catalogue records and credentials, one write after another, until the backup process has finished
    let stop = false;
    let writes = 0;
    const load = (async () => {
      for (let i = 0; !stop; i++) {
        const code = `load-${i}`;
        s.catalogue.create({ ...records[i % records.length], code });
        if (i % 3 === 0) await s.credentials.issue({ microcredential: code, learner: { name: `Persona ${i}`, email: `p${i}@example.org` } });
        writes++;
        await new Promise((r) => setImmediate(r));
      }
    })();
    underLoad = path.join(tmp, 'under-load.tar.gz');
    let res: Awaited<ReturnType<typeof mochila>>;
    try {
      // the node's writes go on while the other process starts and copies
      res = await mochila('backup', '--dir', node.dir, '--out', underLoad);
    } finally {
      stop = true;
      await load;
      reader.prepare('COMMIT').run();
    }
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(/backup written to/);
    const entriesAtEnd = count(live, 'entries');
    expect(writes, 'the node wrote while the backup ran').toBeGreaterThan(0);

    const restored = path.join(tmp, 'restored-under-load');
    const r = await restoreNode({ archive: underLoad, dir: restored });
    expect(r.manifest.did).toBe(node.did);
    for (const f of ['keystore.json', 'manifest.json', 'node.json']) expect(readFileSync(path.join(restored, f))).toEqual(readFileSync(path.join(node.dir, f)));
    const db = new Database(path.join(restored, 'registry.db'));
    try {
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      const n = verifyEveryEntry(db);
      expect(n).toBeGreaterThanOrEqual(entriesAtStart);
      expect(n).toBeLessThanOrEqual(entriesAtEnd);
      expect(count(db, 'entries')).toBe(n);
    } finally {
      db.close();
    }
    // a copy of one instant: the projections are exactly what its entries derive (a torn copy would differ), and
    // the local tables (issued credentials, status list bits, tokens) match them
    const copy = buildServices(loadConfig(restored, { standalone: true }, {}), { logger: silentLogger });
    try {
      // (full-text index segments are laid out by insertion history: compared through the index's own rows instead)
      const segments = (t: string) => /_fts_(data|idx)$/.test(t);
      const before = dumpTables(copy.store.sqlite, (t) => segments(t));
      copy.feed.rebuild();
      const after = dumpTables(copy.store.sqlite, (t) => segments(t));
      for (const t of Object.keys(before)) expect(after[t], `table ${t} after rebuild`).toEqual(before[t]);
      expect(count(copy.store.sqlite, 'microcredentials')).toBeGreaterThanOrEqual(3);
    } finally {
      copy.store.close();
    }
  }, 240_000);

  it('a backup taken at a quiet point equals the live database, table by table and row by row', async () => {
    // an evidence file attached at issuance (issue 15) travels with its credential
    const withFile = await node.node.services.credentials.issue({
      microcredential: records[0]!.code as string,
      learner: { name: 'Evidencia Respaldada', email: 'evidencia@example.org' },
      evidence: [{ name: 'Portafolio', file: { name: 'portafolio.pdf', mediaType: 'application/pdf', content: PDF } }],
    });
    const digest = createHash('sha256').update(PDF).digest('hex');
    expect((withFile.credential['evidence'] as { id: string }[])[0]!.id).toMatch(new RegExp(`/api/v1/evidence/${digest}$`));
    const out = path.join(tmp, 'quiet.tar.gz');
    await backupNode({ dir: node.dir, out });
    const restored = path.join(tmp, 'restored-quiet');
    await restoreNode({ archive: out, dir: restored });
    const db = new Database(path.join(restored, 'registry.db'), { readonly: true });
    try {
      // the only difference: the restored own feed is unconfirmed until a peer confirms it (or it is provably alone)
      const ownFeed = (t: string, r: Record<string, unknown>) => t === 'meta' && r.key === 'own_feed';
      const mine = dumpTables(db, ownFeed);
      const theirs = dumpTables(node.node.services.store.sqlite, ownFeed);
      expect(Object.keys(mine)).toEqual(Object.keys(theirs));
      for (const t of Object.keys(theirs)) expect(mine[t], `table ${t}`).toEqual(theirs[t]);
      expect(theirs.entries!.length).toBeGreaterThan(5);
      expect(JSON.parse((db.prepare("SELECT value FROM meta WHERE key = 'own_feed'").get() as { value: string }).value)).toMatchObject({ confirmed: false });
      const file = db.prepare('SELECT content FROM evidence_files WHERE digest = ?').get(digest) as { content: Buffer };
      expect(createHash('sha256').update(file.content).digest('hex')).toBe(digest);
      expect(db.prepare('SELECT name FROM credential_evidence WHERE credential_id = ?').get(withFile.id)).toEqual({ name: 'portafolio.pdf' });
    } finally {
      db.close();
    }
  }, 120_000);

  it('refuses a corrupt archive, a foreign one and a non-empty folder, each with its code and exit code, writing nothing', async () => {
    const good = path.join(tmp, 'quiet.tar.gz');

    // corrupt: a byte of the database changed inside a well-formed archive (its SHA-256 no longer matches)
    const raw = gunzipSync(readFileSync(good));
    const flipped = Buffer.from(raw);
    const manifestSize = parseInt(raw.subarray(124, 136).toString('ascii').replace(/\0.*$/, ''), 8);
    flipped[512 + Math.ceil(manifestSize / 512) * 512 + 512 + 1000]! ^= 0xff; // inside registry.db (the 2nd member)
    const corrupt = path.join(tmp, 'corrupt.tar.gz');
    writeFileSync(corrupt, gzipSync(flipped));
    let target = path.join(tmp, 't-corrupt');
    let e = await refusal(restoreNode({ archive: corrupt, dir: target }));
    expect(e.code).toBe('backup_corrupt');
    expect(e.message).toMatch(/registry\.db .*SHA-256/);
    nothingWritten(target);
    expect(await cliExit('restore', '--archive', corrupt, '--dir', target)).toMatchObject({ code: 3, stderr: expect.stringMatching(/backup_corrupt/) });
    nothingWritten(target);

    // corrupt: truncated (a copy cut short), and a byte flipped in the compressed stream
    const bytes = readFileSync(good);
    const cut = path.join(tmp, 'cut.tar.gz');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length / 2)));
    expect((await refusal(restoreNode({ archive: cut, dir: target }))).code).toBe('backup_corrupt');
    nothingWritten(target);
    const noise = Buffer.from(bytes);
    noise[Math.floor(noise.length / 2)]! ^= 0x55;
    const noisy = path.join(tmp, 'noisy.tar.gz');
    writeFileSync(noisy, noise);
    expect((await refusal(restoreNode({ archive: noisy, dir: target }))).code).toBe('backup_corrupt');
    nothingWritten(target);

    // foreign: not gzip; a tar.gz of something else; another format version
    target = path.join(tmp, 't-foreign');
    const text = path.join(tmp, 'notes.txt');
    writeFileSync(text, 'not a backup\n');
    e = await refusal(restoreNode({ archive: text, dir: target }));
    expect(e.code).toBe('backup_foreign');
    expect(e.message).toMatch(/not a mochila backup/);
    const other = path.join(tmp, 'other.tar.gz');
    execFileSync('tar', ['-czf', other, '-C', tmp, 'notes.txt']);
    e = await refusal(restoreNode({ archive: other, dir: target }));
    expect(e.code).toBe('backup_foreign');
    expect(e.message).toMatch(/does not begin with mochila-backup\.json/);
    const v2 = repack(good, path.join(tmp, 'v2.tar.gz'), (d) => {
      const m = JSON.parse(readFileSync(path.join(d, 'mochila-backup.json'), 'utf8'));
      writeFileSync(path.join(d, 'mochila-backup.json'), JSON.stringify({ ...m, version: 2 }));
    });
    e = await refusal(restoreNode({ archive: v2, dir: target }));
    expect(e.code).toBe('backup_foreign');
    expect(e.message).toMatch(/format version 2/);
    expect(await cliExit('restore', '--archive', v2, '--dir', target)).toMatchObject({ code: 4 });
    nothingWritten(target);

    // foreign: another node's keys with checksums that match them (a mix-up, not damage)
    const stranger = path.join(tmp, 'stranger');
    initNode({ dir: stranger, name: 'Universidad Ajena', country: 'GT' });
    const swapped = repack(good, path.join(tmp, 'swapped.tar.gz'), (d) => {
      writeFileSync(path.join(d, 'keystore.json'), readFileSync(path.join(stranger, 'keystore.json')));
      const m = JSON.parse(readFileSync(path.join(d, 'mochila-backup.json'), 'utf8'));
      for (const f of m.files) if (f.name === 'keystore.json') Object.assign(f, { sha256: sha256(path.join(d, 'keystore.json')), bytes: readFileSync(path.join(d, 'keystore.json')).length });
      writeFileSync(path.join(d, 'mochila-backup.json'), JSON.stringify(m));
    });
    e = await refusal(restoreNode({ archive: swapped, dir: target }));
    expect(e.code).toBe('backup_foreign');
    expect(e.message).toMatch(/key file in the archive belongs to did:key:/);
    nothingWritten(target);
    // and a member the manifest does not list, with a path
    const extra = repack(good, path.join(tmp, 'extra.tar.gz'), (d) => writeFileSync(path.join(d, 'evil.sh'), 'rm -rf /\n'), ['mochila-backup.json', 'registry.db', 'evil.sh', 'keystore.json', 'manifest.json', 'node.json']);
    expect((await refusal(restoreNode({ archive: extra, dir: target }))).code).toBe('backup_foreign');
    nothingWritten(target);

    // the same archive, repacked by GNU tar with nothing changed, restores: the refusals above are about content
    const same = repack(good, path.join(tmp, 'same.tar.gz'), () => {});
    await restoreNode({ archive: same, dir: target });
    expect(existsSync(path.join(target, 'registry.db'))).toBe(true);

    // a non-empty folder (a node's own, here) is never written over; an empty one is fine
    const before = readFileSync(path.join(target, 'keystore.json'));
    e = await refusal(restoreNode({ archive: good, dir: target }));
    expect(e.code).toBe('target_not_empty');
    expect(e.message).toMatch(/not empty/);
    expect(await cliExit('restore', '--archive', good, '--dir', target)).toMatchObject({ code: 5 });
    expect(readFileSync(path.join(target, 'keystore.json'))).toEqual(before);
    const empty = path.join(tmp, 'empty');
    mkdirSync(empty);
    await restoreNode({ archive: good, dir: empty });
    expect(readdirSync(empty).sort()).toEqual(['keystore.json', 'manifest.json', 'node.json', 'registry.db']);
  }, 120_000);
});

describe('a restored node rejoins without forking its own feed', () => {
  let net: TestNet;
  let restoredNode: MochilaNode | null = null;
  afterAll(async () => {
    await restoredNode?.stop();
    await net?.close();
  });

  it('recovers the entries written after the backup from its peers before it appends, and nobody records a fork', async () => {
    net = await startNet(3);
    const [a, b, c] = net.nodes as [NetNode, NetNode, NetNode];
    await net.connect(a, b);
    await net.connect(a, c);
    await net.connect(b, c);
    const sa = a.node.services;
    for (const r of records.slice(0, 2)) sa.catalogue.create(r);
    const archive = path.join(tmp, 'a.tar.gz');
    const backup = await backupNode({ dir: a.dir, out: archive });
    const atBackup = sa.feed.head(a.key.did)!;
    expect(backup.manifest.ownHead).toEqual({ seq: atBackup.seq, id: atBackup.id });

    // A goes on writing after the backup; its peers take the new entries; then A is lost
    for (const r of records.slice(2, 4)) sa.catalogue.create(r);
    const latest = sa.feed.head(a.key.did)!;
    expect(latest.seq).toBe(atBackup.seq + 2);
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === latest.id), LIVENESS_MS, "B and C to hold A's latest entries");
    await a.stop();

    const dir = path.join(tmp, 'a-restored');
    await restoreNode({ archive, dir });
    // before it starts, the CLI on the restored folder may not sign either (the backup was of a confirmed node)
    const cli = buildServices(loadConfig(dir, {}, {}), { logger: silentLogger });
    try {
      expect(cli.ownFeed.state().confirmed).toBe(false);
      expect(() => cli.catalogue.create(records[4])).toThrow(expect.objectContaining({ code: 'own_feed_unconfirmed' }));
      expect(cli.feed.head(a.key.did)).toEqual(atBackup);
    } finally {
      cli.store.close();
    }

    const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0, bootstrap: [b.addr, c.addr], standalone: false }, {});
    restoredNode = await startNode(config, { logger: silentLogger, replication: { syncIntervalMs: 1_000, redialMinMs: 100, redialMaxMs: 1_000 } });
    const s = restoredNode.services;
    await waitFor(() => s.ownFeed.state().confirmed, LIVENESS_MS, 'the restored node to confirm its own feed with a peer');
    expect(s.ownFeed.state()).toMatchObject({ confirmed: true, basis: 'peers', seq: latest.seq });
    expect(s.feed.head(a.key.did)).toEqual(latest);
    const mc = s.catalogue.create(records[4]);
    const next = s.feed.head(a.key.did)!;
    expect(next.seq).toBe(latest.seq + 1);
    expect(s.feed.get(next.id)!.prev).toBe(latest.id);
    await waitFor(() => [b, c].every((n) => n.node.services.feed.head(a.key.did)?.id === next.id), LIVENESS_MS, "B and C to take the restored node's next entry");
    expect(c.node.services.catalogue.get(mc.id)).toBeTruthy();
    for (const [name, sv] of [['restored A', s], ['B', b.node.services], ['C', c.node.services]] as const) {
      expect(sv.feed.equivocations(), `equivocations on ${name}`).toEqual([]);
      expect(sv.feed.isFrozen(a.key.did), `A frozen on ${name}`).toBe(false);
    }
  }, 180_000);
});
