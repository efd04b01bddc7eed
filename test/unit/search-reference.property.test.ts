/**
 * The catalogue search's fast path equals a plain reference (property test, fast-check, fixed seed): for random
 * catalogues (institutions, countries, withdrawn records, records without a pilot area, many ties of title, hours and
 * score) and random searches (text typed whole or in part, every filter, status, sort, page, page size) and a small
 * random count limit (so capped totals and capped facets occur, and pages ordered past the count limit), the ids in order,
 * total, totalExact, facetsApproximate and every facet equal those of a reference written plainly in JavaScript over
 * the catalogue rows' own columns (not search_rows), with the full-text index asked only which rows match and their
 * bm25 score. The orders it defines (README "Search"): relevance = bm25, then title, then id; title = title, then id;
 * hours = hours, then title, then id; recent = last update newest first, then id. Every sort orders every match; a
 * text search counts its first `countLimit` matches in storage order (rowid); a capped count without text keeps the
 * facets index's key order.
 */
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { generateKey } from '../../node/identity/keys.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, type Services } from '../../node/context.js';
import { silentLogger } from '../../node/core/logger.js';
import { signEntry, type Entry, type EntryType } from '../../node/feed/entry.js';
import { createManifest, networkId } from '../../node/trust/manifest.js';
import { CatalogueSearch, toFtsQuery, type SearchParams, type SearchResult } from '../../node/catalogue/search.js';
import { generateRecords } from '../../scripts/bench/gen-catalogue.js';

type Dim = 'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea';
const DIMS: Dim[] = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'];
const COUNTRIES = ['MX', 'CL', 'GT', 'PE'];
const WORDS = ['gestion', 'calidad', 'infeccion', 'energia solar', 'robots', 'salud mental', 'en linea', 'datos', 'aplicar', 'avanzado', 'basico', 'universidad', 'riego', 'xyzzy', '¡¿!'];

interface Row {
  rowid: number;
  id: string;
  author: string;
  status: string;
  country: string;
  field: string;
  level_framework: string;
  level_value: string;
  participation: string;
  languages: string;
  pilot_area: string | null;
  hours: number;
  title_sort: string;
  updated_at: string;
}

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A node holding a random catalogue: `sizes[i]` records from institution i (country by index), some withdrawn. */
function catalogue(sizes: number[], seed: number, withdraw: number[], noPilot: number[]): Services {
  const dir = mkdtempSync(path.join(tmpdir(), 'mochila-search-ref-'));
  dirs.push(dir);
  const institutions = sizes.map(() => generateKey());
  const self = generateKey();
  const manifest = createManifest({ name: 'search reference', founders: [self.did, ...institutions.map((k) => k.did)], endorsements: 1 });
  const net = networkId(manifest);
  const keystore = keystoreFromData(newKeystoreData(self, generateKey(), new Date().toISOString()));
  const s = buildServices(loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {}), { keystore, manifest, logger: silentLogger });
  let n = 0;
  for (const [i, k] of institutions.entries()) {
    const entries: Entry[] = [];
    // a few distinct timestamps only, so "recent" has ties for the id to break
    const push = (type: EntryType, body: unknown) =>
      entries.push(signEntry(k, { v: 2, net, author: k.did, seq: entries.length + 1, prev: entries.at(-1)?.id ?? null, ts: `2026-0${1 + (entries.length % 3)}-01T00:00:00.000Z`, type, body }));
    const country = COUNTRIES[i % COUNTRIES.length]!;
    push('profile', { name: { es: `Universidad ${i}` }, shortName: `U${i}`, country, kind: 'hei' });
    for (const r of generateRecords(sizes[i]!, seed + i)) {
      const mc = { ...r, awardingBody: { name: `Universidad ${i}` }, country };
      if (noPilot.includes(n++ % 17)) delete (mc as { pilotArea?: string }).pilotArea;
      push('microcredential', { op: 'put', microcredential: mc });
    }
    expect(s.feed.ingestBatch(k.did, entries).rejected).toEqual([]);
  }
  const ids = (s.store.sqlite.prepare('SELECT id FROM microcredentials ORDER BY rowid').all() as { id: string }[]).map((r) => r.id);
  for (const w of withdraw) if (ids.length) s.store.sqlite.prepare("UPDATE microcredentials SET status = 'withdrawn' WHERE id = ?").run(ids[w % ids.length]);
  return s;
}

const bytes = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b)); // SQLite's BINARY collation
const cmpNullFirst = (a: string | null, b: string | null) => (a === b ? 0 : a === null ? -1 : b === null ? 1 : bytes(a, b));

