/**
 * Catch-up: a fresh node pulls N entries from one peer and from three peers over libp2p on loopback; entries/s,
 * bytes and peak RSS. Baseline in the same run: the machine's limit for the same work (SHA-256 + SQLite inserts in
 * one transaction, no network), and the ratio. Target (issue 4): >= 30,000 entries/s for 100,000 entries from one peer.
 *
 * By default each serving peer is its own `mochila start` process, as peers are in the field (another machine);
 * `--in-process` runs them in the fresh node's process instead (they then share its event loop).
 */
import '../../node/core/compat.js';
import { spawn, type ChildProcess } from 'node:child_process';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '../../node/core/logger.js';
import { generateKey } from '../../node/identity/keys.js';
import { createManifest } from '../../node/trust/manifest.js';
import { loadConfig } from '../../node/config.js';
import { buildServices, startNode } from '../../node/context.js';
import { initNode } from '../../node/init.js';
import { didToPeerId } from '../../node/federation/peer-ids.js';
import { makeNodes, signedFeed } from './nodes.js';
import { machineLimit } from './baseline.js';
import { freePort, RssSampler, hasFlag, lineChart, nodeFlags, round, saveResult, savePlot } from './lib.js';

type Status = ReturnType<NonNullable<Awaited<ReturnType<typeof startNode>>['replicator']>['status']>;

function figures(r: { n: number; sources: number; mode: string; secs: number; peak: number; status: Status; limit: { entriesPerSecond: number } }) {
  const eps = Math.round(r.n / r.secs);
  return {
    n: r.n,
    sources: r.sources,
    mode: r.mode,
    seconds: round(r.secs, 3),
    entriesPerSecond: eps,
    bytesIn: r.status.totals.bytesIn,
    bytesPerEntry: round(r.status.totals.bytesIn / r.n, 1),
    duplicateEntries: r.status.rounds.reduce((a, x) => a + (x.duplicates ?? 0), 0),
    peakRssMiB: r.peak,
    machineLimitEntriesPerSecond: r.limit.entriesPerSecond,
    ratioToLimit: round(eps / r.limit.entriesPerSecond, 3),
  };
}

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** utime + stime, in clock ticks (USER_HZ = 100), from a /proc `stat` file. */
function statTicks(file: string): number {
  const f = readFileSync(file, 'utf8');
  const fields = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

/**
 * CPU time (user + system) a child process and its descendants have used so far, in seconds (Linux /proc; 0 where
 * there is none).
 */
function cpuSeconds(c: ChildProcess | number): number {
  const pid = typeof c === 'number' ? c : c.pid;
  try {
    let s = statTicks(`/proc/${pid}/stat`) / 100;
    for (const t of readdirSync(`/proc/${pid}/task`))
      for (const kid of readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean)) s += cpuSeconds(Number(kid));
    return s;
  } catch {
    return 0;
  }
}

/** A full garbage collection of this process's heap, now. */
function fullGc(): void {
  v8.setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

function threadTicks(): Map<string, number> {
  const out = new Map<string, number>();
  for (const t of readdirSync('/proc/self/task')) {
    try {
      out.set(`${t}/${readFileSync(`/proc/self/task/${t}/comm`, 'utf8').trim()}`, statTicks(`/proc/self/task/${t}/stat`));
    } catch {
      // the thread ended
    }
  }
  return out;
}

/** The demo units' catalogues (fixtures/units/*), for a node that has something to search. */
function fixtureRecords(): Record<string, unknown>[] {
  const units = path.join(ROOT, 'fixtures/units');
  return readdirSync(units).flatMap((u) => {
    try {
      return JSON.parse(readFileSync(path.join(units, u, 'catalogue.json'), 'utf8')) as Record<string, unknown>[];
    } catch {
      return [];
    }
  });
}

type Sample = [startedAtMs: number, latencyMs: number, url: number];

/**
 * A load client in its own process asking a node for /healthz and a catalogue search at a fixed rate (open loop,
 * 20 requests/s); `stop()` ends it and returns every request's start time, latency and URL.
 */
function startProbe(base: string): { urls: string[]; stop(): Promise<{ samples: Sample[]; errors: number }> } {
  const urls = [`${base}/healthz`, `${base}/api/v1/microcredentials?q=seguridad&pageSize=10`];
  const child = spawn(process.execPath, [path.join(ROOT, 'bin/run-ts.js'), path.join(ROOT, 'scripts/bench/load-client.ts'), JSON.stringify({ urls, connections: 8, durationMs: 900_000, ratePerSecond: 20, raw: true })], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    urls,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      const r = JSON.parse(out.trim().split('\n').pop()!) as { errors: number; samples: Sample[] };
      return { samples: r.samples, errors: r.errors };
    },
  };
}

