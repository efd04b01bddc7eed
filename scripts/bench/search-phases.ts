/**
 * One uncached search at a time, phase by phase: every SQL statement the search runs, its wall time and, for the
 * statements run once, SQLite's EXPLAIN QUERY PLAN with the same parameters. Reads only.
 *
 *   run-ts.js scripts/bench/search-phases.ts <registry.db> 'q=gestion&country=MX' 'sort=hours' …
 *   (INST in a query string stands for the first institution's DID)
 */
import Database from 'better-sqlite3';
import { CatalogueSearch } from '../../node/catalogue/search.js';
import { parseSearchQuery } from '../../node/http/routes/catalogue.routes.js';
import type { Store } from '../../node/store/database.js';
const file = process.argv[2]!;
const db = new Database(file, { readonly: true });
const inst = (db.prepare('SELECT DISTINCT author FROM microcredentials').all() as { author: string }[]).map((r) => r.author);
const times: [string, number, number][] = [];
const args = new Map<string, unknown[]>();
const prep = db.prepare.bind(db);
(db as unknown as { prepare: unknown }).prepare = (sql: string) => {
  const st = prep(sql);
  for (const m of ['all', 'get'] as const) {
    const f = st[m].bind(st);
    (st as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => {
      args.set(sql, a);
      const t = performance.now();
      const r = f(...(a as []));
      const last = times.find((x) => x[0] === sql);
      if (last) { last[1] += performance.now() - t; last[2]++; } else times.push([sql, performance.now() - t, 1]);
      return r;
    };
  }
  return st;
};
for (const qs of process.argv.slice(3)) {
  times.length = 0;
  const p = parseSearchQuery(Object.fromEntries(new URLSearchParams(qs.replace('INST', encodeURIComponent(inst[0]!)))) as never);
  const s = new CatalogueSearch({ sqlite: db } as unknown as Store);
  const t = performance.now();
  s.search(p);
  console.log(`\n== ${qs}: ${(performance.now() - t).toFixed(1)} ms`);
  for (const [sql, ms, n] of times) {
    if (sql.startsWith('SELECT (SELECT data_version')) continue;
    console.log(`${ms.toFixed(1).padStart(7)} ms x${n}  ${sql.slice(0, 400)}`);
    if (n === 1 && !sql.includes('WHERE rowid = ?')) for (const r of prep('EXPLAIN QUERY PLAN ' + sql).all(...(args.get(sql) as [])) as { detail: string }[]) console.log('            ', r.detail);
  }
}
