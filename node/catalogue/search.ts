/**
 * Catalogue search: FTS5 (accent- and case-insensitive, prefix matching) plus filters, facet counts and paging.
 * Read-only; must never write. Facet counts for a dimension apply every filter except that dimension's own.
 * raw SQL: measured hot path, see BENCHMARKS.md "Search under load" (FTS5 MATCH, filters and facets built per request).
 */
import type { Statement } from 'better-sqlite3';
import { LRUCache } from 'lru-cache';
import type { Store } from '../store/database.js';
import type { MicrocredentialRecord } from './model.js';

export interface SearchParams {
  q?: string;
  country?: string[];
  institution?: string[];
  field?: string[];
  level?: string[]; // "EQF:5" or "5"
  participation?: string[];
  language?: string[];
  pilotArea?: string[];
  hoursMin?: number;
  hoursMax?: number;
  status?: 'active' | 'withdrawn' | 'all';
  sort?: 'relevance' | 'title' | 'hours' | 'recent';
  page?: number;
  pageSize?: number;
}

export interface FacetValue {
  value: string;
  count: number;
}

export interface SearchRow {
  id: string;
  author: string;
  record: MicrocredentialRecord;
  status: string;
  updatedAt: string;
  createdAt: string;
}

export interface SearchResult {
  rows: SearchRow[];
  /** Exact count of the matches, or COUNT_LIMIT when more match (`totalExact` false). */
  total: number;
  totalExact: boolean;
  page: number;
  pageSize: number;
  /** True when some facet counts were taken over the first COUNT_LIMIT matches only. */
  facetsApproximate: boolean;
  facets: Record<'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea', FacetValue[]>;
}

type Dim = 'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea';
const DIMS: Dim[] = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'];

interface Summary {
  total: number;
  totalExact: boolean;
  facets: SearchResult['facets'];
  facetsApproximate: boolean;
}

/**
 * Records a search counts at most for its total and facets: past it the total says "at least" (`totalExact` false)
 * and the facets are counted over the first COUNT_LIMIT matching records in storage order (`facetsApproximate`).
 * Counting every match of a broad query over 1,000,000 records costs hundreds of milliseconds (BENCHMARKS.md).
 */
export const COUNT_LIMIT = 10_000;

/** bm25 column weights: title, description, outcomes, skills, institution. */
const BM25_WEIGHTS = '10.0, 3.0, 3.0, 2.0, 1.0';
/** A text search's rows: the full-text matches joined by rowid to search_rows (0011), the narrow copy of the searched columns. */
// CROSS JOIN keeps the full-text index the outer loop: SQLite 3.53 otherwise may walk a search_rows index (hours, say)
// and run the MATCH once per row, which took minutes
const FTS_FROM = 'microcredentials_fts CROSS JOIN search_rows m ON m.rid = microcredentials_fts.rowid';

/** Adds `n` records with facet value `value` (languages come as ",es,en,": one count per language); empty values are not counted. */
function addFacet(counts: Map<string, number>, dim: Dim, value: string | null, n: number): void {
  if (value === null || value === '') return;
  for (const v of dim === 'language' ? value.split(',') : [value]) if (v !== '') counts.set(v, (counts.get(v) ?? 0) + n);
}

/** Turns user text into a safe FTS5 query: every word must match (as a prefix), diacritics and case ignored. */
export function toFtsQuery(q: string): string | null {
  const words = q
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, 12);
  if (words.length === 0) return null;
  return words.map((w) => `"${w.replace(/"/g, '')}"*`).join(' ');
}

export class CatalogueSearch {
  /** Prepared statements by SQL text (queries vary only by the filters present); least recently used out past 500. */
  private readonly cache = new LRUCache<string, Statement>({ max: 500 });
  /**
   * Results by query, valid while the database is unchanged (this connection's writes and other processes'); least
   * recently used out past `maxCached`.
   */
  private readonly results: LRUCache<string, SearchResult>;
  /** Totals and facet counts by filters (every page and sort of a search shares them), cleared with `results`. */
  private readonly summaries: LRUCache<string, Summary>;
  private resultsVersion = '';
  private readonly versionStmt: Statement;
  private readonly byRowid: Statement;

  constructor(
    private readonly store: Store,
    private readonly maxCached = 500,
    private readonly countLimit = COUNT_LIMIT,
  ) {
    // one prepared statement for both counters: better-sqlite3's pragma() prepares its statement on every call, which
    // cost ~5 % of a cached search answer's CPU (asked on every request)
    this.versionStmt = store.sqlite.prepare('SELECT (SELECT data_version FROM pragma_data_version) AS d, total_changes() AS c');
    this.byRowid = store.sqlite.prepare('SELECT id, author, record, status, updated_at AS updatedAt, created_at AS createdAt FROM microcredentials WHERE rowid = ?');
    this.results = new LRUCache({ max: maxCached });
    this.summaries = new LRUCache({ max: maxCached });
  }

