/**
 * Propagation: 6, 12 and 24 real nodes in this process (libp2p on loopback), each dialling three others (a ring
 * lattice i→i+1, i→i+2 plus one seeded-random chord, so every node has ~6 connections; not a full mesh). 200 entries
 * are appended on publishers chosen round-robin, one every 20–50 ms; every node's `feed.onEntry` listener timestamps
 * when each entry is stored there. Per entry: time until it is stored on every node → p50/p95/max; convergence time
 * (last append → every node holds every entry and all heads digests agree); bytes per entry per node, both from the
 * replicator's own totals (sync rounds only) and on the wire (every TCP write in the process, so gossip, noise and
 * yamux framing, identify and pings included). Target: p95 < 500 ms at 6 nodes.
 */
import '../../node/core/compat.js';
import net from 'node:net';
import { manifestHash } from '../../node/trust/manifest.js';
import { makeNodes } from './nodes.js';
import { hasFlag, lineChart, round, saveResult, savePlot, summary } from './lib.js';

// ---- wire bytes: every TCP write in this process (only libp2p sockets exist: the nodes run without HTTP).
// Installed on the first run, so importing this module (soak, index) changes nothing.
let wireBytes = 0;
let counting = false;
function countWireBytes(): void {
  if (counting) return;
  counting = true;
  const origWrite = net.Socket.prototype.write;
  net.Socket.prototype.write = function (this: net.Socket, chunk: unknown, ...rest: unknown[]) {
    if (typeof chunk === 'string') wireBytes += Buffer.byteLength(chunk);
    else if (chunk && typeof (chunk as Uint8Array).byteLength === 'number') wireBytes += (chunk as Uint8Array).byteLength;
    return (origWrite as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof net.Socket.prototype.write;
}

function rng(seed: number): () => number {
  // mulberry32: a seeded PRNG so the topology and pacing are the same on every run
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const TOPOLOGY = 'each node dials 3 others: i+1, i+2 (ring lattice) and one seeded-random chord; ~6 connections per node';

/** The edges each node dials (deduplicated, undirected). */
export function topology(n: number, seed = 7): [number, number][] {
  const r = rng(seed);
  const edges = new Set<string>();
  const add = (a: number, b: number) => {
    if (a !== b) edges.add(a < b ? `${a}-${b}` : `${b}-${a}`);
  };
  for (let i = 0; i < n; i++) {
    add(i, (i + 1) % n);
    if (n > 3) add(i, (i + 2) % n);
    if (n > 5) {
      let j = i;
      for (let tries = 0; tries < 20 && (j === i || edges.has(i < j ? `${i}-${j}` : `${j}-${i}`)); tries++) j = Math.floor(r() * n);
      add(i, j);
    }
  }
  return [...edges].map((e) => e.split('-').map(Number) as [number, number]);
}

async function until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

export async function propagation(n: number, entries: number, opts: { minGapMs?: number; maxGapMs?: number } = {}) {
  const minGap = opts.minGapMs ?? 20;
  const maxGap = opts.maxGapMs ?? 50;
  countWireBytes();
  const tStart = performance.now();
  // production sync interval (10 s): propagation is gossip's job, pull rounds repair what gossip misses
  const netw = await makeNodes(n, { replication: { syncIntervalMs: 10_000, redialMinMs: 500 } });
  try {
    const nodes = netw.nodes;
    const edges = topology(n);
    // dial the edges a few at a time; a dial racing the other side's keep-alive dial can be reset: retry it
    const dialErrors: string[] = [];
    for (let i = 0; i < edges.length; i += 8)
      await Promise.all(
        edges.slice(i, i + 8).map(async ([a, b]) => {
          for (let attempt = 1; ; attempt++) {
            try {
              await nodes[a]!.node.replicator!.dial(nodes[b]!.addr);
              return;
            } catch (e) {
              if (attempt >= 3) {
                dialErrors.push(`${a}->${b}: ${(e as Error).message}`);
                return;
              }
              await sleep(200);
            }
          }
        }),
      );
    const digests = () => new Set(nodes.map((x) => x.node.services.feed.headsDigest())).size;
    // setup: every node's init entries (membership, profile, issuer key) reach every node
    await until(() => digests() === 1, 120_000, `${n} nodes to converge before the run`);
    // and the gossip mesh has formed (gossipsub heartbeats are 1 s)
    await sleep(1_500);
    const setupSeconds = round((performance.now() - tStart) / 1000, 1);

    const sent: { id: string; t0: number; arrivals: number; last: number }[] = [];
    const byId = new Map<string, (typeof sent)[0]>();
    const early = new Map<string, number[]>(); // arrivals on remote nodes before append() returned (same tick)
    let complete = 0;
    let resolveAll: () => void = () => {};
    const allArrived = new Promise<void>((r) => (resolveAll = r));
    const unsub = nodes.map((x) =>
      x.node.services.feed.onEntry((e) => {
        const now = performance.now();
        const rec = byId.get(e.id);
        if (!rec) {
          const l = early.get(e.id) ?? [];
          l.push(now);
          early.set(e.id, l);
          return;
        }
        rec.arrivals++;
        rec.last = Math.max(rec.last, now);
        if (rec.arrivals === n) {
          complete++;
          if (complete === entries) resolveAll();
        }
      }),
    );
    const st0 = nodes.map((x) => x.node.replicator!.status().totals);
    const wire0 = wireBytes;
    const hash = manifestHash(netw.manifest);
    const statement = 'Declaración institucional de participación en la red de cooperación en microcredenciales. '.repeat(5);
    const r = rng(11);
    let lastAppend = 0;
    for (let i = 0; i < entries; i++) {
      const pub = nodes[i % n]!;
      const t0 = performance.now();
      const e = pub.node.services.feed.append('membership', { action: 'acknowledge-manifest', manifestHash: hash, statement: `${i} ${statement}` });
      const rec = { id: e.id, t0, arrivals: 0, last: t0 };
      byId.set(e.id, rec);
      sent.push(rec);
      // the local arrival was emitted inside append(): count it (and anything that raced in)
      for (const t of early.get(e.id) ?? []) {
        rec.arrivals++;
        rec.last = Math.max(rec.last, t);
      }
      early.delete(e.id);
      if (rec.arrivals === n && ++complete === entries) resolveAll();
      lastAppend = performance.now();
      await sleep(minGap + r() * (maxGap - minGap));
    }
    const timeoutMs = 120_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([allArrived.then(() => false), new Promise<boolean>((r) => (timer = setTimeout(() => r(true), timeoutMs)))]);
    clearTimeout(timer);
    const arrivedAt = performance.now();
    // heads digests agree (every node holds the same heads) — normally already true when the last entry lands
    await until(() => digests() === 1, 60_000, 'heads digests to agree').catch(() => {});
    const convergedAt = performance.now();
    for (const u of unsub) u();
    const wire = wireBytes - wire0;
    const st1 = nodes.map((x) => x.node.replicator!.status());
    const syncOut = st1.reduce((a, s, i) => a + s.totals.bytesOut - st0[i]!.bytesOut, 0);
    const roundsFailed = st1.reduce((a, s, i) => a + s.totals.roundsFailed - st0[i]!.roundsFailed, 0);
    const roundsOk = st1.reduce((a, s, i) => a + s.totals.roundsOk - st0[i]!.roundsOk, 0);
    const viaGossip = st1.reduce((a, s, i) => a + s.totals.gossipAccepted - st0[i]!.gossipAccepted, 0);
    const viaSync = st1.reduce((a, s, i) => a + s.totals.entriesPulled - st0[i]!.entriesPulled, 0);
    const connections = st1.map((s) => s.peers.filter((p) => p.connected).length);
    const done = sent.filter((s) => s.arrivals === n);
    const lat = summary(done.map((s) => s.last - s.t0));
    const publishSeconds = (lastAppend - sent[0]!.t0) / 1000;
    return {
      nodes: n,
      entries,
      delivered: done.length,
      timedOut,
      topology: TOPOLOGY,
      edges: edges.length,
      dialErrors,
      connectionsPerNode: { min: Math.min(...connections), max: Math.max(...connections), mean: round(connections.reduce((a, b) => a + b, 0) / n, 1) },
      pacingMs: [minGap, maxGap],
      publishRatePerSecond: round(entries / publishSeconds, 1),
      latencyMs: lat,
      convergenceMs: round(convergedAt - lastAppend, 1),
      lastEntryArrivedMs: round(arrivedAt - lastAppend, 1),
      entriesViaGossip: viaGossip,
      entriesViaSyncRounds: viaSync,
      syncRounds: { ok: roundsOk, failed: roundsFailed },
      bytesPerEntryPerNode: { wire: Math.round(wire / entries / n), syncRounds: Math.round(syncOut / entries / n) },
      setupSeconds,
    };
  } finally {
    await netw.close();
  }
}

export async function runPropagationBench(opts: { sizes: number[]; entries: number }) {
  const results = [];
  for (const n of opts.sizes) {
    const r = await propagation(n, opts.entries);
    console.error(`propagation ${n} nodes, ${r.delivered}/${r.entries} entries: p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms, max ${r.latencyMs.max} ms; convergence ${r.convergenceMs} ms; ${r.bytesPerEntryPerNode.wire} wire bytes/entry/node`);
    results.push(r);
  }
  return { results, target: { p95Ms: 500, atNodes: 6 } };
}

export function propagationPlot(results: { nodes: number; latencyMs: { p50: number; p95: number; max: number } }[]): string {
  return lineChart({
    title: 'Propagation: append → stored on every node',
    xLabel: 'nodes (in one process, ~6 connections each)',
    yLabel: 'milliseconds',
    series: [
      { name: 'p50', points: results.map((x) => [x.nodes, x.latencyMs.p50]) },
      { name: 'p95', points: results.map((x) => [x.nodes, x.latencyMs.p95]) },
      { name: 'max', points: results.map((x) => [x.nodes, x.latencyMs.max]) },
    ],
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const r = await runPropagationBench(quick ? { sizes: [6], entries: 50 } : { sizes: [6, 12, 24], entries: 200 });
  saveResult(quick ? 'propagation-quick' : 'propagation', r);
  if (!quick) savePlot('propagation', propagationPlot(r.results));
  console.log(JSON.stringify(r, null, 2));
}
