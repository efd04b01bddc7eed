/**
 * Search benchmark: a replica holding N generated microcredentials (Spanish and English) from 24 institutions,
 * ingested through the verified feed path; then `GET /api/v1/microcredentials` with typical queries and filters
 * under concurrent load from a second process. Reports p50/p95/p99 and requests/s, cold (first request of each
 * query) and warm. Targets: p95 < 20 ms and >= 1,000 requests/s.
 */
import '../../node/core/compat.js';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKey } from '../../node/identity/keys.js';
import { benchServices, feedWriter } from './nodes.js';
import { createManifest, networkId } from '../../node/trust/manifest.js';
import { MochilaNode } from '../../node/context.js';
import { generateRecords } from './gen-catalogue.js';
import { hasFlag, round, saveResult } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export async function runSearchBench(opts: { n: number; durationMs: number; connections: number }) {
  const institutions = Array.from({ length: 24 }, () => generateKey());
  const self = generateKey();
  const manifest = createManifest({ name: 'bench search', founders: [self.did, ...institutions.map((k) => k.did)], endorsements: 2 });
  const net = networkId(manifest);
  const { s, dir } = benchServices(self, manifest, 'search');
  const countries = ['MX', 'CL', 'GT'];

  // build and ingest the replica: per institution a profile then its records, in batches of 1,000
  const perInst = Math.ceil(opts.n / institutions.length);
  const t0 = performance.now();
  let signMs = 0;
  let ingested = 0;
  for (const [i, k] of institutions.entries()) {
    const { entries, push } = feedWriter(k, net);
    const tSign = performance.now();
    const country = countries[i % 3]!;
    push('profile', { name: { es: `Universidad de prueba ${i}`, en: `Test University ${i}` }, shortName: `U${i}`, country, kind: 'hei' });
    for (const r of generateRecords(Math.min(perInst, opts.n - ingested), 1000 + i)) push('microcredential', { op: 'put', microcredential: { ...r, awardingBody: { name: `Universidad de prueba ${i}` }, country } });
    signMs += performance.now() - tSign;
    for (let j = 0; j < entries.length; j += 1000) {
      const res = s.feed.ingestBatch(k.did, entries.slice(j, j + 1000));
      if (res.rejected.length) throw new Error(JSON.stringify(res.rejected[0]));
    }
    ingested += entries.length - 1;
  }
  const ingestSecs = (performance.now() - t0 - signMs) / 1000;

  const node = new MochilaNode(s, {});
  await node.start();
  const base = `${node.httpUrl}/api/v1/microcredentials`;
  const urls = [
    `${base}`,
    `${base}?q=infeccion`,
    `${base}?q=energia%20solar&country=MX`,
    `${base}?q=formacion%20docente&participation=online`,
    `${base}?country=CL&field=09`,
    `${base}?q=robots&hoursMin=40&hoursMax=120`,
    `${base}?field=0713&sort=hours`,
    `${base}?q=gestion&language=en&page=3`,
    `${base}?level=EQF:6&participation=blended`,
    `${base}?q=salud%20mental&country=GT&sort=title`,
    `${base}?q=mining%20safety`,
    `${base}?institution=${encodeURIComponent(institutions[0]!.did)}`,
  ];
  // cold: first request of each query, sequential
  const cold: number[] = [];
  for (const u of urls) {
    const t = performance.now();
    const r = await fetch(u);
    await r.arrayBuffer();
    cold.push(performance.now() - t);
  }
  const load = await new Promise<Record<string, number>>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'scripts/bench/load-client.ts'), JSON.stringify({ urls, connections: opts.connections, durationMs: opts.durationMs })], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(`load client exit ${code}`))));
  });
  const total = (await (await fetch(`${base}?pageSize=1`)).json()) as { total: number };
  await node.stop();
  rmSync(dir, { recursive: true, force: true });
  cold.sort((a, b) => a - b);
  return {
    catalogueSize: total.total,
    ingest: { entries: ingested, seconds: round(ingestSecs), entriesPerSecond: Math.round(ingested / ingestSecs) },
    queries: urls.length,
    cold: { p50: round(cold[Math.floor(cold.length / 2)]!), max: round(cold[cold.length - 1]!) },
    warm: load,
    connections: opts.connections,
    targets: { p95Ms: 20, rps: 1000 },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const r = await runSearchBench({ n: quick ? 10_000 : 100_000, durationMs: quick ? 5_000 : 15_000, connections: 16 });
  console.error(`search ${r.catalogueSize} records: warm p50 ${r.warm['p50']} ms, p95 ${r.warm['p95']} ms, ${r.warm['rps']} requests/s; cold p50 ${r.cold.p50} ms`);
  console.log(JSON.stringify(r, null, 2));
  saveResult(quick ? 'search-quick' : 'search', r);
}