  /** Changes whenever anything is written to the database, by this connection or another process. */
  version(): string {
    const v = this.versionStmt.get() as { d: number; c: number };
    return `${v.d}:${v.c}`;
  }

  search(p: SearchParams): SearchResult {
    const version = this.version();
    if (version !== this.resultsVersion) {
      this.results.clear();
      this.summaries.clear();
      this.resultsVersion = version;
    }
    const key = JSON.stringify(p, Object.keys(p).sort());
    const hit = this.results.get(key);
    if (hit) return hit;
    const r = this.compute(p);
    this.results.set(key, r);
    return r;
  }

  private compute(p: SearchParams): SearchResult {
    const page = Math.max(1, Math.floor(p.page ?? 1));
    const pageSize = Math.min(100, Math.max(1, Math.floor(p.pageSize ?? 20)));
    const fts = p.q ? toFtsQuery(p.q) : null;
    const base = this.where(p, fts, null);
    const params = { ...base.params, fts, limit: pageSize, offset: (page - 1) * pageSize };
    // Every order ends with the global id, so ties come out the same on every node (rowids differ between replicas).
    // Every sort orders every match: a broad query's newest, first-by-title or best-ranked record is found wherever it
    // is stored (ranking only the first matches in storage order was measured at ~7 % of a varied request's CPU and
    // would hide records published later: not worth it). A search without text orders through the search_rows indexes
    // (migration 0014). Either way only the page's rows are read from the catalogue rows that hold whole records.
    let sql: string;
    if (fts) {
      const relevance = p.sort === undefined || p.sort === 'relevance';
      const order =
        p.sort === 'title' ? 'c.title_sort, c.id' : p.sort === 'hours' ? 'c.hours, c.title_sort, c.id' : p.sort === 'recent' ? 'c.updated_at DESC, c.id' : 'c.score, c.title_sort, c.id';
      sql =
        `SELECT c.rid FROM (SELECT m.rid, m.id, m.title_sort, m.hours, m.updated_at${relevance ? `, bm25(microcredentials_fts, ${BM25_WEIGHTS}) AS score` : ''}` +
        ` FROM ${FTS_FROM} WHERE ${base.sql}) c ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    } else {
      const order = p.sort === 'title' ? 'm.title_sort, m.id' : p.sort === 'hours' ? 'm.hours, m.title_sort, m.id' : 'm.updated_at DESC, m.id';
      sql = `SELECT m.rid FROM search_rows m WHERE ${base.sql} ORDER BY ${order} LIMIT @limit OFFSET @offset`;
    }
    type Row = { id: string; author: string; record: string; status: string; updatedAt: string; createdAt: string };
    const rows = (this.stmt(sql).all(params) as { rid: number }[]).map(({ rid }) => this.byRowid.get(rid) as Row);
    const { total, totalExact, facets, facetsApproximate } = this.summary(p, fts);
    return {
      rows: rows.map((r) => ({ ...r, record: JSON.parse(r.record) as MicrocredentialRecord })),
      total,
      totalExact,
      page,
      pageSize,
      facetsApproximate,
      facets,
    };
  }

  /**
   * Total and facet counts of a search: the same for every page and sort, so cached by the filters alone. One grouped
   * pass over the result counts every dimension whose filter is not set (and gives the total); each dimension that has
   * a filter gets its own pass without it (its counts apply every other filter). Each pass reads at most
   * `countLimit` + 1 matching records.
   */
  private summary(p: SearchParams, fts: string | null): Summary {
    const key = JSON.stringify([fts, ...DIMS.map((d) => p[d] ?? null), p.hoursMin ?? null, p.hoursMax ?? null, p.status ?? 'active']);
    const hit = this.summaries.get(key);
    if (hit) return hit;
    const base = this.where(p, fts, null);
    const counts = Object.fromEntries(DIMS.map((d) => [d, new Map<string, number>()])) as Record<Dim, Map<string, number>>;
    const own = DIMS.filter((d) => this.where(p, fts, d).sql !== base.sql);
    const cap = this.countLimit + 1;
    // which records a capped pass keeps: a text search's first matches in storage order (rowid, the full-text index's
    // own order); a search without text reads the narrow covering index of 0004, forced (INDEXED BY) so the capped
    // records are always the same ones: its key order (status, country, author, field, level, participation, pilot
    // area, hours, languages), then rowid
    const from = fts ? FTS_FROM : 'microcredentials m INDEXED BY microcredentials_facets';
    // (an explicit ORDER BY of the index's key made SQLite sort part of it again; INDEXED BY alone scans it in key order)
    const order = fts ? ' ORDER BY microcredentials_fts.rowid' : '';
    let total = 0;
    const groups = this.stmt(
      `SELECT ${DIMS.join(', ')}, COUNT(*) AS n FROM (SELECT ${DIMS.map((d) => `${facetExpr(d)} AS ${d}`).join(', ')} FROM ${from} WHERE ${base.sql}${order} LIMIT @cap) GROUP BY ${DIMS.join(', ')}`,
    ).all({ ...base.params, fts, cap }) as (Record<Dim, string | null> & { n: number })[];
    for (const g of groups) {
      total += g.n;
      for (const d of DIMS) if (!own.includes(d)) addFacet(counts[d], d, g[d], g.n);
    }
    const totalExact = total <= this.countLimit;
    let facetsApproximate = !totalExact && own.length < DIMS.length;
    for (const d of own) {
      const w = this.where(p, fts, d);
      const expr = facetExpr(d);
      let seen = 0;
      for (const g of this.stmt(`SELECT value, COUNT(*) AS n FROM (SELECT ${expr} AS value FROM ${from} WHERE ${w.sql}${order} LIMIT @cap) GROUP BY value`).all({ ...w.params, fts, cap }) as {
        value: string | null;
        n: number;
      }[]) {
        seen += g.n;
        addFacet(counts[d], d, g.value, g.n);
      }
      if (seen > this.countLimit) facetsApproximate = true;
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
    const r = { total: Math.min(total, this.countLimit), totalExact, facets, facetsApproximate };
    this.summaries.set(key, r);
    return r;
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.store.sqlite.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private where(p: SearchParams, fts: string | null, except: Dim | null): { sql: string; params: Record<string, unknown> } {
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
    if (fts) parts.push('microcredentials_fts MATCH @fts');
    const status = p.status ?? 'active';
    if (status !== 'all') {
      parts.push('m.status = @status');
      params.status = status;
    }
    const inList = (dim: Dim, column: string, values: string[] | undefined, mode: 'eq' | 'prefix' | 'like' = 'eq') => {
      if (!values || values.length === 0 || except === dim) return;
      const ors = values.slice(0, 50).map((v, i) => {
        const key = `${dim}${i}`;
        if (mode === 'prefix') {
          params[key] = v + '%';
          return `${column} LIKE @${key}`;
        }
        if (mode === 'like') {
          params[key] = `%,${v},%`;
          return `${column} LIKE @${key}`;
        }
        params[key] = v;
        return `${column} = @${key}`;
      });
      parts.push(`(${ors.join(' OR ')})`);
    };
    inList('country', 'm.country', p.country?.map((c) => c.toUpperCase()));
    inList('institution', 'm.author', p.institution);
    inList('field', 'm.field', p.field, 'prefix');
    if (p.level && p.level.length > 0 && except !== 'level') {
      const ors = p.level.slice(0, 50).map((lv, i) => {
        const [fw, val] = lv.includes(':') ? lv.split(':', 2) : [null, lv];
        params[`lv${i}`] = val;
        if (fw) {
          params[`lf${i}`] = fw;
          return `(m.level_framework = @lf${i} AND m.level_value = @lv${i})`;
        }
        return `m.level_value = @lv${i}`;
      });
      parts.push(`(${ors.join(' OR ')})`);
    }
    inList('participation', 'm.participation', p.participation);
    inList('language', 'm.languages', p.language, 'like');
    inList('pilotArea', 'm.pilot_area', p.pilotArea);
    if (p.hoursMin !== undefined) {
      parts.push('m.hours >= @hoursMin');
      params.hoursMin = p.hoursMin;
    }
    if (p.hoursMax !== undefined) {
      parts.push('m.hours <= @hoursMax');
      params.hoursMax = p.hoursMax;
    }
    return { sql: parts.length ? parts.join(' AND ') : '1=1', params };
  }
}

function facetExpr(dim: Dim): string {
  switch (dim) {
    case 'country':
      return 'm.country';
    case 'institution':
      return 'm.author';
    case 'field':
      return 'substr(m.field, 1, 2)';
    case 'level':
      return "m.level_framework || ':' || m.level_value";
    case 'participation':
      return 'm.participation';
    case 'pilotArea':
      return 'm.pilot_area';
    case 'language':
      return 'm.languages';
  }
}