/** Starts `mochila start` for a node folder; resolves once it serves. */
async function startNodeProcess(dir: string, args: string[], what: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...nodeFlags(), path.join(ROOT, 'bin/mochila.js'), 'start', '--dir', dir, '--http-host', '127.0.0.1', '--log-level', 'error', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('web and API')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`${what} exited with ${code}`)));
  });
  return child;
}

/**
 * Responsiveness while catching up (issue 13): the catching-up node is its own `mochila start` process, as in the
 * field, with a catalogue to search (the demo units' records); a load client asks it for /healthz and a search at
 * 20 requests/s from before its peer comes up until after it holds the whole feed; latencies are those of the
 * requests made during the catch-up (first entry received to last).
 */
async function catchUpProbed(n: number) {
  const keys = [generateKey(), generateKey()];
  const manifest = createManifest({ name: `bench ${Date.now()}`, founders: keys.map((k) => k.did), endorsements: 2 });
  const dirs = keys.map((_, i) => mkdtempSync(path.join(tmpdir(), `mochila-probe-${i}-`)));
  keys.forEach((key, i) => initNode({ dir: dirs[i]!, name: `Universidad ${i}`, country: 'CL', manifest, institutionKey: key }));
  const children: ChildProcess[] = [];
  let probe: ReturnType<typeof startProbe> | null = null;
  try {
    const author = keys[1]!;
    const src = buildServices(loadConfig(dirs[1]!), { logger: silentLogger });
    const h = src.feed.head(author.did)!;
    const entries = signedFeed(author, manifest, n, { seq: h.seq, id: h.id });
    for (let i = 0; i < entries.length; i += 5_000) {
      const r = src.feed.ingestBatch(author.did, entries.slice(i, i + 5_000));
      if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
    }
    const lastSeq = entries[entries.length - 1]!.seq;
    entries.length = 0;
    src.store.close();
    const own = buildServices(loadConfig(dirs[0]!), { logger: silentLogger });
    for (const r of fixtureRecords()) own.catalogue.create(r);
    own.store.close();

    const [srcP2p, freshP2p, freshHttp] = [await freePort(), await freePort(), await freePort()];
    const srcAddr = `/ip4/127.0.0.1/tcp/${srcP2p}/p2p/${didToPeerId(author.did).toString()}`;
    children.push(await startNodeProcess(dirs[0]!, ['--http-port', String(freshHttp), '--p2p-port', String(freshP2p), '--bootstrap', srcAddr], 'catching-up node'));
    const base = `http://127.0.0.1:${freshHttp}`;
    probe = startProbe(base);
    const held = async () => {
      const r = await fetch(`${base}/api/v1/feeds/${encodeURIComponent(author.did)}?limit=1`);
      return r.ok ? ((await r.json()) as { head: { seq: number } }).head.seq : 0;
    };
    await new Promise((r) => setTimeout(r, 1000)); // the probe's connections are up before the peer is
    const cpu0 = cpuSeconds(children[0]!);
    children.push(await startNodeProcess(dirs[1]!, ['--http-port', '0', '--p2p-port', String(srcP2p)], 'source'));
    let first = 0;
    let last = 0;
    const deadline = Date.now() + 600_000;
    for (;;) {
      const seq = await held();
      if (seq > 0 && !first) first = Date.now();
      if (seq >= lastSeq) {
        last = Date.now();
        break;
      }
      if (Date.now() > deadline) throw new Error('the probed catch-up did not finish within 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const cpu = cpuSeconds(children[0]!) - cpu0;
    const { samples, errors } = await probe.stop();
    probe = null;
    const during = samples.filter(([t]) => t >= first && t <= last);
    const stats = (url: number) => {
      const xs = during.filter(([, , u]) => u === url).map(([, ms]) => ms).sort((a, b) => a - b);
      const q = (p: number) => (xs.length ? round(xs[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)]!, 1) : null);
      return { requests: xs.length, p50: q(50), p95: q(95), p99: q(99), max: q(100) };
    };
    const secs = (last - first) / 1000;
    return { n, seconds: round(secs, 2), entriesPerSecond: Math.round(n / secs), healthz: stats(0), search: stats(1), errors, cpuUsPerEntry: round((cpu * 1e6) / n, 1) };
  } finally {
    await probe?.stop().catch(() => null);
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

/** The serving peers as separate `mochila start` processes; the fresh node in this process. */
async function catchUpSeparate(n: number, sources: 1 | 3) {
  const keys = Array.from({ length: sources + 1 }, () => generateKey());
  const manifest = createManifest({ name: `bench ${Date.now()}`, founders: keys.map((k) => k.did), endorsements: 2 });
  const dirs = keys.map((_, i) => mkdtempSync(path.join(tmpdir(), `mochila-catchup-${i}-`)));
  keys.forEach((key, i) => initNode({ dir: dirs[i]!, name: `Universidad ${i}`, country: 'CL', manifest, institutionKey: key }));
  const children: ChildProcess[] = [];
  let fresh: Awaited<ReturnType<typeof startNode>> | null = null;
  try {
    // load every source with the author's pre-signed feed (the author is source 1) and the other sources' feeds
    const author = keys[1]!;
    const srcServices = dirs.slice(1).map((d) => buildServices(loadConfig(d), { logger: silentLogger }));
    const h = srcServices[0]!.feed.head(author.did)!;
    const entries = signedFeed(author, manifest, n, { seq: h.seq, id: h.id });
    for (const s of srcServices) {
      for (const o of srcServices) if (o !== s) s.feed.ingestBatch(o.feed.author, o.feed.read(o.feed.author, 1, 100));
      if (s !== srcServices[0]) s.feed.ingestBatch(author.did, srcServices[0]!.feed.read(author.did, 1, h.seq));
      for (let i = 0; i < entries.length; i += 5_000) {
        const r = s.feed.ingestBatch(author.did, entries.slice(i, i + 5_000));
        if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
      }
    }
    const lastSeq = entries[entries.length - 1]!.seq;
    for (const s of srcServices) s.store.close();
    const limit = machineLimit(entries);
    entries.length = 0;

    const addrs: string[] = [];
    for (const [i, d] of dirs.slice(1).entries()) {
      const port = await freePort();
      const child = spawn(process.execPath, [...nodeFlags(), path.join(ROOT, 'bin/mochila.js'), 'start', '--dir', d, '--http-port', '0', '--http-host', '127.0.0.1', '--p2p-port', String(port), '--log-level', 'error'], {
        cwd: ROOT,
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      children.push(child);
      await new Promise<void>((resolve, reject) => {
        let out = '';
        child.stdout!.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('web and API')) resolve();
        });
        child.once('exit', (code) => reject(new Error(`source ${i} exited with ${code}`)));
      });
      addrs.push(`/ip4/127.0.0.1/tcp/${port}/p2p/${didToPeerId(keys[i + 1]!.did).toString()}`);
    }

    const config = loadConfig(dirs[0]!, { httpHost: '127.0.0.1', httpPort: 0, p2pHost: '127.0.0.1', p2pPort: 0 }, {});
    fresh = await startNode(config, { logger: silentLogger, http: false, replication: { syncIntervalMs: 60_000 } });
    // the feed generated above is garbage by now: collect it before the clock starts, not during the catch-up
    fullGc();
    const rss = new RssSampler(false).start(50);
    const prof = process.env.BENCH_PROFILE ? await import('node:inspector/promises').then(async (m) => { const s = new m.Session(); s.connect(); await s.post('Profiler.enable'); await s.post('Profiler.start'); return s; }) : null;
    const threads0 = process.env.BENCH_THREADS ? threadTicks() : null;
    const cpu0 = process.cpuUsage();
    const peersCpu0 = children.map(cpuSeconds);
    const t0 = performance.now();
    await Promise.all(addrs.map((a) => fresh!.replicator!.dial(a)));
    const deadline = Date.now() + 600_000;
    while ((fresh.services.feed.head(author.did)?.seq ?? 0) < lastSeq || keys.slice(2).some((k) => !fresh!.services.feed.head(k.did))) {
      if (Date.now() > deadline) throw new Error('catch-up did not converge within 10 minutes');
      await new Promise((r) => setTimeout(r, 5));
    }
    const secs = (performance.now() - t0) / 1000;
    const cpu = process.cpuUsage(cpu0);
    if (threads0) {
      const t1 = threadTicks();
      console.error([...t1].map(([tid, v]) => [tid, v - (threads0.get(tid) ?? 0)] as const).filter(([, d]) => d > 2).map(([tid, d]) => `${tid}:${d}`).join(' '));
    }
    const peersCpu = children.reduce((a, c, i) => a + cpuSeconds(c) - peersCpu0[i]!, 0);
    if (prof) {
      const { profile } = (await prof.post('Profiler.stop')) as { profile: unknown };
      (await import('node:fs')).writeFileSync(process.env.BENCH_PROFILE!, JSON.stringify(profile));
    }
    const peak = rss.stop();
    const st = fresh.replicator!.status();
    return { ...figures({ n, sources, mode: 'separate processes', secs, peak, status: st, limit }), cpuUsPerEntry: { freshNode: round(((cpu.user + cpu.system) / n), 1), servingPeers: round((peersCpu * 1e6) / n, 1) } };
  } finally {
    await fresh?.stop();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

async function catchUp(n: number, sources: 1 | 3) {
  const net = await makeNodes(sources + 1, { replication: { syncIntervalMs: 60_000 } });
  try {
    const [fresh, ...srcs] = net.nodes as [(typeof net.nodes)[0], ...(typeof net.nodes)[0][]];
    // the author is the first source; its feed is pre-signed and loaded into every source
    const author = srcs[0]!;
    const h = author.node.services.feed.head(author.key.did)!;
    const entries = signedFeed(author.key, net.manifest, n, { seq: h.seq, id: h.id });
    for (const s of srcs) {
      for (const other of srcs) if (other !== s) s.node.services.feed.ingestBatch(other.key.did, other.node.services.feed.read(other.key.did, 1, 100));
      for (let i = 0; i < entries.length; i += 5_000) {
        const r = s.node.services.feed.ingestBatch(author.key.did, s === author ? [] : entries.slice(i, i + 5_000));
        if (r.rejected.length) throw new Error(JSON.stringify(r.rejected[0]));
      }
      if (s === author) for (let i = 0; i < entries.length; i += 5_000) author.node.services.feed.ingestBatch(author.key.did, entries.slice(i, i + 5_000));
    }
    const lastSeq = entries[entries.length - 1]!.seq;
    const rss = new RssSampler(false).start(50);
    const t0 = performance.now();
    await Promise.all(srcs.map((s) => fresh.node.replicator!.dial(s.addr)));
    // done when the fresh node holds the whole feed and its heads agree with the author's (which by then also
    // include the fresh node's own feed, pulled back in the same rounds)
    const deadline = Date.now() + 600_000;
    while ((fresh.node.services.feed.head(author.key.did)?.seq ?? 0) < lastSeq || fresh.node.services.feed.headsDigest() !== author.node.services.feed.headsDigest()) {
      if (Date.now() > deadline) throw new Error('catch-up did not converge within 10 minutes');
      await new Promise((r) => setTimeout(r, 5));
    }
    const secs = (performance.now() - t0) / 1000;
    const peak = rss.stop();
    const st = fresh.node.replicator!.status();
    const limit = machineLimit(entries);
    return figures({ n, sources, mode: 'in-process', secs, peak, status: st, limit });
  } finally {
    await net.close();
  }
}

export async function runCatchupBench(sizes: number[], sourceCounts: readonly (1 | 3)[] = [1, 3]) {
  const results = [];
  for (const n of sizes) for (const sources of sourceCounts) {
    const r = hasFlag('in-process') ? await catchUp(n, sources) : await catchUpSeparate(n, sources);
    const cpu = 'cpuUsPerEntry' in r ? `, CPU µs/entry: fresh node ${(r.cpuUsPerEntry as { freshNode: number }).freshNode}, serving peers ${(r.cpuUsPerEntry as { servingPeers: number }).servingPeers}` : '';
    console.error(`catch-up n=${n} sources=${sources}: ${r.entriesPerSecond} entries/s (${Math.round(r.ratioToLimit * 100)} % of the machine limit ${r.machineLimitEntriesPerSecond}/s), peak RSS ${r.peakRssMiB} MiB${cpu}`);
    results.push(r);
  }
  // responsiveness of the catching-up node (issue 13): its own run, the node in its own process probed at 20
  // requests/s, so the throughput figures above are taken as before (no HTTP)
  const probeN = sizes.includes(100_000) ? 100_000 : sizes[0]!;
  const probed = await catchUpProbed(probeN);
  console.error(`catch-up n=${probeN}, node probed at 20 requests/s: ${probed.entriesPerSecond} entries/s; healthz p99 ${probed.healthz.p99} ms (${probed.healthz.requests} requests), search p95 ${probed.search.p95} ms (${probed.search.requests} requests)`);
  return { results, responsiveness: probed, target: { entriesPerSecond: 30_000, entries: 100_000, peers: 1, healthzP99Ms: 100, searchP95Ms: 50 } };
}

export function catchupPlot(results: { n: number; sources: number; entriesPerSecond: number; machineLimitEntriesPerSecond: number }[]): string {
  return lineChart({
    title: 'Catch-up of a fresh node',
    xLabel: 'entries (log scale)',
    yLabel: 'entries per second',
    logX: true,
    series: [
      { name: 'from 1 peer', points: results.filter((x) => x.sources === 1).map((x) => [x.n, x.entriesPerSecond]) },
      { name: 'from 3 peers', points: results.filter((x) => x.sources === 3).map((x) => [x.n, x.entriesPerSecond]) },
      { name: 'machine limit (hash + SQLite)', points: results.filter((x) => x.sources === 1).map((x) => [x.n, x.machineLimitEntriesPerSecond]) },
    ],
  });
}

if (import.meta.url === `file://${process.argv[1]}` && hasFlag('throughput-only')) {
  // only the issue's throughput figure, no probed run (development, profiling with BENCH_PROFILE=file):
  // node --single-threaded-gc bin/run-ts.js scripts/bench/catchup.bench.ts --throughput-only [--quick]
  const r = await catchUpSeparate(hasFlag('quick') ? 10_000 : 100_000, 1);
  console.log(`${r.entriesPerSecond} entries/s (${Math.round(r.ratioToLimit * 100)} % of the machine limit ${r.machineLimitEntriesPerSecond}/s), CPU µs/entry fresh ${r.cpuUsPerEntry.freshNode}, serving ${r.cpuUsPerEntry.servingPeers}`);
} else if (import.meta.url === `file://${process.argv[1]}` && hasFlag('probe-only')) {
  // only the responsiveness run (development): node bin/run-ts.js scripts/bench/catchup.bench.ts --probe-only [--quick]
  console.log(JSON.stringify(await catchUpProbed(hasFlag('quick') ? 10_000 : 100_000), null, 2));
} else if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  // --target: only the issue's figure (100,000 entries from one peer) and the probed run, for repeat runs (not saved)
  const target = hasFlag('target');
  const sizes = target ? [100_000] : quick ? [10_000] : hasFlag('no-million') ? [10_000, 100_000] : [10_000, 100_000, 1_000_000];
  const r = await runCatchupBench(sizes, target ? [1] : [1, 3]);
  if (!target) saveResult(quick ? 'catchup-quick' : 'catchup', r);
  if (!quick && !target) savePlot('catchup', catchupPlot(r.results));
  console.log(JSON.stringify(r, null, 2));
}
