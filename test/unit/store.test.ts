import { describe, expect, it } from 'vitest';
import { databaseBefore } from '../helpers/migrations.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openStore, latestMigration } from '../../node/store/database.js';
import { generateKey } from '../../node/identity/keys.js';
import { checkEnvelope, idKey } from '../../node/feed/entry.js';
import { FeedService } from '../../node/feed/feed.service.js';
import { canonicalJson, sha256Hex } from '../../node/core/canonical.js';
import { signBytes, type Ed25519Key } from '../../node/identity/keys.js';
import { silentLogger } from '../../node/core/logger.js';
import { systemClock } from '../../node/core/clock.js';
import type { RegistryError } from '../../node/core/errors.js';
import { SchemaRegistry } from '../../node/core/schema-registry.js';

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

/** An entry in feed format 1 (before 0.2): id = sha256(JCS(entry without sig)), sig over the same bytes. */
function formatOneEntry(key: Ed25519Key, f: { net: string; seq: number; prev: string | null; ts: string; body: unknown }) {
  const unsigned = { author: key.did, body: f.body, net: f.net, prev: f.prev, seq: f.seq, ts: f.ts, type: 'membership', v: 1 };
  const bytes = Buffer.from(canonicalJson(unsigned));
  return { ...unsigned, id: sha256Hex(bytes), sig: Buffer.from(signBytes(key, bytes)).toString('base64url') };
}

describe('migration 0007 (entries stored as their wire JSON, integer id key) and feed format 1', () => {
  it('carries format-1 entries over as wire JSON, and a node of format 2 refuses that database with what to do', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mochila-migrate-'));
    try {
      // the migrations as they were before 0007
      const { raw, file, index } = databaseBefore(dir, '0007_');
      expect(index).toBe(7);
      const key = generateKey();
      const net = 'mochila-test-0123456789abcdef';
      raw.prepare("INSERT INTO meta (key, value) VALUES ('network', ?)").run(net);
      const written: ReturnType<typeof formatOneEntry>[] = [];
      let prev: string | null = null;
      for (let seq = 1; seq <= 50; seq++) {
        const e = formatOneEntry(key, { net, seq, prev, ts: new Date(Date.UTC(2026, 0, seq)).toISOString(), body: { action: 'acknowledge-manifest', manifestHash: 'c'.repeat(64), statement: `ñandú "${seq}" \u2028 😀` } });
        raw
          .prepare('INSERT INTO entries (id, author, seq, prev, ts, type, body, sig, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(e.id, e.author, e.seq, e.prev, e.ts, e.type, canonicalJson(e.body), e.sig, '2026-02-01T00:00:00.000Z');
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
        expect(r.entry.startsWith('{"v":1,')).toBe(true);
        expect(JSON.parse(r.entry)).toEqual({ v: 1, net, author: e.author, seq: e.seq, prev: e.prev, ts: e.ts, type: e.type, body: e.body, sig: e.sig, id: e.id });
        // format 2 refuses the entry: it is not this node's format
        const back = checkEnvelope(JSON.parse(r.entry));
        expect(back.ok).toBe(false);
      });
      const plan = s.sqlite.prepare('EXPLAIN QUERY PLAN SELECT entry FROM entries WHERE id_key = ? AND id = ?').all(1, 'x') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' ')).toMatch(/entries_id_key/);
      // the feed store refuses to run on format-1 entries, and says what to do
      const err = (() => {
        try {
          new FeedService({ store: s, schemas: new SchemaRegistry(), network: net, key, clock: systemClock, logger: silentLogger });
        } catch (e) {
          return e as RegistryError;
        }
        return null;
      })();
      expect(err?.code).toBe('unsupported_feed_format');
      expect(err?.message).toMatch(/move the database file aside/);
      s.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
