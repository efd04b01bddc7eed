/**
 * Profiles the search's uncached path without HTTP: the bench's varied URLs (search.bench.ts) run one by one against a
 * replica's database opened read-only, each on a fresh CatalogueSearch (no result or summary cache), timed in process
 * CPU (less sensitive than wall time to a busy machine); prints p50/p95/mean, the mean by kind (text or not, sorted or
 * not, number of filters) and the slowest URLs. Reads only.
 *
 *   run-ts.js scripts/bench/search-profile.ts <registry.db> [count]   (SR_TRACE=1 prints each URL's time)
 */
import Database from 'better-sqlite3';
import { CatalogueSearch, type SearchParams } from '../../node/catalogue/search.js';
import { parseSearchQuery } from '../../node/http/routes/catalogue.routes.js';
import { variedUrls } from './search.bench.js';
import type { Store } from '../../node/store/database.js';
const file = process.argv[2]!;
const n = Number(process.argv[3] ?? 300);
const db = new Database(file, { readonly: true });
db.pragma('mmap_size = 268435456');
const inst = (db.prepare('SELECT DISTINCT author FROM microcredentials').all() as { author: string }[]).map((r) => r.author);
const { urls } = variedUrls('http://x/api', inst, 40000);
const out: { ms: number; kind: string; url: string }[] = [];
for (const u of urls.slice(0, n)) {
  const q = Object.fromEntries(new URL(u).searchParams);
  const p: SearchParams = parseSearchQuery(q as never);
  const s2 = new CatalogueSearch({ sqlite: db } as unknown as Store);
  const c0 = process.cpuUsage();
  s2.search(p);
  const c = process.cpuUsage(c0);
  const ms = (c.user + c.system) / 1000;
  const nf = Object.keys(p).filter((k) => !['q', 'sort', 'page', 'hoursMax'].includes(k)).length;
  const kind = `${p.q ? (p.sort && p.sort !== 'relevance' ? 'q-sorted' : 'q-rel') : 'noq'}/${nf > 1 ? '2+' : nf}f`;
  out.push({ ms, kind, url: u.slice(15) });
  if (process.env.SR_TRACE) console.log(ms.toFixed(1), u.slice(15));
}
out.sort((a, b) => a.ms - b.ms);
const pct = (x: number) => out[Math.floor(out.length * x)]!.ms.toFixed(1);
console.log(`n ${out.length} p50 ${pct(0.5)} p95 ${pct(0.95)} max ${out[out.length - 1]!.ms.toFixed(1)} mean ${(out.reduce((a, b) => a + b.ms, 0) / out.length).toFixed(1)}`);
const byKind = new Map<string, number[]>();
for (const o of out) byKind.set(o.kind, [...(byKind.get(o.kind) ?? []), o.ms]);
for (const [k, v] of [...byKind].sort()) console.log(k.padEnd(20), v.length, 'mean', (v.reduce((a, b) => a + b, 0) / v.length).toFixed(1), 'max', Math.max(...v).toFixed(1));
for (const o of out.slice(-15)) console.log(o.ms.toFixed(1), o.url);
