/**
 * Upgrading from the previous release (issue 16 item 7): a data folder written by release 0.1.0 (commit d7a0b7c, made
 * with that release's own CLI: fixtures/previous-release/0.1.0-d7a0b7c/README.md) is copied to a temp dir and opened
 * by the current code. Migrations apply (and the ones the old release applied are byte for byte the current ones:
 * migrations are forward-only), every stored feed entry verifies and is accepted by a fresh current node through
 * the acceptance rule, the catalogue search finds the imported records, the credentials keep their statuses (revoked,
 * suspended, active) and verify accordingly, the node starts and serves /healthz, and a database from a newer
 * version than this one is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmodSync, cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { loadConfig } from '../../node/config.js';
import { startNode, type MochilaNode } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { entryId, verifyEntrySignature, type Entry } from '../../node/feed/entry.js';
import { latestMigration, MIGRATIONS_DIR, openStore } from '../../node/store/database.js';
import type { Manifest } from '../../node/trust/manifest.js';
import { memoryServices } from '../helpers/nodes.js';

const FIXTURE = path.resolve(__dirname, '../../fixtures/previous-release/0.1.0-d7a0b7c');
const DID = 'did:key:z6MkpWhoWGr74ykRsZS4ZCzKjADUNbunyfzCe7FEU5bKfocT';
const NETWORK = 'universidad-de-prueba-de-la-vers-1a9f4110be3592b9';
const TOKEN = 'mch_8c03eee4d6ed_QHQk3FwK8wh2GgzJqw-r06W63N41VpOd';
const catalogue = JSON.parse(readFileSync(path.join(FIXTURE, 'catalogue.json'), 'utf8')) as { code: string; title: { es: string } }[];
const credentials = JSON.parse(readFileSync(path.join(FIXTURE, 'credentials.json'), 'utf8')) as Record<
  'revoked' | 'suspended' | 'active',
  { id: string }
>;

type Report = { verified: boolean; checks: { id: string; status: string; reason: string }[] };

/** A copy of the fixture's data folder, as an operator's folder would be (key file 0600, as git does not keep modes). */
function copyFixture(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-prev-'));
  for (const f of ['registry.db', 'keystore.json', 'manifest.json', 'node.json']) cpSync(path.join(FIXTURE, f), path.join(dir, f));
  chmodSync(path.join(dir, 'keystore.json'), 0o600);
  return dir;
}

const startIn = (dir: string) =>
  startNode(loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {}), { logger: silentLogger });