/** The facet value(s) of a row in dimension d. */
function values(r: Row, d: Dim): string[] {
  switch (d) {
    case 'country':
      return [r.country];
    case 'institution':
      return [r.author];
    case 'field':
      return [r.field.slice(0, 2)];
    case 'level':
      return [`${r.level_framework}:${r.level_value}`];
    case 'participation':
      return [r.participation];
    case 'language':
      return r.languages.split(',').filter(Boolean);
    case 'pilotArea':
      return r.pilot_area ? [r.pilot_area] : [];
  }
}

/** Whether a row meets filter d of p (true when p has no such filter). */
function meets(r: Row, p: SearchParams, d: Dim): boolean {
  const list = p[d];
  if (!list || list.length === 0) return true;
  return list.slice(0, 50).some((v) => {
    switch (d) {
      case 'country':
        return r.country === v.toUpperCase();
      case 'institution':
        return r.author === v;
      case 'field':
        return r.field.startsWith(v);
      case 'level':
        return v.includes(':') ? `${r.level_framework}:${r.level_value}` === v.split(':', 2).join(':') : r.level_value === v;
      case 'participation':
        return r.participation === v;
      case 'language':
        return r.languages.includes(`,${v},`);
      case 'pilotArea':
        return r.pilot_area === v;
    }
  });
}

/** The plain reference search. */
function reference(s: Services, p: SearchParams, limit: number): Omit<SearchResult, 'rows'> & { ids: string[] } {
  const all = s.store.sqlite
    .prepare('SELECT rowid, id, author, status, country, field, level_framework, level_value, participation, languages, pilot_area, hours, title_sort, updated_at FROM microcredentials')
    .all() as Row[];
  const fts = p.q ? toFtsQuery(p.q) : null;
  let score = new Map<number, number>();
  let pool = all;
  if (fts) {
    score = new Map(
      (s.store.sqlite.prepare('SELECT rowid AS r, bm25(microcredentials_fts, 10.0, 3.0, 3.0, 2.0, 1.0) AS s FROM microcredentials_fts WHERE microcredentials_fts MATCH ?').all(fts) as { r: number; s: number }[]).map(
        (x) => [x.r, x.s],
      ),
    );
    pool = all.filter((r) => score.has(r.rowid)).sort((a, b) => a.rowid - b.rowid);
  } else {
    // the key order of microcredentials_facets, then rowid
    pool = [...all].sort(
      (a, b) =>
        bytes(a.status, b.status) ||
        bytes(a.country, b.country) ||
        bytes(a.author, b.author) ||
        bytes(a.field, b.field) ||
        bytes(a.level_framework, b.level_framework) ||
        bytes(a.level_value, b.level_value) ||
        bytes(a.participation, b.participation) ||
        cmpNullFirst(a.pilot_area, b.pilot_area) ||
        a.hours - b.hours ||
        bytes(a.languages, b.languages) ||
        a.rowid - b.rowid,
    );
  }
  const status = p.status ?? 'active';
  const common = (r: Row) => (status === 'all' || r.status === status) && (p.hoursMin === undefined || r.hours >= p.hoursMin) && (p.hoursMax === undefined || r.hours <= p.hoursMax);
  const passes = (r: Row, except: Dim | null) => common(r) && DIMS.every((d) => d === except || meets(r, p, d));
  const own = DIMS.filter((d) => (p[d]?.length ?? 0) > 0);
  const main = pool.filter((r) => passes(r, null));
  const counted = main.slice(0, limit + 1);
  const totalExact = counted.length <= limit;
  const counts = Object.fromEntries(DIMS.map((d) => [d, new Map<string, number>()])) as Record<Dim, Map<string, number>>;
  const add = (d: Dim, r: Row) => {
    for (const v of values(r, d)) counts[d].set(v, (counts[d].get(v) ?? 0) + 1);
  };
  for (const r of counted) for (const d of DIMS) if (!own.includes(d)) add(d, r);
  let facetsApproximate = !totalExact && own.length < DIMS.length;
  for (const d of own) {
    const pass = pool.filter((r) => passes(r, d)).slice(0, limit + 1);
    for (const r of pass) add(d, r);
    if (pass.length > limit) facetsApproximate = true;
  }
  const facets = Object.fromEntries(
    DIMS.map((d) => [
      d,
      [...counts[d]]
        .map(([value, count]) => ({ value, count }))
        .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0))
        .slice(0, 100),
    ]),
  ) as SearchResult['facets'];
  // ordering: every match, whatever the count limit (a broad query's best, newest or first-by-title record is found
  // wherever it is stored)
  const ordered = [...main];
  const byTitle = (a: Row, b: Row) => bytes(a.title_sort, b.title_sort) || bytes(a.id, b.id);
  const sort = p.sort === 'relevance' && !fts ? 'recent' : (p.sort ?? (fts ? 'relevance' : 'recent'));
  ordered.sort((a, b) => {
    switch (sort) {
      case 'relevance':
        return score.get(a.rowid)! - score.get(b.rowid)! || byTitle(a, b);
      case 'title':
        return byTitle(a, b);
      case 'hours':
        return a.hours - b.hours || byTitle(a, b);
      case 'recent':
        return bytes(b.updated_at, a.updated_at) || bytes(a.id, b.id);
    }
  });
  const page = Math.max(1, Math.floor(p.page ?? 1));
  const pageSize = Math.min(100, Math.max(1, Math.floor(p.pageSize ?? 20)));
  return {
    ids: ordered.slice((page - 1) * pageSize, page * pageSize).map((r) => r.id),
    total: Math.min(counted.length, limit),
    totalExact,
    page,
    pageSize,
    facetsApproximate,
    facets,
  };
}

