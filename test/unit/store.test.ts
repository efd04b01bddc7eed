import { describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import { openStore, latestMigration, MIGRATIONS_DIR } from '../../node/store/database.js';
import { generateKey } from '../../node/identity/keys.js';
import { bodyJson, checkEnvelope, entryJson, idKey, signEntry, verifyEntrySignature, type Entry } from '../../node/feed/entry.js';

describe('store', () => {
  it('applies migrations and refuses a database written by a newer version', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-store-'));
    const file = path.join(dir, 'registry.db');
    const s = openStore(file);
    const n = (s.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    expect(n).toBe(latestMigration().count);
    // reopening is idempotent
    s.close();
    openStore(file).close();
    // a newer version added a migration
    const s2 = openStore(file);
    s2.sqlite.prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)').run('future', latestMigration().when + 1000);
    s2.close();
    expect(() => openStore(file)).toThrowError(/newer version of mochila/);
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('migration 0007 (entries stored as their wire JSON, integer id key)', () => {
  it('carries entries written by the previous schema over unchanged', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-migrate-'));
    try {
      // the migrations as they were before 0007
      const old = path.join(dir, 'migrations');
      cpSync(MIGRATIONS_DIR, old, { recursive: true });
      const journalFile = path.join(old, 'meta', '_journal.json');
      const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: { idx: number; tag: string }[] };
      const at = journal.entries.findIndex((e) => e.tag.startsWith('0007_'));
      expect(at).toBe(7);
      for (const e of journal.entries.slice(at)) rmSync(path.join(old, `${e.tag}.sql`));
      journal.entries = journal.entries.slice(0, at);
      writeFileSync(journalFile, JSON.stringify(journal));

      const file = path.join(dir, 'registry.db');
      const raw = new Database(file);
      raw.pragma('journal_mode = WAL');
      migrate(drizzle(raw), { migrationsFolder: old });
      const key = generateKey();
      const net = 'mochila-test-0123456789abcdef';
      raw.prepare("INSERT INTO meta (key, value) VALUES ('network', ?)").run(net);
      const written: Entry[] = [];
      let prev: string | null = null;
      for (let seq = 1; seq <= 50; seq++) {
        const e: Entry = signEntry(key, { v: 1, net, author: key.did, seq, prev, ts: new Date(Date.UTC(2026, 0, seq)).toISOString(), type: 'membership', body: { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `ñandú "${seq}" \u2028 😀` } });
        raw
          .prepare('INSERT INTO entries (id, author, seq, prev, ts, type, body, sig, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(e.id, e.author, e.seq, e.prev, e.ts, e.type, bodyJson(e), e.sig, '2026-02-01T00:00:00.000Z');
        written.push(e);
        prev = e.id;
      }
      raw.close();

      const s = openStore(file);
      const rows = s.sqlite.prepare('SELECT id, id_key, seq, entry FROM entries ORDER BY rowid').all() as { id: string; id_key: number; seq: number; entry: string }[];
      expect(rows).toHaveLength(50);
      rows.forEach((r, i) => {
        const e = written[i]!;
        expect(r.id_key).toBe(idKey(e.id));
        expect(JSON.parse(r.entry)).toEqual(JSON.parse(JSON.stringify(e)));
        expect(r.entry).toBe(entryJson(e)); // byte for byte what the node itself now writes
        // and it still verifies: same id recomputed from the stored JSON, signature good
        const back = checkEnvelope(JSON.parse(r.entry));
        expect(back.ok && back.entry.id).toBe(e.id);
        expect(back.ok && verifyEntrySignature(back.entry)).toBe(true);
      });
      const plan = s.sqlite.prepare('EXPLAIN QUERY PLAN SELECT entry FROM entries WHERE id_key = ? AND id = ?').all(1, 'x') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/entries_id_key/);
      s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