describe('a data folder written by the previous release (0.1.0, d7a0b7c)', () => {
  let dir: string;
  let node: MochilaNode;
  let url: string;
  let appliedBefore: { hash: string; created_at: number }[];
  beforeAll(async () => {
    dir = copyFixture();
    const raw = new Database(path.join(dir, 'registry.db'), { readonly: true });
    appliedBefore = raw.prepare('SELECT hash, created_at FROM __drizzle_migrations ORDER BY created_at').all() as typeof appliedBefore;
    raw.close();
    node = await startIn(dir);
    url = node.httpUrl;
  });
  afterAll(async () => {
    await node?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrations are forward-only: the ones the old release applied are unchanged, and the current ones are applied on top', () => {
    const journal = JSON.parse(readFileSync(path.join(MIGRATIONS_DIR, 'meta', '_journal.json'), 'utf8')) as {
      entries: { idx: number; when: number; tag: string }[];
    };
    // the journal only grows: indexes in order, timestamps strictly increasing, one .sql file per entry and no other
    journal.entries.forEach((e, i) => {
      expect(e.idx).toBe(i);
      if (i > 0) expect(e.when).toBeGreaterThan(journal.entries[i - 1]!.when);
    });
    expect(
      readdirSync(MIGRATIONS_DIR)
        .filter((f) => f.endsWith('.sql'))
        .sort(),
    ).toEqual(journal.entries.map((e) => `${e.tag}.sql`).sort());
    // every migration the old release applied is still there, at the same place, with the same SQL (drizzle's hash)
    expect(appliedBefore.length).toBeGreaterThan(0);
    expect(appliedBefore.length).toBeLessThanOrEqual(journal.entries.length);
    appliedBefore.forEach((m, i) => {
      const e = journal.entries[i]!;
      const sql = readFileSync(path.join(MIGRATIONS_DIR, `${e.tag}.sql`)).toString();
      expect(createHash('sha256').update(sql).digest('hex'), e.tag).toBe(m.hash);
      expect(e.when, e.tag).toBe(m.created_at);
    });
    // opened by the current code: every current migration is recorded
    const n = (node.services.store.sqlite.prepare('SELECT COUNT(*) AS n FROM __drizzle_migrations').get() as { n: number }).n;
    expect(n).toBe(latestMigration().count);
  });

  it('starts and serves /healthz as the same institution on the same network', async () => {
    const r = await fetch(`${url}/healthz`);
    expect(r.status).toBe(200);
    expect(await r.json()).toMatchObject({ status: 'ok', db: 'ok', did: DID, network: NETWORK });
  });

  it('every stored feed entry verifies (id, signature, chain) and a fresh current node accepts them all', () => {
    const feed = node.services.feed;
    // one snapshot of the heads (a started node may append to its own feed meanwhile: only what the snapshot names is read)
    const heads = feed.heads();
    expect(heads.map((h) => h.author)).toContain(DID);
    const all: Entry[] = [];
    for (const h of heads) {
      const entries = feed.read(h.author, 1, h.seq);
      expect(entries.length, h.author).toBe(h.seq);
      let prev: string | null = null;
      entries.forEach((e, i) => {
        expect(e.seq).toBe(i + 1);
        expect(e.prev).toBe(prev);
        expect(entryId(e)).toBe(e.id);
        expect(verifyEntrySignature(e), `${e.author} #${e.seq}`).toBe(true);
        prev = e.id;
      });
      all.push(...entries);
    }
    // the old release wrote 15 entries (README of the fixture); the current code may add its own on top, never fewer
    expect(all.length).toBeGreaterThanOrEqual(15);
    // the one acceptance rule of the current code (schema, membership, chain, signature) takes every entry
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
    const fresh = memoryServices({ manifest });
    try {
      expect(fresh.feed.network).toBe(NETWORK);
      for (const e of all) {
        const r = fresh.feed.ingestOne(JSON.parse(JSON.stringify(e)));
        expect(r.rejected, `${e.author} #${e.seq} ${e.type}`).toEqual([]);
        expect(r.accepted, `${e.author} #${e.seq}`).toBe(1);
      }
      expect(fresh.feed.heads()).toEqual(heads);
    } finally {
      fresh.store.close();
    }
  });

  it('the catalogue search finds every imported record, by word too', async () => {
    const all = (await (await fetch(`${url}/api/v1/microcredentials?pageSize=100`)).json()) as {
      total: number;
      items: { code?: string; title: { es?: string } }[];
    };
    expect(all.total).toBe(catalogue.length);
    expect(all.items.map((i) => i.title.es).sort()).toEqual(catalogue.map((c) => c.title.es).sort());
    const one = (await (await fetch(`${url}/api/v1/microcredentials?q=sismorresistente`)).json()) as {
      total: number;
      items: { title: { es?: string } }[];
    };
    expect(one.total).toBe(1);
    expect(one.items[0]!.title.es).toBe('Diseño sismorresistente de estructuras');
  });

  it('the credentials keep their statuses (revoked, suspended, active) and verify accordingly; the old admin token still works', async () => {
    const admin = { authorization: `Bearer ${TOKEN}` };
    const status = async (id: string) => {
      const r = await fetch(`${url}/api/v1/admin/credentials/${encodeURIComponent(id)}`, { headers: admin });
      expect(r.status, await r.clone().text()).toBe(200);
      return ((await r.json()) as { status: { revoked: boolean; suspended: boolean } }).status;
    };
    expect(await status(credentials.revoked.id)).toMatchObject({ revoked: true, suspended: false });
    expect(await status(credentials.suspended.id)).toMatchObject({ revoked: false, suspended: true });
    expect(await status(credentials.active.id)).toMatchObject({ revoked: false, suspended: false });

    const verify = async (c: unknown): Promise<Report> => {
      const r = await fetch(`${url}/api/v1/verify`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(c),
      });
      expect(r.status).toBe(200);
      return (await r.json()) as Report;
    };
    const check = (r: Report, id: string) => r.checks.find((c) => c.id === id);
    const revoked = await verify(credentials.revoked);
    expect(revoked.verified).toBe(false);
    expect(check(revoked, 'status')).toMatchObject({ status: 'failed' });
    expect(check(revoked, 'status')!.reason).toContain('revoked');
    expect(check(revoked, 'proof')).toMatchObject({ status: 'ok' });
    const suspended = await verify(credentials.suspended);
    expect(suspended.verified).toBe(false);
    expect(check(suspended, 'status')!.reason).toContain('suspended');
    const active = await verify(credentials.active);
    expect(active.verified, JSON.stringify(active.checks)).toBe(true);
  });
});

describe('a database from a newer version than this one', () => {
  it('is refused, and the node does not start on it', async () => {
    const dir = copyFixture();
    try {
      const s = openStore(path.join(dir, 'registry.db'));
      s.sqlite
        .prepare('INSERT INTO __drizzle_migrations (hash, created_at) VALUES (?, ?)')
        .run('a-migration-from-the-future', latestMigration().when + 1000);
      s.close();
      await expect(startIn(dir)).rejects.toThrow(/newer version of mochila/);
      // refused before anything was written: the future migration is still the newest, nothing was rolled back
      const raw = new Database(path.join(dir, 'registry.db'), { readonly: true });
      const last = raw.prepare('SELECT hash FROM __drizzle_migrations ORDER BY created_at DESC LIMIT 1').get() as { hash: string };
      raw.close();
      expect(last.hash).toBe('a-migration-from-the-future');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