/** Random search parameters over what the catalogue holds (and some values it does not). */
function paramsArb(authors: string[]): fc.Arbitrary<SearchParams> {
  // each filter present in about one search in four, as in a real mix (most searches set one or two)
  const maybe = <T>(a: fc.Arbitrary<T>, weight = 1) => fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight });
  const some = <T>(a: fc.Arbitrary<T>) => maybe(fc.array(a, { minLength: 1, maxLength: 3 }));
  return fc
    .record({
      q: maybe(
        fc.tuple(fc.constantFrom(...WORDS), fc.integer({ min: 2, max: 12 })).map(([w, n]) => w.slice(0, n)),
        4,
      ),
      country: some(fc.constantFrom('MX', 'cl', 'GT', 'PE', 'AR')),
      institution: some(fc.constantFrom(...authors, 'did:key:zNobody')),
      field: some(fc.constantFrom('09', '07', '0913', '1022', '0', '06')),
      level: some(fc.constantFrom('EQF:4', 'EQF:5', 'EQF:6', '7', 'NQF:5')),
      participation: some(fc.constantFrom('online', 'onsite', 'blended')),
      language: some(fc.constantFrom('es', 'en', 'pt')),
      pilotArea: some(fc.constantFrom('health', 'engineering')),
      hoursMin: maybe(fc.constantFrom(16, 40, 80)),
      hoursMax: maybe(fc.constantFrom(24, 64, 120)),
      status: maybe(fc.constantFrom('active' as const, 'withdrawn' as const, 'all' as const)),
      sort: maybe(fc.constantFrom('relevance' as const, 'title' as const, 'hours' as const, 'recent' as const), 3),
      page: maybe(fc.integer({ min: 1, max: 4 })),
      pageSize: maybe(fc.integer({ min: 1, max: 12 }), 2),
    })
    .map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => v !== undefined)) as SearchParams);
}

describe('catalogue search equals a plain reference', () => {
  it('ids in order, total, totalExact, facetsApproximate and facets, for random catalogues, searches and count limits', () => {
    // what the draws covered: the comparisons mean little unless each kind of answer occurred
    const seen = { capped: 0, textRows: 0, cappedRanking: 0, plainRows: 0, ownFacet: 0 };
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 3, max: 20 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 1000 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        fc.array(fc.integer({ min: 0, max: 16 }), { maxLength: 3 }),
        fc.integer({ min: 1, max: 12 }),
        (sizes, seed, withdraw, noPilot, limit) => {
          const s = catalogue(sizes, seed, withdraw, noPilot);
          try {
            const authors = (s.store.sqlite.prepare('SELECT DISTINCT author FROM microcredentials').all() as { author: string }[]).map((r) => r.author);
            const search = new CatalogueSearch(s.store, 500, limit);
            for (const p of fc.sample(paramsArb(authors.length ? authors : ['did:key:zNobody']), { numRuns: 40, seed })) {
              const got = search.search(p);
              const want = reference(s, p, limit);
              expect({ ...got, ids: got.rows.map((r) => r.id), rows: undefined }, JSON.stringify(p)).toEqual({ ...want, rows: undefined });
              const text = p.q !== undefined && toFtsQuery(p.q) !== null;
              if (!want.totalExact) seen.capped++;
              if (text && want.ids.length > 1) seen.textRows++;
              if (text && !want.totalExact && want.ids.length > 1) seen.cappedRanking++;
              if (!text && want.ids.length > 1) seen.plainRows++;
              if (DIMS.some((d) => (p[d]?.length ?? 0) > 0) && want.facetsApproximate) seen.ownFacet++;
            }
          } finally {
            s.store.close();
          }
        },
      ),
      { numRuns: 12, seed: 16 },
    );
    for (const [k, n] of Object.entries(seen)) expect(n, k).toBeGreaterThan(3);
  });
});
