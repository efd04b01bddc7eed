/**
 * The search's fast paths answer exactly what the plain path answers (property test, fixed seed): the catalogue
 * search's result and summary caches (node/catalogue/search.ts) and the search route's cache of serialised answers by
 * URL (node/http/routes/catalogue.routes.ts) against a fresh search and a fresh route table that have never answered
 * before, over random queries interleaved with random writes — a new record, a new version of a record, a withdrawal —
 * made through the feed on this connection or straight into the database by another connection (as another process,
 * e.g. the node a read mirror follows, would).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import express from 'express';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, type Services } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { signEntry, type Entry, type EntryType } from '../../node/feed/entry.js';
import { createManifest, networkId } from '../../node/trust/manifest.js';
import { CatalogueSearch, type SearchParams } from '../../node/catalogue/search.js';
import { catalogueRoutes } from '../../node/http/routes/catalogue.routes.js';
import { registerRoutes } from '../../node/http/route-table.js';
import { errorHandler } from '../../node/http/problem.js';
import { generateRecords } from '../../scripts/bench/gen-catalogue.js';
import { microcredentialId } from '../../node/feed/ids.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';

const COUNTRIES = ['MX', 'CL', 'GT'];
let dir: string;
let s: Services;
let net: string;
let other: Database.Database;
const feeds: { key: Ed25519Key; country: string; entries: Entry[]; codes: string[] }[] = [];
let fresh = 1000;

function push(f: (typeof feeds)[number], type: EntryType, body: unknown): void {
  const e = signEntry(f.key, { v: 2, net, author: f.key.did, seq: f.entries.length + 1, prev: f.entries.at(-1)?.id ?? null, ts: new Date().toISOString(), type, body });
  const r = s.feed.ingestBatch(f.key.did, [e]);
  expect(r.rejected).toEqual([]);
  f.entries.push(e);
}

function record(f: (typeof feeds)[number], r: MicrocredentialRecord, i: number): MicrocredentialRecord {
  return { ...r, awardingBody: { name: `Universidad ${i}` }, country: f.country };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mochila-search-cache-'));
  const keys = COUNTRIES.map(() => generateKey());
  const self = generateKey();
  const manifest = createManifest({ name: 'search cache', founders: [self.did, ...keys.map((k) => k.did)], endorsements: 2 });
  net = networkId(manifest);
  const keystore = keystoreFromData(newKeystoreData(self, generateKey(), new Date().toISOString()));
  s = buildServices(loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {}), { keystore, manifest, logger: silentLogger });
  for (const [i, key] of keys.entries()) {
    const f = { key, country: COUNTRIES[i]!, entries: [] as Entry[], codes: [] as string[] };
    feeds.push(f);
    push(f, 'profile', { name: { es: `Universidad ${i}` }, shortName: `U${i}`, country: f.country, kind: 'hei' });
    for (const r of generateRecords(12, 70 + i)) {
      const mc = record(f, r, i);
      push(f, 'microcredential', { op: 'put', microcredential: mc });
      f.codes.push(mc.code);
    }
  }
  other = new Database(path.join(dir, 'registry.db'));
});

afterAll(() => {
  other?.close();
  s?.store.close();
  rmSync(dir, { recursive: true, force: true });
});

const word = fc.constantFrom('gestion', 'gest', 'salud', 'infecciones', 'datos', 'aplicar', 'seguridad', 'calidad', 'zzz', 'ñandú', 'a"b');
/** A filter or option, absent four times in five (queries with every filter set match nothing). */
const some = <T>(a: fc.Arbitrary<T>): fc.Arbitrary<T | undefined> => fc.oneof({ weight: 4, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: a });
const params: fc.Arbitrary<SearchParams> = fc
  .record({
    q: fc.oneof({ weight: 1, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.array(word, { minLength: 1, maxLength: 2 }).map((w) => w.join(' ')) }),
    country: some(fc.subarray(COUNTRIES, { minLength: 1 })),
    participation: some(fc.subarray(['online', 'onsite', 'blended'], { minLength: 1 })),
    language: some(fc.subarray(['es', 'en'], { minLength: 1 })),
    level: some(fc.subarray(['EQF:4', 'EQF:5', 'EQF:6', '6'], { minLength: 1 })),
    field: some(fc.subarray(['09', '0913', '06', '04'], { minLength: 1 })),
    hoursMin: some(fc.integer({ min: 0, max: 200 })),
    sort: some(fc.constantFrom('relevance' as const, 'title' as const, 'hours' as const, 'recent' as const)),
    status: some(fc.constantFrom('active' as const, 'withdrawn' as const, 'all' as const)),
    page: some(fc.integer({ min: 1, max: 3 })),
    pageSize: some(fc.constantFrom(5, 20)),
  })
  .map((r) => Object.fromEntries(Object.entries(r).filter(([, v]) => v !== undefined)) as SearchParams);

