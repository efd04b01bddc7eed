/**
 * The machine's limit for the catch-up work, measured in the same run as the catch-up itself: SHA-256 over the
 * canonical bytes of N entries plus inserting them into SQLite (a file, WAL, 1,000 per transaction), no network, no
 * signature, schema or membership checks, no projections.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Entry } from '../../node/feed/entry.js';
import { canonicalJson } from '../../node/core/canonical.js';

export function machineLimit(entries: Entry[]): { entries: number; seconds: number; entriesPerSecond: number } {
  // same storage as a node: a file in WAL mode, the same page cache, an index on the id's 16-character prefix and a
  // unique one on (author, seq)
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-limit-'));
  const db = new Database(path.join(dir, 'limit.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 8192');
  db.exec('CREATE TABLE e (id TEXT NOT NULL, author TEXT, seq INTEGER, prev TEXT, ts TEXT, type TEXT, body TEXT, sig TEXT, UNIQUE (author, seq))');
  db.exec('CREATE INDEX e_id_prefix ON e (substr(id, 1, 16))');
  const ins = db.prepare('INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const t0 = performance.now();
  // one transaction per 1,000 entries, like sync batches
  for (let i = 0; i < entries.length; i += 1000) db.transaction(() => {
    for (const e of entries.slice(i, i + 1000)) {
      const { sig, id: _id, ...unsigned } = e;
      const bytes = canonicalJson(unsigned);
      const id = createHash('sha256').update(bytes).digest('hex');
      ins.run(id, e.author, e.seq, e.prev, e.ts, e.type, canonicalJson(e.body), sig);
    }
  })();
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { entries: entries.length, seconds: Math.round(seconds * 1000) / 1000, entriesPerSecond: Math.round(entries.length / seconds) };
}
