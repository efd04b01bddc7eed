/**
 * Search benchmark: a replica holding N generated microcredentials (Spanish and English) from 24 institutions,
 * ingested through the verified feed path; then `GET /api/v1/microcredentials` under concurrent load from a second
 * process, two mixes: "repeated" (12 typical queries over and over: served mostly from the result caches) and
 * "varied" (thousands of distinct generated queries, none repeated in the run: the cold path). Reports p50/p95/p99
 * and requests/s, the first request of each typical query, the database size on disk and the node's RSS.
 * Targets: p95 < 20 ms and >= 1,000 requests/s.
 *
 *   run-ts.js scripts/bench/search.bench.ts [--quick] [--records N]
 *
 * The replica is built once per size in a child process and kept under the OS temp dir
 * (`mochila-bench-search/<generator version>-<N>`, keys and manifest derived from fixed seeds), so repeat runs skip
 * the ingest (1,000,000 records take ~10 minutes); the ingest figures reported are those of the build. Must never
 * write to the cached replica's catalogue: the node it starts is standalone and publishes nothing.
 */
import '../../node/core/compat.js';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { keyFromSeed, type Ed25519Key } from '../../node/identity/keys.js';
import { keystoreFromData, newKeystoreData } from '../../node/identity/keystore.js';
import { silentLogger } from '../../node/core/logger.js';
import { loadConfig } from '../../node/config.js';
import { buildServices } from '../../node/context.js';
import { feedWriter } from './nodes.js';
import { createManifest, networkId, type Manifest } from '../../node/trust/manifest.js';
import { MochilaNode } from '../../node/context.js';
import { generateRecords } from './gen-catalogue.js';
import { hasFlag, round, RssSampler, saveResult } from './lib.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Bump when the replica's content changes in a way gen-catalogue.ts's text does not show. */
const REPLICA_FORMAT = 1;
const INSTITUTIONS = 24;
const COUNTRIES = ['MX', 'CL', 'GT'];

export const seedKey = (label: string): Ed25519Key => keyFromSeed(new Uint8Array(createHash('sha256').update(`mochila-bench-search:${label}`).digest()));

/** The cached replica's folder for `n` records: keyed by the generator's source and the replica format. */
export function replicaDir(n: number): string {
  const gen = createHash('sha256')
    .update(readFileSync(path.join(ROOT, 'scripts/bench/gen-catalogue.ts')))
    .update(String(REPLICA_FORMAT))
    .digest('hex')
    .slice(0, 12);
  return path.join(os.tmpdir(), 'mochila-bench-search', `${gen}-${n}`);
}

export interface ReplicaInfo {
  n: number;
  manifest: Manifest;
  institutions: string[];
  ingest: { entries: number; seconds: number; entriesPerSecond: number; signSeconds: number };
  builtAt: string;
}

function services(dir: string, manifest: Manifest) {
  const self = seedKey('self');
  const keystore = keystoreFromData(newKeystoreData(self, seedKey('issuer'), '2026-01-01T00:00:00.000Z'));
  const config = loadConfig(dir, { httpHost: '127.0.0.1', httpPort: 0, p2pPort: -1 }, {});
  return buildServices(config, { keystore, manifest, logger: silentLogger });
}

