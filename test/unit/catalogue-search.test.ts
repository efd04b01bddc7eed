/**
 * Catalogue search counts: facet counts from the single grouped pass equal a count made record by record, each
 * dimension's counts apply every filter but its own, and past the count limit the answer says so (total "at least",
 * facets approximate) instead of being silently wrong.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
import { CatalogueSearch, toFtsQuery, type SearchParams } from '../../node/catalogue/search.js';
import type { MicrocredentialRecord } from '../../node/catalogue/model.js';
import { generateRecords } from '../../scripts/bench/gen-catalogue.js';

const PER_INSTITUTION = 14;
let dir: string;
let s: Services;
const countries = ['MX', 'CL', 'GT'];
const records: { author: string; country: string; r: MicrocredentialRecord }[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mochila-search-'));
  const institutions = countries.map(() => generateKey());
  const self = generateKey();
  const manifest = createManifest({ name: 'search counts', founders: [self.did, ...institutions.map((k) => k.did)], endorsements: 2 });
  const net = networkId(manifest);
  const keystore = keystoreFromData(newKeystoreData(self, generateKey(), new Date().toISOString()));
  s = buildServices(loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {}), { keystore, manifest, logger: silentLogger });
  for (const [i, k] of institutions.entries()) {
    const entries: Entry[] = [];
    const push = (type: EntryType, body: unknown) =>
      entries.push(signEntry(k, { v: 2, net, author: k.did, seq: entries.length + 1, prev: entries.at(-1)?.id ?? null, ts: new Date().toISOString(), type, body }));
    const country = countries[i]!;
    push('profile', { name: { es: `Universidad ${i}` }, shortName: `U${i}`, country, kind: 'hei' });
    for (const r of generateRecords(PER_INSTITUTION, 50 + i)) {
      const mc = { ...r, awardingBody: { name: `Universidad ${i}` }, country };
      records.push({ author: k.did, country, r: mc });
      push('microcredential', { op: 'put', microcredential: mc });
    }
    const res = s.feed.ingestBatch(k.did, entries);
    expect(res.rejected).toEqual([]);
  }
});

afterAll(() => {
  s.store.close();
  rmSync(dir, { recursive: true, force: true });
});

type Dim = 'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea';
const DIMS: Dim[] = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'];

/** The facet values of one record, as the search defines them. */
function valuesOf(x: (typeof records)[number], d: Dim): string[] {
  switch (d) {
    case 'country':
      return [x.country];
    case 'institution':
      return [x.author];
    case 'field':
      return [x.r.fieldOfStudy!.iscedF!.slice(0, 2)];
    case 'level':
      return [`${x.r.level!.framework}:${x.r.level!.value}`];
    case 'participation':
      return [x.r.participation!.mode];
    case 'language':
      return x.r.languages ?? [];
    case 'pilotArea':
      return x.r.pilotArea ? [x.r.pilotArea] : [];
  }
}

/** Counts record by record: dimension d's counts apply every filter in `p` except d's own (filters: exact values, field by prefix). */
function bruteForce(p: Partial<Record<Dim, string[]>>) {
  const passes = (x: (typeof records)[number], except: Dim | null) =>
    DIMS.every((d) => d === except || !p[d] || p[d]!.some((v) => (d === 'field' ? valuesOf(x, 'field')[0]!.startsWith(v.slice(0, 2)) && x.r.fieldOfStudy!.iscedF!.startsWith(v) : valuesOf(x, d).includes(v))));
  const facets = Object.fromEntries(
    DIMS.map((d) => {
      const m = new Map<string, number>();
      for (const x of records) if (passes(x, d)) for (const v of valuesOf(x, d)) m.set(v, (m.get(v) ?? 0) + 1);
      return [d, [...m].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1))];
    }),
  );
  return { total: records.filter((x) => passes(x, null)).length, facets };
}

