/**
 * The machine's limit for the catch-up work, measured in the same run as the catch-up itself: what hashing and SQLite
 * alone allow. SHA-256 over each entry's canonical signed bytes (what its id hashes) plus inserting the row the node stores (a file, WAL, the same
 * indexes, 1,000 per transaction). The canonical bytes and the stored JSON are prepared before the clock starts: no
 * network, parsing, canonicalisation, signature, schema or membership checks, no projections.
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { entryJson, idKey, idString, type Entry } from '../../node/feed/entry.js';

export function machineLimit(entries: Entry[]): { entries: number; seconds: number; entriesPerSecond: number } {
  // same storage as a node: a file in WAL mode, the same page cache, the entry stored as its JSON next to an integer
  // id key (indexed) and a unique index on (author, seq)
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-limit-'));
  const db = new Database(path.join(dir, 'limit.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('cache_size = -65536');
  db.pragma('wal_autocheckpoint = 8192');
  db.exec('CREATE TABLE e (rowid INTEGER PRIMARY KEY, id TEXT NOT NULL, id_key INTEGER NOT NULL, author TEXT, seq INTEGER, type TEXT, entry TEXT, received_at TEXT, UNIQUE (author, seq))');
  db.exec('CREATE INDEX e_id_key ON e (id_key)');
  const ins = db.prepare('INSERT INTO e VALUES (NULL, ?, ?, ?, ?, ?, ?, ?)');
  const now = new Date().toISOString();
  let ms = 0;
  // one transaction per 1,000 entries, like sync batches; each chunk's bytes and JSON prepared off the clock
  for (let i = 0; i < entries.length; i += 1000) {
    const chunk = entries.slice(i, i + 1000).map((e) => ({ e, bytes: Buffer.from(idString(e)), json: entryJson(e) }));
    const t0 = performance.now();
    db.transaction(() => {
      for (const { e, bytes, json } of chunk) {
        const id = createHash('sha256').update(bytes).digest('hex');
        ins.run(id, idKey(id), e.author, e.seq, e.type, json, now);
      }
    })();
    ms += performance.now() - t0;
  }
  const seconds = ms / 1000;
  db.close();
  rmSync(dir, { recursive: true, force: true });
  return { entries: entries.length, seconds: Math.round(seconds * 1000) / 1000, entriesPerSecond: Math.round(entries.length / seconds) };
}