/** Builds the replica of `n` records into the cache (in this process): per institution a profile then its records, ingested in batches of 5,000. */
function buildReplica(n: number): void {
  const final = replicaDir(n);
  const dir = `${final}.partial-${process.pid}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const institutions = Array.from({ length: INSTITUTIONS }, (_, i) => seedKey(`institution-${i}`));
  const self = seedKey('self');
  const manifest = createManifest({ name: 'bench search', founders: [self.did, ...institutions.map((k) => k.did)], endorsements: 2, createdAt: new Date('2026-01-01T00:00:00Z') });
  const net = networkId(manifest);
  const s = services(dir, manifest);
  const perInst = Math.ceil(n / institutions.length);
  const t0 = performance.now();
  let signMs = 0;
  let ingested = 0;
  for (const [i, k] of institutions.entries()) {
    const { entries, push } = feedWriter(k, net);
    const tSign = performance.now();
    const country = COUNTRIES[i % 3]!;
    push('profile', { name: { es: `Universidad de prueba ${i}`, en: `Test University ${i}` }, shortName: `U${i}`, country, kind: 'hei' });
    for (const r of generateRecords(Math.max(0, Math.min(perInst, n - ingested)), 1000 + i)) push('microcredential', { op: 'put', microcredential: { ...r, awardingBody: { name: `Universidad de prueba ${i}` }, country } });
    signMs += performance.now() - tSign;
    for (let j = 0; j < entries.length; j += 5000) {
      const res = s.feed.ingestBatch(k.did, entries.slice(j, j + 5000));
      if (res.rejected.length) throw new Error(JSON.stringify(res.rejected[0]));
    }
    ingested += entries.length - 1;
    if (n >= 200_000) console.error(`search bench: replica ${ingested} / ${n} records`);
  }
  const secs = (performance.now() - t0 - signMs) / 1000;
  s.store.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  s.store.close();
  const info: ReplicaInfo = {
    n,
    manifest,
    institutions: institutions.map((k) => k.did),
    ingest: { entries: ingested, seconds: round(secs), entriesPerSecond: Math.round(ingested / secs), signSeconds: round(signMs / 1000) },
    builtAt: new Date().toISOString(),
  };
  writeFileSync(path.join(dir, 'replica.json'), JSON.stringify(info, null, 2));
  rmSync(final, { recursive: true, force: true });
  renameSync(dir, final);
}

/** The cached replica of `n` records, built in a child process first if missing (so its memory never counts in the node's RSS). */
export async function replica(n: number): Promise<{ dir: string; info: ReplicaInfo; cached: boolean }> {
  const dir = replicaDir(n);
  const cached = existsSync(path.join(dir, 'replica.json'));
  if (!cached) {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [...process.execArgv, path.join(ROOT, 'bin/run-ts.js'), fileURLToPath(import.meta.url), '--build', String(n)], { stdio: ['ignore', 'inherit', 'inherit'] });
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`replica build exit ${code}`))));
    });
  }
  return { dir, info: JSON.parse(readFileSync(path.join(dir, 'replica.json'), 'utf8')) as ReplicaInfo, cached };
}

/** A deterministic list of distinct search URLs (text typed whole or as a prefix, filters, sorts, pages), none repeated. */
export function variedUrls(base: string, institutions: string[], count: number, seed = 7): { urls: string[]; filterSets: number } {
  let x = seed;
  const r = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return ((x >>> 0) % 1_000_000) / 1_000_000;
  };
  const pick = <T>(a: readonly T[]) => a[Math.floor(r() * a.length)]!;
  const words = ['infeccion', 'prevencion de infecciones', 'calidad', 'gestion de la calidad', 'energia solar', 'fotovoltaica', 'robots', 'programacion', 'salud mental', 'comunitaria', 'formacion docente', 'en linea', 'seguridad minera', 'mining safety', 'analisis de datos', 'data analysis', 'cuidados paliativos', 'sismorresistente', 'telemedicina', 'manufactura esbelta', 'lean', 'nutricion', 'riego', 'residuos', 'waste management', 'farmacovigilancia', 'electromovilidad', 'hidrogeno verde', 'green hydrogen', 'bioseguridad', 'topografia', 'gestion', 'aplicar protocolos', 'indicadores', 'supervisores', 'rurales', 'avanzado', 'basico', 'intermedio', 'atencion primaria', 'universidad', 'evaluacion final', 'proyectos tecnicos', 'astronomia', 'ceramica', 'arquitectura naval'];
  const fields = ['09', '07', '10', '06', '0913', '0912', '0916', '0923', '1022', '0713', '0714', '0715', '0732', '0712', '0613', '0721'];
  const urls = new Set<string>();
  const filterSets = new Set<string>();
  for (let tries = 0; urls.size < count && tries < count * 20; tries++) {
    const q: string[] = [];
    if (r() < 0.75) {
      const w = pick(words);
      // a third typed only partly (search-as-you-type): the first 3 to 8 letters
      q.push(`q=${encodeURIComponent(r() < 0.33 ? w.slice(0, 3 + Math.floor(r() * 6)) : w)}`);
    }
    if (r() < 0.3) q.push(`country=${pick(COUNTRIES)}`);
    if (r() < 0.2) q.push(`field=${pick(fields)}`);
    if (r() < 0.15) q.push(`level=EQF:${4 + Math.floor(r() * 4)}`);
    if (r() < 0.2) q.push(`participation=${pick(['online', 'onsite', 'blended'])}`);
    if (r() < 0.1) q.push('language=en');
    if (r() < 0.1) q.push(`pilotArea=${pick(['health', 'engineering'])}`);
    if (r() < 0.1) q.push(`institution=${encodeURIComponent(pick(institutions))}`);
    if (r() < 0.15) {
      const lo = 16 + 8 * Math.floor(r() * 10);
      q.push(`hoursMin=${lo}`, `hoursMax=${lo + 8 * (1 + Math.floor(r() * 10))}`);
    }
    filterSets.add(q.join('&'));
    if (r() < 0.4) q.push(`sort=${pick(['relevance', 'title', 'hours', 'recent'])}`);
    const page = r() < 0.7 ? 1 : 2 + Math.floor(r() * 9);
    if (page > 1) q.push(`page=${page}`);
    urls.add(q.length ? `${base}?${q.join('&')}` : base);
  }
  return { urls: [...urls], filterSets: filterSets.size };
}

/** The typical queries of the "repeated" mix (text, filters, sort, paging) on `base` (…/api/v1/microcredentials). */
export function typicalUrls(base: string, institutions: string[]): string[] {
  return [
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
    `${base}?institution=${encodeURIComponent(institutions[0]!)}`,
  ];
}

export function runLoad(spec: Record<string, unknown>): Promise<Record<string, number>> {
  return new Promise<Record<string, number>>((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'scripts/bench/load-client.ts'), JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Record<string, number>) : reject(new Error(`load client exit ${code}`))));
  });
}

const fileBytes = (f: string) => (existsSync(f) ? statSync(f).size : 0);

export async function runSearchBench(opts: { n: number; durationMs: number; connections: number; varied?: number }) {
  const { dir, info, cached } = await replica(opts.n);
  const s = services(dir, info.manifest);
  const rss = new RssSampler(false).start(250);
  const node = new MochilaNode(s, {});
  await node.start();
  const base = `${node.httpUrl}/api/v1/microcredentials`;
  const urls = typicalUrls(base, info.institutions);
  // cold: first request of each query, sequential
  const cold: number[] = [];
  for (const u of urls) {
    const t = performance.now();
    const r = await fetch(u);
    await r.arrayBuffer();
    cold.push(performance.now() - t);
  }
  const { urls: varied, filterSets } = variedUrls(base, info.institutions, opts.varied ?? 40_000);
  const urlsFile = path.join(os.tmpdir(), `mochila-bench-search-urls-${process.pid}.json`);
  writeFileSync(urlsFile, JSON.stringify(varied));
  const rssBefore = round(process.memoryUsage.rss() / 2 ** 20, 1);
  // the node's CPU per answered request (this process: the node and nothing else runs here during the load) — a
  // figure other load on the machine changes far less than latency, for comparing code across runs
  const cpuPerRequest = async (spec: Record<string, unknown>): Promise<Record<string, number>> => {
    const c0 = process.cpuUsage();
    const r = await runLoad(spec);
    const c = process.cpuUsage(c0);
    return { ...r, nodeCpuUsPerRequest: round((c.user + c.system) / Math.max(1, r['requests'] ?? 0), 1) };
  };
  const warm = await cpuPerRequest({ urls, connections: opts.connections, durationMs: opts.durationMs });
  const variedLoad = await cpuPerRequest({ urlsFile, connections: opts.connections, durationMs: opts.durationMs });
  delete variedLoad['urls']; // one line per distinct URL: too long to keep
  rmSync(urlsFile, { force: true });
  const sample = (await (await fetch(`${base}?q=gestion`)).json()) as { total: number; totalExact?: boolean; facetsApproximate?: boolean };
  // the catalogue's size: an unfiltered search's total is a lower bound past 10,000 (totalExact false), so count exactly
  const total = { total: (node.services.store.sqlite.prepare("SELECT count(*) AS n FROM microcredentials WHERE status = 'active'").get() as { n: number }).n };
  const peakRssMiB = rss.stop();
  const dbFile = path.join(dir, 'registry.db');
  const db = { bytes: fileBytes(dbFile), walBytes: fileBytes(`${dbFile}-wal`) };
  await node.stop();
  cold.sort((a, b) => a - b);
  return {
    catalogueSize: total.total,
    replica: { cached, builtAt: info.builtAt, dir },
    ingest: { entries: info.ingest.entries, seconds: info.ingest.seconds, entriesPerSecond: info.ingest.entriesPerSecond },
    dbMiB: round((db.bytes + db.walBytes) / 2 ** 20, 1),
    rssMiB: { afterStartAndColdQueries: rssBefore, peak: peakRssMiB },
    queries: urls.length,
    cold: { p50: round(cold[Math.floor(cold.length / 2)]!), max: round(cold[cold.length - 1]!) },
    warm,
    varied: { distinctUrls: varied.length, distinctFilterSets: filterSets, ...variedLoad } as Record<string, number>,
    broadQuery: { q: 'gestion', total: sample.total, totalExact: sample.totalExact ?? true, facetsApproximate: sample.facetsApproximate ?? false },
    connections: opts.connections,
    targets: { p95Ms: 20, rps: 1000 },
  };
}

function argNumber(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : undefined;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const build = argNumber('build');
  if (build !== undefined) {
    buildReplica(build);
  } else {
    const quick = hasFlag('quick');
    const records = argNumber('records');
    const n = records ?? (quick ? 10_000 : 100_000);
    if (!Number.isInteger(n) || n < 1) throw new Error('--records takes a positive whole number');
    const r = await runSearchBench({ n, durationMs: quick ? 5_000 : 15_000, connections: 16 });
    console.error(
      `search ${r.catalogueSize} records (db ${r.dbMiB} MiB, rss peak ${r.rssMiB.peak} MiB): repeated p95 ${r.warm['p95']} ms ${r.warm['rps']}/s (node ${r.warm['nodeCpuUsPerRequest']} µs CPU/request); varied p95 ${r.varied['p95']} ms ${r.varied['rps']}/s (${r.varied['nodeCpuUsPerRequest']} µs); cold p50 ${r.cold.p50} ms`,
    );
    console.log(JSON.stringify(r, null, 2));
    // the default sizes keep their result names; other sizes are saved as search-<n> (search-1000000 in the full run)
    saveResult(records === undefined ? (quick ? 'search-quick' : 'search') : `search-${n}${quick ? '-quick' : ''}`, r);
  }
}