describe('catalogue search counts', () => {
  const cases: Partial<Record<Dim, string[]>>[] = [
    {},
    { country: ['CL'] },
    { participation: ['online'], level: ['EQF:5', 'EQF:6'] },
    { country: ['MX', 'GT'], language: ['en'], field: ['09'] },
    { pilotArea: ['health'], participation: ['blended'], language: ['es'] },
  ];
  it.each(cases)('facets and total equal a record-by-record count, each dimension without its own filter: %j', (p) => {
    const search = new CatalogueSearch(s.store);
    const r = search.search(p as SearchParams);
    const want = bruteForce(p);
    expect(r.total).toBe(want.total);
    expect(r.totalExact).toBe(true);
    expect(r.facetsApproximate).toBe(false);
    for (const d of DIMS) expect(r.facets[d], d).toEqual(want.facets[d]);
  });

  it.each([
    { q: 'infecciones', sort: undefined },
    { q: 'gest', sort: 'title' as const },
    { q: 'aplicar', sort: 'hours' as const, participation: ['online', 'blended'] },
  ])('a text search finds, orders and counts what a plain join of the full-text index and the catalogue does: %j', (p) => {
    const search = new CatalogueSearch(s.store);
    const r = search.search({ ...p, pageSize: 100 });
    const fts = toFtsQuery(p.q)!;
    const modes = p.participation ?? [];
    const filter = modes.length ? `AND m.participation IN (${modes.map(() => '?').join(',')})` : '';
    const order = p.sort === 'title' ? 'm.title_sort, m.id' : p.sort === 'hours' ? 'm.hours, m.title_sort' : 'f.score, m.title_sort';
    const want = s.store.sqlite
      .prepare(
        `SELECT m.id, m.hours, m.title_sort AS t FROM microcredentials m JOIN (SELECT rowid AS fr, bm25(microcredentials_fts, 10.0, 3.0, 3.0, 2.0, 1.0) AS score FROM microcredentials_fts WHERE microcredentials_fts MATCH ?) f ON f.fr = m.rowid WHERE m.status = 'active' ${filter} ORDER BY ${order}`,
      )
      .all(fts, ...modes) as { id: string; hours: number; t: string }[];
    expect(want.length).toBeGreaterThan(0);
    expect(r.total).toBe(want.length);
    // the same records; in the same order where the order is total (title, then id), else the same sequence of keys
    expect(r.rows.map((x) => x.id).sort()).toEqual(want.map((x) => x.id).sort());
    if (p.sort === 'title') expect(r.rows.map((x) => x.id)).toEqual(want.map((x) => x.id));
    if (p.sort === 'hours') expect(r.rows.map((x) => x.record.workload!.hours)).toEqual(want.map((x) => x.hours));
    expect(r.facets.country.reduce((n, f) => n + f.count, 0)).toBe(want.length);
  });

  it('search_rows follows the catalogue through inserts, updates and withdrawals', () => {
    const differ = () =>
      s.store.sqlite
        .prepare(
          `SELECT COUNT(*) AS n FROM (SELECT rowid, id, status, country, author, field, level_framework, level_value, participation, pilot_area, hours, languages, title_sort, updated_at FROM microcredentials
            EXCEPT SELECT * FROM search_rows) UNION ALL SELECT (SELECT COUNT(*) FROM search_rows) - (SELECT COUNT(*) FROM microcredentials)`,
        )
        .all() as { n: number }[];
    expect(differ().map((x) => x.n)).toEqual([0, 0]);
    const row = s.store.sqlite.prepare('SELECT rowid AS r, id FROM microcredentials LIMIT 1').get() as { r: number; id: string };
    s.store.sqlite.prepare("UPDATE microcredentials SET participation = 'onsite', status = 'withdrawn', hours = 999 WHERE id = ?").run(row.id);
    expect(differ().map((x) => x.n)).toEqual([0, 0]);
    expect(s.store.sqlite.prepare('SELECT status, hours FROM search_rows WHERE rid = ?').get(row.r)).toEqual({ status: 'withdrawn', hours: 999 });
    const search = new CatalogueSearch(s.store);
    expect(search.search({ hoursMin: 999, status: 'all' }).total).toBe(1);
    expect(search.search({ hoursMin: 999 }).total).toBe(0);
  });

  it('every page and sort of a search reports the same total and facets', () => {
    const search = new CatalogueSearch(s.store);
    const first = search.search({ country: ['MX'], pageSize: 5 });
    for (const q of [{ page: 2 }, { page: 3, sort: 'title' as const }, { sort: 'hours' as const, pageSize: 2 }]) {
      const r = search.search({ country: ['MX'], pageSize: 5, ...q });
      expect(r.total).toBe(first.total);
      expect(r.facets).toEqual(first.facets);
    }
  });

  it('past the count limit the total is a lower bound and the facets are flagged approximate', () => {
    const limit = 10;
    const search = new CatalogueSearch(s.store, 500, limit);
    const all = search.search({});
    expect(records.length).toBeGreaterThan(limit);
    expect(all.total).toBe(limit);
    expect(all.totalExact).toBe(false);
    expect(all.facetsApproximate).toBe(true);
    // the rows are still the right ones: paging goes past the counted records
    expect(search.search({ page: 3, pageSize: 10 }).rows).toHaveLength(10);
  });

  it('under the count limit the answer is exact and unflagged, even with a limit in force', () => {
    const exact = new CatalogueSearch(s.store);
    // a filter outside the facet dimensions that leaves at most 10 records
    const hours = [...new Set(records.map((x) => x.r.workload!.hours!))].sort((a, b) => a - b);
    let hi = hours[0]!;
    for (const h of hours) if (records.filter((x) => x.r.workload!.hours! <= h).length <= 10) hi = h;
    const p: SearchParams = { hoursMax: hi };
    const want = exact.search(p);
    expect(want.total).toBeGreaterThan(0);
    expect(want.total).toBeLessThanOrEqual(10);
    const r = new CatalogueSearch(s.store, 500, 10).search(p);
    expect(r.totalExact).toBe(true);
    expect(r.facetsApproximate).toBe(false);
    expect(r.total).toBe(want.total);
    expect(r.facets).toEqual(want.facets);
  });

  it('a facet filter whose own dimension matches more than the limit flags the facets approximate', () => {
    // the country facet counts every country's records (more than 10) though only one country is selected
    const r = new CatalogueSearch(s.store, 500, 10).search({ country: ['CL'], hoursMax: 1_000 });
    expect(r.facetsApproximate).toBe(true);
  });
});
