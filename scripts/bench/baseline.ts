/**
 * The machine's limit for the catch-up work, measured in the same run as the catch-up itself: SHA-256 over the
 * canonical bytes of N entries plus inserting them into SQLite in one transaction, no network, no verification.
 */
import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import type { Entry } from '../../node/feed/entry.js';
import { canonicalJson } from '../../node/core/canonical.js';

export function machineLimit(entries: Entry[]): { entries: number; seconds: number; entriesPerSecond: number } {
  const db = new Database(':memory:');
  db.exec('CREATE TABLE e (id TEXT PRIMARY KEY, author TEXT, seq INTEGER, prev TEXT, ts TEXT, type TEXT, body TEXT, sig TEXT)');
  const ins = db.prepare('INSERT INTO e VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  const t0 = performance.now();
  db.transaction(() => {
    for (const e of entries) {
      const { sig, id: _id, ...unsigned } = e;
      const bytes = canonicalJson(unsigned);
      const id = createHash('sha256').update(bytes).digest('hex');
      ins.run(id, e.author, e.seq, e.prev, e.ts, e.type, canonicalJson(e.body), sig);
    }
  })();
  const seconds = (performance.now() - t0) / 1000;
  db.close();
  return { entries: entries.length, seconds: Math.round(seconds * 1000) / 1000, entriesPerSecond: Math.round(entries.length / seconds) };
}
