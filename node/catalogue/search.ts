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
  total: number;
  page: number;
  pageSize: number;
  facets: Record<'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea', FacetValue[]>;
}

type Dim = 'country' | 'institution' | 'field' | 'level' | 'participation' | 'language' | 'pilotArea';
const DIMS: Dim[] = ['country', 'institution', 'field', 'level', 'participation', 'language', 'pilotArea'];

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
  private resultsVersion = '';
  private readonly versionStmt: Statement;

  constructor(
    private readonly store: Store,
    private readonly maxCached = 500,
  ) {
    this.versionStmt = store.sqlite.prepare('SELECT total_changes() AS c');
    this.results = new LRUCache({ max: maxCached });
  }

  /** Changes whenever anything is written to the database, by this connection or another process. */
  version(): string {
    return `${this.store.sqlite.pragma('data_version', { simple: true }) as number}:${(this.versionStmt.get() as { c: number }).c}`;
  }

  search(p: SearchParams): SearchResult {
    const version = this.version();
    if (version !== this.resultsVersion) {
      this.results.clear();
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
    const from = fts
      ? 'microcredentials m JOIN (SELECT rowid AS fr, bm25(microcredentials_fts, 10.0, 3.0, 3.0, 2.0, 1.0) AS score FROM microcredentials_fts WHERE microcredentials_fts MATCH @fts) f ON f.fr = m.rowid'
      : 'microcredentials m';
    const order =
      p.sort === 'title'
        ? 'm.title_sort ASC, m.id'
        : p.sort === 'hours'
          ? 'm.hours ASC, m.title_sort'
          : p.sort === 'recent' || !fts
            ? 'm.updated_at DESC, m.id'
            : 'f.score ASC, m.title_sort';
    const params = { ...base.params, fts, limit: pageSize, offset: (page - 1) * pageSize };
    const rows = this.stmt(
      `SELECT m.id, m.author, m.record, m.status, m.updated_at AS updatedAt, m.created_at AS createdAt FROM ${from} WHERE ${base.sql} ORDER BY ${order} LIMIT @limit OFFSET @offset`,
    ).all(params) as { id: string; author: string; record: string; status: string; updatedAt: string; createdAt: string }[];
    const total = (this.stmt(`SELECT COUNT(*) AS n FROM ${from} WHERE ${base.sql}`).get(params) as { n: number }).n;

    const facets = {} as SearchResult['facets'];
    for (const dim of DIMS) {
      const w = this.where(p, fts, dim);
      const expr = facetExpr(dim);
      if (dim === 'language') {
        // languages are stored as ",es,en,": count each language with a small recursive split
        const sql = `WITH RECURSIVE m2(id, rest) AS (SELECT m.id, substr(m.languages, 2) FROM ${from} WHERE ${w.sql}),
          split(id, lang, rest) AS (SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM m2 WHERE instr(rest, ',') > 0
            UNION ALL SELECT id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE instr(rest, ',') > 0)
          SELECT lang AS value, COUNT(*) AS count FROM split WHERE lang <> '' GROUP BY lang ORDER BY count DESC, value`;
        facets[dim] = this.stmt(sql).all({ ...w.params, fts }) as FacetValue[];
      } else {
        facets[dim] = this.stmt(
          `SELECT ${expr} AS value, COUNT(*) AS count FROM ${from} WHERE ${w.sql} AND ${expr} IS NOT NULL AND ${expr} <> '' GROUP BY value ORDER BY count DESC, value LIMIT 100`,
        ).all({ ...w.params, fts }) as FacetValue[];
      }
    }
    return {
      rows: rows.map((r) => ({ ...r, record: JSON.parse(r.record) as MicrocredentialRecord })),
      total,
      page,
      pageSize,
      facets,
    };
  }

  private stmt(sql: string): Statement {
    let s = this.cache.get(sql);
    if (!s) {
      s = this.store.sqlite.prepare(sql);
      this.cache.set(sql, s);
    }
    return s;
  }

  private where(p: SearchParams, _fts: string | null, except: Dim | null): { sql: string; params: Record<string, unknown> } {
    const parts: string[] = [];
    const params: Record<string, unknown> = {};
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