/**
 * A run: a pool of a few queries, and a sequence of steps that each ask one of them or write — so the same query is
 * asked again after writes, which is when a stale cache would show.
 */
const run = (maxSteps: number) =>
  fc.record({
    pool: fc.array(params, { minLength: 1, maxLength: 4 }),
    steps: fc.array(fc.oneof({ weight: 3, arbitrary: fc.nat(3).map((q) => ({ q })) }, { weight: 2, arbitrary: fc.constant(null).chain(() => write.map((w) => ({ w }))) }), { minLength: 2, maxLength: maxSteps }),
  });

type Write = { kind: 'new' | 'version' | 'withdraw' | 'other-connection'; feed: number; pick: number };
const write: fc.Arbitrary<Write> = fc.record({ kind: fc.constantFrom('new' as const, 'version' as const, 'withdraw' as const, 'other-connection' as const), feed: fc.nat(2), pick: fc.nat(50) });

function apply(w: Write): void {
  const f = feeds[w.feed]!;
  const i = w.feed;
  const code = f.codes[w.pick % f.codes.length]!;
  const id = microcredentialId(f.key.did, code);
  if (w.kind === 'new') {
    const n = fresh++;
    const mc = record(f, generateRecords(1, n, `new${n}`)[0]!, i);
    push(f, 'microcredential', { op: 'put', microcredential: mc });
    f.codes.push(mc.code);
  } else if (w.kind === 'version') {
    const cur = s.catalogue.get(id)!;
    if (cur.status !== 'active') return; // a withdrawn record gets no new version
    push(f, 'microcredential', { op: 'put', microcredential: { ...cur.record, title: { ...cur.record.title, es: `${cur.record.title.es ?? ''} gestión ${fresh++}` } } });
  } else if (w.kind === 'withdraw') {
    if (s.catalogue.get(id)!.status !== 'active') return;
    push(f, 'microcredential', { op: 'withdraw', code, reason: { es: 'retirada en la prueba' } });
  } else {
    // a write by another connection: only data_version tells this connection's caches
    other.prepare("UPDATE microcredentials SET status = CASE status WHEN 'active' THEN 'withdrawn' ELSE 'active' END WHERE id = ?").run(id);
  }
}

function toUrl(p: SearchParams): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(p)) u.set(k, Array.isArray(v) ? v.join(',') : String(v));
  return `/api/v1/microcredentials?${u}`;
}

async function listen(app: express.Express): Promise<{ server: Server; base: string }> {
  const server = await new Promise<Server>((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function routeApp(): express.Express {
  const app = express();
  app.set('query parser', 'extended');
  registerRoutes(app, [catalogueRoutes(s)]);
  app.use(errorHandler(silentLogger));
  return app;
}

describe('search fast paths answer what the plain path answers', () => {
  it('the catalogue search with its caches equals a fresh search, across writes on this and another connection', () => {
    const cached = new CatalogueSearch(s.store, 8);
    // how often a query was asked again after a write had changed its answer: the case a stale cache gets wrong
    let changedAnswers = 0;
    fc.assert(
      fc.property(run(25), ({ pool, steps }) => {
        const last = new Map<number, string>();
        for (const op of steps) {
          if ('w' in op) apply(op.w);
          else {
            const p = pool[op.q % pool.length]!;
            const a = cached.search(p);
            const again = cached.search(p);
            const plain = new CatalogueSearch(s.store).search(p);
            const key = op.q % pool.length;
            const now = JSON.stringify(plain);
            if (last.has(key) && last.get(key) !== now) changedAnswers++;
            last.set(key, now);
            expect(a).toEqual(plain);
            expect(again).toEqual(plain);
          }
        }
      }),
      { seed: 20261202, numRuns: 40 },
    );
    expect(changedAnswers).toBeGreaterThan(10);
  });

  it("the search route's answers by URL equal a fresh route table's, across writes", async () => {
    const warm = await listen(routeApp());
    try {
      await fc.assert(
        fc.asyncProperty(run(12), async ({ pool, steps }) => {
          for (const op of steps) {
            if ('w' in op) {
              apply(op.w);
              continue;
            }
            const url = toUrl(pool[op.q % pool.length]!);
            const a = await fetch(warm.base + url);
            const b = await fetch(warm.base + url);
            const cold = await listen(routeApp());
            try {
              const c = await fetch(cold.base + url);
              const [ta, tb, tc] = [await a.text(), await b.text(), await c.text()];
              expect(a.status).toBe(c.status);
              expect(ta).toBe(tc);
              expect(tb).toBe(tc);
            } finally {
              await new Promise((r) => cold.server.close(r));
            }
          }
        }),
        { seed: 20261202, numRuns: 15 },
      );
    } finally {
      await new Promise((r) => warm.server.close(r));
    }
  }, 120_000);
});
